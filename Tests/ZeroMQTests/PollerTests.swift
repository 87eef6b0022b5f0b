import Testing
import ZeroMQ

@Suite struct PollerTests {
    @Test func readableOnlyWhenAMessageIsWaiting() throws {
        let context = try ZMQContext()
        let push = try ZMQSocket(context, .push)
        let quiet = try ZMQSocket(context, .pull)
        let busy = try ZMQSocket(context, .pull)
        defer { push.close(); quiet.close(); busy.close() }
        try quiet.bind("inproc://quiet")
        try busy.bind("inproc://busy")
        try push.connect("inproc://busy")

        var poller = ZMQPoller()
        let quietIndex = poller.add(quiet)
        let busyIndex = poller.add(busy)
        #expect(poller.count == 2)
        #expect(try poller.poll(timeoutMilliseconds: 0) == 0)
        #expect(poller.events(at: busyIndex).isEmpty)

        try push.send([7])
        #expect(try poller.poll(timeoutMilliseconds: 2000) == 1)
        #expect(poller.events(at: busyIndex) == .readable)
        #expect(poller.events(at: quietIndex).isEmpty)

        #expect(try busy.receiveBytes(dontWait: true) == [7])
        #expect(try poller.poll(timeoutMilliseconds: 10) == 0)
        #expect(poller.events(at: busyIndex).isEmpty)
    }

    @Test func writableReflectsTheHighWaterMark() throws {
        let context = try ZMQContext()
        let push = try ZMQSocket(context, .push)
        let pull = try ZMQSocket(context, .pull)
        defer { push.close(); pull.close() }
        try push.setSendHighWaterMark(1)
        try pull.setReceiveHighWaterMark(1)
        try pull.bind("inproc://writable")
        try push.connect("inproc://writable")

        var poller = ZMQPoller()
        let index = poller.add(push, events: .writable)
        #expect(try poller.poll(timeoutMilliseconds: 0) == 1)
        #expect(poller.events(at: index) == .writable)
        while try push.send([0], dontWait: true) {}
        #expect(try poller.poll(timeoutMilliseconds: 0) == 0)
        #expect(try pull.receiveBytes(dontWait: true) == [0])
        #expect(try poller.poll(timeoutMilliseconds: 2000) == 1)
    }
}
