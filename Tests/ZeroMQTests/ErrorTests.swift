import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ErrorTests {
    @Test func malformedEndpointNamesTheEndpoint() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pub)
        defer { socket.close() }
        for endpoint in ["tcp://127.0.0.1", "not an endpoint", "tcp://127.0.0.1:notaport"] {
            let error = try #require(zmqError { try socket.bind(endpoint) })
            #expect(error.code == EINVAL)
            #expect(error.operation == "zmq_bind(\(endpoint))")
            #expect(error.description.hasPrefix("zmq_bind(\(endpoint)): "))
            #expect(error.description.hasSuffix("(errno \(EINVAL))"))
        }
    }

    @Test func embeddedNulIsRejectedNotTruncated() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pair)
        defer { socket.close() }
        let error = zmqError { try socket.bind("inproc://a\u{0}b") }
        #expect(error?.code == EINVAL)
        // Had it been cut at the NUL, "inproc://a" would now be taken.
        try socket.bind("inproc://a")
    }

    @Test func bindingATakenPortGivesAddressInUse() throws {
        let context = try ZMQContext()
        let first = try ZMQSocket(context, .pub)
        let second = try ZMQSocket(context, .pub)
        defer { first.close(); second.close() }
        let endpoint = try bindLoopback(first)
        let error = try #require(zmqError { try second.bind(endpoint) })
        #expect(error.code == EADDRINUSE)
        #expect(error.operation == "zmq_bind(\(endpoint))")
    }

    @Test func unsupportedProtocolIsReported() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .sub)
        defer { socket.close() }
        let error = try #require(zmqError { try socket.connect("carrier-pigeon://home") })
        #expect(error.code == EPROTONOSUPPORT)
        #expect(error.operation == "zmq_connect(carrier-pigeon://home)")
    }

    @Test func errorPredicates() {
        #expect(ZMQError(code: EAGAIN, operation: "x").isAgain)
        #expect(ZMQError(code: EINTR, operation: "x").isInterrupted)
        #expect(!ZMQError(code: EAGAIN, operation: "x").isTerminated)
        #expect(ZMQError(code: EAGAIN, operation: "a") != ZMQError(code: EAGAIN, operation: "b"))
    }

    @Test func shutdownContextMakesCallsFailWithETERM() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, .pull)
        defer { pull.close() }
        try pull.bind("inproc://shutdown")
        try context.shutdown()
        let error = try #require(zmqError { _ = try pull.receiveBytes() })  // would block forever
        #expect(error.isTerminated)
    }

    @Test func unbindAndDisconnectUnknownEndpointsFail() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pair)
        defer { socket.close() }
        #expect(zmqError { try socket.unbind("tcp://127.0.0.1:1") }?.code == ENOENT)
        #expect(zmqError { try socket.disconnect("tcp://127.0.0.1:1") }?.code == ENOENT)
    }
}
