import NeuroWire

/// Sizes of a spike set's encodings after the code byte, from SPEC §5 and §10.1 (an oracle
/// independent of the encoder's own planner).
enum SpecSize {
    static func varint(_ value: Int) -> Int { value < 0x80 ? 1 : (value < 0x4000 ? 2 : 3) }

    static func body(_ ids: [UInt16], neuronCount: Int, _ encoding: SpikeEncoding) -> Int {
        let n = ids.count
        guard n > 0 else { return 0 }
        let count = varint(n)
        switch encoding {
        case .empty:
            return 0
        case .ids16:
            return count + 2 * n
        case .varint:
            var total = varint(Int(ids[0]))
            var i = 1
            while i < n {
                total += varint(Int(ids[i]) - Int(ids[i - 1]) - 1)
                i += 1
            }
            return count + total
        case .bitmap:
            return count + (neuronCount + 7) / 8
        case .rice(let k):
            var bits = 0
            var i = 1
            while i < n {
                bits += 1 + Int(k) + ((Int(ids[i]) - Int(ids[i - 1]) - 1) >> Int(k))
                i += 1
            }
            return count + 3 + (bits + 7) / 8
        }
    }

    /// Body sizes of a non-empty set in all 19 explicit encodings, in one pass: index 0
    /// ids16, 1 varint, 2 bitmap, 3 + k rice(k).
    static func all(_ ids: [UInt16], neuronCount: Int) -> [Int] {
        let n = ids.count
        var varintTotal = varint(Int(ids[0]))
        var riceBits = [Int](repeating: 0, count: 16)
        ids.withUnsafeBufferPointer { p in
            riceBits.withUnsafeMutableBufferPointer { bits in
                var i = 1
                while i < n {
                    let gap = Int(p[i]) - Int(p[i - 1]) - 1
                    varintTotal += varint(gap)
                    var k = 0
                    while k < 16 {
                        bits[k] += 1 + k + (gap >> k)
                        k += 1
                    }
                    i += 1
                }
            }
        }
        let count = varint(n)
        var sizes = [count + 2 * n, count + varintTotal, count + (neuronCount + 7) / 8]
        for k in 0..<16 { sizes.append(count + 3 + (riceBits[k] + 7) / 8) }
        return sizes
    }

    /// The Rice parameters NeuroBus's chooser tries (§10.1): k the largest value with
    /// 2^k ≤ 0.69·mean(gaps), clamped to 0…15, and k ± 1 (for a single spike there are no
    /// gaps; the encoder then tries 0 and 1).
    static func riceCandidates(_ ids: [UInt16]) -> [Int] {
        let n = ids.count
        guard n >= 2 else { return [0, 1] }
        let gapSum = Int(ids[n - 1]) - Int(ids[0]) - (n - 1)
        // 2^k ≤ 0.69 · gapSum / (n − 1)  ⇔  100 · 2^k · (n − 1) ≤ 69 · gapSum
        var k = 0
        while k < 15 && 100 * (1 << (k + 1)) * (n - 1) <= 69 * gapSum { k += 1 }
        return k == 0 ? [0, 1] : (k == 15 ? [14, 15] : [k - 1, k, k + 1])
    }
}
