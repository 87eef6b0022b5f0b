import NeuroModel
import NeuroPool

/// A projection in physical units (network file format 2): a NEST connection rule, weights as
/// PSP amplitudes in mV and delays in ms, each drawn per synapse and quantized once.
public struct RuleProjection: Sendable, Equatable {
    /// How pairs of neurons are chosen: a connection rule, or an explicit list.
    public enum Pairing: Sendable, Equatable {
        case rule(ConnectionRule)
        case list(ConnectionList)
    }

    /// How pairs of neurons are chosen.
    public var pairing: Pairing
    /// Whether a neuron may connect to itself (only meaningful within one pool).
    public var allowAutapses: Bool
    /// Whether a pair may be connected more than once.
    public var allowMultapses: Bool
    /// PSP amplitude of synapses from excitatory sources, mV (> 0; clipped at 0).
    public var excitatoryWeight: ValueDistribution?
    /// PSP amplitude of synapses from inhibitory sources, mV (< 0; clipped at 0).
    public var inhibitoryWeight: ValueDistribution?
    /// Axonal delay, ms, rounded to ticks and clipped at one tick.
    public var delay: ValueDistribution
    /// The learning rule of a plastic projection (`synapse = "stdp"`); nil: static (the
    /// default: frozen, as COLD synapses are).
    public var stdp: STDPParameters?
    /// Whether the synapses take part in STDP and three-factor plasticity.
    public var plastic: Bool { stdp != nil }

    /// The integer scale of weights drawn from `distribution` times `factor` (1 for mV; a
    /// population's pA-to-mV factor for exponential synapses): it holds the largest weight
    /// drawn and, for a plastic projection, the learning rule's upper bound.
    public func weightScale(_ distribution: ValueDistribution, factor: Double) -> WeightScale {
        let drawn = WeightScale.largest(distribution)
        return WeightScale(largest: max(drawn, stdp?.upperBound(largestWeight: drawn) ?? 0) * factor)
    }

    public init(pairing: Pairing, allowAutapses: Bool = true, allowMultapses: Bool = true,
                excitatoryWeight: ValueDistribution?, inhibitoryWeight: ValueDistribution?,
                delay: ValueDistribution, stdp: STDPParameters? = nil) {
        self.pairing = pairing
        self.allowAutapses = allowAutapses
        self.allowMultapses = allowMultapses
        self.excitatoryWeight = excitatoryWeight
        self.inhibitoryWeight = inhibitoryWeight
        self.delay = delay
        self.stdp = stdp
    }
}

/// Explicit connections from a data file (`rule = "list"`): source and target indices within
/// the neurons the projection addresses, each connection's weight (mV) and delay (ms) when
/// the file gives them (else the projection's `weight` and `delay` apply), in file order.
public struct ConnectionList: Sendable, Equatable {
    public var sources: [Int32]
    public var targets: [Int32]
    public var weights: [Double]?
    public var delays: [Double]?
    /// FNV-1a 64 of the file's bytes, folded into the network's hash.
    public var fileHash: UInt64
    /// The file's path as the network file gives it.
    public var file: String = ""

    public init(sources: [Int32], targets: [Int32], weights: [Double]?, delays: [Double]?, fileHash: UInt64) {
        self.sources = sources
        self.targets = targets
        self.weights = weights
        self.delays = delays
        self.fileHash = fileHash
    }
}

/// An external generator into neurons of one pool (network file format 2, `[[generator]]`).
public struct GeneratorSpec: Sendable, Equatable {
    /// What a generator produces.
    public enum Kind: Sendable, Equatable {
        /// Each covered neuron receives a Poisson number of events per tick with mean
        /// `rate × tick` (NEST's `poisson_generator`, one independent train per target),
        /// each adding `weight`.
        case poisson(rateHz: Double, sampler: PoissonSampler)
        /// A constant input every tick (NEST's `dc_generator` through `iaf_psc_delta`).
        case dc
        /// Events at given ticks (NEST's `spike_generator`): `ticks` ascending, `neurons`
        /// (pool indices) beside them, one `weight` per event.
        case spikeTrain(ticks: [UInt64], neurons: [Int32])
    }

    /// Target pool index.
    public var pool: Int
    /// Target neurons (half-open, within the pool).
    public var neurons: Range<Int>
    public var kind: Kind
    /// Input per event (Poisson) or per tick (DC), membrane units of the target pool
    /// (2^−16 mV); never zero.
    public var weight: Int32
    /// The weight requested, mV per event (Poisson) or per tick (DC, after exact integration).
    public var requestedMillivolts: Double
    /// First active tick and the tick it stops at (exclusive; nil: never).
    public var start: UInt64
    public var stop: UInt64?
    /// A spike train's data file, as the network file gives it.
    public var file: String?
    /// A spike train that repeats: its events fall at every tick t with t mod `period` equal
    /// to an event's tick (all below `period`); nil: once.
    public var period: UInt64?
    /// Whether events go through the target's exponential synapses (into its excitatory or
    /// inhibitory synaptic state, `weight` then being P21 × the weight in pA) rather than
    /// straight onto the membrane. Never for dc generators, which act as currents.
    public var viaSynapses = false
    /// Restricts the generator to the stimulus of its labels' trials (`during`); a spike
    /// train's times then count from each such trial's start. Nil: no restriction.
    public var gate: TrialGate?

    public init(pool: Int, neurons: Range<Int>, kind: Kind, weight: Int32, requestedMillivolts: Double,
                start: UInt64 = 0, stop: UInt64? = nil) {
        self.pool = pool
        self.neurons = neurons
        self.kind = kind
        self.weight = weight
        self.requestedMillivolts = requestedMillivolts
        self.start = start
        self.stop = stop
    }

    /// The generator's own time at `tick` when it is active there, else nil: the ticks since
    /// the current trial began (a gated generator), `tick` modulo `period` (a repeating
    /// train), or `tick`. A spike train's events fall where it equals their tick.
    public func clock(at tick: UInt64) -> UInt64? {
        guard tick >= start, stop.map({ tick < $0 }) ?? true else { return nil }
        if let gate { return gate.offset(at: tick).map(UInt64.init) }
        return period.map { tick % $0 } ?? tick
    }
}

extension NetworkDescription {
    /// The data files the network reads (connection lists, spike trains), as written in it:
    /// relative to the network file's folder unless absolute.
    public var dataFiles: [String] {
        var files: [String] = []
        for p in projections { if case .list(let l)? = p.physical?.pairing { files.append(l.file) } }
        for pool in pools { for g in pool.generators { if let f = g.file { files.append(f) } } }
        return files
    }

    /// Where data file `path` (as a network file names it) is read from: as given when
    /// absolute, else relative to the folder of `networkFile` (a built-in or in-memory file,
    /// whose name has no `/`: the working directory).
    public static func resolve(dataFile path: String, networkFile: String) -> String {
        guard !path.hasPrefix("/"), networkFile.contains("/"), !networkFile.hasPrefix("<"),
              let slash = networkFile.lastIndex(of: "/") else { return path }
        return "\(networkFile[..<slash])/\(path)"
    }

    /// Which population of pool `pool` holds neuron `i`, or nil for a shorthand pool.
    public func population(ofPool pool: Int, neuron i: Int) -> PopulationSpec? {
        pools[pool].populationRanges.first { $0.neurons.contains(i) }?.population
    }

    /// The kind of each neuron of pool `index` (true = inhibitory), see `PoolSpec.inhibitoryNeurons`.
    public func inhibitoryNeurons(ofPool index: Int) -> [Bool] { pools[index].inhibitoryNeurons }
}

extension PoolSpec {
    /// Each population with its neurons, in neuron order; empty for a shorthand pool. O(populations).
    public var populationRanges: [(neurons: Range<Int>, population: PopulationSpec)] {
        var start = 0
        return populations.map { p in
            defer { start += p.size }
            return (start ..< start + p.size, p)
        }
    }

    /// The populations that share neurons with `neurons`, each with the shared part.
    public func populations(overlapping neurons: Range<Int>) -> [(neurons: Range<Int>, population: PopulationSpec)] {
        populationRanges.compactMap { r in
            let (low, high) = (max(r.neurons.lowerBound, neurons.lowerBound), min(r.neurons.upperBound, neurons.upperBound))
            return low < high ? (low ..< high, r.population) : nil
        }
    }

    /// The kind of each neuron (true = inhibitory): its population's, or the seeded 80/20
    /// draw of a shorthand pool. O(N).
    public var inhibitoryNeurons: [Bool] {
        if populations.isEmpty { return NeuronPool.inhibitoryNeurons(neurons: neurons, seed: config.seed) }
        return populations.flatMap { repeatElement($0.inhibitory, count: $0.size) }
    }
}
