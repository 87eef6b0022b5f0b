import Testing
@testable import NeuroPool

@Suite("Construction")
struct ConstructionTests {
    static func inhibitoryCount(_ pool: NeuronPool) -> Int {
        (0 ..< pool.neuronCount).filter { pool.neurons.isInhibitory($0) }.count
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 9, 10, 11, 99, 100, 101, 513])
    func exactlyOneFifthInhibitoryRandomConnectivity(n: Int) throws {
        var c = PoolConfig()
        c.seed = UInt64(n)
        let pool = try NeuronPool.withRandomConnectivity(name: "r", neurons: n, density: 0.2, config: c)
        #expect(Self.inhibitoryCount(pool) == n - (4 * n) / 5)
        #expect(pool.neuronCount == n)
    }

    @Test(arguments: [1, 2, 5, 6, 50, 257])
    func exactlyOneFifthInhibitoryFixedOutDegree(n: Int) throws {
        let pool = try NeuronPool.withFixedOutDegree(name: "f", neurons: n, outDegree: min(3, n - 1))
        #expect(Self.inhibitoryCount(pool) == n - (4 * n) / 5)
    }

    @Test func kindsGetTheirConfiguredProfilesAndRestingState() throws {
        var c = PoolConfig()
        c.excitatoryProfile = .lowThreshold
        c.inhibitoryProfile = .bursting
        let pool = try NeuronPool.withRandomConnectivity(name: "p", neurons: 60, density: 0.1, config: c)
        for i in 0 ..< 60 {
            let profile: NeuronProfile = pool.neurons.isInhibitory(i) ? .bursting : .lowThreshold
            #expect(NeuronFlags.profile(pool.neurons.flags[i]) == profile)
            #expect(pool.neurons.threshold[i] == profile.parameters.threshold)
            #expect(pool.neurons.leak[i] == profile.parameters.leak)
            #expect(pool.neurons.membrane[i] == 0)
            #expect(pool.neurons.refractory[i] == 0)
            #expect(pool.neurons.trace[i] == 0)
            #expect(pool.neurons.flags[i] & NeuronFlags.reservedMask == 0)
        }
        #expect(pool.tickCount == 0)
        #expect(pool.totalSpikes == 0)
        #expect(pool.delays.inFlightCount == 0)
    }

    @Test(arguments: [(200, 0.1), (64, 0.5), (33, 0.03), (2, 0.7)])
    func randomConnectivityStructure(n: Int, density: Double) throws {
        var c = PoolConfig()
        c.seed = 7
        let pool = try NeuronPool.withRandomConnectivity(name: "r", neurons: n, density: density, config: c)
        let problems = structureProblems(pool, maxDelay: c.maxDelay)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        // Row lengths: ⌊density·(N−1)⌋, or one more.
        let whole = Int((Double(n - 1) * density).rounded(.down))
        for i in 0 ..< n {
            let len = pool.synapses.row(i).count
            #expect(len == whole || len == whole + 1, "row \(i) has \(len) synapses, expected \(whole) or \(whole + 1)")
        }
        // Weights within the configured magnitude ranges.
        for i in 0 ..< n {
            let range = pool.neurons.isInhibitory(i) ? c.inhibitoryWeight : c.excitatoryWeight
            for s in pool.synapses.outgoing(i) {
                #expect(range.contains(abs(Int(s.weight))))
                #expect(s.eligibility == 0)
                #expect(s.maturity == Maturity.newborn)
                #expect(s.reserved == 0)
            }
        }
    }

    @Test func fractionalDensityAddsTheExtraTargetAtTheRemaindersRate() throws {
        // 199 · 0.1 = 19.9: 90 % of rows should get 20 targets.
        let pool = try NeuronPool.withRandomConnectivity(name: "r", neurons: 200, density: 0.1)
        let longRows = (0 ..< 200).filter { pool.synapses.row($0).count == 20 }.count
        #expect((160 ... 196).contains(longRows), "\(longRows) of 200 rows have 20 targets")
    }

    @Test func densityZeroAndOne() throws {
        let empty = try NeuronPool.withRandomConnectivity(name: "e", neurons: 40, density: 0)
        #expect(empty.synapseCount == 0)
        #expect(csrProblems(empty.synapses, neurons: 40).isEmpty)
        let full = try NeuronPool.withRandomConnectivity(name: "f", neurons: 40, density: 1)
        #expect(full.synapseCount == 40 * 39)
        #expect(structureProblems(full, maxDelay: 8).isEmpty)
        for i in 0 ..< 40 {
            #expect(Set(full.synapses.outgoing(i).map(\.target)) == Set((0 ..< 40).filter { $0 != i }.map { UInt16($0) }))
        }
    }

    @Test(arguments: [(100, 0), (100, 1), (100, 10), (100, 99), (17, 16), (300, 37)])
    func fixedOutDegreeGivesExactlyKDistinctTargets(n: Int, k: Int) throws {
        var c = PoolConfig()
        c.seed = UInt64(n * 1000 + k)
        let pool = try NeuronPool.withFixedOutDegree(name: "k", neurons: n, outDegree: k, config: c)
        #expect(pool.synapseCount == n * k)
        for i in 0 ..< n { #expect(pool.synapses.row(i).count == k) }
        let problems = structureProblems(pool, maxDelay: c.maxDelay)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    @Test func delaysRespectMaxDelayAndUseTheWholeRange() throws {
        var c = PoolConfig()
        c.maxDelay = 3
        let pool = try NeuronPool.withFixedOutDegree(name: "d", neurons: 100, outDegree: 10, config: c)
        let delays = Set(pool.synapses.synapses.map(\.delay))
        #expect(delays == [1, 2, 3])
        #expect(structureProblems(pool, maxDelay: 3).isEmpty)
    }

    @Test func largestPoolUsesAllSixteenTargetBits() throws {
        let pool = try NeuronPool.withFixedOutDegree(name: "big", neurons: 65536, outDegree: 1)
        #expect(pool.neuronCount == 65536)
        #expect(pool.synapseCount == 65536)
        #expect(csrProblems(pool.synapses, neurons: 65536).isEmpty)
        for i in [0, 1, 65534, 65535] {
            let t = try #require(pool.synapses.outgoing(i).first).target
            #expect(Int(t) != i)
        }
    }

    @Test func invalidNeuronCounts() {
        #expect(throws: PoolError.invalidNeuronCount(0)) { try NeuronPool.withRandomConnectivity(name: "x", neurons: 0, density: 0.1) }
        #expect(throws: PoolError.invalidNeuronCount(65537)) { try NeuronPool.withRandomConnectivity(name: "x", neurons: 65537, density: 0.1) }
        #expect(throws: PoolError.invalidNeuronCount(-3)) { try NeuronPool.withFixedOutDegree(name: "x", neurons: -3, outDegree: 0) }
        #expect(throws: PoolError.invalidNeuronCount(65537)) { try NeuronPool.withFixedOutDegree(name: "x", neurons: 65537, outDegree: 1) }
        #expect(throws: PoolError.invalidNeuronCount(0)) { try NeuronPool.unconnected(name: "x", neurons: 0) }
    }

    @Test func invalidDensities() {
        #expect(throws: PoolError.invalidDensity(-0.1)) { try NeuronPool.withRandomConnectivity(name: "x", neurons: 10, density: -0.1) }
        #expect(throws: PoolError.invalidDensity(1.5)) { try NeuronPool.withRandomConnectivity(name: "x", neurons: 10, density: 1.5) }
        #expect(throws: PoolError.invalidDensity(.infinity)) { try NeuronPool.withRandomConnectivity(name: "x", neurons: 10, density: .infinity) }
        // NaN never equals itself, so match the case and check the payload.
        let error = #expect(throws: PoolError.self) { try NeuronPool.withRandomConnectivity(name: "x", neurons: 10, density: .nan) }
        guard case .invalidDensity(let d)? = error else {
            Issue.record("expected invalidDensity, got \(String(describing: error))")
            return
        }
        #expect(d.isNaN)
    }

    @Test func invalidOutDegrees() {
        #expect(throws: PoolError.invalidOutDegree(10, neurons: 10)) { try NeuronPool.withFixedOutDegree(name: "x", neurons: 10, outDegree: 10) }
        #expect(throws: PoolError.invalidOutDegree(11, neurons: 10)) { try NeuronPool.withFixedOutDegree(name: "x", neurons: 10, outDegree: 11) }
        #expect(throws: PoolError.invalidOutDegree(-1, neurons: 10)) { try NeuronPool.withFixedOutDegree(name: "x", neurons: 10, outDegree: -1) }
        #expect(throws: PoolError.invalidOutDegree(1, neurons: 1)) { try NeuronPool.withFixedOutDegree(name: "x", neurons: 1, outDegree: 1) }
    }

    @Test func invalidConfigFieldsAreNamed() {
        var c = PoolConfig()
        c.maxDelay = 9
        #expect(throws: PoolError.invalidConfig(field: "maxDelay", value: "9", expected: "1...8")) {
            try NeuronPool.withRandomConnectivity(name: "x", neurons: 10, density: 0.1, config: c)
        }
        #expect(throws: PoolError.invalidConfig(field: "maxDelay", value: "9", expected: "1...8")) {
            try NeuronPool.withFixedOutDegree(name: "x", neurons: 10, outDegree: 2, config: c)
        }
        #expect(throws: PoolError.invalidConfig(field: "maxDelay", value: "9", expected: "1...8")) {
            try NeuronPool.unconnected(name: "x", neurons: 10, config: c)
        }
        c.maxDelay = 0
        #expect(throws: PoolError.invalidConfig(field: "maxDelay", value: "0", expected: "1...8")) { try c.validate() }

        func field(_ tweak: (inout PoolConfig) -> Void) -> String? {
            var c = PoolConfig()
            tweak(&c)
            do { try c.validate() } catch { if case .invalidConfig(let f, _, _) = error { return f } }
            return nil
        }
        #expect(field { $0.weightShift = 8 } == "weightShift")
        #expect(field { $0.excitatoryWeight = 0 ... 10 } == "excitatoryWeight")
        #expect(field { $0.inhibitoryWeight = 1 ... 128 } == "inhibitoryWeight")
        #expect(field { $0.traceMax = 0 } == "traceMax")
        #expect(field { $0.eligibilityTau = 0 } == "eligibilityTau")
        #expect(field { $0.stdpTauPlus = 100_001 } == "stdpTauPlus")
        #expect(field { $0.stdpPotentiation = 128 } == "stdpPotentiation")
        #expect(field { $0.learningGain = -1 } == "learningGain")
        #expect(field { $0.weightBounds = 0 ... 40000 } == "weightBounds")
        #expect(field { $0.dopamineTau = 0 } == "dopamineTau")
        #expect(field { $0.homeostasisTarget = 1000 } == "homeostasisTarget")
        #expect(field { $0.thresholdBounds = 0 ... 100 } == "thresholdBounds")
        #expect(field { $0.acetylcholineGate = 257 } == "acetylcholineGate")
        #expect(field { _ in } == nil)
    }
}
