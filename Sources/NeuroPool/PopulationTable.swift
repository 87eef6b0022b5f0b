/// The per-population constants of a pool built from populations in physical units
/// (NeuroModel quantizes them once, when the network is built). A population is a contiguous
/// range of the pool's neurons with one kind and one set of neuron parameters.
///
/// Units: potentials in 2^−16 mV relative to rest (`unitsPerMillivolt`); membrane retention per
/// tick in 2^−24 (`decayShift`); times in ticks; homeostatic threshold offsets in Q8.8 mV.
/// Such a pool keeps per neuron a 32-bit membrane, a 16-bit homeostatic threshold offset, a
/// refractory count, a flags byte (kind and population index) and a trace: 9 bytes.
public struct PopulationTable: Sendable, Equatable {
    /// Membrane units per millivolt (the membrane of a population pool is Q15.16 mV).
    public static let unitsPerMillivolt: Int64 = 65536
    /// Fraction bits of `Population.decay`.
    public static let decayShift: Int64 = 24
    /// Most populations one pool holds (the index lives in 7 bits of the flags byte).
    public static let maxPopulations = 127

    /// One population's constants.
    public struct Population: Sendable, Equatable {
        /// Name, unique in the pool (at most 64 UTF-8 bytes).
        public var name: String
        /// First neuron.
        public var start: Int
        /// Number of neurons.
        public var count: Int
        /// Dale's law: every synapse from this population is inhibitory (≤ 0).
        public var inhibitory: Bool
        /// Membrane retention per tick, exp(−dt/τ_m) in units of 2^−24.
        public var decay: Int32
        /// Input added on every non-refractory tick (a constant current), 2^−16 mV.
        public var drive: Int32
        /// Firing threshold relative to rest, 2^−16 mV.
        public var threshold: Int32
        /// Potential after a spike relative to rest, 2^−16 mV.
        public var reset: Int32
        /// Lowest membrane potential relative to rest, 2^−16 mV (`Int32.min`: unbounded).
        public var floor: Int32
        /// Ticks a neuron ignores input after a spike.
        public var refractory: UInt8
        /// Homeostasis: threshold offset lowered by `homeostasisFall` (Q8.8 mV) every tick
        /// without a spike and raised by `homeostasisRise` on a spike; both 0 = off.
        public var homeostasisFall: Int32
        public var homeostasisRise: Int32
        /// Resting potential, 2^−16 mV (absolute): what recordings add back.
        public var rest: Int32
        /// Current-based exponential synapses (NEST's `iaf_psc_exp`): each input goes into an
        /// excitatory or inhibitory synaptic state that decays by `synapseDecayExcitatory` /
        /// `synapseDecayInhibitory` (2^−24 per tick) and feeds the membrane every tick.
        /// False: delta synapses, input is added to the membrane at once.
        public var exponential = false
        public var synapseDecayExcitatory: Int32 = 0
        public var synapseDecayInhibitory: Int32 = 0

        public init(name: String, start: Int, count: Int, inhibitory: Bool, decay: Int32, drive: Int32,
                    threshold: Int32, reset: Int32, floor: Int32 = Int32.min, refractory: UInt8,
                    homeostasisFall: Int32 = 0, homeostasisRise: Int32 = 0, rest: Int32 = 0) {
            self.name = name
            self.start = start
            self.count = count
            self.inhibitory = inhibitory
            self.decay = decay
            self.drive = drive
            self.threshold = threshold
            self.reset = reset
            self.floor = floor
            self.refractory = refractory
            self.homeostasisFall = homeostasisFall
            self.homeostasisRise = homeostasisRise
            self.rest = rest
        }

        /// The population's neurons.
        public var range: Range<Int> { start ..< start + count }
        /// Whether homeostasis moves this population's thresholds.
        public var homeostasis: Bool { homeostasisFall != 0 || homeostasisRise != 0 }
    }

    /// Populations in neuron order: they tile the pool without gaps.
    public var populations: [Population]

    /// Checks the table against a pool of `neurons` neurons: 1…127 populations tiling
    /// `0 ..< neurons` in order, unique non-empty names, decay in 0…2^24, reset below
    /// threshold, floor at or below reset. Throws `PoolError.invalidConfig` naming the field.
    public init(_ populations: [Population], neurons: Int) throws(PoolError) {
        guard (1 ... PopulationTable.maxPopulations).contains(populations.count) else {
            throw .invalidConfig(field: "populations", value: "\(populations.count)", expected: "1...\(PopulationTable.maxPopulations) populations")
        }
        var next = 0
        var names = Set<String>()
        for (k, p) in populations.enumerated() {
            let field = "population[\(k)]"
            guard p.start == next, p.count >= 1 else {
                throw .invalidConfig(field: "\(field).range", value: "\(p.start)..<\(p.start + p.count)", expected: "a non-empty range starting at \(next)")
            }
            guard !p.name.isEmpty, p.name.utf8.count <= 64, names.insert(p.name).inserted else {
                throw .invalidConfig(field: "\(field).name", value: p.name, expected: "a unique name of 1...64 bytes")
            }
            guard !p.exponential || ((0 ... 1 << 24).contains(p.synapseDecayExcitatory) && (0 ... 1 << 24).contains(p.synapseDecayInhibitory)) else {
                throw .invalidConfig(field: "\(field).synapseDecay", value: "\(p.synapseDecayExcitatory), \(p.synapseDecayInhibitory)", expected: "0...16777216")
            }
            guard (0 ... 1 << 24).contains(p.decay) else {
                throw .invalidConfig(field: "\(field).decay", value: "\(p.decay)", expected: "0...16777216")
            }
            guard p.reset < p.threshold else {
                throw .invalidConfig(field: "\(field).reset", value: "\(p.reset)", expected: "below the threshold \(p.threshold)")
            }
            guard p.floor <= p.reset else {
                throw .invalidConfig(field: "\(field).floor", value: "\(p.floor)", expected: "at or below the reset \(p.reset)")
            }
            guard (0 ... Int32(Int16.max)).contains(p.homeostasisFall), (0 ... Int32(Int16.max)).contains(p.homeostasisRise) else {
                throw .invalidConfig(field: "\(field).homeostasis", value: "\(p.homeostasisFall), \(p.homeostasisRise)", expected: "steps within 0...32767 (Q8.8 mV)")
            }
            next += p.count
        }
        guard next == neurons else {
            throw .invalidConfig(field: "populations", value: "\(next) neurons", expected: "exactly the pool's \(neurons) neurons")
        }
        self.populations = populations
    }

    /// Whether any population has exponential synapses (then input travels on two channels).
    public var hasExponentialSynapses: Bool { populations.contains { $0.exponential } }

    /// The population holding neuron `i`. O(log populations).
    public func population(of i: Int) -> Int {
        var lo = 0
        var hi = populations.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if populations[mid].start <= i { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The flags byte of each neuron: bit 0 inhibitory, bits 1–7 the population index.
    public var flags: ContiguousArray<UInt8> {
        var out = ContiguousArray<UInt8>()
        for (k, p) in populations.enumerated() {
            let f = UInt8(k << 1) | (p.inhibitory ? NeuronFlags.inhibitoryBit : 0)
            out.append(contentsOf: repeatElement(f, count: p.count))
        }
        return out
    }
}
