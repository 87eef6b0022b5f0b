import Foundation
import NeuroNode
import NeuroPool
import NeuroWire
import Testing
import NeuroNetwork
import NeuroEngine

/// Only regular files are read: a directory or a device (and a FIFO, which the same check
/// refuses before a read could wait for a writer) gets a typed error naming the path.
@Suite("Files that are not regular files")
struct FileKindTests {
    @Test func networkFilesMustBeRegular() {
        for path in [FileManager.default.temporaryDirectory.path, "/dev/null"] {
            do {
                _ = try NetworkDescription.load(path: path)
                Issue.record("\(path) was read as a network")
            } catch {
                #expect(error.file == path && "\(error)".contains("not a regular file"), "\(error)")
            }
        }
    }

    @Test func poolFilesMustBeRegular() {
        for path in [FileManager.default.temporaryDirectory.path, "/dev/zero"] {
            #expect(throws: PoolFileError.notRegularFile(path: path)) { try AtomicFile.read(path) }
        }
    }

    /// A file above its reader's limit (a snapshot part above the size its manifest gives) is
    /// refused before it is read.
    @Test func filesAboveTheirLimitAreRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("neurobus-limit-\(getpid()).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try AtomicFile.write(Array(repeating: 1, count: 100), to: path)
        #expect(throws: PoolFileError.tooLarge(path: path, size: 100, limit: 99)) { try AtomicFile.read(path, atMost: 99) }
        #expect(try AtomicFile.read(path, atMost: 100).count == 100)
    }

    /// A `.pool` file whose size is not the one its header gives — here a real pool grown to
    /// 8 GB of holes — is refused from its first and last bytes, without being read; the
    /// same file at its true size loads.
    @Test func aPoolFileIsSizedFromItsHeaderBeforeItIsRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("neurobus-sparse-\(getpid()).pool").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pool = try NeuronPool.withRandomConnectivity(name: "p", neurons: 64, density: 0.1, config: PoolConfig())
        try pool.save(to: path)
        let size = try AtomicFile.read(path).count
        #expect(try NeuronPool.load(from: path).neuronCount == 64)
        #expect(truncate(path, 8 << 30) == 0)
        #expect(throws: PoolFileError.trailingBytes((8 << 30) - size)) { try NeuronPool.readFile(path) }
        #expect(throws: NodeError.self) { try PoolDriver.summary(ofFinalFile: path) }
        #expect(truncate(path, off_t(size - 1)) == 0)
        #expect(throws: PoolFileError.self) { try NeuronPool.readFile(path) }
    }

    /// An expected size no deflate stream of that length can reach is refused before the
    /// buffer for it is allocated.
    @Test func inflatingToAnImpossibleSizeIsRefused() throws {
        let stream = Array(repeating: UInt8(7), count: 1000).withUnsafeBytes { Deflate.compress($0) }
        let refused = stream.withUnsafeBytes { b in
            Result { () throws(WireError) in try Deflate.inflate(b, expected: 1 << 40) }
        }
        guard case .failure(let error) = refused else { Issue.record("accepted 2^40 bytes"); return }
        #expect(error.code == .inflateFailed && error.detail.contains("more than deflate can hold"), "\(error)")
        let back = try stream.withUnsafeBytes { b throws(WireError) in try Deflate.inflate(b, expected: 1000) }
        #expect(back == Array(repeating: UInt8(7), count: 1000))
    }
}
