import NeuroPool

/// A multimeter (network format 2, `[[multimeter]]`): the membrane potential of some neurons
/// of one pool, every `interval` ticks, in mV (absolute: the population's rest added), and
/// with exponential synapses their synaptic currents in pA.
public struct MultimeterSpec: Sendable, Equatable {
    /// What a multimeter can record (NEST's names).
    public enum Quantity: String, Sendable, Equatable, CaseIterable {
        /// Membrane potential, mV.
        case membrane = "V_m"
        /// Excitatory and inhibitory synaptic currents of exponential synapses, pA.
        case excitatoryCurrent = "I_syn_ex"
        case inhibitoryCurrent = "I_syn_in"
    }

    /// Position among the network's multimeters (file order): names the output file.
    public var index: Int
    public var pool: Int
    /// Neurons recorded (half-open, within the pool).
    public var neurons: Range<Int>
    /// Ticks between samples, ≥ 1.
    public var interval: Int
    /// What is recorded, in this column order (each for every neuron).
    public var quantities: [Quantity] = [.membrane]

    public init(index: Int, pool: Int, neurons: Range<Int>, interval: Int, quantities: [Quantity] = [.membrane]) {
        self.index = index
        self.pool = pool
        self.neurons = neurons
        self.interval = interval
        self.quantities = quantities
    }
}

/// A weight recorder (`[[weight_recorder]]`): every synapse of one rule projection, its PSP
/// in mV every `interval` ticks.
public struct WeightRecorderSpec: Sendable, Equatable {
    /// Position among the network's weight recorders (file order): names the output file.
    public var index: Int
    /// The projection's index in the file.
    public var projection: Int
    /// Ticks between samples, ≥ 1.
    public var interval: Int

    public init(index: Int, projection: Int, interval: Int) {
        self.index = index
        self.projection = projection
        self.interval = interval
    }
}
