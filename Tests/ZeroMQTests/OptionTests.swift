import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct OptionTests {
    @Test func lingerIsBoundedByDefault() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pub)
        defer { socket.close() }
        #expect(try socket.linger() == 200)
        #expect(ZMQSocket.defaultLingerMilliseconds == 200)
        try socket.setLinger(milliseconds: 0)
        #expect(try socket.linger() == 0)
    }

    @Test func highWaterMarksRoundTrip() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .dealer)
        defer { socket.close() }
        #expect(try socket.sendHighWaterMark() == 1000)
        try socket.setSendHighWaterMark(123)
        try socket.setReceiveHighWaterMark(45_678)
        #expect(try socket.sendHighWaterMark() == 123)
        #expect(try socket.receiveHighWaterMark() == 45_678)
    }

    @Test func invalidValuesAreRefusedByLibzmq() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .dealer)
        defer { socket.close() }
        #expect(zmqError { try socket.setSendHighWaterMark(-1) }?.code == EINVAL)
        #expect(zmqError { try socket.setRoutingID([]) }?.code == EINVAL)
        #expect(zmqError { try socket.setRoutingID([UInt8](repeating: 1, count: 256)) }?.code == EINVAL)
        let error = zmqError { try socket.subscribe("x") }  // not a SUB
        #expect(error?.code == EINVAL)
        #expect(error?.operation == "zmq_setsockopt(ZMQ_SUBSCRIBE, 1 bytes)")
    }

    @Test func everySetterIsAccepted() throws {
        let context = try ZMQContext()
        let request = try ZMQSocket(context, .req)
        let router = try ZMQSocket(context, .router)
        defer { request.close(); router.close() }
        try request.setReceiveTimeout(milliseconds: 10)
        try request.setSendTimeout(milliseconds: 10)
        try request.setImmediate(true)
        try request.setReconnectInterval(milliseconds: 50)
        try request.setHandshakeInterval(milliseconds: 1000)
        try request.setRequestRelaxed(true)
        try request.setRequestCorrelate(true)
        try request.setRoutingID([0x7F])
        try router.setRouterMandatory(true)
    }

    @Test func lastEndpointResolvesTheWildcardPort() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pub)
        defer { socket.close() }
        let endpoint = try bindLoopback(socket)
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let port = try #require(Int(endpoint.dropFirst("tcp://127.0.0.1:".count)))
        #expect(port > 0 && port < 65536)
        try socket.unbind(endpoint)
    }

    @Test func eventsAndFileDescriptor() throws {
        let context = try ZMQContext()
        let left = try ZMQSocket(context, .pair)
        let right = try ZMQSocket(context, .pair)
        defer { left.close(); right.close() }
        try left.bind("inproc://events")
        try right.connect("inproc://events")
        #expect(try left.fileDescriptor() >= 0)
        #expect(!(try left.events().contains(.readable)))
        #expect(try right.events().contains(.writable))
        try right.send("x")
        #expect(try left.events().contains(.readable))
    }
}
