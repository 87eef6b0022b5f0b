/// Neuron state in structure-of-arrays form: exactly 8 bytes per neuron, one array per field,
/// so the tick loop streams each field through the cache.
public struct NeuronArrays: Sendable, Equatable {
    /// Membrane potential, Q8.8 fixed point in mV above rest (256 = 1 mV).
    public var membrane: ContiguousArray<Int16>
    /// Firing threshold, Q8.8 mV; adapted per neuron by homeostasis.
    public var threshold: ContiguousArray<Int16>
    /// Leak per tick in 1/256ths of the membrane value.
    public var leak: ContiguousArray<UInt8>
    /// Ticks of refractoriness left; input is ignored while it is non-zero.
    public var refractory: ContiguousArray<UInt8>
    /// Excitatory/inhibitory bit and profile, see `NeuronFlags`.
    public var flags: ContiguousArray<UInt8>
    /// Spike trace: set to `PoolConfig.traceMax` when the neuron fires, decays every tick.
    /// STDP reads it both as the pre-synaptic and as the post-synaptic trace.
    public var trace: ContiguousArray<Int8>

    /// Bytes of state per neuron (2 + 2 + 1 + 1 + 1 + 1).
    public static let bytesPerNeuron = 8

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

    /// Whether neuron `i` is inhibitory.
    @inlinable
    public func isInhibitory(_ i: Int) -> Bool { NeuronFlags.isInhibitory(flags[i]) }
}
