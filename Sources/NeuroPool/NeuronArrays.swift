/// Neuron state in structure-of-arrays form, one array per field, so the tick loop streams
/// each field through the cache: 8 bytes per neuron in a shorthand (profile) pool, 9 in a
/// population pool (a 32-bit membrane, no per-neuron leak: its population's constants are in
/// `PopulationTable`).
public struct NeuronArrays: Sendable, Equatable {
    /// Membrane potential above rest, Q8.8 mV (256 = 1 mV). In a population pool, the high
    /// half of the 32-bit membrane (2^−16 mV units) whose low half is `membraneLow`.
    public var membrane: ContiguousArray<Int16>
    /// The low 16 bits of a population pool's membrane; empty in a shorthand pool.
    public var membraneLow: ContiguousArray<UInt16> = []
    /// Excitatory and inhibitory synaptic states of a pool with exponential synapses, in
    /// 2^−24 mV per tick (what each adds to the membrane next tick, ±128 mV at most); empty
    /// otherwise.
    public var synapticExcitatory: ContiguousArray<Int32> = []
    public var synapticInhibitory: ContiguousArray<Int32> = []
    /// Firing threshold, Q8.8 mV, adapted per neuron by homeostasis; in a population pool the
    /// homeostatic offset (Q8.8 mV) added to its population's threshold.
    public var threshold: ContiguousArray<Int16>
    /// Leak per tick in 1/256ths of the membrane value (shorthand pools; empty in population pools).
    public var leak: ContiguousArray<UInt8>
    /// Ticks of refractoriness left; input is ignored while it is non-zero.
    public var refractory: ContiguousArray<UInt8>
    /// Excitatory/inhibitory bit and profile, see `NeuronFlags`.
    public var flags: ContiguousArray<UInt8>
    /// Spike trace: set to `PoolConfig.traceMax` when the neuron fires, decays every tick.
    /// STDP reads it both as the pre-synaptic and as the post-synaptic trace.
    public var trace: ContiguousArray<Int8>

    /// Bytes of state per neuron of a shorthand pool (2 + 2 + 1 + 1 + 1 + 1).
    public static let bytesPerNeuron = 8
    /// Bytes of state per neuron of a population pool (2 + 2 + 2 + 1 + 1 + 1).
    public static let bytesPerPopulationNeuron = 9

    /// Number of neurons.
    public var count: Int { membrane.count }

    /// `count` neurons at rest with the given flags; thresholds, leaks from their profiles.
    public init(flags: ContiguousArray<UInt8>) {
        let n = flags.count
        self.flags = flags
        membrane = ContiguousArray(repeating: 0, count: n)
        refractory = ContiguousArray(repeating: 0, count: n)
        trace = ContiguousArray(repeating: 0, count: n)
        threshold = ContiguousArray(flags.lazy.map { NeuronFlags.profile($0).parameters.threshold })
        leak = ContiguousArray(flags.lazy.map { NeuronFlags.profile($0).parameters.leak })
    }

    /// Raw field arrays, for decoding; the caller validates the lengths.
    init(membrane: ContiguousArray<Int16>, threshold: ContiguousArray<Int16>, leak: ContiguousArray<UInt8>,
         refractory: ContiguousArray<UInt8>, flags: ContiguousArray<UInt8>, trace: ContiguousArray<Int8>) {
        self.membrane = membrane
        self.threshold = threshold
        self.leak = leak
        self.refractory = refractory
        self.flags = flags
        self.trace = trace
    }

    /// `count` neurons of a population pool with the given flags (see `PopulationTable.flags`),
    /// membranes at `membrane`, no per-neuron leak, threshold offsets 0.
    public init(populationFlags flags: ContiguousArray<UInt8>, membrane potentials: ContiguousArray<Int32>) {
        let n = flags.count
        self.flags = flags
        membrane = ContiguousArray(potentials.lazy.map { Int16(truncatingIfNeeded: $0 >> 16) })
        membraneLow = ContiguousArray(potentials.lazy.map { UInt16(truncatingIfNeeded: $0) })
        refractory = ContiguousArray(repeating: 0, count: n)
        trace = ContiguousArray(repeating: 0, count: n)
        threshold = ContiguousArray(repeating: 0, count: n)
        leak = []
    }

    /// The 32-bit membrane of neuron `i` of a population pool, 2^−16 mV above rest.
    @inlinable
    public func potential(_ i: Int) -> Int32 { Int32(membrane[i]) << 16 | Int32(membraneLow[i]) }

    /// Whether neuron `i` is inhibitory.
    @inlinable
    public func isInhibitory(_ i: Int) -> Bool { NeuronFlags.isInhibitory(flags[i]) }
}
