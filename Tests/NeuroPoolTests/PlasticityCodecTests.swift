import Testing
@testable import NeuroPool

/// The `.pool` plasticity section (header flag bit 2): the rules, the modulator levels and the
/// last-spike times, written whenever STDP is on.
@Suite("The .pool plasticity section")
struct PlasticityCodecTests {
    typealias C = CodecTests

    /// A shorthand pool with STDP under two rules (odd-numbered own and afferent synapses follow
    /// the second, faster one), driven with noise through its own input and an afferent
    /// projection until eligibility has built up.
    static func learningPool() throws -> NeuronPool {
        var c = PoolConfig()
        c.seed = 77
        c.learningGain = 400_000
        var pool = try NeuronPool.withRandomConnectivity(name: "learner", neurons: 48, density: 0.15, config: c)
        let kinds = NeuronPool.inhibitoryNeurons(neurons: 20, seed: 3)
        try pool.addAfferent(try AfferentProjection.random(source: "upstream", inhibitory: kinds, from: 0 ..< 20, targetCount: 48, to: 0 ..< 48,
                                                           connectivity: .outDegree(4), weight: 20 ... 60, delay: 2 ... 5, seed: 4))
        for k in pool.synapses.synapses.indices where k % 2 == 1 {
            pool.synapses[k].reserved = Synapse.reserved(shift: 0, rule: 1)
        }
        for k in pool.afferents[0].synapses.indices where k % 2 == 1 {
            pool.afferents[0].store[k].reserved = Synapse.reserved(shift: 0, rule: 1)
        }
        var fast = c.stdpRule
        fast.tauPlus = 10
        fast.tauMinus = 30
        fast.eligibilityTau = 300
        fast.gain = 2_000_000
        fast.bounds = 256 ... 20000
        try pool.setPlasticityRules([c.stdpRule, fast])
        var driver = Driver(seed: 5)
        driver.run(&pool, ticks: 60)
        return pool
    }

    /// Noise into a pool's neurons and its afferent projection 0, the same for every
    /// pool it drives from the same state.
    struct Driver {
        var own: NoiseInput
        var source: NoiseInput

        init(seed: UInt64) {
            own = NoiseInput(seed: seed, neurons: 48, current: 7000, chance: 40)
            source = NoiseInput(seed: seed &+ 1, neurons: 20, current: 1, chance: 60)
        }

        /// Runs `ticks` ticks; returns the spike raster.
        @discardableResult
        mutating func run(_ pool: inout NeuronPool, ticks: Int) -> [[UInt16]] {
            var out: [[UInt16]] = []
            for _ in 0 ..< ticks {
                let spikes = source.next().enumerated().compactMap { $0.element != 0 ? UInt16($0.offset) : nil }
                let lag = UInt64(pool.afferents[0].lag)
                if pool.tickCount >= lag { try! pool.deliver(projection: 0, sourceTick: pool.tickCount - lag, spikes: spikes) }
                try! pool.tick(input: own.next())
                out.append(Array(pool.lastSpikes))
            }
            return out
        }
    }

    /// Where the section and its length field are in `bytes` (no held section).
    static func sectionOffsets(_ bytes: [UInt8]) -> (lengthField: Int, section: Int, length: Int) {
        let lengthField = 96 + Int(C.readLE(bytes, at: 20, as: UInt16.self)) + Int(C.readLE(bytes, at: 22, as: UInt16.self))
        let length = Int(C.readLE(bytes, at: lengthField, as: UInt32.self))
        return (lengthField, bytes.count - 4 - length, length)
    }

    @Test func aPoolWithSTDPRoundTripsAndContinuesIdentically() throws {
        var pool = try Self.learningPool()
        pool.receiveModulators(dopamine: 200, cortisol: nil, acetylcholine: nil)
        var driver = Driver(seed: 6)
        driver.run(&pool, ticks: 7)   // mid-way between sweeps, with a summed modulation
        #expect(pool.plasticity.dopamine > 0 && pool.plasticity.integral != 0)
        #expect(pool.synapses.synapses.contains { $0.eligibility != 0 && $0.rule == 1 })
        #expect(pool.afferents[0].synapses.contains { $0.eligibility != 0 })

        let bytes = pool.encoded()
        #expect(C.readLE(bytes, at: 8, as: UInt16.self) == 2)
        #expect(C.readLE(bytes, at: 10, as: UInt16.self) == NeuronPool.plasticityFlag)
        let (_, section, length) = Self.sectionOffsets(bytes)
        #expect(length == 4 + 2 * 36 + 16 + 4 * 48 + 4 * 20)
        #expect(C.readLE(bytes, at: section, as: UInt32.self) == 2)
        #expect(C.readLE(bytes, at: section + 4 + 72, as: Int32.self) == pool.plasticity.dopamine)
        #expect(C.readLE(bytes, at: section + 4 + 72 + 8, as: Int64.self) == pool.plasticity.integral)

        var loaded = try NeuronPool.decode(bytes)
        #expect(loaded == pool)
        #expect(loaded.plasticityRules == pool.plasticityRules)
        #expect(loaded.lastSpike == pool.lastSpike && loaded.afferents[0].sourceLastSpike == pool.afferents[0].sourceLastSpike)
        #expect(loaded.encoded() == bytes, "re-encoding must be byte-identical")

        let before = pool.synapses.synapses.map(\.fineMagnitude)
        var a = driver, b = driver
        let rasterA = a.run(&pool, ticks: 300)
        let rasterB = b.run(&loaded, ticks: 300)
        #expect(rasterA.reduce(0) { $0 + $1.count } > 0)
        #expect(rasterA == rasterB, "rasters diverge at tick \((0 ..< 300).first { rasterA[$0] != rasterB[$0] } ?? -1)")
        #expect(pool.synapses.synapses.map(\.fineMagnitude) != before, "the reward changed weights after the save")
        #expect(loaded.synapses == pool.synapses && loaded.afferents == pool.afferents)
        #expect(loaded == pool)
        #expect(loaded.encoded() == pool.encoded())
    }

    /// Without the section a loaded pool would forget its last spikes: pairings right after the
    /// load would differ. (What the section carries is needed, not decoration.)
    @Test func theLastSpikeTimesMatterAfterALoad() throws {
        let pool = try Self.learningPool()
        #expect(pool.lastSpike.contains { pool.tickCount &- UInt64($0) < 20 })
        var forgetful = try NeuronPool.decode(pool.encoded())
        forgetful.lastSpike = ContiguousArray(repeating: NeuronPool.longAgo(pool.tickCount), count: pool.neuronCount)
        var original = pool
        var a = Driver(seed: 8), b = Driver(seed: 8)
        a.run(&original, ticks: 40)
        b.run(&forgetful, ticks: 40)
        #expect(original.synapses.synapses.map(\.eligibility) != forgetful.synapses.synapses.map(\.eligibility))
    }

    @Test func aPoolWithoutSTDPHasNoSection() throws {
        var c = quietConfig()
        c.seed = 3
        let pool = try NeuronPool.withRandomConnectivity(name: "static", neurons: 12, density: 0.2, config: c)
        let bytes = pool.encoded()
        #expect(C.readLE(bytes, at: 10, as: UInt16.self) == 0)
        #expect(bytes.count == 96 + 6 + 136 + 8 * 12 + 4 * 13 + 8 * pool.synapseCount + 4)
        #expect(try NeuronPool.decode(bytes) == pool)
    }

    /// A pool of 40 neurons in two populations (version 4) with STDP, driven to fire by a
    /// constant drive, its synapses carrying weight shifts, run for 155 ticks and rewarded.
    static func populationPool() throws -> NeuronPool {
        func population(_ name: String, _ start: Int, _ count: Int, inhibitory: Bool) -> PopulationTable.Population {
            PopulationTable.Population(name: name, start: start, count: count, inhibitory: inhibitory, decay: 16_000_000, drive: 70_000,
                                       threshold: 20 << 16, reset: 10 << 16, refractory: 20)
        }
        let table = try PopulationTable([population("E", 0, 32, inhibitory: false), population("I", 32, 8, inhibitory: true)], neurons: 40)
        var c = PoolConfig()
        c.seed = 5
        c.learningGain = 1_000_000
        var random = PoolRandom(seed: 5)
        let membrane = ContiguousArray((0 ..< 40).map { _ in Int32(random.uniform(below: 20 << 16)) })
        var pool = try NeuronPool.withPopulations(name: "pops", table: table, membrane: membrane, maxDelay: 16, config: c)
        var edges: [(source: Int, synapse: Synapse)] = []
        for s in 0 ..< 40 {
            for _ in 0 ..< 6 {
                let w = random.uniform(in: 1 ... 127)
                edges.append((s, Synapse(target: UInt16(random.uniform(below: 40)), weight: Int8(s >= 32 ? -w : w),
                                         delay: UInt8(random.uniform(in: 1 ... 16)), reserved: 10)))
            }
        }
        try pool.setSynapses(edges)
        for _ in 0 ..< 150 { pool.tick() }
        pool.receiveModulators(dopamine: 230, cortisol: 80, acetylcholine: nil)
        for _ in 0 ..< 5 { pool.tick() }
        return pool
    }

    /// A pool of populations (version 4) with STDP: the section's length comes after the config
    /// words and before the population section's.
    @Test func aPopulationPoolWithSTDPRoundTrips() throws {
        var pool = try Self.populationPool()
        #expect(pool.totalSpikes > 0 && pool.synapses.synapses.contains { $0.eligibility != 0 })

        let bytes = pool.encoded()
        #expect(bytes[8] == 4 && C.readLE(bytes, at: 10, as: UInt16.self) & 4 != 0)
        let lengthField = 96 + 4 + 136
        #expect(C.readLE(bytes, at: lengthField, as: UInt32.self) == UInt32(4 + 36 + 16 + 4 * 40))
        let populationLength = Int(C.readLE(bytes, at: lengthField + 4, as: UInt32.self))
        #expect(C.readLE(bytes, at: lengthField + 8, as: UInt16.self) == 16, "the population section starts with the slot count")
        #expect(populationLength > 0)
        var loaded = try NeuronPool.decode(bytes)
        #expect(loaded == pool)
        #expect(loaded.encoded() == bytes)
        for _ in 0 ..< 300 {
            pool.tick()
            loaded.tick()
            #expect(loaded.lastSpikes == pool.lastSpikes)
        }
        #expect(loaded == pool)
    }

    /// The section before a held section (a snapshot part with STDP): both round-trip, and a
    /// wrong plasticity length is named as such, not as damage to the held input.
    @Test func theSectionComesBeforeTheHeldSection() throws {
        let pool = try HeldInputCodecTests.poolWithHeld()
        #expect(pool.config.stdp)
        let bytes = pool.encoded()
        #expect(bytes[8] == 3 && C.readLE(bytes, at: 10, as: UInt16.self) == 4)
        let back = try NeuronPool.decode(bytes)
        #expect(back == pool && back.held == pool.held)
        #expect(back.encoded() == bytes)

        let heldLength = Int(C.readLE(bytes, at: bytes.count - 8, as: UInt32.self))
        let lengthField = 96 + 4 + 136
        let length = Int(C.readLE(bytes, at: lengthField, as: UInt32.self))
        let sectionEnd = bytes.count - 8 - heldLength
        #expect(C.readLE(bytes, at: sectionEnd - length, as: UInt32.self) == 1, "the rule count opens the section")
        var longer = Array(bytes[0 ..< sectionEnd]) + [0, 0, 0, 0] + Array(bytes[sectionEnd...])
        C.writeLE(&longer, at: lengthField, UInt32(length + 4))
        #expect(C.outcome(C.resealed(longer)) == "plasticityLength")
    }

    /// Every field of the section is checked; a damaged one is named.
    @Test func aCorruptedSectionIsRejectedNamingTheField() throws {
        let pool = try Self.learningPool()
        let good = pool.encoded()
        let (lengthField, section, length) = Self.sectionOffsets(good)
        #expect(C.outcome(C.resealed(good)) == "accepted")
        let rule = section + 4                   // rule 0; rule 1 at rule + 36
        let levels = section + 4 + 2 * 36        // dopamine, cortisol, integral

        func edited(_ edit: (inout [UInt8]) -> Void) -> String {
            var b = good
            edit(&b)
            return C.outcome(C.resealed(b))
        }
        // The rule count: 1…8, and every synapse's rule must be among them.
        #expect(edited { C.writeLE(&$0, at: section, UInt32(0)) } == "plasticity.rules")
        #expect(edited { C.writeLE(&$0, at: section, UInt32(9)) } == "plasticity.rules")
        #expect(edited { C.writeLE(&$0, at: section, UInt32(3)) } == "plasticityLength")   // 3 rules need 36 more bytes
        // One rule fewer, its bytes removed, the length fixed: synapses still use rule 1.
        var oneRule = Array(good[0 ..< rule + 36]) + Array(good[(rule + 72)...])
        C.writeLE(&oneRule, at: section, UInt32(1))
        C.writeLE(&oneRule, at: lengthField, UInt32(length - 36))
        #expect(C.outcome(C.resealed(oneRule)) == "plasticity.rules")
        // Each rule's fields.
        #expect(edited { C.writeLE(&$0, at: rule + 28, Int32(30000)); C.writeLE(&$0, at: rule + 32, Int32(100)) } == "plasticity.rules[0].bounds")
        #expect(edited { C.writeLE(&$0, at: rule + 36 + 28, Int32(20001)) } == "plasticity.rules[1].bounds")  // above its high 20000
        #expect(edited { C.writeLE(&$0, at: rule + 32, Int32(32768)) } == "plasticity.rules[0]")           // bounds beyond 32767
        #expect(edited { C.writeLE(&$0, at: rule + 28, Int32(-1)) } == "plasticity.rules[0]")
        #expect(edited { C.writeLE(&$0, at: rule, Int32(128)) } == "plasticity.rules[0]")                 // potentiation
        #expect(edited { C.writeLE(&$0, at: rule + 4, Int32(-1)) } == "plasticity.rules[0]")              // depression
        #expect(edited { C.writeLE(&$0, at: rule + 36 + 8, Int32(0)) } == "plasticity.rules[1]")          // tauPlus
        #expect(edited { C.writeLE(&$0, at: rule + 12, Int32(100_001)) } == "plasticity.rules[0]")        // tauMinus
        #expect(edited { C.writeLE(&$0, at: rule + 16, Int32(0)) } == "plasticity.rules[0]")              // eligibilityTau
        #expect(edited { C.writeLE(&$0, at: rule + 20, Int64(1) << 39 + 1) } == "plasticity.rules[0]")    // gain
        #expect(edited { C.writeLE(&$0, at: rule + 20, Int64(-1)) } == "plasticity.rules[0]")
        #expect(edited { C.writeLE(&$0, at: rule + 20, Int64(1) << 39) } == "accepted")
        // The levels.
        let dopamineLimit = Int32(127 << 8), cortisolLimit = Int32(255 << 8)
        #expect(edited { C.writeLE(&$0, at: levels, dopamineLimit + 1) } == "plasticity.dopamine")
        #expect(edited { C.writeLE(&$0, at: levels, -dopamineLimit - 1) } == "plasticity.dopamine")
        #expect(edited { C.writeLE(&$0, at: levels, Int32.min) } == "plasticity.dopamine")
        #expect(edited { C.writeLE(&$0, at: levels, -dopamineLimit) } == "accepted")
        #expect(edited { C.writeLE(&$0, at: levels + 4, Int32(-1)) } == "plasticity.cortisol")
        #expect(edited { C.writeLE(&$0, at: levels + 4, cortisolLimit + 1) } == "plasticity.cortisol")
        #expect(edited { C.writeLE(&$0, at: levels + 4, cortisolLimit) } == "accepted")
        #expect(edited { C.writeLE(&$0, at: levels + 8, Int64(1) << 24) } == "plasticity.integral")
        #expect(edited { C.writeLE(&$0, at: levels + 8, Int64.min) } == "plasticity.integral")
        #expect(edited { C.writeLE(&$0, at: levels + 8, -(Int64(1) << 24) + 1) } == "accepted")
        // Last-spike times are any u32 (ticks modulo 2^32).
        #expect(edited { C.writeLE(&$0, at: levels + 16, UInt32.max) } == "accepted")
    }

    /// The section's length must be what its rule count, the neurons and the projections take.
    @Test func aWrongSectionLengthIsRejected() throws {
        let good = try Self.learningPool().encoded()
        let (lengthField, section, length) = Self.sectionOffsets(good)
        let end = section + length
        func withLength(_ newLength: Int, _ bytes: [UInt8]) -> [UInt8] {
            var b = bytes
            C.writeLE(&b, at: lengthField, UInt32(newLength))
            return C.resealed(b)
        }
        // Bytes added to or taken from the end of the section, the length following them.
        #expect(C.outcome(withLength(length + 4, Array(good[0 ..< end]) + [0, 0, 0, 0] + Array(good[end...]))) == "plasticityLength")
        #expect(C.outcome(withLength(length - 4, Array(good[0 ..< end - 4]) + Array(good[end...]))) == "plasticityLength")
        #expect(C.outcome(withLength(length - 8, Array(good[0 ..< end - 8]) + Array(good[end...]))) == "plasticityLength")
        #expect(C.outcome(withLength(0, Array(good[0 ..< section]) + Array(good[end...]))) == "plasticityLength")
        #expect(C.outcome(withLength(3, Array(good[0 ..< section + 3]) + Array(good[end...]))) == "plasticityLength")
        // The length alone changed: the file no longer has the size its header gives.
        #expect(throws: PoolFileError.truncated(section: "pool data", offset: good.count, needed: 4, available: 0)) {
            try NeuronPool.decode(withLength(length + 4, good))
        }
        #expect(throws: PoolFileError.trailingBytes(4)) { try NeuronPool.decode(withLength(length - 4, good)) }
        // Flag bit 2 cleared: the length field and the section are bytes too many.
        var unflagged = good
        C.writeLE(&unflagged, at: 10, UInt16(0))
        #expect(throws: PoolFileError.trailingBytes(4 + length)) { try NeuronPool.decode(C.resealed(unflagged)) }
    }

    /// A file from before the plasticity section: 26 config words (words 9, 10, 13, 14 and 22
    /// then held an earlier rule's constants), no flag bit 2, no section. It loads with this
    /// build's default plasticity constants and levels at baseline, and saves in today's layout.
    @Test func aConfigOf26WordsStillDecodes() throws {
        var c = PoolConfig()
        c.seed = 44
        c.excitatoryWeight = 10 ... 50
        c.homeostasisTarget = 80
        c.activeTrace = 9
        c.stdpPotentiation = 60
        c.stdpTauPlus = 7
        c.eligibilityTau = 500
        c.learningGain = 99
        c.dopamineTau = 300
        var pool = try NeuronPool.withRandomConnectivity(name: "old", neurons: 20, density: 0.2, config: c)
        var noise = NoiseInput(seed: 3, neurons: 20, current: 8000, chance: 60)
        for _ in 0 ..< 25 { try pool.tick(input: noise.next()) }
        #expect(pool.synapses.synapses.allSatisfy { $0.reserved == 0 }, "an earlier file has no rule or fraction bits")

        let current = pool.encoded()
        let configOffset = 96 + 3
        let (_, section, length) = Self.sectionOffsets(current)
        var words = (0 ..< 26).map { C.readLE(current, at: configOffset + 4 * $0, as: Int32.self) }
        (words[9], words[10], words[13], words[14], words[22]) = (30, 15, 16, 1, 6)
        var old = Array(current[0 ..< configOffset])
        C.writeLE(&old, at: 10, UInt16(0))
        C.writeLE(&old, at: 22, UInt16(26 * 4))
        for w in words {
            var le = [UInt8](repeating: 0, count: 4)
            C.writeLE(&le, at: 0, w)
            old += le
        }
        old += current[(configOffset + 136 + 4) ..< section]
        #expect(section + length == current.count - 4)
        old = C.resealed(old + [0, 0, 0, 0])
        #expect(old.count == current.count - 32 - 4 - length)

        var loaded = try NeuronPool.decode(old)
        var expected = PoolConfig()
        expected.seed = 44
        expected.excitatoryWeight = 10 ... 50
        expected.homeostasisTarget = 80
        expected.activeTrace = 9
        #expect(loaded.config == expected, "the 26 words' fields, default plasticity constants")
        #expect(loaded.plasticityRules == [PoolConfig().stdpRule])
        #expect(loaded.plasticity.dopamine == 0 && loaded.plasticity.cortisol == 0 && loaded.plasticity.integral == 0)
        #expect(loaded.lastSpike.allSatisfy { $0 == NeuronPool.longAgo(pool.tickCount) }, "no recent spike to pair with")
        #expect(loaded.neurons == pool.neurons && loaded.synapses == pool.synapses && loaded.delays == pool.delays)
        #expect(loaded.tickCount == pool.tickCount && loaded.random == pool.random && loaded.lastSpikes == pool.lastSpikes)

        // Saved again, it is a 34-word file with the section, and it runs on.
        let resaved = loaded.encoded()
        #expect(C.readLE(resaved, at: 22, as: UInt16.self) == 136 && C.readLE(resaved, at: 10, as: UInt16.self) == 4)
        #expect(try NeuronPool.decode(resaved) == loaded)
        loaded.receiveModulators(dopamine: 220, cortisol: nil, acetylcholine: nil)
        for _ in 0 ..< 200 { try loaded.tick(input: noise.next()) }
        #expect(loaded.totalSpikes > pool.totalSpikes)

        // 26 words with a word beyond them missing or extra is neither layout.
        for count in [25, 27, 33, 35] {
            var odd = Array(current[0 ..< configOffset])
            C.writeLE(&odd, at: 22, UInt16(count * 4))
            odd += [UInt8](repeating: 0, count: count * 4)
            odd += current[(configOffset + 136) ..< current.count]
            #expect(C.outcome(C.resealed(odd)).hasPrefix("config"), "\(count) words")
        }
    }
}
