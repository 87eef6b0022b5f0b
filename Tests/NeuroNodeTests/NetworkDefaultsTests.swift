import Foundation
import Testing
import NeuroNode
import NeuroPool
import NeuroNetwork
import NeuroEngine

@Test func builtInDefaultParses() throws {
    let d = try NetworkDescription.parse(Array(NetworkDescription.defaultFileText.utf8), file: "<built-in>")
    #expect(d == NetworkDescription.builtInDefault())
    #expect(d.file == "<built-in>")
    #expect(d.name == "default" && d.format == 2 && d.seed == 2026 && d.mode == .lockstep && d.tickMicroseconds == 1000)
    #expect(d.controller == ControllerEndpoints(control: "tcp://127.0.0.1:27100", publish: "tcp://127.0.0.1:27101"))
    #expect(d.pools.map(\.name) == ["input", "left", "right"])
    #expect(d.pools.map(\.neurons) == [80, 40, 40])
    #expect(d.pools.map { $0.populations.map(\.name) } == [["A", "B"], ["E", "I"], ["E", "I"]])
    #expect(d.pools.map(\.endpoint) == ["tcp://127.0.0.1:27110", "tcp://127.0.0.1:27111", "tcp://127.0.0.1:27112"])
    let task = try #require(d.task)
    #expect(task.labels == ["A", "B"] && task.stimulusTicks == 100 && task.gapTicks == 200)
    #expect(task.trainTrials == 240 && task.testTrials == 60 && task.ticks == 90_000)
    #expect(task.decideFrom == 0 && task.decideTo == 100 && task.lag == 20 && task.dopamine == 200)
    #expect(task.reward == .contingent && task.expectationTrials == 20)
    // left.E stands for A, right.E for B: the first 30 neurons of each output pool.
    #expect(task.readouts.map(\.pool) == [1, 2] && task.readouts.allSatisfy { $0.neurons == 0 ..< 30 })
    // Two plastic all-to-all projections from input, then four static cross-inhibition ones.
    #expect(d.projections.map { [$0.from, $0.to] } == [[0, 1], [0, 2], [1, 1], [1, 2], [2, 2], [2, 1]])
    #expect(d.projections.map { $0.physical?.plastic } == [true, true, false, false, false, false])
    // Background on both outputs; the stimulus on input.A or input.B only during its trials.
    #expect(d.pools.map { $0.generators.count } == [2, 1, 1])
    #expect(d.pools[0].generators.map(\.neurons) == [0 ..< 40, 40 ..< 80])
    #expect(d.pools[0].generators.allSatisfy { $0.gate != nil } && d.pools[1 ... 2].allSatisfy { $0.generators[0].gate == nil })
    #expect(d.rewards.isEmpty && d.modulations.isEmpty)
    #expect(d.bytes == Array(NetworkDescription.defaultFileText.utf8))
    #expect(d.hash == NetworkDescription.fnv1a64(d.bytes))
}

@Test func threePoolNetworkParses() throws {
    let d = NetworkDescription.builtInThreePool()
    #expect(d.file == "<built-in>")
    #expect(d.name == "three-pools" && d.format == 1 && d.seed == 2026 && d.mode == .lockstep && d.tickMicroseconds == 1000)
    #expect(d.controller == ControllerEndpoints(control: "tcp://127.0.0.1:27100", publish: "tcp://127.0.0.1:27101"))
    #expect(d.pools.map(\.name) == ["sensory", "association", "motor"])
    #expect(d.pools.map(\.neurons) == [256, 512, 128])
    #expect(d.pools.map(\.connectivity) == [.density(0.05), .density(0.03), .density(0.05)])
    #expect(d.pools.map(\.endpoint) == ["tcp://127.0.0.1:27110", "tcp://127.0.0.1:27111", "tcp://127.0.0.1:27112"])
    #expect(d.pools.map(\.index) == [0, 1, 2])
    let stimulus = try #require(d.pools[0].stimuli.first)
    #expect(stimulus.neurons == 0 ..< 128 && stimulus.drive == 3072 && stimulus.start == 0 && stimulus.stop == nil)
    // p = 60 × 1000 / 10^6 = 0.06 → ⌊0.06 × 2^32⌋
    #expect(stimulus.kind == .poisson(chance: UInt32(0.06 * 4_294_967_296)))
    #expect(d.projections.map { [$0.from, $0.to] } == [[0, 1], [1, 2], [2, 1]])
    #expect(d.projections.map(\.connectivity) == [.outDegree(16), .outDegree(12), .outDegree(4)])
    #expect(d.projections.map(\.weight) == [20 ... 50, 20 ... 50, 10 ... 30])
    #expect(d.projections.map(\.delay) == [2 ... 4, 2 ... 4, 3 ... 5])
    #expect(d.projections[0].fromNeurons == 0 ..< 256 && d.projections[0].toNeurons == 0 ..< 512)
    #expect(d.rewards == [RewardRule(pool: 2, neurons: 0 ..< 64, every: 100, minSpikes: 1400, dopamine: 200, lag: 5)])
    #expect(d.modulations == [ScheduledModulation(tick: 2000, acetylcholine: 160), ScheduledModulation(tick: 4000, cortisol: 60)])
    #expect(d.bytes == Array(NetworkDescription.threePoolFileText.utf8))
}

/// `examples/three-pools.toml` is the built-in three-pool text, so the deployment recipes and
/// benchmark scripts that copy the file run the network the tests run.
@Test func threePoolExampleFileIsTheBuiltInText() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let file = try String(contentsOf: root.appendingPathComponent("examples/three-pools.toml"), encoding: .utf8)
    #expect(file == NetworkDescription.threePoolFileText)
}

@Test func loopExampleParses() throws {
    let d = NetworkDescription.builtInLoopExample()
    #expect(d.pools.map(\.name) == ["left", "right"] && d.pools.allSatisfy { $0.neurons == 64 })
    #expect(d.projections.map(\.delay) == [1 ... 1, 1 ... 1])
    #expect(d.upstream(of: 0) == [1] && d.downstream(of: 0) == [1])
    #expect(!d.pools[0].stimuli.isEmpty)
    let endpoints = [d.controller.control, d.controller.publish] + d.pools.map(\.endpoint)
    #expect(endpoints == (27120 ... 27123).map { "tcp://127.0.0.1:\($0)" })
}

@Test func topologyQueries() {
    let d = NetworkDescription.builtInThreePool()
    #expect(d.pool(named: "motor")?.index == 2)
    #expect(d.pool(named: "nope") == nil)
    #expect(d.upstream(of: 1) == [0, 2])
    #expect(d.downstream(of: 1) == [2])
    #expect(d.upstream(of: 0) == [] && d.downstream(of: 0) == [1])
    #expect(d.projections(into: 1).map(\.index) == [0, 2])
    #expect(d.projections(from: 2).map(\.index) == [2])
}

@Test func fnv1aMatchesReferenceVectors() {
    #expect(NetworkDescription.fnv1a64([]) == 0xcbf2_9ce4_8422_2325)
    #expect(NetworkDescription.fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
    #expect(NetworkDescription.fnv1a64(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
}

@Test func seedsAreDerivedUnlessGiven() throws {
    let d = NetworkDescription.builtInThreePool()
    for p in d.pools {
        #expect(p.config.seed == NetworkDescription.derivedPoolSeed(networkSeed: 2026, index: p.index))
        #expect(p.config.seed == NetworkDescription.splitmix64(2026 ^ UInt64(p.index + 1)))
    }
    for p in d.projections {
        #expect(p.seed == NetworkDescription.splitmix64(2026 ^ 0x8000_0000_0000_0000 ^ UInt64(p.index + 1)))
    }
    let all = d.pools.map(\.config.seed) + d.projections.map(\.seed)
    #expect(Set(all).count == all.count)
    // splitmix64 reference: first output of SplitMix64 seeded with 0.
    #expect(NetworkDescription.splitmix64(0) == 0xe220_a839_7b1d_cdaf)

    let given = try #require(parsed(edited("neurons = 10\n", "neurons = 10\nseed = 99\n") + projection("a", "b", "out_degree = 1\nweight = [1, 1]\ndelay = [1, 1]\nseed = 5")))
    #expect(given.pools[0].config.seed == 99 && given.projections[0].seed == 5)
}

@Test func poolOverridesAndProfilesApply() throws {
    let text = edited("neurons = 10\n", """
        neurons = 10
        profile = "bursting"
        inhibitory_profile = "low-threshold"
        stdp = false
        max_delay = 3
        weight_shift = 5
        homeostasis_step = 0
        homeostasis_target = 100
        excitatory_weight = [10, 40]
        inhibitory_weight = [30, 90]

        """)
    let c = try #require(parsed(text)).pools[0].config
    #expect(c.excitatoryProfile == .bursting && c.inhibitoryProfile == .lowThreshold)
    #expect(!c.stdp && c.maxDelay == 3 && c.weightShift == 5 && c.homeostasisStep == 0 && c.homeostasisTarget == 100)
    #expect(c.excitatoryWeight == 10 ... 40 && c.inhibitoryWeight == 30 ... 90)
    let plain = try #require(parsed(baseNetwork)).pools[1].config
    #expect(plain.excitatoryProfile == .regularSpiking && plain.inhibitoryProfile == .fastSpiking && plain.maxDelay == PoolConfig().maxDelay)
}

@Test func optionalValuesAndOrdering() throws {
    let text = edited("seed = 1\n", "seed = 1\nmode = \"realtime\"\ntick_us = 250\n") + """

        [[pool.stimulus]]
        neurons = [2, 6]
        kind = "constant"
        drive = -512
        start = 10
        stop = 20

        [[reward]]
        pool = "b"
        every = 50
        min_spikes = 3
        dopamine = 0

        [[modulation]]
        at = 30
        dopamine = 1
        [[modulation]]
        at = 10
        cortisol = 2
        [[modulation]]
        at = 30
        acetylcholine = 3

        """
    let d = try #require(parsed(text))
    #expect(d.mode == .realtime && d.tickMicroseconds == 250)
    #expect(d.pools[1].stimuli == [StimulusSpec(neurons: 2 ..< 6, kind: .constant, drive: -512, start: 10, stop: 20)])
    #expect(d.pools[1].stimuli[0].isActive(at: 10) && !d.pools[1].stimuli[0].isActive(at: 20))
    #expect(d.rewards == [RewardRule(pool: 1, neurons: 0 ..< 20, every: 50, minSpikes: 3, dopamine: 0, lag: 1)])
    #expect(d.modulations == [ScheduledModulation(tick: 10, cortisol: 2), ScheduledModulation(tick: 30, dopamine: 1),
                              ScheduledModulation(tick: 30, acetylcholine: 3)])
}

@Test func poissonChanceRoundsDownAndSaturates() throws {
    func chance(_ rate: String, tick: Int) throws -> StimulusKind? {
        let text = edited("seed = 1\n", "seed = 1\ntick_us = \(tick)\n") + "[[pool.stimulus]]\nneurons = [0, 1]\nkind = \"poisson\"\ndrive = 1\nrate_hz = \(rate)\n"
        return parsed(text)?.pools[1].stimuli.first?.kind
    }
    #expect(try chance("40.0", tick: 1000) == .poisson(chance: 171_798_691))  // ⌊0.04 × 2^32⌋
    #expect(try chance("1000", tick: 1000) == .poisson(chance: UInt32.max))   // p = 1 saturates
    #expect(try chance("1", tick: 1) == .poisson(chance: 4294))               // p = 10^-6
}

@Test func loadReadsFilesAndNamesThePath() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("neurobus-network-\(getpid()).toml").path
    try Data(NetworkDescription.defaultFileText.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let d = try NetworkDescription.load(path: path)
    #expect(d.file == path && d.hash == NetworkDescription.builtInDefault().hash)

    let missing = path + ".missing"
    #expect(throws: NetworkFileError.self) { try NetworkDescription.load(path: missing) }
    do {
        _ = try NetworkDescription.load(path: missing)
    } catch {
        #expect(error.file == missing && error.message.contains("No such file"))
        #expect(error.description == "\(missing): \(error.message)")
    }
}

@Test func errorDescriptionOmitsMissingParts() {
    #expect(NetworkFileError(file: "f", line: 3, key: "pool[0].name", message: "m").description == "f:3: pool[0].name: m")
    #expect(NetworkFileError(file: "f", key: "k", message: "m").description == "f: k: m")
    #expect(NetworkFileError(file: "f", line: 2, message: "m").description == "f:2: m")
}

@Test func formatDocumentShowsTheDefaultFile() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let doc = try String(contentsOf: root.appendingPathComponent("docs/NETWORK-FORMAT.md"), encoding: .utf8)
    let start = try #require(doc.range(of: "```toml\n", options: .backwards))
    let end = try #require(doc.range(of: "\n```", range: start.upperBound ..< doc.endIndex))
    let example = String(doc[start.upperBound ..< end.lowerBound])
    #expect(example.trimmingCharacters(in: .newlines) == NetworkDescription.defaultFileText.trimmingCharacters(in: .newlines))
}
