import Testing
import ZeroMQ

@Suite struct PubSubTests {
    /// Bytes that break any UTF-8 decoding: NULs, 0xFF, a truncated sequence, a lone continuation.
    static let binary: [UInt8] = [0x00, 0xFF, 0xC3, 0x28, 0x00, 0x80, 0xFE, 0xE2, 0x82, 0x00]

    @Test func multipartBinaryRoundTripsExactlyOverTCP() throws {
        let context = try ZMQContext()
        let publisher = try ZMQSocket(context, .pub)
        let subscriber = try ZMQSocket(context, .sub)
        defer { publisher.close(); subscriber.close() }
        let endpoint = try bindLoopback(publisher)
        try subscriber.subscribe("spk/")
        try subscriber.connect(endpoint)

        let frames: [[UInt8]] = [Array("spk/a/".utf8), Self.binary, [], [0x00]]
        let received = try publishUntilReceived(publisher, subscriber, frames)
        #expect(received == frames)
        #expect(try subscriber.hasMore() == false)
    }

    @Test func prefixFilterDoesNotMatchALongerSibling() throws {
        let context = try ZMQContext()
        let publisher = try ZMQSocket(context, .pub)
        let subscriber = try ZMQSocket(context, .sub)
        defer { publisher.close(); subscriber.close() }
        try publisher.bind("inproc://filter")
        try subscriber.subscribe(Array("spk/a/".utf8))
        try subscriber.connect("inproc://filter")

        // Wait until the subscription is live, then drop the warm-up copies.
        let first = try publishUntilReceived(publisher, subscriber, [Array("spk/a/".utf8), [0]])
        #expect(first?.first == Array("spk/a/".utf8))
        try drain(subscriber)

        // One PUB→SUB stream keeps order, so if "spk/ab/" passed the filter it would arrive
        // before the marker.
        try publisher.sendMultipart([Array("spk/ab/".utf8), [1]])
        try publisher.sendMultipart([Array("spk/b/".utf8), [2]])
        try publisher.sendMultipart([Array("spk/a/".utf8), [3]])
        try subscriber.setReceiveTimeout(milliseconds: 2000)
        #expect(try subscriber.receiveMultipart() == [Array("spk/a/".utf8), [3]])
        #expect(try subscriber.receiveMultipart(dontWait: true) == nil)
    }

    @Test func unsubscribeStopsDelivery() throws {
        let context = try ZMQContext()
        let publisher = try ZMQSocket(context, .pub)
        let subscriber = try ZMQSocket(context, .sub)
        defer { publisher.close(); subscriber.close() }
        try publisher.bind("inproc://unsubscribe")
        try subscriber.subscribe("x")
        try subscriber.subscribe("y")
        try subscriber.connect("inproc://unsubscribe")
        #expect(try publishUntilReceived(publisher, subscriber, [Array("y".utf8)]) != nil)
        try drain(subscriber)
        try subscriber.setReceiveTimeout(milliseconds: 2000)

        try subscriber.unsubscribe(Array("x".utf8))
        // The PUB applies the unsubscription asynchronously. Each round sends "x" then "y";
        // order is kept, so a round that yields only "y" shows "x" is now filtered.
        var filtered = false
        for _ in 0..<300 where !filtered {
            try publisher.send("x")
            try publisher.send("y")
            var round: [[UInt8]] = []
            repeat {
                round.append(try #require(try subscriber.receiveBytes()))
            } while round.last != Array("y".utf8)
            filtered = round == [Array("y".utf8)]
        }
        #expect(filtered)
    }
}
