/// Little-endian writer for the `.pool` format: appends into a byte array.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// Appends an array of integers, little-endian.
    mutating func write<T: FixedWidthInteger>(array: ContiguousArray<T>) {
        #if _endian(little)
        array.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in array { write(v) }
        #endif
    }
}

/// Little-endian reader with bounds checks; running past the end throws `truncated`.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func need(_ count: Int, _ section: String) throws(PoolFileError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(section: section, offset: offset, needed: count, available: remaining)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ section: String) throws(PoolFileError) -> T {
        try need(MemoryLayout<T>.size, section)
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    /// Moves past `count` bytes the caller has checked are there.
    mutating func skip(_ count: Int) { offset += count }

    mutating func readBytes(_ count: Int, _ section: String) throws(PoolFileError) -> [UInt8] {
        try need(count, section)
        defer { offset += count }
        return Array(bytes[offset ..< offset + count])
    }

    mutating func read<T: FixedWidthInteger>(array _: T.Type, count: Int, _ section: String) throws(PoolFileError) -> ContiguousArray<T> {
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
}
