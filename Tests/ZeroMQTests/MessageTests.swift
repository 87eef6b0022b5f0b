import Testing
import ZeroMQ

@Suite struct MessageTests {
    @Test func oneMebibyteFrameArrivesIntact() throws {
        let context = try ZMQContext()
        let left = try ZMQSocket(context, .pair)
        let right = try ZMQSocket(context, .pair)
        defer { left.close(); right.close() }
        try left.bind("inproc://large")
        try right.connect("inproc://large")
        try left.setReceiveTimeout(milliseconds: 2000)

        // A pattern where every byte depends on its position, so a shifted or truncated copy fails.
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        _ = try payload.withUnsafeBytes { bytes throws(ZMQError) in try right.send(bytes) }

        var message = ZMQMessage()
        #expect(try left.receive(into: &message))
        let (count, more, received) = (message.count, message.more, message.bytes())
        #expect(count == 1 << 20)
        #expect(!more)
        #expect(received == payload)
        let checksum = message.withUnsafeBytes { $0.reduce(0) { $0 &+ Int($1) } }
        #expect(checksum == payload.reduce(0) { $0 &+ Int($1) })
    }

    @Test func zeroByteMessagesWork() throws {
        let context = try ZMQContext()
        let push = try ZMQSocket(context, .push)
        let pull = try ZMQSocket(context, .pull)
        defer { push.close(); pull.close() }
        try pull.bind("inproc://empty-frames")
        try push.connect("inproc://empty-frames")
        try pull.setReceiveTimeout(milliseconds: 2000)

        try push.send([UInt8]())
        try push.send("")
        try push.send(UnsafeRawBufferPointer(start: nil, count: 0))
        try push.sendMultipart([[], [], []])
        var empty = try ZMQMessage(bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        try push.send(&empty)

        for _ in 0..<3 { #expect(try pull.receiveBytes() == []) }
        #expect(try pull.receiveMultipart() == [[], [], []])
        var message = ZMQMessage()
        #expect(try pull.receive(into: &message))
        let (count, bytes) = (message.count, message.bytes())
        #expect(count == 0)
        #expect(bytes == [])
    }

    @Test func messageReuseAcrossReceivesAndMoreFlag() throws {
        let context = try ZMQContext()
        let push = try ZMQSocket(context, .push)
        let pull = try ZMQSocket(context, .pull)
        defer { push.close(); pull.close() }
        try pull.bind("inproc://reuse")
        try push.connect("inproc://reuse")
        try push.sendMultipart([[1, 2, 3], [4]])
        try push.send([5, 6])

        var message = ZMQMessage()
        #expect(try pull.receive(into: &message, dontWait: true))
        var (bytes, more) = (message.bytes(), message.more)
        #expect(bytes == [1, 2, 3] && more)
        #expect(try pull.hasMore())
        #expect(try pull.receive(into: &message, dontWait: true))
        (bytes, more) = (message.bytes(), message.more)
        #expect(bytes == [4] && !more)
        #expect(try !pull.hasMore())
        #expect(try pull.receive(into: &message, dontWait: true))
        bytes = message.bytes()
        #expect(bytes == [5, 6])
    }

    @Test func zeroCopySendEmptiesTheMessage() throws {
        let context = try ZMQContext()
        let push = try ZMQSocket(context, .push)
        let pull = try ZMQSocket(context, .pull)
        defer { push.close(); pull.close() }
        try pull.bind("inproc://zero-copy")
        try push.connect("inproc://zero-copy")
        let bytes: [UInt8] = [0x00, 0xFF, 0x10]
        var message = try ZMQMessage(bytes: bytes)
        let before = message.count
        #expect(before == 3)
        #expect(try push.send(&message))
        let after = message.count
        #expect(after == 0)
        #expect(try pull.receiveBytes(dontWait: true) == bytes)
    }

    @Test func multipartOfNoFramesIsRefused() throws {
        let context = try ZMQContext()
        let push = try ZMQSocket(context, .push)
        defer { push.close() }
        #expect(zmqError { _ = try push.sendMultipart([]) }?.operation == "zmq_send(multipart, 0 frames)")
    }
}
