import NeuroPool
import Testing
@testable import NeuroBio

@Suite struct DivergenceMetricTests {
    @Test func vanRossumAgreesWithElephant() {
        var worst = 0.0, worstDistinct = 0.0
        for pair in ElephantReference.pairs {
            for (k, tau) in ElephantReference.taus.enumerated() {
                let d = Divergence.vanRossum(ElephantReference.trains[pair.i], ElephantReference.trains[pair.j], tau: tau)
                // A train against itself is 0 up to the square root of a rounding residue
                // (≈ 1e-13 under the root), in elephant and here alike.
                worst = max(worst, abs(d - pair.vanRossum[k]))
                if pair.i != pair.j { worstDistinct = max(worstDistinct, abs(d - pair.vanRossum[k])) }
            }
        }
        print("van Rossum vs elephant: max abs error \(worst) (distinct trains \(worstDistinct))")
        #expect(worst < 1e-6)
        #expect(worstDistinct < 1e-9)
    }

    @Test func victorPurpuraAgreesWithElephant() {
        var worst = 0.0
        for pair in ElephantReference.pairs {
            for (k, q) in ElephantReference.costs.enumerated() {
                let d = Divergence.victorPurpura(ElephantReference.trains[pair.i], ElephantReference.trains[pair.j], q: q)
                worst = max(worst, abs(d - pair.victorPurpura[k]))
            }
        }
        print("Victor-Purpura vs elephant: max abs error \(worst)")
        #expect(worst < 1e-6)
    }

    @Test func distancesAreSymmetricAndZeroOnIdenticalTrains() {
        let t = ElephantReference.trains
        for i in t.indices {
            #expect(Divergence.vanRossum(t[i], t[i], tau: 10) < 1e-6)
            #expect(Divergence.victorPurpura(t[i], t[i], q: 0.5) == 0)
            for j in t.indices {
                #expect(abs(Divergence.victorPurpura(t[i], t[j], q: 0.1) - Divergence.victorPurpura(t[j], t[i], q: 0.1)) < 1e-9)
            }
        }
    }

    @Test func gammaOfIdenticalTrainsIsOne() throws {
        let t = [10.0, 40, 41.5, 300, 777]
        #expect(abs(try #require(Divergence.coincidenceFactor(data: t, model: t, window: 2, duration: 1000)) - 1) < 1e-12)
    }

    /// Kistler et al. (1997) by hand: data 10, 50, 90; model 11, 70, 200; Δ = 2 ms, T = 1 s.
    /// One coincidence (10/11); ν = 3 spikes/1000 ms; ⟨N⟩ = 2·ν·Δ·N_data = 0.036;
    /// 𝒩 = 1 − 2νΔ = 0.988; Γ = (1 − 0.036) / (½·(3 + 3)) / 0.988.
    @Test func gammaFollowsKistlersDefinition() throws {
        let g = try #require(Divergence.coincidenceFactor(data: [10, 50, 90], model: [11, 70, 200], window: 2, duration: 1000))
        #expect(abs(g - (1 - 0.036) / 3 / 0.988) < 1e-12)
        #expect(Divergence.coincidences(data: [10, 50, 90], model: [11, 70, 200], window: 2) == 1)
    }

    @Test func coincidencesPairEachSpikeOnceAndIncludeTheWindowEdge() {
        #expect(Divergence.coincidences(data: [10, 11], model: [10.5], window: 2) == 1)
        #expect(Divergence.coincidences(data: [10.5], model: [10, 11], window: 2) == 1)
        #expect(Divergence.coincidences(data: [10], model: [12], window: 2) == 1)
        #expect(Divergence.coincidences(data: [10], model: [12.001], window: 2) == 0)
        // Greedy earliest pairing is a maximum matching: 10↔9 leaves 13 for 12.
        #expect(Divergence.coincidences(data: [10, 12], model: [9, 13], window: 2) == 2)
    }

    @Test func gammaOfEmptyTrains() {
        #expect(Divergence.coincidenceFactor(data: [], model: [], window: 2, duration: 1000) == 1)
        #expect(Divergence.coincidenceFactor(data: [5, 9], model: [], window: 2, duration: 1000) == 0)
        #expect(Divergence.coincidenceFactor(data: [], model: [5, 9], window: 2, duration: 1000) == 0)
        // 2νΔ ≥ 1: undefined.
        #expect(Divergence.coincidenceFactor(data: [1], model: Array(stride(from: 0.0, to: 100, by: 4)), window: 2, duration: 100) == nil)
    }

    /// Two independent Poisson trains of the same rate: Γ is near 0 (the correction works).
    @Test func gammaOfIndependentPoissonTrainsIsNearZero() throws {
        var random = PoolRandom(seed: 7)
        func poisson(rate: Double, duration: Double) -> [Double] {
            (0 ..< Int(duration)).compactMap { t in random.chance(UInt64(rate / 1000 * 4_294_967_296)) ? Double(t) : nil }
        }
        let a = poisson(rate: 20, duration: 200_000), b = poisson(rate: 20, duration: 200_000)
        let g = try #require(Divergence.coincidenceFactor(data: a, model: b, window: 2, duration: 200_000))
        #expect(abs(g) < 0.05, "Γ = \(g)")
    }
}
