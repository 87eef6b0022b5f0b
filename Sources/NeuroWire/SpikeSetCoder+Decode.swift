extension SpikeSetCoder {
    /// Reads one spike set at the reader's position and appends it to `batch` as tick
    /// `tick`. Every malformed set is a `WireError` naming the tick. O(bytes + n).
    /// `vectorised`: whether varint gaps may go eight at a time through SSE where the CPU
    /// has it (tests compare both paths).
    static func read(_ reader: inout WireReader, into batch: inout SpikeBatch, tick: Int, vectorised: Bool = true) throws(WireError) {
        let neuronCount = batch.neuronCount
        let code = try reader.u8("encoding")
        if code == 0 {
            try batch.appendTick(count: 0, encoding: .empty) { _ throws(WireError) in }
            return
        }
        guard code <= 4 else {
            throw WireError(.badEncoding, "tick \(tick): unknown spike-set encoding \(code)")
        }
        let n = try reader.varint("count")
        guard n > 0 else {
            throw WireError(.badValue, "tick \(tick): count 0 in a non-empty encoding (an empty tick is encoded as empty)")
        }
        guard n <= neuronCount else {
            throw WireError(.countOverflow, "tick \(tick): count \(n) exceeds the pool's \(neuronCount) neurons")
        }
        switch code {
        case 1:
            let raw = try reader.bytes(2 * n, "ids")
            try batch.appendTick(count: n, encoding: .ids16) { out throws(WireError) in
                var previous = -1
                for index in 0..<n {
                    let id = Int(raw.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self).littleEndian)
                    guard id > previous else {
                        throw WireError(.unsortedIds, "tick \(tick): id \(id) at position \(index) follows \(previous)")
                    }
                    guard id < neuronCount else {
                        throw WireError(.idBeyondPool, "tick \(tick): neuron id \(id) in a pool of \(neuronCount)")
                    }
                    out[index] = UInt16(truncatingIfNeeded: id)
                    previous = id
                }
            }
        case 2:
            try batch.appendTick(count: n, encoding: .varint) { out throws(WireError) in
                var id = try reader.varint("id")
                guard id < neuronCount else {
                    throw WireError(.idBeyondPool, "tick \(tick): neuron id \(id) in a pool of \(neuronCount)")
                }
                out[0] = UInt16(truncatingIfNeeded: id)
                let raw = reader.bytes
                var at = reader.offset
                // Eight gaps at a time (SSE), then four, while they are plain; then one at a time.
                var next = 1
                if vectorised {
                    VarintGroups.decodeEights(raw, at: &at, id: &id, index: &next, n: n, neuronCount: neuronCount, into: out)
                }
                VarintGroups.decodeFours(raw, at: &at, id: &id, index: &next, n: n, neuronCount: neuronCount, into: out)
                for index in next..<n {
                    // One- and two-byte gaps (below 16,384) are the common case; a non-minimal
                    // or longer varint takes the checked general path.
                    if at < raw.count, raw[at] < 0x80 {
                        id = id &+ Int(raw[at]) &+ 1
                        at &+= 1
                    } else if at &+ 1 < raw.count, raw[at &+ 1] &- 1 < 0x7F {
                        id = id &+ (Int(raw[at] & 0x7F) | Int(raw[at &+ 1]) &<< 7) &+ 1
                        at &+= 2
                    } else {
                        reader.seek(to: at)
                        id += try reader.varint("gap") + 1
                        at = reader.offset
                    }
                    guard id < neuronCount else {
                        throw WireError(.idBeyondPool, "tick \(tick): neuron id \(id) in a pool of \(neuronCount)")
                    }
                    out[index] = UInt16(truncatingIfNeeded: id)
                }
                reader.seek(to: at)
            }
        case 3:
            let raw = try reader.bytes((neuronCount + 7) / 8, "bitmap")
            try readBitmap(raw, n: n, neuronCount: neuronCount, tick: tick, into: &batch)
        default:
            let k = try reader.u8("k")
            guard k <= 15 else {
                throw WireError(.badEncoding, "tick \(tick): Rice parameter \(k) is above 15")
            }
            let first = Int(try reader.u16("id"))
            guard first < neuronCount else {
                throw WireError(.idBeyondPool, "tick \(tick): neuron id \(first) in a pool of \(neuronCount)")
            }
            let start = reader.offset
            var used = 0
            let stream = UnsafeRawBufferPointer(rebasing: reader.bytes[start...])
            try batch.appendTick(count: n, encoding: .rice(k: k)) { out throws(WireError) in
                used = try readRice(stream, first: first, n: n, k: Int(k), neuronCount: neuronCount, tick: tick, into: out)
            }
            reader.skip(used)
        }
    }

    private static func readBitmap(_ raw: UnsafeRawBufferPointer, n: Int, neuronCount: Int, tick: Int, into batch: inout SpikeBatch) throws(WireError) {
        var population = 0
        for byte in raw { population += byte.nonzeroBitCount }
        let tail = neuronCount & 7
        if tail != 0, raw[raw.count - 1] >> tail != 0 {
            let bit = tail + (raw[raw.count - 1] >> tail).trailingZeroBitCount
            throw WireError(.idBeyondPool, "tick \(tick): bitmap sets neuron \(8 * (raw.count - 1) + bit) in a pool of \(neuronCount)")
        }
        guard population == n else {
            throw WireError(.countOverflow, "tick \(tick): count \(n) but the bitmap has \(population) bits set")
        }
        try batch.appendTick(count: n, encoding: .bitmap) { out throws(WireError) in
            var written = 0
            // Eight bytes at a time; the last word is assembled from the bytes that remain.
            var at = 0
            while at < raw.count {
                var word: UInt64 = 0
                if at + 8 <= raw.count {
                    word = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
                } else {
                    for index in at..<raw.count { word |= UInt64(raw[index]) << (8 * (index - at)) }
                }
                while word != 0 {
                    out[written] = UInt16(truncatingIfNeeded: 8 * at + word.trailingZeroBitCount)
                    written += 1
                    word &= word &- 1
                }
                at += 8
            }
        }
    }

    /// Decodes n − 1 Rice codes after `first`; returns the stream's length in bytes.
    private static func readRice(_ stream: UnsafeRawBufferPointer, first: Int, n: Int, k: Int, neuronCount: Int, tick: Int, into out: UnsafeMutableBufferPointer<UInt16>) throws(WireError) -> Int {
        out[0] = UInt16(truncatingIfNeeded: first)
        var bits = BitReader(stream)
        var id = first
        let mask = UInt64((1 << k) - 1)
        for index in 1..<n {
            // Fast path: the whole code is in the window (always, but near the payload's end
            // or for quotients of 40 and more).
            // The longest fast-path code is 31 + 1 + 15 bits.
            if bits.available < 47 { bits.refill() }
            let zeros = bits.window.trailingZeroBitCount
            let length = zeros &+ 1 &+ k
            if length <= bits.available {
                // Masking shifts and wrapping adds: every value here is small (ids < 2^16,
                // shifts < 64), and trap checks would double the loop.
                let low = Int(truncatingIfNeeded: (bits.window &>> UInt64(zeros &+ 1)) & mask)
                bits.consume(length)
                id = id &+ (zeros &<< k | low) &+ 1
                guard id < neuronCount else {
                    throw WireError(.idBeyondPool, "tick \(tick): neuron id \(id) in a pool of \(neuronCount)")
                }
                out[index] = UInt16(truncatingIfNeeded: id)
                continue
            }
            var quotient = 0
            while true {
                bits.refill()
                let zeros = bits.window.trailingZeroBitCount
                if zeros < bits.available {
                    quotient += zeros
                    bits.consume(zeros + 1)
                    break
                }
                guard bits.available > 0 else {
                    throw WireError(.truncated, "tick \(tick): Rice stream ends in code \(index) of \(n - 1)")
                }
                quotient += bits.available
                bits.consume(bits.available)
                // A run that already puts the next id at or beyond the pool is that error as
                // soon as it is seen, even if the stream then ends (§5); checked as the run
                // grows, so the shift stays small.
                guard id &+ (quotient &<< k) &+ 1 < neuronCount else {
                    throw WireError(.idBeyondPool, "tick \(tick): Rice code \(index) puts the id beyond the pool of \(neuronCount)")
                }
            }
            guard id &+ (quotient &<< k) &+ 1 < neuronCount else {
                throw WireError(.idBeyondPool, "tick \(tick): Rice code \(index) puts the id beyond the pool of \(neuronCount)")
            }
            var low = 0
            if k > 0 {
                bits.refill()
                guard bits.available >= k else {
                    throw WireError(.truncated, "tick \(tick): Rice stream ends in code \(index) of \(n - 1)")
                }
                low = Int(bits.window & mask)
                bits.consume(k)
            }
            id += (quotient << k | low) + 1
            guard id < neuronCount else {
                throw WireError(.idBeyondPool, "tick \(tick): neuron id \(id) in a pool of \(neuronCount)")
            }
            out[index] = UInt16(truncatingIfNeeded: id)
        }
        let usedBits = bits.consumedBits
        let length = (usedBits + 7) / 8
        let padding = length * 8 - usedBits
        if padding > 0, stream[length - 1] >> (8 - padding) != 0 {
            throw WireError(.badPadding, "tick \(tick): non-zero padding bits after the Rice stream")
        }
        return length
    }
}

/// Reads a little-endian, least-significant-bit-first bit stream. `window` holds the next
/// `available` bits in its low end; bits above them, if any, are the stream's following bits.
struct BitReader {
    private let stream: UnsafeRawBufferPointer
    private var nextByte = 0
    private(set) var window: UInt64 = 0
    private(set) var available = 0

    init(_ stream: UnsafeRawBufferPointer) { self.stream = stream }

    /// Bits taken from the stream so far.
    var consumedBits: Int { nextByte * 8 - available }

    /// Tops the window up to at least 57 bits, or to the end of the stream.
    @inline(__always)
    mutating func refill() {
        if nextByte &+ 8 <= stream.count {
            let word = stream.loadUnaligned(fromByteOffset: nextByte, as: UInt64.self).littleEndian
            window |= word &<< UInt64(available)
            let taken = (63 &- available) &>> 3
            nextByte &+= taken
            available &+= taken &<< 3
            // Bits above `available` are left in place: they are the stream's own next bits
            // and the next refill ORs the same bits over them.
        } else {
            while available <= 56, nextByte < stream.count {
                window |= UInt64(stream[nextByte]) << available
                nextByte += 1
                available += 8
            }
        }
    }

    @inline(__always)
    mutating func consume(_ count: Int) {
        // count ≤ available ≤ 63.
        window &>>= UInt64(count)
        available &-= count
    }
}
