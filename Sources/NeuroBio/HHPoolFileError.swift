import NeuroPool

/// Why bytes could not be read as an HH pool (protocol/HH-POOL-FORMAT.md). Each case names
/// the problem; decoding never traps.
public enum HHPoolFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data ends before `section` does: `needed` bytes at `offset`, `available` left.
    case truncated(section: String, offset: Int, needed: Int, available: Int)
    /// The first 8 bytes are not the HH pool magic.
    case badMagic([UInt8])
    /// A format version this build does not read.
    case unsupportedVersion(found: UInt16, supported: UInt16)
    /// The stored CRC-32 does not match the contents.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// More bytes than the header's length: something follows the checksum.
    case trailingBytes(Int)
    /// A field decoded but holds an impossible value.
    case invalid(field: String, detail: String)

    public var description: String {
        switch self {
        case .truncated(let section, let offset, let needed, let available):
            "HH pool data is truncated: \(section) needs \(needed) bytes at offset \(offset) but \(available) remain"
        case .badMagic(let bytes): "not an HH pool: magic is \(bytes.map { String($0, radix: 16) }) instead of 89 4e 42 48 48 0d 0a 1a"
        case .unsupportedVersion(let found, let supported): "HH pool format version \(found) is not supported (this build reads version \(supported))"
        case .checksumMismatch(let stored, let computed):
            "HH pool data is corrupted: CRC-32 is 0x\(String(computed, radix: 16)) but the data says 0x\(String(stored, radix: 16))"
        case .trailingBytes(let n): "HH pool data has \(n) unexpected bytes after its checksum (the header's length)"
        case .invalid(let field, let detail): "HH pool field \(field) is invalid: \(detail)"
        }
    }
}

extension HHPoolFileError: ByteReadingError {}
