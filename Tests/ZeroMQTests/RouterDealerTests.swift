import CZeroMQ
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct RouterDealerTests {
    @Test func routerSeesTheDealersRoutingIDAndRepliesByIt() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let dealer = try ZMQSocket(context, .dealer)
        defer { router.close(); dealer.close() }
        let id: [UInt8] = [0x4E, 0x00, 0xFF, 0x01]  // binary, with a NUL inside
        try dealer.setRoutingID(id)
        let endpoint = try bindLoopback(router)
        try dealer.connect(endpoint)
        try router.setReceiveTimeout(milliseconds: 2000)
        try dealer.setReceiveTimeout(milliseconds: 2000)

        try dealer.sendMultipart([Array("hello".utf8), [0xFF, 0x00]])
        #expect(try router.receiveMultipart() == [id, Array("hello".utf8), [0xFF, 0x00]])

        try router.sendMultipart([id, Array("back".utf8)])
        #expect(try dealer.receiveMultipart() == [Array("back".utf8)])
    }

    @Test func requestToRouterCarriesTheEnvelope() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let request = try ZMQSocket(context, .req)
        defer { router.close(); request.close() }
        try router.bind("inproc://envelope")
        try request.connect("inproc://envelope")
        try router.setReceiveTimeout(milliseconds: 2000)
        try request.setReceiveTimeout(milliseconds: 2000)

        try request.send("ping")
        let envelope = try #require(try router.receiveMultipart())
        #expect(envelope.count == 3)
        #expect(envelope.first?.isEmpty == false)  // generated routing id
        #expect(envelope.dropFirst().first == [])    // empty delimiter
        #expect(envelope.last == Array("ping".utf8))

        try router.sendMultipart([envelope[0], [], Array("pong".utf8)])
        #expect(try request.receiveBytes() == Array("pong".utf8))
    }

    @Test func mandatoryRouterRejectsAnUnknownPeer() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        defer { router.close() }
        try router.setRouterMandatory(true)
        let error = zmqError { _ = try router.sendMultipart([Array("nobody".utf8), [1]]) }
        #expect(error?.code == EHOSTUNREACH)
    }

    @Test func relaxedCorrelatedRequestMayResend() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let request = try ZMQSocket(context, .req)
        defer { router.close(); request.close() }
        try request.setRequestRelaxed(true)
        try request.setRequestCorrelate(true)
        try router.bind("inproc://relaxed")
        try request.connect("inproc://relaxed")
        try router.setReceiveTimeout(milliseconds: 2000)

        try request.send("first")
        try request.send("second")  // a strict REQ would fail here with EFSM
        let first = try #require(try router.receiveMultipart())
        let second = try #require(try router.receiveMultipart())
        // Correlation adds a request-id frame: id, request id, delimiter, body.
        #expect(first.count == 4 && first.last == Array("first".utf8))
        #expect(second.count == 4 && second.last == Array("second".utf8))
    }

    @Test func strictRequestRefusesASecondSend() throws {
        let context = try ZMQContext()
        let request = try ZMQSocket(context, .req)
        defer { request.close() }
        try request.connect("inproc://nobody-home")
        try request.send("first", dontWait: true)
        let error = zmqError { _ = try request.send("second", dontWait: true) }
        #expect(error?.code == EFSM)
    }
}
