import NeuroModel
import NeuroPool
import Testing

private func samples(_ d: ValueDistribution, _ n: Int, seed: UInt64 = 1) -> [Double] {
    var random = PoolRandom(seed: seed)
    return (0 ..< n).map { _ in d.sample(&random) }
}

private func meanAndVariance(_ xs: [Double]) -> (Double, Double) {
    let m = xs.reduce(0, +) / Double(xs.count)
    let v = xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)
    return (m, v)
}

private func error(_ d: ValueDistribution, name: String = "weight") -> ModelError? {
    do { try d.validate(name: name) } catch { return error }
    return nil
}

@Suite struct ValueDistributionTests {
    @Test func constantIsConstantAndDrawsNothing() {
        var random = PoolRandom(seed: 9)
        #expect(ValueDistribution.constant(-65.5).sample(&random) == -65.5)
        #expect(random == PoolRandom(seed: 9))
        #expect(ValueDistribution.constant(2).mean == 2)
    }

    @Test func uniformStaysInBoundsWithTheRightMoments() {
        // 100,000 draws of U[−2, 6): mean 2, variance 64/12 ≈ 5.33. The sample mean's sd is
        // √(5.33/1e5) ≈ 0.0073 (tolerance 4 sd ≈ 0.03); the variance's sd is ≈ 0.017 (tolerance 0.07).
        let d = ValueDistribution.uniform(low: -2, high: 6)
        let xs = samples(d, 100_000)
        #expect(xs.allSatisfy { $0 >= -2 && $0 < 6 })
        let (m, v) = meanAndVariance(xs)
        #expect(d.mean == 2)
        #expect(abs(m - 2) < 0.03)
        #expect(abs(v - 64.0 / 12) < 0.07)
        // Both halves are hit about equally (not a constant or a biased map).
        let low = xs.filter { $0 < 2 }.count
        #expect(abs(low - 50_000) < 4 * 158)
    }

    @Test func uniformEdgeCases() {
        #expect(samples(.uniform(low: 3, high: 3), 10).allSatisfy { $0 == 3 })
        // A one-ulp-wide interval can only give low.
        let low = 1.0, high = 1.0.nextUp
        #expect(samples(.uniform(low: low, high: high), 1000).allSatisfy { $0 == low })
        // The huge range does not overflow.
        let wide = samples(.uniform(low: -Double.greatestFiniteMagnitude, high: .greatestFiniteMagnitude), 1000)
        #expect(wide.allSatisfy { $0.isFinite })
    }

    @Test func normalHasTheRightMoments() {
        // 100,000 draws of N(10, 3²): sample mean sd = 3/√1e5 ≈ 0.0095 (tolerance 4 sd = 0.038);
        // sample sd's sd ≈ 3/√(2e5) ≈ 0.0067 (tolerance 4 sd ≈ 0.027).
        let d = ValueDistribution.normal(mean: 10, sd: 3)
        let xs = samples(d, 100_000)
        let (m, v) = meanAndVariance(xs)
        #expect(d.mean == 10)
        #expect(abs(m - 10) < 0.038)
        #expect(abs(v.squareRoot() - 3) < 0.027)
        // Tails: P(|Z| > 2) ≈ 0.0455, so ≈ 4550 of 1e5 with sd ≈ 66; tolerance 4 sd.
        let far = xs.filter { abs($0 - 10) > 6 }.count
        #expect(abs(far - 4550) < 264)
        #expect(samples(.normal(mean: 4, sd: 0), 10).allSatisfy { $0 == 4 })
    }

    @Test func drawsPerSampleAreFixed() {
        // uniform: one draw per sample, normal: two, whatever the values.
        var a = PoolRandom(seed: 2), b = PoolRandom(seed: 2)
        for _ in 0 ..< 10 { _ = ValueDistribution.uniform(low: 0, high: 1).sample(&a) }
        for _ in 0 ..< 10 { _ = b.next() }
        #expect(a == b)
        for _ in 0 ..< 10 { _ = ValueDistribution.normal(mean: 0, sd: 1).sample(&a) }
        for _ in 0 ..< 20 { _ = b.next() }
        #expect(a == b)
        _ = ValueDistribution.normal(mean: 0, sd: 1).sample(&a, clippedTo: -0.1 ... 0.1)
        _ = (b.next(), b.next())
        #expect(a == b)
    }

    @Test func sameSeedSameValues() {
        let d = ValueDistribution.normal(mean: 1, sd: 0.5)
        #expect(samples(d, 100, seed: 4) == samples(d, 100, seed: 4))
        #expect(samples(d, 100, seed: 4) != samples(d, 100, seed: 5))
    }

    @Test func clippingClipsRatherThanRedraws() {
        let d = ValueDistribution.normal(mean: 0, sd: 1)
        var r1 = PoolRandom(seed: 8), r2 = PoolRandom(seed: 8)
        var atBounds = 0
        for _ in 0 ..< 20_000 {
            let raw = d.sample(&r1)
            let clipped = d.sample(&r2, clippedTo: -1 ... 0.5)
            #expect(clipped == min(max(raw, -1), 0.5))
            if clipped == -1 || clipped == 0.5 { atBounds += 1 }
        }
        // P(Z < −1) + P(Z > 0.5) ≈ 0.1587 + 0.3085 = 0.4672: the clipped mass sits on the bounds.
        // sd over 20,000 ≈ 70.5; tolerance 4 sd.
        #expect(abs(atBounds - 9344) < 282)
    }

    @Test func invalidParametersThrow() {
        #expect(error(.constant(.nan)) == .invalidParameter(name: "weight", value: "nan", expected: "a finite number"))
        #expect(error(.uniform(low: 2, high: 1)) == .invalidParameter(name: "weight", value: "uniform(low: 2.0, high: 1.0)", expected: "low <= high"))
        #expect(error(.uniform(low: -.infinity, high: 1)) == .invalidParameter(name: "weight.low", value: "-inf", expected: "a finite number"))
        #expect(error(.uniform(low: 0, high: .nan)) == .invalidParameter(name: "weight.high", value: "nan", expected: "a finite number"))
        #expect(error(.normal(mean: 0, sd: -1), name: "delay") == .invalidParameter(name: "delay.sd", value: "-1.0", expected: "a standard deviation >= 0"))
        #expect(error(.normal(mean: .infinity, sd: 1)) == .invalidParameter(name: "weight.mean", value: "inf", expected: "a finite number"))
        #expect(error(.normal(mean: 0, sd: .infinity)) == .invalidParameter(name: "weight.sd", value: "inf", expected: "a finite number"))
        #expect(error(.constant(1)) == nil)
        #expect(error(.uniform(low: 1, high: 1)) == nil)
        #expect(error(.normal(mean: -70, sd: 0)) == nil)
    }
}
