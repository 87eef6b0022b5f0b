/// Little-endian writer for the package's binary files (`.pool`, HH pool data): appends into a
/// byte array.
package struct ByteWriter {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int) { bytes.reserveCapacity(capacity) }

    package mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func write(_ value: Double) { write(value.bitPattern) }

    package mutating func write(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// Appends an array of integers, little-endian.
    package mutating func write<T: FixedWidthInteger>(array: ContiguousArray<T>) {
        #if _endian(little)
        array.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in array { write(v) }
        #endif
    }

    /// Appends Float64 values as their IEEE bit patterns, little-endian.
    package mutating func write(doubles: ContiguousArray<Double>) {
        for x in doubles { write(x.bitPattern) }
    }

    /// A name: one length byte, then its UTF-8 bytes cut to at most 255 at a character
    /// boundary (a cut inside a character would not decode as UTF-8).
    package mutating func write(string: String) {
        let utf8 = Self.storedName(string)
        write(UInt8(utf8.count))
        write(utf8)
    }

    /// `name`'s UTF-8 bytes, cut to at most 255 at a character boundary.
    package static func storedName(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for character in name {
            if bytes.count + character.utf8.count > 255 { break }
            bytes += character.utf8
        }
        return bytes
    }
}

/// What a `ByteReader` throws: its file format's error, which must say where data ended
/// early and which field holds an impossible value.
package protocol ByteReadingError: Error {
    static func truncated(section: String, offset: Int, needed: Int, available: Int) -> Self
    static func invalid(field: String, detail: String) -> Self
}

extension PoolFileError: ByteReadingError {}

/// Little-endian reader with bounds checks over bytes the caller keeps alive: running past
/// the end throws the format's `truncated`, a bad name its `invalid`. Never traps.
package struct ByteReader<Failure: ByteReadingError> {
    package let bytes: UnsafeRawBufferPointer
    package private(set) var offset = 0

    package init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    package var remaining: Int { bytes.count - offset }

    package mutating func need(_ count: Int, _ section: String) throws(Failure) {
        guard count >= 0, count <= remaining else {
            throw .truncated(section: section, offset: offset, needed: count, available: remaining)
        }
    }

    package mutating func read<T: FixedWidthInteger>(_: T.Type, _ section: String) throws(Failure) -> T {
        try need(MemoryLayout<T>.size, section)
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    package mutating func readDouble(_ section: String) throws(Failure) -> Double {
        Double(bitPattern: try read(UInt64.self, section))
    }

    /// Moves past `count` bytes the caller has checked are there.
    package mutating func skip(_ count: Int) { offset += count }

    package mutating func readBytes(_ count: Int, _ section: String) throws(Failure) -> [UInt8] {
        try need(count, section)
        defer { offset += count }
        return Array(bytes[offset ..< offset + count])
    }

    /// A name written by `ByteWriter.write(string:)`: a length byte, then valid UTF-8.
    package mutating func readString(_ section: String) throws(Failure) -> String {
        let length = Int(try read(UInt8.self, section))
        guard let s = String(validating: try readBytes(length, section), as: UTF8.self) else {
            throw .invalid(field: section, detail: "not valid UTF-8")
        }
        return s
    }

    package mutating func read<T: FixedWidthInteger>(array _: T.Type, count: Int, _ section: String) throws(Failure) -> ContiguousArray<T> {
        let size = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        try need(size.overflow ? Int.max : size.partialValue, section)
        let result = ContiguousArray<T>(unsafeUninitializedCapacity: count) { buffer, initialized in
            let source = UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + size.partialValue])
            for i in 0 ..< count {
                buffer[i] = T(littleEndian: source.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
            }
            initialized = count
        }
        offset += size.partialValue
        return result
    }

    package mutating func readDoubles(count: Int, _ section: String) throws(Failure) -> ContiguousArray<Double> {
        ContiguousArray(try read(array: UInt64.self, count: count, section).lazy.map(Double.init(bitPattern:)))
    }
}
