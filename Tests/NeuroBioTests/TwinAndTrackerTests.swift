import NeuroPool
import Testing
@testable import NeuroBio

@Suite struct TwinAndTrackerTests {
    static func smallScenario() -> DivergenceScenario {
        var s = DivergenceScenario()
        s.neurons = 24
        s.sources = 48
        s.density = 0.1
        s.ticks = 300
        return s
    }

    /// With NeuroPool's parameters the twin is NeuroPool's LIF: identical spikes every tick.
    /// The small scenario driven hard (40 Hz sources, strong weights), its pool with the
    /// source projection, and a twin of that pool with the same projection.
    static func drivenTwin() throws -> (DivergenceScenario, NeuronPool, LIFTwin) {
        var s = smallScenario()
        s.sourceRate = 40
        s.sourceWeights = 60 ... 127
        var pool = try s.network()
        let projection = try AfferentProjection.random(
            source: "poisson", inhibitory: Array(repeating: false, count: s.sources), from: 0 ..< s.sources, targetCount: s.neurons,
            to: 0 ..< s.neurons, connectivity: .outDegree(s.sourceOutDegree), weight: s.sourceWeights, delay: 1 ... 3, seed: 9)
        try pool.addAfferent(projection)
        var twin = LIFTwin(connectivityOf: pool, parameters: LIFTwinParameters(s.poolConfig))
        try twin.addAfferent(HHProjection(projection))
        return (s, pool, twin)
    }

    @Test func twinFiresExactlyAsNeuronPool() throws {
        var (s, pool, twin) = try Self.drivenTwin()
        let input = s.stimulus()
        var spikes = 0
        for t in 0 ..< s.ticks {
            if t >= 1 {
                try pool.deliver(projection: 0, sourceTick: UInt64(t - 1), spikes: input[t - 1])
                try twin.deliver(projection: 0, sourceTick: UInt64(t - 1), spikes: input[t - 1])
            }
            pool.tick()
            twin.tick()
            #expect(Array(pool.lastSpikes) == Array(twin.lastSpikes), "tick \(t)")
            spikes += pool.lastSpikeCount
        }
        #expect(spikes > 50)
    }

    /// A delivery with an id beyond the source is refused whole: the twin goes on exactly as
    /// one that never saw it (before, the ids ahead of the bad one had been delivered).
    @Test func aRefusedDeliveryChangesNothing() throws {
        var (s, _, refused) = try Self.drivenTwin()
        var clean = refused
        let input = s.stimulus()
        var refusedOnce = false
        for t in 0 ..< 60 {
            if t >= 1 {
                let spikes = input[t - 1]
                if !spikes.isEmpty {
                    #expect(throws: HHError.spikeOutOfRange(s.sources, neurons: s.sources)) {
                        try refused.deliver(projection: 0, sourceTick: UInt64(t - 1), spikes: spikes + [UInt16(s.sources)])
                    }
                    refusedOnce = true
                }
                try refused.deliver(projection: 0, sourceTick: UInt64(t - 1), spikes: spikes)
                try clean.deliver(projection: 0, sourceTick: UInt64(t - 1), spikes: spikes)
            }
            refused.tick()
            clean.tick()
            #expect(refused.membrane == clean.membrane && Array(refused.lastSpikes) == Array(clean.lastSpikes), "tick \(t)")
        }
        #expect(refusedOnce, "the stimulus must have spikes to refuse")
    }

    @Test func historyRegisterHoldsTheLast32Ticks() {
        var r = SpikeHistoryRegister(neurons: 3)
        for t in 0 ..< 40 { r.record(fired: t % 5 == 0 ? [UInt16(0), 2] : t == 38 ? [1] : []) }
        // Ticks 0…39; the latest is 39. Neuron 0 fired at 35, 30, … → ages 4, 9, …
        #expect(r.fired(0, ticksAgo: 4) && r.fired(0, ticksAgo: 9) && !r.fired(0, ticksAgo: 5))
        #expect(r.recentCount(0) == 6)   // ticks 8…39 are held: 10, 15, 20, 25, 30, 35
        #expect(r.bits[1] == 0b10)
        #expect(r.bits[0] == r.bits[2])
        #expect(!r.fired(0, ticksAgo: 32))
    }

    /// The register-based Γ equals the offline one on random records.
    @Test func onlineGammaEqualsOfflineGamma() throws {
        var random = PoolRandom(seed: 11)
        let neurons = 16, ticks = 500
        for window in [1, 2, 4] {
            var tracker = try DivergenceTracker(neurons: neurons, window: window)
            var a = [[Double]](repeating: [], count: neurons), b = a
            for t in 0 ..< ticks {
                let x = (0 ..< neurons).compactMap { random.chance(1 << 28) ? UInt16($0) : nil }
                let y = (0 ..< neurons).compactMap { random.chance(1 << 28) ? UInt16($0) : nil }
                tracker.record(bio: x, twin: y)
                for i in x { a[Int(i)].append(Double(t)) }
                for i in y { b[Int(i)].append(Double(t)) }
            }
            let online = tracker.onlineGamma()
            for i in 0 ..< neurons {
                let offline = Divergence.coincidenceFactor(data: a[i], model: b[i], window: Double(window), duration: Double(ticks))
                #expect(online[i] == offline, "neuron \(i), window \(window)")
            }
        }
    }

    @Test func identicalRecordsDoNotDiverge() throws {
        let s = Self.smallScenario()
        let twin = try s.runTwin(LIFTwinParameters(s.poolConfig))
        let report = try s.compare(twin, twin)
        #expect(report.neurons.contains { $0.bioSpikes > 0 })
        #expect(abs(report.meanGamma - 1) < 1e-12)
        #expect(report.meanVanRossum < 1e-6)
        #expect(report.meanVictorPurpura == 0)
        #expect(report.meanAbsoluteRateDifference == 0)
    }

    @Test func fittingRaisesGammaAgainstTheBiologicalPool() throws {
        var s = Self.smallScenario()
        s.neurons = 16
        s.sources = 32
        s.ticks = 200
        let bio = try s.runBiological(features: s.features)
        let fit = try TwinFitter.fit(s, target: bio, start: LIFTwinParameters(s.poolConfig), maxEvaluations: 120)
        #expect(fit.gammaAfter > fit.gammaBefore + 0.1, "Γ \(fit.gammaBefore) → \(fit.gammaAfter)")
        // The reported score is what the fitted twin really gets.
        let check = try s.compare(bio, try s.runTwin(fit.fitted))
        #expect(abs(check.meanGamma - fit.gammaAfter) < 1e-12)
        // Deterministic.
        let again = try TwinFitter.fit(s, target: bio, start: LIFTwinParameters(s.poolConfig), maxEvaluations: 120)
        #expect(again.fitted == fit.fitted)
    }

    @Test func everyFeatureChangesTheBiologicalPool() throws {
        let s = Self.smallScenario()
        let full = try s.runBiological(features: s.features)
        let twin = try s.runTwin(LIFTwinParameters(s.poolConfig))
        let rows = try FeatureImportance.measure(s, full: full, twin: twin)
        #expect(rows.map(\.feature) == HHFeatures.named.map(\.name))
        for r in rows { #expect(r.gammaFullVsAblated < 0.999, "\(r.feature)") }
    }

    @Test func scenarioValuesAreChecked() {
        var s = DivergenceScenario()
        s.window = 16
        #expect(throws: HHError.invalidParameter(name: "window", value: 16, expected: "1...15 ticks")) { try s.validate() }
        s = DivergenceScenario()
        s.density = 2
        #expect(throws: HHError.invalidParameter(name: "density", value: 2, expected: "0...1")) { try s.validate() }
    }
}
