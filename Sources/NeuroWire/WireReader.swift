/// A bounds-checked little-endian reader over a payload. It never reads outside its buffer;
/// every failure is a `WireError` naming the field. Use it only inside the closure that lends
/// the buffer.
struct WireReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    private func need(_ count: Int, _ field: StaticString) throws(WireError) {
        guard remaining >= count else {
            throw WireError(.truncated, "payload ends inside '\(field)' at offset \(offset): needs \(count) bytes, \(remaining) left")
        }
    }

    mutating func u8(_ field: StaticString) throws(WireError) -> UInt8 {
        try need(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16(_ field: StaticString) throws(WireError) -> UInt16 {
        try need(2, field)
        defer { offset += 2 }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian
    }

    mutating func u32(_ field: StaticString) throws(WireError) -> UInt32 {
        try need(4, field)
        defer { offset += 4 }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian
    }

    mutating func u64(_ field: StaticString) throws(WireError) -> UInt64 {
        try need(8, field)
        defer { offset += 8 }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
    }

    mutating func i16(_ field: StaticString) throws(WireError) -> Int16 {
        Int16(bitPattern: try u16(field))
    }

    /// A minimal LEB128 varint of at most 3 bytes (values up to 2^21 − 1).
    mutating func varint(_ field: StaticString) throws(WireError) -> Int {
        var value = 0
        var shift = 0
        for index in 0..<3 {
            guard offset < bytes.count else {
                throw WireError(.badVarint, "varint '\(field)' runs past the end of the payload at offset \(offset)")
            }
            let byte = bytes[offset]
            offset += 1
            value |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                if byte == 0 && index > 0 {
                    throw WireError(.badVarint, "varint '\(field)' is not minimal (ends in a zero group) at offset \(offset - 1)")
                }
                return value
            }
            shift += 7
        }
        throw WireError(.badVarint, "varint '\(field)' is longer than 3 bytes at offset \(offset - 3)")
    }

    /// `count` raw bytes.
    mutating func bytes(_ count: Int, _ field: StaticString) throws(WireError) -> UnsafeRawBufferPointer {
        try need(count, field)
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    /// A `u16`-length-prefixed UTF-8 text of at most `WireFormat.maxText` bytes.
    mutating func text(_ field: StaticString) throws(WireError) -> String {
        let count = Int(try u16(field))
        guard count <= WireFormat.maxText else {
            throw WireError(.badText, "text '\(field)' is \(count) bytes, the limit is \(WireFormat.maxText)")
        }
        let raw = try bytes(count, field)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw WireError(.badText, "text '\(field)' is not valid UTF-8")
        }
        return text
    }

    mutating func skip(_ count: Int) { offset += count }

    /// Moves to `position` (0…count), after reading bytes directly from `bytes`.
    mutating func seek(to position: Int) { offset = position }

    /// Ends a payload or row: bytes left over are an error unless the sender's minor version
    /// is newer than ours (its appended fields are skipped).
    func finish(_ what: String, minor: UInt8) throws(WireError) {
        guard remaining > 0, minor <= WireFormat.minorVersion else { return }
        throw WireError(.trailingBytes, "\(remaining) bytes after the last field of \(what) (version 1.\(minor))")
    }
}

/// A little-endian writer appending to a byte array.
struct WireWriter {
    var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i16(_ value: Int16) { u16(UInt16(bitPattern: value)) }

    mutating func varint(_ value: Int) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Text must already be within the limit (checked by `WireMessage.validate`).
    mutating func text(_ value: String) {
        let utf8 = Array(value.utf8)
        u16(UInt16(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func raw(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }
}

/// Bytes of the minimal LEB128 varint of `value` (≤ 2^21 − 1).
@inline(__always)
func varintLength(_ value: Int) -> Int {
    value < 0x80 ? 1 : (value < 0x4000 ? 2 : 3)
}

/// Runs `body` on the bytes of `array`, carrying `body`'s typed error out (the standard
/// library's `withUnsafeBytes` only rethrows untyped errors).
@inline(__always)
func withBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R {
    try array.withUnsafeBytes { raw in
        Result { () throws(WireError) -> R in try body(raw) }
    }.get()
}

/// `value` in lower-case hex, zero-padded to `digits`.
func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}
