/// Why a `.pool` file could not be read or written. Each case names the problem.
public enum PoolFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed (`operation` on `path`, with the C `errno`).
    case io(path: String, operation: String, errno: Int32)
    /// The path names a FIFO, device, socket or directory, which a read could wait on or never
    /// finish; only regular files are read.
    case notRegularFile(path: String)
    /// The file is larger than its reader accepts (`AtomicFile.read(_:atMost:)`).
    case tooLarge(path: String, size: Int, limit: Int)
    /// The data ends before `section` does: `needed` bytes from `offset`, `available` left.
    case truncated(section: String, offset: Int, needed: Int, available: Int)
    /// The first 8 bytes are not the `.pool` magic: not a pool file.
    case badMagic([UInt8])
    /// The file's format version is not one this build reads.
    case unsupportedVersion(found: UInt16, supported: UInt16)
    /// The stored CRC-32 does not match the contents: the file is corrupted.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// The data continues past the end the header describes.
    case trailingBytes(Int)
    /// A field decoded but holds an impossible value.
    case invalid(field: String, detail: String)

    public var description: String {
        switch self {
        case .io(let path, let op, let e): "\(op) \(path) failed: \(String(cString: strerrorText(e))) (errno \(e))"
        case .notRegularFile(let path): "\(path) is not a regular file (a FIFO, device or directory is not read)"
        case .tooLarge(let path, let size, let limit): "\(path) has \(size) bytes, more than the \(limit) accepted"
        case .truncated(let section, let offset, let needed, let available):
            "pool file is truncated: \(section) needs \(needed) bytes at offset \(offset) but \(available) remain"
        case .badMagic(let bytes): "not a pool file: magic is \(bytes.map { String($0, radix: 16) }) instead of 89 4e 50 4f 4f 4c 0d 0a"
        case .unsupportedVersion(let found, let supported): "pool file version \(found) is not supported (this build reads version \(supported))"
        case .checksumMismatch(let stored, let computed):
            "pool file is corrupted: CRC-32 is 0x\(String(computed, radix: 16)) but the file says 0x\(String(stored, radix: 16))"
        case .trailingBytes(let n): "pool file has \(n) unexpected bytes after its checksum"
        case .invalid(let field, let detail): "pool file field \(field) is invalid: \(detail)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private func strerrorText(_ e: Int32) -> UnsafeMutablePointer<CChar> { strerror(e) }
