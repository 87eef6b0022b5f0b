/// Header flag bits (protocol/SPEC.md §3, §8). Bits 1–3 are critical (a receiver rejects
/// those it does not know); bits 4–7 are ancillary (ignored and preserved).
public struct WireFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The payload is a `u32` raw length followed by a zlib stream (§6).
    public static let compressed = WireFlags(rawValue: 1 << 0)
    /// Critical bits this build knows.
    public static let knownCritical: WireFlags = [.compressed]
    /// All critical bits.
    public static let critical = WireFlags(rawValue: 0x0F)
}

/// The fixed 20-byte header of a message frame.
public struct WireHeader: Equatable, Sendable {
    public var major: UInt8
    public var minor: UInt8
    /// The raw kind byte (may be a kind this build does not know).
    public var kindByte: UInt8
    public var flags: WireFlags
    public var source: UInt16
    public var sequence: UInt32
    /// Payload bytes as sent.
    public var length: UInt32
    public var crc: UInt32

    /// The kind, if this build knows it.
    public var kind: WireKind? { WireKind(rawValue: kindByte) }

    /// Reads the header fields of `frame` without validating anything but its size.
    /// O(1).
    public static func peek(_ frame: UnsafeRawBufferPointer) throws(WireError) -> WireHeader {
        guard frame.count >= WireFormat.headerSize else {
            throw WireError(.truncated, "frame has \(frame.count) bytes, the header needs \(WireFormat.headerSize)")
        }
        return WireHeader(
            major: frame[2],
            minor: frame[3],
            kindByte: frame[4],
            flags: WireFlags(rawValue: frame[5]),
            source: frame.loadUnaligned(fromByteOffset: 6, as: UInt16.self).littleEndian,
            sequence: frame.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian,
            length: frame.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian,
            crc: frame.loadUnaligned(fromByteOffset: 16, as: UInt32.self).littleEndian
        )
    }
}
