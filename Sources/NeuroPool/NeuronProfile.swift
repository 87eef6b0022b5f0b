/// A neuron's firing profile: the defaults its leak, threshold, reset and refractory period
/// start from. Two bits of the neuron's `flags` byte hold it.
///
/// Potentials are Q8.8 fixed point in millivolts relative to rest (256 = 1.0 mV).
public enum NeuronProfile: UInt8, CaseIterable, Sendable, Codable {
    /// Cortical pyramidal-like: τ ≈ 20 ticks, 20 mV threshold, 2-tick refractory period.
    case regularSpiking = 0
    /// Interneuron-like: faster leak (τ ≈ 10 ticks), 1-tick refractory period.
    case fastSpiking = 1
    /// Resets close to threshold, so a strong input gives a burst.
    case bursting = 2
    /// Lower threshold (15 mV) and slower leak: fires on weak input.
    case lowThreshold = 3

    /// Defaults for this profile.
    public var parameters: ProfileParameters {
        switch self {
        case .regularSpiking: ProfileParameters(threshold: 20 * 256, reset: 10 * 256, leak: 12, refractory: 2)
        case .fastSpiking: ProfileParameters(threshold: 20 * 256, reset: 10 * 256, leak: 25, refractory: 1)
        case .bursting: ProfileParameters(threshold: 20 * 256, reset: 18 * 256, leak: 12, refractory: 1)
        case .lowThreshold: ProfileParameters(threshold: 15 * 256, reset: 8 * 256, leak: 8, refractory: 2)
        }
    }

    /// The profile's name as the command line and stats print it.
    public var name: String {
        switch self {
        case .regularSpiking: "regular-spiking"
        case .fastSpiking: "fast-spiking"
        case .bursting: "bursting"
        case .lowThreshold: "low-threshold"
        }
    }
}

/// The per-profile constants of the LIF update.
public struct ProfileParameters: Sendable, Equatable, Codable {
    /// Initial firing threshold, Q8.8 mV (homeostasis moves it per neuron afterwards).
    public var threshold: Int16
    /// Membrane value after a spike, Q8.8 mV.
    public var reset: Int16
    /// Leak per tick in 1/256ths of the membrane value: `v -= (v * leak) >> 8`.
    public var leak: UInt8
    /// Ticks a neuron ignores input after it spikes.
    public var refractory: UInt8

    public init(threshold: Int16, reset: Int16, leak: UInt8, refractory: UInt8) {
        self.threshold = threshold
        self.reset = reset
        self.leak = leak
        self.refractory = refractory
    }
}

/// The `flags` byte of a neuron: bit 0 is set for inhibitory neurons, bits 1–2 hold the
/// `NeuronProfile`. Bits 3–7 are reserved and must be zero.
public enum NeuronFlags {
    public static let inhibitoryBit: UInt8 = 0b0000_0001
    public static let profileShift: UInt8 = 1
    public static let profileMask: UInt8 = 0b0000_0110
    public static let reservedMask: UInt8 = 0b1111_1000

    /// Encodes kind and profile into a flags byte.
    @inlinable
    public static func encode(inhibitory: Bool, profile: NeuronProfile) -> UInt8 {
        (inhibitory ? inhibitoryBit : 0) | (profile.rawValue << profileShift)
    }

    @inlinable
    public static func isInhibitory(_ flags: UInt8) -> Bool { flags & inhibitoryBit != 0 }

    @inlinable
    public static func profile(_ flags: UInt8) -> NeuronProfile {
        NeuronProfile(rawValue: (flags & profileMask) >> profileShift)!
    }
}
