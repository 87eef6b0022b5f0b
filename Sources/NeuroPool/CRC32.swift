import CZlib

/// CRC-32 (the zlib/PNG polynomial) from the system zlib.
public enum CRC32 {
    /// CRC-32 of `bytes`, continuing from `initial` (0 to start). O(n).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        var crc = UInt(initial)
        var rest = bytes
        // zlib takes a 32-bit length; feed large buffers in pieces.
        while !rest.isEmpty {
            let chunk = min(rest.count, Int(UInt32.max))
            crc = CZlib.crc32(crc, rest.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(chunk))
            rest = UnsafeRawBufferPointer(rebasing: rest[chunk...])
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// CRC-32 of a byte array.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
