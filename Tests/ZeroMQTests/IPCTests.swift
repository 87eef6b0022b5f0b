import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct IPCTests {
    @Test func pairOverIPCInATemporaryDirectory() throws {
        var template = Array("/tmp/neurobus-zmq-XXXXXX".utf8CString)
        let directory = try #require(template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        })
        let path = directory + "/socket"
        defer {
            unlink(path)
            rmdir(directory)
        }
        let context = try ZMQContext()
        let left = try ZMQSocket(context, .pair)
        let right = try ZMQSocket(context, .pair)
        defer { left.close(); right.close() }
        try left.bind("ipc://" + path)
        #expect(try left.lastEndpoint() == "ipc://" + path)
        try right.connect("ipc://" + path)
        try left.setReceiveTimeout(milliseconds: 2000)
        try right.sendMultipart([[0x00, 0xFF], []])
        #expect(try left.receiveMultipart() == [[0x00, 0xFF], []])
    }
}
