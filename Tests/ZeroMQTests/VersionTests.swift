import CZeroMQ
import Testing
import ZeroMQ

@Suite struct VersionTests {
    @Test func versionMatchesTheHeaderWeCompiledAgainst() {
        let version = ZMQ.version
        #expect(version.major == Int(ZMQ_VERSION_MAJOR))
        #expect(version.minor == Int(ZMQ_VERSION_MINOR))
        #expect(version.major >= 4)
    }

    @Test func capabilities() {
        #expect(ZMQ.has("ipc"))
        #expect(ZMQ.has("curve"))  // this machine's libzmq is built with libsodium
        #expect(!ZMQ.has("no-such-capability"))
    }
}
