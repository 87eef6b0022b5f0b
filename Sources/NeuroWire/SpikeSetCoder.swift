/// Encoding and decoding of one tick's spike set (protocol/SPEC.md §5).
///
/// Encoding is two passes over a tick's ids: `plan` validates them and sizes every
/// encoding, then `write` emits the chosen one into storage sized exactly in advance.
/// Decoding writes ids straight into the batch's flat id array.
enum SpikeSetCoder {
    /// A tick's chosen encoding and the bytes it takes after the code byte.
    struct Plan {
        var encoding: SpikeEncoding
        /// Bytes after the code byte: the count varint plus the encoding's body.
        var size: Int
    }

    /// Validates `ids` (increasing, below `neuronCount`) and picks `requested` or, when it
    /// is `nil`, the smallest encoding (ties to the lower code). O(n).
    static func plan(_ ids: UnsafeBufferPointer<UInt16>, neuronCount: Int, tick: Int, requested: SpikeEncoding?, policy: SpikeEncodingPolicy = .compact) throws(WireError) -> Plan {
        let n = ids.count
        if n == 0 {
            if let requested, requested != .empty {
                throw WireError(.badValue, "tick \(tick) is empty but its encoding is \(requested); an empty tick is encoded as empty")
            }
            return Plan(encoding: .empty, size: 0)
        }
        guard n <= neuronCount else {
            throw WireError(.countOverflow, "tick \(tick) has \(n) spikes in a pool of \(neuronCount)")
        }
        // One pass for order, range and varint sizes, and one for the Rice sums at three
        // parameters when the policy may pick Rice. No loop-carried state but the sums, so
        // both loops vectorise.
        let first = Int(ids[0])
        let last = Int(ids[n - 1])
        let gapSum = last - first - (n - 1)
        let kMid = n > 1 ? riceParameter(gapSum: gapSum, gaps: n - 1) : 0
        let kLow = max(kMid - 1, 0), kHigh = min(kMid + 1, 15)
        // Order and varint sizes in 16-bit lanes (eight to a register, not four): `unordered`
        // collects ids not above their predecessor; for ordered ids the wrapping gap is exact.
        // Per-chunk 16-bit counts cannot overflow (2 × 16,383 per chunk).
        var unordered: UInt16 = 0
        var longGaps = 0
        var chunk = 1
        while chunk < n {
            let end = min(chunk &+ 16_383, n)
            var counted: UInt16 = 0
            for index in chunk..<end {
                let previous = ids[index &- 1], current = ids[index]
                let gap = current &- previous &- 1
                unordered |= current > previous ? 0 : 1
                counted &+= (gap >= 0x80 ? 1 : 0) &+ (gap >= 0x4000 ? 1 : 0)
            }
            longGaps &+= Int(counted)
            chunk = end
        }
        var sumLow: Int32 = 0, sumMid: Int32 = 0, sumHigh: Int32 = 0
        if policy == .compact && requested == nil {
            let shiftLow = Int32(kLow), shiftMid = Int32(kMid), shiftHigh = Int32(kHigh)
            for index in 1..<n {
                let gap = Int32(ids[index]) &- Int32(ids[index &- 1]) &- 1
                sumLow &+= gap &>> shiftLow
                sumMid &+= gap &>> shiftMid
                sumHigh &+= gap &>> shiftHigh
            }
        }
        let varintBytes = varintLength(first) + (n - 1) + Int(longGaps)
        guard unordered == 0 else {
            let bad = (1..<n).first { ids[$0] <= ids[$0 - 1] }!
            throw WireError(.unsortedIds, "tick \(tick): id \(ids[bad]) at position \(bad) follows \(ids[bad - 1]); ids must be strictly increasing")
        }
        guard last < neuronCount else {
            throw WireError(.idBeyondPool, "tick \(tick): neuron id \(last) in a pool of \(neuronCount)")
        }
        let countBytes = varintLength(n)
        func riceBody(_ k: Int, _ sum: Int) -> Int { 3 + ((n - 1) * (k + 1) + sum + 7) / 8 }
        if let requested {
            let body: Int
            switch requested {
            case .empty: throw WireError(.badValue, "tick \(tick) has \(n) spikes but its encoding is empty")
            case .ids16: body = 2 * n
            case .varint: body = varintBytes
            case .bitmap: body = (neuronCount + 7) / 8
            case .rice(let k):
                guard k <= 15 else { throw WireError(.badEncoding, "tick \(tick): Rice parameter \(k) is above 15") }
                body = riceBody(Int(k), riceSum(ids, k: Int(k)))
            }
            return Plan(encoding: requested, size: countBytes + body)
        }
        var best = Plan(encoding: .ids16, size: 2 * n)
        if varintBytes < best.size { best = Plan(encoding: .varint, size: varintBytes) }
        let bitmapBytes = (neuronCount + 7) / 8
        if bitmapBytes < best.size { best = Plan(encoding: .bitmap, size: bitmapBytes) }
        for (k, sum) in [(kLow, Int(sumLow)), (kMid, Int(sumMid)), (kHigh, Int(sumHigh))] where policy == .compact {
            let size = riceBody(k, sum)
            if size < best.size { best = Plan(encoding: .rice(k: UInt8(k)), size: size) }
        }
        best.size += countBytes
        return best
    }

    /// The Rice parameter for gaps of this mean: the largest k with 2^k ≤ 0.69 · mean.
    @inline(__always)
    static func riceParameter(gapSum: Int, gaps: Int) -> Int {
        let scaled = (gapSum * 69) / (100 * gaps)
        return scaled == 0 ? 0 : min(Int.bitWidth - 1 - scaled.leadingZeroBitCount, 15)
    }

    /// Σ (gap >> k) over the set's gaps. O(n).
    static func riceSum(_ ids: UnsafeBufferPointer<UInt16>, k: Int) -> Int {
        var sum = 0
        for index in 1..<ids.count { sum += (Int(ids[index]) - Int(ids[index - 1]) - 1) >> k }
        return sum
    }

    /// Writes the set (code byte, count, body) at `offset`; returns the offset after it.
    /// `out` must have room for `1 + plan.size` bytes there, plus 8 bytes of slack after them:
    /// the Rice writer stores whole words past the last byte it keeps, the varint writer a
    /// second byte after a one-byte gap.
    /// `vectorised`: whether varint gaps may go eight at a time through SSE where the CPU
    /// has it (tests compare both paths).
    static func write(_ ids: UnsafeBufferPointer<UInt16>, plan: Plan, neuronCount: Int, into out: UnsafeMutableRawBufferPointer, at offset: Int, vectorised: Bool = true) -> Int {
        var at = offset
        out[at] = plan.encoding.code
        at += 1
        let n = ids.count
        guard n > 0 else { return at }
        at = putVarint(n, out, at)
        switch plan.encoding {
        case .empty:
            break
        case .ids16:
            for id in ids {
                out.storeBytes(of: id.littleEndian, toByteOffset: at, as: UInt16.self)
                at += 2
            }
        case .varint:
            at = putVarint(Int(ids[0]), out, at)
            var first = 1
            if vectorised {
                first += VarintGroups.encodeEights(ids, into: out, at: &at)
            }
            var previous = Int(ids[first - 1])
            for index in first..<n {
                let current = Int(ids[index])
                let gap = current - previous - 1
                if gap < 0x4000 {
                    // One or two bytes without a branch on which: sparse sets mix both at
                    // random. Always stores two bytes; a one-byte gap's second (zero) byte is
                    // slack that the next write covers (`out` has 8 bytes of slack).
                    let two = (gap &+ 0x3F80) &>> 14
                    let low = (gap & 0x7F) | two &<< 7
                    out.storeBytes(of: UInt16(truncatingIfNeeded: low | (gap &>> 7) &<< 8).littleEndian, toByteOffset: at, as: UInt16.self)
                    at &+= 1 &+ two
                } else {
                    at = putVarint(gap, out, at)
                }
                previous = current
            }
        case .bitmap:
            let count = (neuronCount + 7) / 8
            UnsafeMutableRawBufferPointer(rebasing: out[at..<(at + count)]).initializeMemory(as: UInt8.self, repeating: 0)
            for id in ids {
                let index = at + Int(id >> 3)
                out[index] |= UInt8(1) << (id & 7)
            }
            at += count
        case .rice(let k):
            out[at] = k
            out.storeBytes(of: ids[0].littleEndian, toByteOffset: at + 1, as: UInt16.self)
            at = writeRice(ids, k: Int(k), into: out, at: at + 3)
        }
        return at
    }

    @inline(__always)
    private static func putVarint(_ value: Int, _ out: UnsafeMutableRawBufferPointer, _ offset: Int) -> Int {
        var at = offset
        var rest = value
        while rest >= 0x80 {
            out[at] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            at += 1
        }
        out[at] = UInt8(truncatingIfNeeded: rest)
        return at + 1
    }

    /// Writes the Rice bit stream of the set's gaps, LSB-first, zero-padded to a byte.
    /// Each code goes out with one unaligned 8-byte store, so `out` needs 8 bytes of slack
    /// after the stream (`WireEncoder` provides it); bytes beyond the stream are overwritten
    /// by what follows.
    private static func writeRice(_ ids: UnsafeBufferPointer<UInt16>, k: Int, into out: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var at = offset
        var accumulator: UInt64 = 0
        var bits = 0
        let mask = (1 << k) - 1
        for index in 1..<ids.count {
            let gap = Int(ids[index]) &- Int(ids[index &- 1]) &- 1
            var quotient = gap &>> k
            // Long runs of zeros (sparse sets with a small k) go out 32 at a time.
            while quotient >= 32 {
                bits += 32
                out.storeBytes(of: accumulator.littleEndian, toByteOffset: at, as: UInt64.self)
                at += bits >> 3
                accumulator = bits >= 64 ? 0 : accumulator >> UInt64(bits & ~7)
                bits &= 7
                quotient -= 32
            }
            // q zeros, a one, then k low bits: at most 31 + 1 + 15 = 47 bits on top of ≤ 7.
            // Masking shifts and wrapping adds: all amounts are below 64 by construction.
            let code = UInt64(1) &<< UInt64(quotient) | UInt64(gap & mask) &<< UInt64(quotient &+ 1)
            accumulator |= code &<< UInt64(bits)
            bits = bits &+ quotient &+ 1 &+ k
            out.storeBytes(of: accumulator.littleEndian, toByteOffset: at, as: UInt64.self)
            at &+= bits &>> 3
            accumulator = accumulator &>> UInt64(bits & ~7)
            bits &= 7
        }
        if bits > 0 {
            out[at] = UInt8(truncatingIfNeeded: accumulator)
            at += 1
        }
        return at
    }
}
