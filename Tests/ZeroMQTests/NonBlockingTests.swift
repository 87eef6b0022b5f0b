import Testing
import ZeroMQ

@Suite struct NonBlockingTests {
    @Test func dontWaitOnAnEmptySocketReturnsNothing() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        defer { pull.close() }
        try pull.bind("inproc://empty")
        var message = ZMQMessage()
        #expect(try pull.receive(into: &message, dontWait: true) == false)
        #expect(try pull.receiveBytes(dontWait: true) == nil)
        #expect(try pull.receiveMultipart(dontWait: true) == nil)
    }

    @Test func dontWaitSendWithNoPeerReturnsFalse() throws {
        let context = try ZMQContext()
        let push = try ZMQSocket(context, .push)
        defer { push.close() }
        try push.bind("inproc://no-peer")  // bound, nobody connected: no pipe to queue on
        #expect(try push.send("x", dontWait: true) == false)
        #expect(try push.sendMultipart([[1], [2]], dontWait: true) == false)
    }

    @Test func sendAtTheHighWaterMarkReturnsFalse() throws {
        let context = try ZMQContext()
        let push = try ZMQSocket(context, .push)
        let pull = try ZMQSocket(context, .pull)
        defer { push.close(); pull.close() }
        try push.setSendHighWaterMark(2)
        try pull.setReceiveHighWaterMark(2)
        try push.bind("inproc://hwm")
        try pull.connect("inproc://hwm")
        var accepted = 0
        while try push.send([UInt8(accepted)], dontWait: true), accepted < 100 { accepted += 1 }
        #expect(accepted > 0 && accepted < 100)  // inproc HWM is the sum of both ends
        #expect(try pull.receiveBytes(dontWait: true) == [0])
    }

    @Test func receiveTimeoutReturnsNil() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        defer { pull.close() }
        try pull.bind("inproc://timeout")
        try pull.setReceiveTimeout(milliseconds: 20)
        #expect(try pull.receiveBytes() == nil)
        #expect(try pull.receiveMultipart() == nil)
        var message = ZMQMessage()
        #expect(try pull.receive(into: &message) == false)
    }

    @Test func sendTimeoutReturnsFalse() throws {
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, .dealer)
        defer { dealer.close() }
        try dealer.bind("inproc://send-timeout")
        try dealer.setSendTimeout(milliseconds: 20)
        #expect(try dealer.send("x") == false)
    }
}
