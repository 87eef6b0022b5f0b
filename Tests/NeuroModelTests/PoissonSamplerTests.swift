import NeuroModel
import NeuroPool
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct PoissonSamplerTests {
    @Test(arguments: [0.05, 2, 20, 400])
    func momentsMatchTheMean(lambda: Double) throws {
        // n = 200,000 draws. Mean: sd = √(λ/n). Variance: for a Poisson law μ4 = λ + 3λ², so the
        // sample variance has sd ≈ √((μ4 − σ⁴)/n) = √((λ + 2λ²)/n). Both within 4 sd of λ.
        let sampler = try PoissonSampler(mean: lambda)
        var random = PoolRandom(seed: 42)
        let n = 200_000
        var sum = 0.0, sumSq = 0.0
        for _ in 0 ..< n {
            let k = Double(sampler.sample(&random))
            sum += k
            sumSq += k * k
        }
        let mean = sum / Double(n)
        let variance = (sumSq - sum * mean) / Double(n - 1)
        #expect(abs(mean - lambda) < 4 * (lambda / Double(n)).squareRoot())
        #expect(abs(variance - lambda) < 4 * ((lambda + 2 * lambda * lambda) / Double(n)).squareRoot())
    }

    @Test(arguments: [0.05, 1, 2, 20, 400, 10_000])
    func tableIsMonotoneSaturatedAndTruncatedAtTheTail(lambda: Double) throws {
        let cdf = try PoissonSampler(mean: lambda).cdf
        #expect(cdf.last == UInt64.max)
        #expect(zip(cdf, cdf.dropFirst()).allSatisfy { $0 <= $1 })
        // The entry before the last still has a tail of at least 2^-60 (16 units of 2^-64).
        #expect(cdf.count >= 2)
        #expect(UInt64.max - cdf[cdf.count - 2] >= 15)
        // The table reaches past the mean by several sd but not absurdly far.
        #expect(Double(cdf.count) > lambda + 5 * lambda.squareRoot())
        #expect(Double(cdf.count) < lambda + 12 * lambda.squareRoot() + 30)
    }

    @Test func tableMatchesTheExactProbabilities() throws {
        // λ = 2: P(X ≤ k) = e^-2 Σ 2^j/j!. Relative error of the table well below 1e-12.
        let cdf = try PoissonSampler(mean: 2).cdf
        var term = exp(-2.0), sum = 0.0
        for k in 0 ..< 10 {
            sum += term
            let exact = sum * 0x1p64
            #expect(abs(Double(cdf[k]) - exact) / exact < 1e-12)
            term *= 2 / Double(k + 1)
        }
        // Far tail, taken from the upper end: P(X > 20) for λ = 2 ≈ 6.1e-15, about 112,674 units
        // of 2^-64. Computed as 1 − P(X ≤ 20) in Double it would be lost (Double's spacing near 1
        // is 2^11 units); the table keeps it to within a unit or two.
        var exactTail = 0.0
        term = exp(-2.0)
        for k in 0 ... 60 {
            if k > 20 { exactTail += term }
            term *= 2 / Double(k + 1)
        }
        #expect(abs(Double(UInt64.max - cdf[20]) - exactTail * 0x1p64) < 2)
        // λ = 10,000: the median is 10,000 (P(X ≤ 9999) < 1/2 < P(X ≤ 10000)).
        let big = try PoissonSampler(mean: 10_000).cdf
        #expect(big[9999] < 1 << 63 && big[10_000] > 1 << 63)
    }

    @Test func largeMeanSamples() throws {
        // λ = 10,000 over 20,000 draws: mean sd = √(1e4/2e4) ≈ 0.71, tolerance 4 sd.
        let sampler = try PoissonSampler(mean: 10_000)
        var random = PoolRandom(seed: 3)
        var sum = 0
        for _ in 0 ..< 20_000 { sum += sampler.sample(&random) }
        #expect(abs(Double(sum) / 20_000 - 10_000) < 2.9)
    }

    @Test func zeroMeanGivesZeroAndConsumesOneDraw() throws {
        let sampler = try PoissonSampler(mean: 0)
        #expect(sampler.cdf == [UInt64.max])
        var random = PoolRandom(seed: 1), reference = PoolRandom(seed: 1)
        for _ in 0 ..< 1000 {
            #expect(sampler.sample(&random) == 0)
            _ = reference.next()
        }
        #expect(random == reference)
    }

    @Test func sameSeedSameCounts() throws {
        let sampler = try PoissonSampler(mean: 3.5)
        func run(_ seed: UInt64) -> [Int] {
            var random = PoolRandom(seed: seed)
            return (0 ..< 200).map { _ in sampler.sample(&random) }
        }
        #expect(run(1) == run(1))
        #expect(run(1) != run(2))
        #expect(try PoissonSampler(mean: 3.5) == sampler)
    }

    @Test(arguments: [-1, .nan, .infinity, 10_000.5])
    func invalidMeansThrow(mean: Double) {
        #expect(throws: ModelError.invalidParameter(name: "mean", value: "\(mean)", expected: "a finite Poisson mean in 0...10000 (events per sample)")) {
            try PoissonSampler(mean: mean)
        }
    }

    /// The guided scan returns exactly the binary search's answer for every draw, including
    /// the edges of each guide bucket and the saturated last entry.
    @Test(arguments: [0.0, 0.003, 0.5, 2, 20, 400, 10_000])
    func guidedScanEqualsBinarySearch(lambda: Double) throws {
        let sampler = try PoissonSampler(mean: lambda)
        var draws: [UInt64] = [0, 1, UInt64.max, UInt64.max - 1]
        for b in 0 ..< 256 {
            let low = UInt64(b) << 56
            draws += [low, low &+ 1, low | (UInt64(1) << 56 - 1)]
        }
        draws += sampler.cdf.flatMap { [$0, $0 &- 1, $0 &+ 1] }
        var random = PoolRandom(seed: 17)
        for _ in 0 ..< 20_000 { draws.append(random.next()) }
        for u in draws {
            #expect(sampler.count(forDraw: u) == PoissonSampler.search(u, in: sampler.cdf), "u = \(u)")
        }
    }
}
