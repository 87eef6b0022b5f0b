/// Zero-filled growth of the encoder's frames and the decoder's id arrays, by `memcpy` from
/// one read-only run of zeros: `append(contentsOf: repeatElement(0, count:))` goes element by
/// element, which perf put at 4–7 % of a bus thread's time on 10-spike batches.
enum Zeros {
    /// Bytes in the run: 65,536 ids, the most one tick of a pool holds.
    static let byteCount = 1 << 17

    /// The run, typed as ids (bytes are read through a raw view); allocated once, never
    /// written after, never freed.
    nonisolated(unsafe) static let ids: UnsafeBufferPointer<UInt16> = {
        let ids = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: byteCount / 2)
        ids.initialize(repeating: 0)
        return UnsafeBufferPointer(ids)
    }()

    /// Appends `count` zero bytes to `array`. O(count).
    @inline(__always)
    static func append(_ count: Int, to array: inout [UInt8]) {
        var left = count
        while left > 0 {
            let chunk = min(left, byteCount)
            array.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(ids)[0..<chunk]))
            left -= chunk
        }
    }

    /// Appends `count` zero ids to `array` (`count` ≤ 65,536, a pool's size). O(count).
    @inline(__always)
    static func append(_ count: Int, to array: inout ContiguousArray<UInt16>) {
        precondition(count <= byteCount / 2, "\(count) zero ids")
        array.append(contentsOf: UnsafeBufferPointer(rebasing: ids[0..<count]))
    }
}
