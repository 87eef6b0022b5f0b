/// One synapse: 8 bytes, stored contiguously per source neuron in `SynapseStore`.
///
/// The weight's sign is fixed by Dale's law from the source neuron's kind (excitatory ≥ 0,
/// inhibitory ≤ 0); plasticity changes only its magnitude.
public struct Synapse: Sendable, Equatable, Hashable {
    /// Post-synaptic neuron index.
    public var target: UInt16
    /// Signed weight, −127…127; the PSP is `weight << PoolConfig.weightShift` in Q8.8 mV, or
    /// in a population pool `weight << shift` in 2^−16 mV.
    public var weight: Int8
    /// Axonal delay in ticks: 1…8 in a shorthand pool, 1…the ring's slot count (≤ 255) in a
    /// pool of populations.
    public var delay: UInt8
    /// STDP eligibility: > 0 after pre-before-post pairings, < 0 after post-before-pre; decays.
    public var eligibility: Int8
    /// Thermal state and reinforcement counter, see `Maturity`.
    public var maturity: UInt8
    /// Bits 0–4: the weight shift of a population pool's synapse (its projection's scale),
    /// zero in shorthand pools; bits 5–7: its plasticity rule (`PlasticityRule`, 0…7); bits
    /// 8–15: the fraction of the weight magnitude in 1/256 units, where plasticity
    /// accumulates changes smaller than one weight unit.
    public var reserved: UInt16

    public init(target: UInt16, weight: Int8, delay: UInt8, eligibility: Int8 = 0,
                maturity: UInt8 = Maturity.newborn, reserved: UInt16 = 0) {
        self.target = target
        self.weight = weight
        self.delay = delay
        self.eligibility = eligibility
        self.maturity = maturity
        self.reserved = reserved
    }

    /// The weight shift of a population pool's synapse (bits 0–4 of `reserved`), 0…31.
    @inlinable
    public var shift: UInt16 { reserved & 0x1F }

    /// Mask of the bits of `reserved` that hold `shift`.
    public static let shiftMask: UInt16 = 0x1F

    /// The synapse's plasticity rule (bits 5–7 of `reserved`), 0…7.
    @inlinable
    public var rule: Int { Int(reserved &>> 5) & 7 }

    /// The weight magnitude with its fraction, in 1/256 weight units (0…32767).
    @inlinable
    public var fineMagnitude: Int { Int(weight.magnitude) << 8 | Int(reserved >> 8) }

    /// `reserved` with the rule index set. Rule must be 0…7.
    @inlinable
    public static func reserved(shift: Int, rule: Int) -> UInt16 { UInt16(shift & 0x1F) | UInt16(rule & 7) << 5 }

    /// The synapse's thermal state.
    @inlinable
    public var thermalState: ThermalState { Maturity.state(maturity) }

    /// Packs the synapse into 64 bits, little-endian field order (the `.pool` layout).
    @inlinable
    public var packed: UInt64 {
        UInt64(target)
            | UInt64(UInt8(bitPattern: weight)) << 16
            | UInt64(delay) << 24
            | UInt64(UInt8(bitPattern: eligibility)) << 32
            | UInt64(maturity) << 40
            | UInt64(reserved) << 48
    }

    /// Unpacks a synapse from its 64-bit `.pool` form.
    @inlinable
    public init(packed v: UInt64) {
        self.init(target: UInt16(truncatingIfNeeded: v),
                  weight: Int8(bitPattern: UInt8(truncatingIfNeeded: v >> 16)),
                  delay: UInt8(truncatingIfNeeded: v >> 24),
                  eligibility: Int8(bitPattern: UInt8(truncatingIfNeeded: v >> 32)),
                  maturity: UInt8(truncatingIfNeeded: v >> 40),
                  reserved: UInt16(truncatingIfNeeded: v >> 48))
    }
}

/// Thermal lifecycle of a synapse, bits 0–1 of its maturity byte.
public enum ThermalState: UInt8, CaseIterable, Sendable, Codable {
    /// Newly formed: fully plastic and prunable.
    case hot = 0
    /// Established.
    case warm = 1
    /// Proven.
    case cool = 2
    /// Frozen: plasticity no longer changes it.
    case cold = 3
}

/// The maturity byte: `[counter:6][state:2]`.
///
/// Plasticity reinforces a synapse each time its weight magnitude gains a whole unit and
/// weakens it each time it loses one. Reinforcement increments the counter; at a threshold
/// the state is promoted and the counter restarts at zero (HOT→WARM at 8, WARM→COOL at 24,
/// COOL→COLD at 63). Weakening decrements it; at zero the state is demoted (the counter
/// restarting at half the lower state's threshold); a HOT synapse's counter stops at 1. A HOT
/// synapse whose weight magnitude falls to zero dies (maturity 0), and
/// `NeuronPool.pruneDead()` removes it. COLD synapses never change.
public enum Maturity {
    public static let hotToWarm: UInt8 = 8
    public static let warmToCool: UInt8 = 24
    public static let coolToCold: UInt8 = 63
    /// A new synapse: HOT with counter 4.
    public static let newborn: UInt8 = encode(.hot, counter: 4)
    /// The maturity byte of a dead synapse (HOT with counter 0, which no live synapse has).
    public static let dead: UInt8 = 0

    @inlinable
    public static func encode(_ state: ThermalState, counter: UInt8) -> UInt8 {
        (min(counter, 63) << 2) | state.rawValue
    }

    @inlinable
    public static func state(_ m: UInt8) -> ThermalState { ThermalState(rawValue: m & 0b11)! }

    @inlinable
    public static func counter(_ m: UInt8) -> UInt8 { m >> 2 }

    /// Whether a maturity byte marks a dead synapse (HOT, counter 0).
    @inlinable
    public static func isDead(_ m: UInt8) -> Bool { m == dead }

    /// One reinforcement: count up, promoting at the threshold. COLD is unchanged.
    @inlinable
    public static func reinforced(_ m: UInt8) -> UInt8 {
        let c = counter(m) + 1
        switch state(m) {
        case .cold: return m
        case .hot: return c >= hotToWarm ? encode(.warm, counter: 0) : encode(.hot, counter: c)
        case .warm: return c >= warmToCool ? encode(.cool, counter: 0) : encode(.warm, counter: c)
        case .cool: return c >= coolToCold ? encode(.cold, counter: 0) : encode(.cool, counter: c)
        }
    }

    /// One weakening: count down, demoting at zero; HOT stops at 1 (0 is `dead`). COLD is unchanged.
    @inlinable
    public static func weakened(_ m: UInt8) -> UInt8 {
        let c = counter(m)
        switch state(m) {
        case .cold: return m
        case .hot: return encode(.hot, counter: c <= 1 ? 1 : c - 1)
        case .warm: return c == 0 ? encode(.hot, counter: hotToWarm / 2) : encode(.warm, counter: c - 1)
        case .cool: return c == 0 ? encode(.warm, counter: warmToCool / 2) : encode(.cool, counter: c - 1)
        }
    }
}
