import NeuroWire
import NeuroNetwork
import NeuroEngine

/// The controller's run as a state machine without I/O: its phase, how far it has permitted
/// the pools, and where the run ends. `Controller` feeds it what happens (every pool ready,
/// a `ctl` command, the pools' progress, a rollback) and publishes what it decides.
///
///     starting ──every pool ready──▶ running (a run was asked for) | ready
///     ready | paused ──run / step / resume──▶ running ──pause──▶ paused
///     running ──every pool at the target──▶ paused, or stopping (a stop at a common tick,
///                                           or `exitWhenDone`)
///     any but stopping/done ──stop──▶ stopping ──every pool stopped──▶ done
///     any ──rollback (failover)──▶ starting
///
/// Every transition is O(1).
struct RunClock: Sendable, Equatable {
    /// `ready`: every pool joined, no run asked for yet; `paused`: a run reached its target
    /// or was paused.
    enum Phase: Sendable, Equatable { case starting, ready, paused, running, stopping, done }

    private(set) var phase = Phase.starting
    /// Every tick before this one is permitted (the last PERMIT's `until`).
    private(set) var until: UInt64
    /// The tick the run ends at (`.max`: until stopped).
    private(set) var target: UInt64
    /// Run as soon as every pool is ready (a run was asked for before they were).
    private(set) var autoRun: Bool
    /// Why the run is ending at `target` (a stop at a common tick); nil while it is not.
    private(set) var stoppingAt: String?

    /// A run starting at `startTick`; `runTicks` ticks asked for up front (nil: wait for `ctl run`).
    init(startTick: UInt64, runTicks: UInt64?) {
        until = startTick
        target = runTicks ?? 0
        autoRun = runTicks != nil
    }

    /// The state the controller reports.
    var state: NodeState {
        switch phase {
        case .starting: .starting
        case .ready: .ready
        case .paused: .paused
        case .running: .running
        case .stopping: .stopping
        case .done: .stopped
        }
    }

    /// Running toward a finite target (the run can reach it and pause or stop).
    var runsToTarget: Bool { phase == .running && target != .max }

    /// Stopping or stopped: nothing new is taken on.
    var isEnding: Bool { phase == .stopping || phase == .done }

    /// Every pool is ready: the run begins (or waits for `ctl run`). Only while starting.
    mutating func everyPoolReady() -> Bool {
        guard phase == .starting else { return false }
        phase = autoRun ? .running : .ready
        return true
    }

    /// `ctl run N` (0: until stopped), `step N`, `pause`, `resume`. Once a stop is under way
    /// the run's end is fixed and these change nothing (returns false); `stop` goes through
    /// `stopAtCommonTick`.
    mutating func command(_ verb: CommandVerb, argument: UInt64) -> Bool {
        guard stoppingAt == nil, verb != .stop else { return false }
        switch verb {
        case .run:
            target = argument == 0 ? .max : Self.saturating(until, plus: argument)
            autoRun = true
        case .step:
            target = Self.saturating(until, plus: max(argument, 1))
            autoRun = true
        case .resume:
            autoRun = true
        case .pause:
            if phase == .running { phase = .paused }
            return true
        case .stop:
            return false
        }
        if phase == .paused || phase == .ready { phase = .running }
        return true
    }

    /// `a + b`, or `.max` past it (a run of 2⁶⁴ − 1 ticks asked for means until stopped).
    static func saturating(_ a: UInt64, plus b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// How far the next permit may reach while running: the target, `window` ticks past the
    /// slowest pool, and (lockstep) a reward `barrier`. nil when not running.
    func desiredPermit(networkTick: UInt64, window: UInt64, barrier: UInt64?) -> UInt64? {
        guard phase == .running else { return nil }
        var desired = min(target, networkTick &+ window)
        if let barrier { desired = min(desired, barrier) }
        return desired
    }

    /// Grants a permit up to `tick` if that is further than the last: returns whether a PERMIT
    /// is to be published.
    mutating func grant(upTo tick: UInt64) -> Bool {
        guard tick > until else { return false }
        until = tick
        return true
    }

    /// What reaching the target means.
    enum Reached: Sendable, Equatable {
        /// Paused at the target, waiting for `ctl`.
        case paused
        /// Stop the nodes, for `reason`.
        case stop(reason: String)
    }

    /// Every pool is at the target (or dead) and no snapshot is under way. Only while
    /// running towards a finite target.
    mutating func reachedTarget(exitWhenDone: Bool) -> Reached? {
        guard runsToTarget else { return nil }
        phase = .paused
        if let reason = stoppingAt { return .stop(reason: "\(reason), every pool at tick \(target)") }
        return exitWhenDone ? .stop(reason: "run complete") : .paused
    }

    /// How a stop is carried out.
    enum StopPlan: Sendable, Equatable {
        /// Stop the nodes at once (joining, real time, or already stopping).
        case now
        /// Run every pool to `tick`, the furthest already permitted, and stop them there.
        case atTick(UInt64)
        /// A stop at a common tick is under way already.
        case underWay
    }

    /// A stop (ctl stop, a signal): lockstep ends every pool at one tick — the furthest
    /// permitted, which every pool can reach — and grants nothing past it.
    mutating func stopAtCommonTick(reason: String, realtime: Bool, networkTick: UInt64) -> StopPlan {
        guard !realtime, [.running, .paused, .ready].contains(phase) else { return .now }
        guard stoppingAt == nil else { return .underWay }
        stoppingAt = reason
        target = max(until, networkTick)
        phase = .running
        return .atTick(target)
    }

    /// The nodes are being told to stop; false if they were already.
    mutating func beginStopping() -> Bool {
        guard !isEnding else { return false }
        phase = .stopping
        return true
    }

    /// Every pool has stopped (or none had joined).
    mutating func finish() { phase = .done }

    /// A failover rolls the network back to the snapshot at `tick`: the pools join again.
    mutating func rollBack(to tick: UInt64) {
        phase = .starting
        until = tick
    }
}
