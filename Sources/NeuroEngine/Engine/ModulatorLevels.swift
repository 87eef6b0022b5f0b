import NeuroPool
import NeuroWire
import NeuroNetwork

/// The three modulators one broadcast carries; `nil` means no pulse of that modulator.
public struct ModulatorLevels: Sendable, Equatable {
    public var dopamine: UInt8?
    public var cortisol: UInt8?
    public var acetylcholine: UInt8?

    public init(dopamine: UInt8? = nil, cortisol: UInt8? = nil, acetylcholine: UInt8? = nil) {
        self.dopamine = dopamine
        self.cortisol = cortisol
        self.acetylcholine = acetylcholine
    }

    /// The levels of a `MODULATORS` message (ids this build does not apply are ignored).
    public init(_ message: Modulators) {
        self.init(dopamine: message.level(Modulator.dopamine), cortisol: message.level(Modulator.cortisol),
                  acetylcholine: message.level(Modulator.acetylcholine))
    }

    /// The levels of a scheduled modulation from a network file.
    public init(_ scheduled: ScheduledModulation) {
        self.init(dopamine: scheduled.dopamine, cortisol: scheduled.cortisol, acetylcholine: scheduled.acetylcholine)
    }

    /// The levels of a broadcast held in a snapshot part (`.pool` version 3).
    public init(_ held: HeldInput.Broadcast) {
        self.init(dopamine: held.dopamine, cortisol: held.cortisol, acetylcholine: held.acetylcholine)
    }

    /// As `(id, level)` pairs for a `MODULATORS` message, ids ascending.
    public var wireLevels: [(id: UInt8, level: UInt8)] {
        var out: [(id: UInt8, level: UInt8)] = []
        if let dopamine { out.append((Modulator.dopamine, dopamine)) }
        if let cortisol { out.append((Modulator.cortisol, cortisol)) }
        if let acetylcholine { out.append((Modulator.acetylcholine, acetylcholine)) }
        return out
    }

    /// "dopamine 200, cortisol 60" (or "baseline").
    public var summary: String {
        let parts = wireLevels.map { "\(Modulator.name($0.id)) \($0.level)" }
        return parts.isEmpty ? "baseline" : parts.joined(separator: ", ")
    }
}

extension NeuronPool {
    /// Applies one broadcast (`receiveModulators`): dopamine and cortisol pulses that the
    /// pool's plasticity spends over the following ticks, and acetylcholine-gated
    /// synaptogenesis. Every node does exactly this, so pools stay identical across placements.
    public mutating func apply(_ levels: ModulatorLevels) {
        receiveModulators(dopamine: levels.dopamine, cortisol: levels.cortisol, acetylcholine: levels.acetylcholine)
    }
}

extension HeldInput.Broadcast {
    /// `levels` scheduled for `tick`, as a snapshot part holds it.
    public init(tick: UInt64, levels: ModulatorLevels) {
        self.init(tick: tick, dopamine: levels.dopamine, cortisol: levels.cortisol, acetylcholine: levels.acetylcholine)
    }
}
