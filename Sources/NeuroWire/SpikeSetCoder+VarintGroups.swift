import CNeuroWireShims

/// Group decoding of one- and two-byte varint gaps, after the idea of Plaisance, Kurz and
/// Lemire's Masked VByte: the high bits of the next bytes index a table that says where the
/// next varints start and which are two bytes long, so they decode without a branch on any
/// byte. Eight per step through SSE where the CPU has it (`CNeuroWireShims/varint_groups.c`,
/// which also encodes eight per step), then four per step here, portable, for the rest.
///
/// Why: sparse ticks of a large pool (≈ 500 of 65,536 neurons) mix one- and two-byte gaps
/// at random, and a branch per gap mispredicted about a third of the time: the byte-at-a-time
/// loop ran at 1.3e8 spikes/s there against 4.3e8 where every gap is one byte.
enum VarintGroups {
    /// Whether this CPU runs the eight-at-a-time SSE steps (`CNeuroWireShims`), checked once.
    static let vectorised = neurowire_varint_groups_available() != 0

    /// Decodes eight gaps per step through SSE while they are plain (see `decodeFours`), the
    /// same contract; nothing where the CPU lacks SSE4.1. O(ids decoded).
    @inline(__always)
    static func decodeEights(_ raw: UnsafeRawBufferPointer, at: inout Int, id: inout Int, index: inout Int, n: Int, neuronCount: Int, into out: UnsafeMutableBufferPointer<UInt16>) {
        guard vectorised, let bytes = raw.baseAddress, let ids = out.baseAddress, index < n else { return }
        var offset = at
        var last = Int32(truncatingIfNeeded: id)
        let written = neurowire_varint_groups_decode(
            bytes.assumingMemoryBound(to: UInt8.self), raw.count, &offset,
            ids + index, n - index, &last, Int32(truncatingIfNeeded: neuronCount))
        at = offset
        id = Int(last)
        index += written
    }

    /// Encodes the gaps before `ids[1...]` eight per step through SSE while they are below
    /// 16,384 and 16 bytes fit in `out` at `at`; returns the ids encoded (none where the CPU
    /// lacks SSE4.1). O(ids encoded).
    @inline(__always)
    static func encodeEights(_ ids: UnsafeBufferPointer<UInt16>, into out: UnsafeMutableRawBufferPointer, at: inout Int) -> Int {
        guard vectorised, let source = ids.baseAddress, let bytes = out.baseAddress, ids.count > 1 else { return 0 }
        var offset = at
        let done = neurowire_varint_groups_encode(
            source + 1, ids.count - 1, Int32(source[0]),
            bytes.assumingMemoryBound(to: UInt8.self), out.count, &offset)
        at = offset
        return done
    }

    /// One entry per 8-bit mask of high bits (bit i: byte i has its continuation bit set):
    /// - bits 0..<32: the four varints' start offsets, in bits (8 × byte offset), a byte each;
    /// - bits 32..<36: which of the four are two bytes long;
    /// - bits 36..<40: bytes the four take (4…8), or 0 when they are not all one or two
    ///   bytes long within the eight (a longer varint: the checked path decodes it);
    /// - bits 40..<48: the bytes that are a two-byte varint's second byte.
    static let table: ContiguousArray<UInt64> = ContiguousArray((0..<256).map(entry))

    private static func entry(_ mask: Int) -> UInt64 {
        var entry: UInt64 = 0
        var at = 0
        for slot in 0..<4 {
            entry |= UInt64(8 * at) << (8 * slot)
            if mask >> at & 1 == 0 {
                at += 1
            } else {
                // A second byte must exist within the eight and end the varint.
                guard at + 1 < 8, mask >> (at + 1) & 1 == 0 else { return 0 }
                entry |= 1 << (32 + slot)
                entry |= 1 << (40 + at + 1)
                at += 2
            }
        }
        return entry | UInt64(at) << 36
    }

    /// The high bit of each of the word's eight bytes, packed into bits 0…7 (byte i → bit i).
    @inline(__always)
    static func highBits(_ word: UInt64) -> Int {
        // Bit 8i + 7 moves to bit 56 + i under the multiply, and no two products overlap.
        Int(truncatingIfNeeded: ((word & 0x8080_8080_8080_8080) &* 0x0002_0408_1020_4081) &>> 56)
    }

    /// A word with the high bit set in exactly the bytes of `word` that are zero.
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        ~(((word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | word) & 0x8080_8080_8080_8080
    }

    /// Decodes groups of four gaps from `raw` at `at` while at least four ids remain to be
    /// written (`index + 4 <= n`), eight bytes can be read and the group is plain: every
    /// varint one byte, or two with a non-zero second byte, and every id below `neuronCount`.
    /// Stops at the first group that is not, leaving it to the checked byte-at-a-time path,
    /// which then finds the same values or raises the same error. Updates `id` (the last id
    /// written), `index` and `at`. O(ids decoded).
    @inline(__always)
    static func decodeFours(_ raw: UnsafeRawBufferPointer, at: inout Int, id: inout Int, index: inout Int, n: Int, neuronCount: Int, into out: UnsafeMutableBufferPointer<UInt16>) {
        table.withUnsafeBufferPointer { table in
            while index &+ 4 <= n, at &+ 8 <= raw.count {
                let word = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
                let entry = table[highBits(word)]
                let length = Int(truncatingIfNeeded: (entry &>> 36) & 0xF)
                let seconds = Int(truncatingIfNeeded: (entry &>> 40) & 0xFF)
                // A zero second byte is a non-minimal varint: an error for the checked path.
                guard length != 0, highBits(zeroBytes(word)) & seconds == 0 else { return }
                @inline(__always) func gap(_ slot: Int) -> Int {
                    let shift = (entry &>> UInt64(8 &* slot)) & 0xFF
                    let two = (entry &>> UInt64(32 &+ slot)) & 1
                    // 0x7F for a one-byte varint, 0x7F7F for a two-byte one.
                    let bits = (word &>> shift) & (0x7F | two &* 0x7F00)
                    return Int(truncatingIfNeeded: (bits & 0x7F) | ((bits &>> 1) & 0x3F80))
                }
                let id0 = id &+ gap(0) &+ 1
                let id1 = id0 &+ gap(1) &+ 1
                let id2 = id1 &+ gap(2) &+ 1
                let id3 = id2 &+ gap(3) &+ 1
                // Ids increase, so the last one bounds all four.
                guard id3 < neuronCount else { return }
                out[index] = UInt16(truncatingIfNeeded: id0)
                out[index &+ 1] = UInt16(truncatingIfNeeded: id1)
                out[index &+ 2] = UInt16(truncatingIfNeeded: id2)
                out[index &+ 3] = UInt16(truncatingIfNeeded: id3)
                id = id3
                index &+= 4
                at &+= length
            }
        }
    }
}
