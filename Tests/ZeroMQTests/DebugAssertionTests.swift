import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The misuse checks are assertions, so they exist only in debug builds. Each runs in a child
// process (an exit test) because it is meant to crash.
#if DEBUG
@Suite struct DebugAssertionTests {
    @Test func leakingAnOpenSocketAsserts() async {
        await #expect(processExitsWith: .failure) {
            let context = try ZMQContext()
            _ = try ZMQSocket(context, .pair)  // dropped without close()
        }
    }

    @Test func usingASocketFromAnotherThreadAsserts() async {
        await #expect(processExitsWith: .failure) {
            let context = try ZMQContext()
            let socket = try ZMQSocket(context, .pair)
            socket.leakCheck = false
            // Smuggle the socket past the compiler's Sendable check, as a misuse would.
            let box = Unmanaged.passRetained(socket).toOpaque()
            var thread = pthread_t()
            pthread_create(&thread, nil, { raw in
                let socket = Unmanaged<ZMQSocket>.fromOpaque(raw!).takeRetainedValue()
                _ = try? socket.linger()
                return nil
            }, box)
            pthread_join(thread, nil)
        }
    }
}
#endif
