import NeuroPool

/// The allowed (source, target) pairs of one `connect` call and the drawing of each rule over
/// them. Arguments are validated by `ConnectionRule.connect` before any of this runs.
struct PairSpace {
    let sources: Range<Int>
    let targets: Range<Int>
    /// Whether a pair with source == target is excluded (same pool, no autapses).
    let excludeSelf: Bool
    /// The neurons whose self-pair is excluded: sources ∩ targets when `excludeSelf`, else empty.
    let excluded: Range<Int>

    init(sources: Range<Int>, targets: Range<Int>, excludeSelf: Bool) {
        self.sources = sources
        self.targets = targets
        self.excludeSelf = excludeSelf
        let lo = max(sources.lowerBound, targets.lowerBound)
        let hi = min(sources.upperBound, targets.upperBound)
        excluded = excludeSelf && lo < hi ? lo ..< hi : 0 ..< 0
    }

    /// Number of allowed pairs (at most 2^32, no overflow in Int).
    var count: Int { sources.count * targets.count - excluded.count }

    /// The allowed pair of index `index` in 0..<count, numbered source-major with targets
    /// ascending within a source (the order of `all()`). O(1).
    func pair(at index: Int) -> Connection {
        let width = targets.count
        if excluded.isEmpty {
            return connection(sources.lowerBound + index / width, targets.lowerBound + index % width)
        }
        // Rows before the excluded block have `width` pairs, rows in it `width − 1`, rows after `width`.
        let before = (excluded.lowerBound - sources.lowerBound) * width
        if index < before {
            return connection(sources.lowerBound + index / width, targets.lowerBound + index % width)
        }
        var i = index - before
        let inside = excluded.count * (width - 1)
        if i < inside {
            let s = excluded.lowerBound + i / (width - 1)
            var t = targets.lowerBound + i % (width - 1)
            if t >= s { t += 1 }
            return connection(s, t)
        }
        i -= inside
        return connection(excluded.upperBound + i / width, targets.lowerBound + i % width)
    }

    /// Every allowed pair, sorted by (source, target).
    func all() -> [Connection] {
        var out: [Connection] = []
        out.reserveCapacity(count)
        for s in sources {
            let source = Int32(truncatingIfNeeded: s)
            for t in targets where !(excludeSelf && s == t) {
                out.append(Connection(source: source, target: Int32(truncatingIfNeeded: t)))
            }
        }
        return out
    }

    /// Source i to target i by position, skipping excluded self-pairs (sizes already equal).
    func oneToOne() -> [Connection] {
        var out: [Connection] = []
        out.reserveCapacity(sources.count)
        for i in 0 ..< sources.count {
            let s = sources.lowerBound + i, t = targets.lowerBound + i
            if excludeSelf && s == t { continue }
            out.append(connection(s, t))
        }
        return out
    }

    /// Each allowed pair with probability p: one 64-bit draw `x` per pair, taken when
    /// `x < ⌊p · 2^64⌋` (so p is resolved to 2^-64). p = 0 and p = 1 draw nothing.
    func bernoulli(p: Double, rule: String, random: inout PoolRandom) throws(ModelError) -> [Connection] {
        if p == 0 || count == 0 { return [] }
        if p == 1 {
            try ConnectionRule.checkCount(count, rule: rule)
            return all()
        }
        let threshold = UInt64((p * 0x1p64).rounded(.down))  // p < 1, so below 2^64
        var out: [Connection] = []
        out.reserveCapacity(min(Int((Double(count) * p).rounded(.up)), ConnectionRule.maxConnections))
        for s in sources {
            let source = Int32(truncatingIfNeeded: s)
            if excluded.contains(s) {
                try Self.bernoulliRow(source, targets.lowerBound ..< s, threshold, rule, &out, &random)
                try Self.bernoulliRow(source, s + 1 ..< targets.upperBound, threshold, rule, &out, &random)
            } else {
                try Self.bernoulliRow(source, targets, threshold, rule, &out, &random)
            }
        }
        return out
    }

    private static func bernoulliRow(_ source: Int32, _ targets: Range<Int>, _ threshold: UInt64, _ rule: String,
                                     _ out: inout [Connection], _ random: inout PoolRandom) throws(ModelError) {
        for t in targets where random.next() < threshold {
            if out.count == ConnectionRule.maxConnections {
                throw .tooManyConnections(rule: rule, atLeast: out.count + 1, limit: ConnectionRule.maxConnections)
            }
            out.append(Connection(source: source, target: Int32(truncatingIfNeeded: t)))
        }
    }

    /// Throws unless every target (`perTarget`) or source can get `k` partners, and k·count
    /// stays within `maxConnections`.
    func checkDegree(_ k: Int, perTarget: Bool, multapses: Bool, rule: String) throws(ModelError) {
        let givers = perTarget ? sources.count : targets.count
        let takers = perTarget ? targets.count : sources.count
        guard k > 0, takers > 0 else { return }
        let word = perTarget ? "indegree" : "outdegree"
        let giverName = perTarget ? "source" : "target", takerName = perTarget ? "target" : "source"
        // A taker whose self-pair is excluded has one giver fewer.
        let fewest = givers - (excluded.isEmpty ? 0 : 1)
        let why = "\(givers) \(giverName)\(givers == 1 ? "" : "s")\(excluded.isEmpty ? "" : ", autapses excluded")"
        if multapses, fewest == 0 {
            throw .unsatisfiableRule(rule: rule, detail: "\(word) \(k) needs at least one \(giverName) per \(takerName), but a \(takerName) has none available (\(why))")
        }
        if !multapses, k > fewest {
            throw .unsatisfiableRule(rule: rule, detail: "\(word) \(k) exceeds the \(fewest) distinct \(giverName)s available to a \(takerName) without multapses (\(why))")
        }
        let (total, overflow) = k.multipliedReportingOverflow(by: takers)
        try ConnectionRule.checkCount(overflow ? Int.max : total, rule: rule)
    }

    /// K sources per target, targets ascending (validated by `checkDegree`).
    func fixedIndegree(_ k: Int, multapses: Bool, random: inout PoolRandom) -> [Connection] {
        var out: [Connection] = []
        out.reserveCapacity(k * targets.count)
        Self.fixedDegree(k, givers: sources, takers: targets, excluded: excluded, multapses: multapses, random: &random) {
            out.append(connection($0, $1))
        }
        return out
    }

    /// K targets per source, sources ascending (validated by `checkDegree`).
    func fixedOutdegree(_ k: Int, multapses: Bool, random: inout PoolRandom) -> [Connection] {
        var out: [Connection] = []
        out.reserveCapacity(k * sources.count)
        Self.fixedDegree(k, givers: targets, takers: sources, excluded: excluded, multapses: multapses, random: &random) {
            out.append(connection($1, $0))
        }
        return out
    }

    /// For each taker ascending, `k` givers (with replacement if `multapses`, else distinct by
    /// Floyd's sampling), never the taker itself when it is in `excluded`; `emit(giver, taker)`
    /// in draw order.
    private static func fixedDegree(_ k: Int, givers: Range<Int>, takers: Range<Int>, excluded: Range<Int>, multapses: Bool,
                                    random: inout PoolRandom, emit: (Int, Int) -> Void) {
        guard k > 0 else { return }
        var chosen = [Bool](repeating: false, count: multapses ? 0 : givers.count)
        var picks: [Int] = []
        picks.reserveCapacity(multapses ? 0 : k)
        for taker in takers {
            // Local index of the taker among the givers when its self-pair is excluded; the
            // draw is over the other n givers and indices at or past it shift up by one.
            let skip = excluded.contains(taker) ? taker - givers.lowerBound : Int.max
            let n = givers.count - (skip == Int.max ? 0 : 1)
            if multapses {
                for _ in 0 ..< k {
                    let i = Int(random.uniform(below: UInt64(n)))
                    emit(givers.lowerBound + (i >= skip ? i + 1 : i), taker)
                }
            } else {
                floyd(k, of: n, chosen: &chosen, picks: &picks, random: &random)
                for i in picks { emit(givers.lowerBound + (i >= skip ? i + 1 : i), taker) }
            }
        }
    }

    /// Floyd's sampling: `k` distinct values of 0..<n into `picks` (cleared first), in draw
    /// order; `chosen` has at least n entries, all false, and is left all false. O(k).
    static func floyd(_ k: Int, of n: Int, chosen: inout [Bool], picks: inout [Int], random: inout PoolRandom) {
        picks.removeAll(keepingCapacity: true)
        for j in (n - k) ..< n {
            var t = Int(random.uniform(below: UInt64(j + 1)))
            if chosen[t] { t = j }
            chosen[t] = true
            picks.append(t)
        }
        for t in picks { chosen[t] = false }
    }

    /// `n` pairs uniform over the allowed ones: with replacement if `multapses`, else distinct
    /// by Floyd's sampling over the pair index space (validated: n ≤ count, or count > 0).
    func fixedTotal(_ n: Int, multapses: Bool, random: inout PoolRandom) -> [Connection] {
        guard n > 0 else { return [] }
        let allowed = count
        var out: [Connection] = []
        out.reserveCapacity(n)
        if multapses {
            for _ in 0 ..< n { out.append(pair(at: Int(random.uniform(below: UInt64(allowed))))) }
        } else {
            var marks = IndexMarks(universe: allowed, picks: n)
            for j in (allowed - n) ..< allowed {
                var t = Int(random.uniform(below: UInt64(j + 1)))
                if !marks.insert(t) {
                    t = j
                    _ = marks.insert(j)
                }
                out.append(pair(at: t))
            }
        }
        return out
    }

    private func connection(_ s: Int, _ t: Int) -> Connection {
        Connection(source: Int32(truncatingIfNeeded: s), target: Int32(truncatingIfNeeded: t))
    }
}

/// The set of indices Floyd's sampling has chosen in a universe of up to 2^32: a bitmap when
/// that is no larger than the output (universe ≤ 64 · picks), else a hash set. Which one is
/// used never changes the result.
struct IndexMarks {
    private var bits: [UInt64]
    private var set: Set<Int>
    private let dense: Bool

    init(universe: Int, picks: Int) {
        dense = universe <= 64 * picks
        bits = dense ? [UInt64](repeating: 0, count: (universe + 63) / 64) : []
        set = dense ? [] : Set(minimumCapacity: picks)
    }

    /// Marks `i`; true if it was not marked before.
    mutating func insert(_ i: Int) -> Bool {
        if dense {
            let mask: UInt64 = 1 << UInt64(i & 63)
            if bits[i >> 6] & mask != 0 { return false }
            bits[i >> 6] |= mask
            return true
        }
        return set.insert(i).inserted
    }
}
