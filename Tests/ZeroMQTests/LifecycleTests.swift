import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct LifecycleTests {
    @Test func closeIsIdempotentAndLaterCallsThrowENOTSOCK() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .dealer)
        #expect(!socket.isClosed)
        socket.close()
        socket.close()
        #expect(socket.isClosed)

        let bind = zmqError { try socket.bind("inproc://closed") }
        #expect(bind?.code == ENOTSOCK)
        #expect(bind?.operation == "zmq_bind(inproc://closed)")
        #expect(zmqError { _ = try socket.send("x") }?.code == ENOTSOCK)
        #expect(zmqError { _ = try socket.receiveBytes(dontWait: true) }?.code == ENOTSOCK)
        #expect(zmqError { _ = try socket.linger() }?.code == ENOTSOCK)
        #expect(zmqError { _ = try socket.lastEndpoint() }?.code == ENOTSOCK)
    }

    @Test func pollingAClosedSocketThrows() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pull)
        var poller = ZMQPoller()
        poller.add(socket)
        socket.close()
        #expect(zmqError { _ = try poller.poll(timeoutMilliseconds: 0) }?.code == ENOTSOCK)
    }

    @Test func leakedSocketIsClosedSoTheContextStillTerminates() throws {
        let context = try ZMQContext()
        do {
            let leaked = try ZMQSocket(context, .push)
            leaked.leakCheck = false
            try leaked.connect("inproc://leak")
        }  // deinit closes it; an open socket would block zmq_ctx_term forever
        let terminated = contextTerminates(within: 3000, consume context)
        #expect(terminated)
    }

    /// The classic hang: a connecting socket queues messages for a peer that is not there,
    /// and libzmq's default infinite linger would keep zmq_ctx_term waiting for ever.
    @Test func contextTerminatesWithMessagesQueuedForADeadPeer() throws {
        let deadPort = try #require(DeadPort())
        defer { deadPort.close() }
        let context = try ZMQContext()
        do {
            let dealer = try ZMQSocket(context, .dealer)
            defer { dealer.close() }
            try dealer.connect("tcp://127.0.0.1:\(deadPort.port)")
            for index in 0..<10 {
                #expect(try dealer.send([UInt8(index)], dontWait: true))  // queued, unsendable
            }
        }
        let terminated = contextTerminates(within: 3000, consume context)
        #expect(terminated)
    }

    /// A PUB with messages stuck behind a subscriber that stopped reading (a hung peer):
    /// its context still terminates, within the bounded linger.
    @Test func contextTerminatesWhenAPublisherHasUnsentMessages() throws {
        let peerContext = try ZMQContext()
        let subscriber = try ZMQSocket(peerContext, .sub)
        defer { subscriber.close() }
        try subscriber.setReceiveHighWaterMark(1)
        try subscriber.subscribe([])

        let context = try ZMQContext()
        do {
            let publisher = try ZMQSocket(context, .pub)
            defer { publisher.close() }
            try subscriber.connect(try bindLoopback(publisher))
            #expect(try publishUntilReceived(publisher, subscriber, [[0]]) != nil)
            // 2000 × 64 KiB far exceeds the loopback socket buffers, so with the subscriber
            // never reading again, up to the send HWM stays queued in the publisher.
            let chunk = [UInt8](repeating: 0xAB, count: 64 * 1024)
            for _ in 0..<2000 { try publisher.send(chunk, dontWait: true) }
        }
        let terminated = contextTerminates(within: 3000, consume context)
        #expect(terminated)
    }
}
