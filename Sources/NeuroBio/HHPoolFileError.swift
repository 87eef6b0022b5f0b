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

/// Little-endian writer for HH pool bytes.
struct BioByteWriter {
    private(set) var bytes: [UInt8] = []
    init(capacity: Int) { bytes.reserveCapacity(capacity) }
    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    mutating func write(_ value: Double) { write(value.bitPattern) }
    mutating func write(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
    mutating func write(doubles: ContiguousArray<Double>) { for x in doubles { write(x.bitPattern) } }
    mutating func write<T: FixedWidthInteger>(array: ContiguousArray<T>) { for x in array { write(x) } }
    /// A name of at most 255 bytes, cut at a character boundary (as `.pool` files store it:
    /// a cut inside a character would not decode as UTF-8).
    mutating func write(string: String) {
        var utf8: [UInt8] = []
        for character in string {
            if utf8.count + character.utf8.count > 255 { break }
            utf8 += character.utf8
        }
        write(UInt8(utf8.count))
        write(utf8)
    }
}

/// Little-endian reader with bounds checks: running past the end throws `truncated`.
struct BioByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var remaining: Int { bytes.count - offset }

    mutating func need(_ count: Int, _ section: String) throws(HHPoolFileError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(section: section, offset: offset, needed: count, available: remaining)
        }
    }
    mutating func read<T: FixedWidthInteger>(_: T.Type, _ section: String) throws(HHPoolFileError) -> T {
        try need(MemoryLayout<T>.size, section)
        var v: T = 0
        for k in 0 ..< MemoryLayout<T>.size { v |= T(truncatingIfNeeded: bytes[offset + k]) << (8 * k) }
        offset += MemoryLayout<T>.size
        return v
    }
    mutating func readDouble(_ section: String) throws(HHPoolFileError) -> Double {
        Double(bitPattern: try read(UInt64.self, section))
    }
    mutating func readDoubles(count: Int, _ section: String) throws(HHPoolFileError) -> ContiguousArray<Double> {
        let size = count.multipliedReportingOverflow(by: 8)
        try need(size.overflow ? Int.max : size.partialValue, section)
        var out = ContiguousArray<Double>()
        out.reserveCapacity(count)
        for _ in 0 ..< count { out.append(try readDouble(section)) }
        return out
    }
    mutating func read<T: FixedWidthInteger>(array _: T.Type, count: Int, _ section: String) throws(HHPoolFileError) -> ContiguousArray<T> {
        let size = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        try need(size.overflow ? Int.max : size.partialValue, section)
        var out = ContiguousArray<T>()
        out.reserveCapacity(count)
        for _ in 0 ..< count { out.append(try read(T.self, section)) }
        return out
    }
    mutating func readString(_ section: String) throws(HHPoolFileError) -> String {
        let length = Int(try read(UInt8.self, section))
        try need(length, section)
        let raw = Array(bytes[offset ..< offset + length])
        offset += length
        guard let s = String(validating: raw, as: UTF8.self) else { throw .invalid(field: section, detail: "not valid UTF-8") }
        return s
    }
}
