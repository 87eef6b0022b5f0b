import Testing
@testable import NeuroPool

/// Shared helpers for the NeuroPool behavioural tests.

/// A config with the dynamics that interfere with hand-timed experiments switched off.
func quietConfig(seed: UInt64 = 1) -> PoolConfig {
    var c = PoolConfig()
    c.seed = seed
    c.stdp = false
    c.homeostasisStep = 0
    return c
}

/// Builds a pool by hand: `inhibitory[i]` fixes neuron i's kind (profiles from `config`),
/// `edges` are the synapses as (source, synapse) pairs, inserted through the CSR merge.
func handmadePool(inhibitory: [Bool], edges: [(source: Int, synapse: Synapse)],
                  config: PoolConfig = quietConfig(), name: String = "handmade") -> NeuronPool {
    let flags = ContiguousArray(inhibitory.map {
        NeuronFlags.encode(inhibitory: $0, profile: $0 ? config.inhibitoryProfile : config.excitatoryProfile)
    })
    var store = SynapseStore(neuronCount: inhibitory.count)
    store.insert(edges)
    return NeuronPool(name: name, config: config, random: PoolRandom(seed: config.seed),
                      neurons: NeuronArrays(flags: flags), synapses: store)
}

/// All-excitatory handmade pool of `n` neurons.
func excitatoryPool(_ n: Int, edges: [(source: Int, synapse: Synapse)], config: PoolConfig = quietConfig()) -> NeuronPool {
    handmadePool(inhibitory: Array(repeating: false, count: n), edges: edges, config: config)
}

/// Input vector firing exactly the neurons in `fire` (10000 Q8.8 ≈ 39 mV, twice any default threshold).
func kick(_ n: Int, _ fire: [Int], current: Int16 = 10000) -> [Int16] {
    var v = [Int16](repeating: 0, count: n)
    for i in fire { v[i] = current }
    return v
}

/// Global index of the synapse source → target (nil if absent).
func synapseIndex(_ pool: NeuronPool, from source: Int, to target: Int) -> Int? {
    pool.synapses.row(source).first { pool.synapses.synapses[$0].target == UInt16(target) }
}

/// The synapse source → target (fails the test if absent).
func synapse(_ pool: NeuronPool, from source: Int, to target: Int,
             sourceLocation: SourceLocation = #_sourceLocation) throws -> Synapse {
    let k = try #require(synapseIndex(pool, from: source, to: target), sourceLocation: sourceLocation)
    return pool.synapses.synapses[k]
}

/// A synapse seen from outside the store: its source and every field.
struct Edge: Hashable, Comparable {
    var source: Int, target: Int, weight: Int, delay: Int, eligibility: Int, maturity: Int
    static func < (a: Edge, b: Edge) -> Bool {
        (a.source, a.target, a.weight, a.delay, a.eligibility, a.maturity)
            < (b.source, b.target, b.weight, b.delay, b.eligibility, b.maturity)
    }
}

/// Every synapse with its source neuron, sorted (a multiset in canonical order).
func edges(_ store: SynapseStore) -> [Edge] {
    var out: [Edge] = []
    for i in 0 ..< store.neuronCount {
        for k in store.row(i) {
            let s = store.synapses[k]
            out.append(Edge(source: i, target: Int(s.target), weight: Int(s.weight), delay: Int(s.delay),
                            eligibility: Int(s.eligibility), maturity: Int(s.maturity)))
        }
    }
    return out.sorted()
}

/// Problems with the CSR invariants of `store` (empty when valid): rowPtr has N + 1 entries,
/// starts at 0, never decreases and ends at the synapse count.
func csrProblems(_ store: SynapseStore, neurons n: Int) -> [String] {
    var problems: [String] = []
    let p = store.rowPtr
    if p.count != n + 1 { problems.append("rowPtr has \(p.count) entries, expected \(n + 1)") ; return problems }
    if p[0] != 0 { problems.append("rowPtr[0] = \(p[0])") }
    if Int(p[n]) != store.synapses.count { problems.append("rowPtr[n] = \(p[n]) but \(store.synapses.count) synapses") }
    for i in 0 ..< n where p[i] > p[i + 1] { problems.append("rowPtr[\(i + 1)] = \(p[i + 1]) < rowPtr[\(i)] = \(p[i])") }
    return problems
}

/// Problems with the structural invariants of every row (empty when valid): Dale's law,
/// no self-connections, no duplicate targets, targets in range, delays within 1...maxDelay,
/// rows sorted by (delay, target).
func structureProblems(_ pool: NeuronPool, maxDelay: Int) -> [String] {
    var problems = csrProblems(pool.synapses, neurons: pool.neuronCount)
    guard problems.isEmpty else { return problems }
    for i in 0 ..< pool.neuronCount {
        let inhibitory = pool.neurons.isInhibitory(i)
        var seen = Set<UInt16>()
        var previous: (UInt8, UInt16)? = nil
        for k in pool.synapses.row(i) {
            let s = pool.synapses.synapses[k]
            if Int(s.target) >= pool.neuronCount { problems.append("synapse \(k) of \(i): target \(s.target) out of range") }
            if Int(s.target) == i { problems.append("synapse \(k): self-connection of \(i)") }
            if !seen.insert(s.target).inserted { problems.append("synapse \(k): duplicate target \(s.target) in row \(i)") }
            if inhibitory ? s.weight > 0 : s.weight < 0 {
                problems.append("synapse \(k) of \(inhibitory ? "inhibitory" : "excitatory") \(i) has weight \(s.weight)")
            }
            if !(1 ... maxDelay).contains(Int(s.delay)) { problems.append("synapse \(k): delay \(s.delay) outside 1...\(maxDelay)") }
            if let p = previous, !(p < (s.delay, s.target)) { problems.append("row \(i) not sorted by (delay, target) at \(k)") }
            previous = (s.delay, s.target)
        }
    }
    return problems
}

/// Runs `ticks` ticks with `input(tick)` and returns the spike raster (one sorted array per tick).
func raster(_ pool: inout NeuronPool, ticks: Int, input: (Int) -> [Int16]? = { _ in nil }) throws -> [[UInt16]] {
    var out: [[UInt16]] = []
    out.reserveCapacity(ticks)
    for t in 0 ..< ticks {
        if let v = input(t) { try pool.tick(input: v) } else { pool.tick() }
        out.append(Array(pool.lastSpikes))
    }
    return out
}

/// A deterministic input generator independent of any pool: each neuron gets `current` with
/// probability `chance`/256 per tick.
struct NoiseInput {
    var random: PoolRandom
    let neurons: Int
    let current: Int16
    let chance: UInt64

    init(seed: UInt64, neurons: Int, current: Int16, chance: Int) {
        random = PoolRandom(seed: seed)
        self.neurons = neurons
        self.current = current
        self.chance = UInt64(chance) << 24
    }

    mutating func next() -> [Int16] {
        (0 ..< neurons).map { _ in random.chance(chance) ? current : 0 }
    }
}
