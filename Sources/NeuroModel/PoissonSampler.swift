import NeuroPool

/// Integer-only sampling of a Poisson count: the number of events a Poisson generator delivers
/// to one neuron in one tick, from one 64-bit draw and a precomputed cumulative table.
///
/// The table is built once in Double (at network build time); sampling is integer comparison
/// only, so the count drawn from a given generator state is the same on every machine.
public struct PoissonSampler: Sendable, Equatable {
    /// The largest mean accepted, in events per sample.
    public static let maxMean = 10_000.0

    /// Expected count per sample (events per neuron per tick), in 0...`maxMean`.
    public let mean: Double

    /// The cumulative table: `cdf[k]` = ⌊P(X ≤ k) · 2^64⌋, non-decreasing. It ends at the
    /// first k at or above the mode where the remaining tail P(X > k) is below 2^-60; that last
    /// entry saturates to `UInt64.max`, so counts beyond it are never drawn (their mass, below
    /// 2^-60, goes to the last k). Its length is at most about λ + 9·√λ + 20 (about 10,900 entries,
    /// 87 KB, at λ = 10,000); for λ = 0 it is `[UInt64.max]`.
    public let cdf: ContiguousArray<UInt64>

    /// Where the search starts for a draw whose top 8 bits are b: the answer for the smallest
    /// such draw, b · 2^56 (an indexed search, Chen & Asau 1974). Answers only grow with the
    /// draw, so a short forward scan from there finds the same k the binary search would.
    public let guide: ContiguousArray<UInt32>

    /// Builds the table for a Poisson law of mean `mean` (events per sample).
    ///
    /// The probabilities come from the recurrence p(k±1) = p(k)·λ/(k+1) or p(k)·k/λ started at
    /// the mode ⌊λ⌋ with p(mode) = 1 and normalized by their sum at the end, so nothing
    /// overflows or cancels for large λ; P(X ≤ k) is summed upward below the mode and taken as
    /// 1 − P(X > k), the tail summed from its far end, at and above it, so both tails keep
    /// their relative precision. O(λ + √λ) time and memory.
    ///
    /// - Throws: `invalidParameter` named "mean" unless `mean` is finite and in 0...10,000.
    public init(mean: Double) throws(ModelError) {
        guard mean.isFinite, (0 ... Self.maxMean).contains(mean) else {
            throw .invalidParameter(name: "mean", value: "\(mean)", expected: "a finite Poisson mean in 0...\(Int(Self.maxMean)) (events per sample)")
        }
        self.mean = mean
        let cdf = mean == 0 ? [UInt64.max] : Self.table(mean)
        self.cdf = cdf
        guide = ContiguousArray((0 ..< 256).map { b in UInt32(Self.search(UInt64(b) << 56, in: cdf)) })
    }

    /// The smallest k with `u < cdf[k]` (the last index if none), by binary search: the
    /// reference the guided scan must agree with. O(log table).
    public static func search(_ u: UInt64, in cdf: ContiguousArray<UInt64>) -> Int {
        var lo = 0
        var hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if u < cdf[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// One Poisson count from one 64-bit draw `u`: the smallest k with u < `cdf[k]` (the last
    /// index if none), found from `guide` by a forward scan. Consumes exactly one draw, also
    /// for λ = 0. O(1) expected for small λ (O(√λ / 256 + 1) in general), no floating point,
    /// no allocation.
    @inlinable
    public func sample(_ random: inout PoolRandom) -> Int {
        count(forDraw: random.next())
    }

    /// The count a 64-bit draw `u` maps to (what `sample` returns for it).
    @inlinable
    public func count(forDraw u: UInt64) -> Int {
        cdf.withUnsafeBufferPointer { table in
            var k = Int(guide[Int(u >> 56)])
            let last = table.count - 1
            while k < last, u >= table[k] { k += 1 }
            return k
        }
    }

    /// The cumulative table for mean λ > 0 (see `cdf`).
    static func table(_ lambda: Double) -> ContiguousArray<UInt64> {
        let mode = Int(lambda.rounded(.down))
        // Unnormalized probabilities relative to p(mode) = 1, downward to 0 (underflow to 0 is
        // harmless) and upward until the rest of the tail is negligible: beyond k > λ − 1 the
        // ratios are at most r = λ/(k+1) < 1, so P(X > k) ≤ p(k)·r/(1 − r), and since the sum
        // is at least 1 this bounds the normalized tail too.
        var below: [Double] = []  // p(mode−1), p(mode−2), ..., p(0)
        below.reserveCapacity(mode)
        var p = 1.0
        var k = mode
        while k > 0 {
            p *= Double(k) / lambda
            below.append(p)
            k -= 1
        }
        var above: [Double] = [1]  // p(mode), p(mode+1), ...
        p = 1
        k = mode
        while true {
            let r = lambda / Double(k + 1)
            if r < 1, p * r / (1 - r) < 0x1p-80 { break }
            p *= r
            above.append(p)
            k += 1
        }
        // P(X < mode) summed from the smallest terms up, and P(X > k) for k >= mode from the far end down.
        var lower = [Double](repeating: 0, count: mode)  // lower[k] = sum of p(0...k)
        var sum = 0.0
        for j in 0 ..< mode {
            sum += below[mode - 1 - j]
            lower[j] = sum
        }
        var tail = [Double](repeating: 0, count: above.count)  // tail[i] = sum of p(j) for j > mode + i
        sum = 0
        for i in stride(from: above.count - 1, through: 0, by: -1) {
            tail[i] = sum
            sum += above[i]
        }
        let total = (mode > 0 ? lower[mode - 1] : 0) + sum

        var cdf = ContiguousArray<UInt64>()
        cdf.reserveCapacity(mode + above.count)
        for j in 0 ..< mode {
            let x = (lower[j] / total * 0x1p64).rounded(.down)
            cdf.append(x >= 0x1p64 ? UInt64.max : UInt64(x))
        }
        for i in 0 ..< above.count {
            let rest = tail[i] / total
            if rest < 0x1p-60 {
                cdf.append(UInt64.max)
                break
            }
            // ⌊(1 − rest)·2^64⌋ = 2^64 − ⌈rest·2^64⌉, with rest·2^64 in [16, 2^64).
            let q = (rest * 0x1p64).rounded(.up)
            cdf.append(q >= 0x1p64 ? 0 : 0 &- UInt64(q))
        }
        // Guard the junction of the two sums against rounding (a no-op in practice).
        for j in 1 ..< cdf.count where cdf[j] < cdf[j - 1] { cdf[j] = cdf[j - 1] }
        return cdf
    }
}
