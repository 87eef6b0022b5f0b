/// A pool of integer leaky-integrate-and-fire neurons with CSR synapses, axonal delays,
/// STDP eligibility, three-factor plasticity, thermal synapse maturity and homeostatic
/// thresholds. One pool is the unit a NeuroBus node runs.
///
/// A pool is a value: copying it copies the network (lazily). All randomness comes from the
/// pool's own `PoolRandom`, so the same seed gives byte-identical state and spikes.
public struct NeuronPool: Sendable {
    /// The pool's name (stored in `.pool` files; at most 255 UTF-8 bytes).
    public internal(set) var name: String
    /// Construction and dynamics parameters.
    public internal(set) var config: PoolConfig
    /// The pool's generator; its state is saved with the pool.
    public internal(set) var random: PoolRandom
    /// Per-neuron state (`NeuronArrays`: 8 bytes per neuron, 9 in a population pool).
    public internal(set) var neurons: NeuronArrays
    /// Outgoing synapses in CSR form, 8 bytes per synapse.
    public internal(set) var synapses: SynapseStore
    /// Input in flight along axons.
    public internal(set) var delays: DelayBuffer
    /// The populations of a pool built from populations in physical units, with their
    /// constants; nil in a shorthand pool (random 80/20 kinds and `NeuronProfile`s).
    public internal(set) var populations: PopulationTable?
    /// Projections arriving from other pools, with their synapses onto this pool's neurons.
    public internal(set) var afferents: [AfferentProjection] = []
    /// Ticks run so far; the next tick is number `tickCount`.
    public internal(set) var tickCount: UInt64 = 0
    /// Spikes fired since construction.
    public internal(set) var totalSpikes: UInt64 = 0
    /// The plasticity rules and the neuromodulator levels they read.
    public internal(set) var plasticity: PlasticityState
    /// Each neuron's last spike tick, modulo 2^32 (what STDP pairs against); a neuron that has
    /// not fired for 2^30 ticks reads as having fired 2^30 ticks ago.
    public internal(set) var lastSpike: ContiguousArray<UInt32>
    /// Input sent to the pool but not consumed yet, kept by network snapshots (`.pool`
    /// version 3); nil in ordinary pool files. The pool itself never reads it: whoever
    /// restores the pool hands it on (NeuroNode's pool driver).
    public var held: HeldInput?

    /// Neurons that fired in the last tick, ascending; the first `lastSpikeCount` entries count.
    var spikeBuffer: ContiguousArray<UInt16>
    /// Scratch for the neuron pass: 1 where a neuron crossed threshold this tick, 0 elsewhere
    /// (padded to a multiple of 8 so it can be scanned as 64-bit words).
    var spikeFlags: ContiguousArray<UInt8>
    /// Number of neurons that fired in the last tick.
    public internal(set) var lastSpikeCount: Int = 0
    /// Reset potential and refractory ticks per profile, indexed by profile raw value.
    let profileReset: ContiguousArray<Int16>
    let profileRefractory: ContiguousArray<UInt8>

    /// Number of neurons.
    public var neuronCount: Int { neurons.count }
    /// Number of synapses.
    public var synapseCount: Int { synapses.count }

    /// Assembles a pool from its parts; construction and decoding go through here.
    init(name: String, config: PoolConfig, random: PoolRandom, neurons: NeuronArrays,
         synapses: SynapseStore, delays: DelayBuffer? = nil) {
        let n = neurons.count
        self.name = name
        self.config = config
        self.random = random
        self.neurons = neurons
        self.synapses = synapses
        self.delays = delays ?? DelayBuffer(neuronCount: n)
        plasticity = PlasticityState(rules: [config.stdpRule], dopamineTau: config.dopamineTau)
        lastSpike = ContiguousArray(repeating: NeuronPool.longAgo(0), count: n)
        spikeBuffer = ContiguousArray(repeating: 0, count: n)
        spikeFlags = ContiguousArray(repeating: 0, count: (n + 7) / 8 * 8)
        profileReset = ContiguousArray(NeuronProfile.allCases.map { $0.parameters.reset })
        profileRefractory = ContiguousArray(NeuronProfile.allCases.map { $0.parameters.refractory })
    }

    /// The neurons that fired in the last tick, ascending.
    public var lastSpikes: ArraySlice<UInt16> { spikeBuffer[0 ..< lastSpikeCount] }

    /// Adds `current` (the pool's membrane units: Q8.8 mV, or 2^−16 mV in a population pool) to every neuron of `range` for the next tick only: it goes
    /// into the delay-ring slot that tick consumes, like a spike arriving then.
    /// Throws if the range reaches outside the pool. O(range).
    public mutating func inject(_ range: Range<Int>, _ current: Int16) throws(PoolError) {
        guard range.lowerBound >= 0, range.upperBound <= neuronCount else {
            throw .rangeOutOfBounds(range, neurons: neuronCount)
        }
        let base = delays.slot(forTick: tickCount) * neuronCount
        let channel = current < 0 ? delays.channels - 1 : 0
        for i in range { delays.input[(base + i) * delays.channels + channel] &+= Int32(current) }
    }

    /// Adds `value` (the pool's membrane units) to neuron `i`'s input of the tick about to be
    /// simulated, as a spike arriving then would: through its synapses' channel (by sign) in a
    /// pool with exponential synapses. Used by generators. O(1); `i` must be a neuron.
    public mutating func addArrival(_ i: Int, _ value: Int32) {
        let channels = delays.channels
        let index = (delays.slot(forTick: tickCount) &* neuronCount &+ i) &* channels &+ (value < 0 ? channels &- 1 : 0)
        delays.input[index] = Int32(clamping: Int64(delays.input[index]) &+ Int64(value))
    }

    /// Whether each neuron of `range` fired in the last tick. O(range + spikes).
    public func readOutput(_ range: Range<Int>) throws(PoolError) -> [Bool] {
        guard range.lowerBound >= 0, range.upperBound <= neuronCount else {
            throw .rangeOutOfBounds(range, neurons: neuronCount)
        }
        var out = [Bool](repeating: false, count: range.count)
        for s in lastSpikes where range.contains(Int(s)) { out[Int(s) - range.lowerBound] = true }
        return out
    }

    /// Number of neurons of `range` that fired in the last tick. O(spikes).
    public func spikeCount(in range: Range<Int>) -> Int {
        lastSpikes.reduce(0) { $0 + (range.contains(Int($1)) ? 1 : 0) }
    }

    /// Sets every membrane to rest and clears refractoriness (a fresh trial); synapses,
    /// thresholds, traces and input in flight are kept.
    public mutating func resetMembranes() {
        neurons.membrane.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        neurons.membraneLow.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        neurons.refractory.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Draws every membrane uniformly from `0 ..< bound` Q8.8 mV with the pool's generator.
    public mutating func randomizeMembranes(below bound: Int16) {
        guard bound > 0 else { return }
        for i in 0 ..< neuronCount {
            neurons.membrane[i] = Int16(random.uniform(below: UInt64(bound)))
        }
        if !neurons.membraneLow.isEmpty { neurons.membraneLow.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
    }
}

extension NeuronPool: Equatable {
    /// Two pools are equal when all their saved state is (the derived STDP index is ignored).
    public static func == (a: NeuronPool, b: NeuronPool) -> Bool {
        a.name == b.name && a.config == b.config && a.random == b.random && a.neurons == b.neurons
            && a.synapses == b.synapses && a.delays == b.delays && a.tickCount == b.tickCount
            && a.totalSpikes == b.totalSpikes && a.lastSpikes == b.lastSpikes && a.afferents == b.afferents
            && a.populations == b.populations && a.plasticity == b.plasticity && a.lastSpike == b.lastSpike
    }
}

extension NeuronPool {
    /// How long ago a spike that never happened (or is too old to matter) is taken to be.
    static let spikeHorizon: UInt32 = 1 << 30

    /// The last-spike value of a neuron that has not fired by tick `tick`.
    static func longAgo(_ tick: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: tick) &- spikeHorizon }

    /// Keeps every last-spike time in `times` within `spikeHorizon` of `tick`, so differences
    /// stay correct modulo 2^32 however long a neuron stays silent. O(count).
    static func refresh(_ times: inout ContiguousArray<UInt32>, tick: UInt64) {
        let now = UInt32(truncatingIfNeeded: tick)
        times.withUnsafeMutableBufferPointer { t in
            for i in t.indices where now &- t[i] > spikeHorizon { t[i] = now &- spikeHorizon }
        }
    }

    /// Lends the pool's generator to `body`, for draws that belong to the pool's run (e.g. a
    /// node's Poisson stimulus), so they are saved and restored with it.
    public mutating func withGenerator<R>(_ body: (inout PoolRandom) throws -> R) rethrows -> R {
        try body(&random)
    }
}
