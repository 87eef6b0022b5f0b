import NeuroWire
import NeuroNetwork
import NeuroEngine

/// A node's standing with the controller, as a state machine without I/O: what the node may
/// do (send READY, simulate a tick, apply a broadcast, publish its marker) follows from the
/// messages it has taken. `NodeRuntime` feeds it what arrives and does what it answers.
///
///     joining ──WELCOME──▶ welcomed ──(upstreams, source, controller heard)──▶ ready
///        ready ──clk/ heard──▶ running ──stop──▶ stopped
///        ready | running ──snapshot request──▶ at a cut (`pendingCut`) ──part captured──▶ as before
///        welcomed | ready | running ──WELCOME of a later epoch──▶ welcomed (rolled back)
///        any ──error──▶ failed
///
/// Every transition is O(1).
struct NodeSession: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// HELLO sent; no WELCOME yet.
        case joining
        /// Welcomed (or rolled back): READY is due once everything upstream is heard.
        case welcomed
        /// READY sent; the controller has not been heard on the clock topic since.
        case ready
        case running
        case stopped
        case failed
    }

    /// What a WELCOME means.
    enum WelcomeOutcome: Sendable, Equatable {
        /// Joined at the WELCOME's tick. `catchUpTo`: a real-time replica taking over first
        /// simulates, without input, from its snapshot's tick up to this one.
        /// `awaitUpstreamMarkers`: the network was rolled back before this node joined
        /// (a promoted replica, lockstep), so upstream batches count from their markers.
        case joined(catchUpTo: UInt64?, awaitUpstreamMarkers: Bool)
        /// Joined already: the network rolls back to the snapshot at `tick` in `epoch`.
        case rollBack(tick: UInt64, epoch: UInt32)
    }

    let realtime: Bool
    /// A replica promoted to run this pool (it restarts its stream with a marker).
    let promoted: Bool
    let networkHash: UInt64
    private(set) var phase = Phase.joining
    /// The run's epoch: raised by every rollback. Permits of older epochs are ignored.
    private(set) var epoch: UInt32 = 0
    /// The newest epoch of any permit seen: broadcasts count only once a permit of this
    /// node's epoch has come (earlier ones were sent before the rollback).
    private(set) var permitEpoch: UInt32 = 0
    /// The controller lets this node simulate every tick before this one.
    private(set) var permitUntil: UInt64 = 0
    /// The controller has been heard on the SUB (not only its WELCOME on the DEALER): the
    /// `clk/` and `mod/` subscriptions are live, so READY cannot lose a permit.
    private(set) var controllerSubscribed = false
    /// The controller's state in its last heartbeat (`.starting` until every pool is ready).
    private(set) var controllerState = NodeState.starting
    /// The node must publish its marker before its next batch (a new stream after a
    /// rollback or a takeover).
    private(set) var markerPending = false
    /// A snapshot the controller has asked for, until this node has captured its part.
    private(set) var pendingCut: SnapshotCut?

    init(realtime: Bool, promoted: Bool, networkHash: UInt64) {
        self.realtime = realtime
        self.promoted = promoted
        self.networkHash = networkHash
    }

    /// The state this node reports in heartbeats and status replies.
    var state: NodeState {
        switch phase {
        case .joining, .welcomed: .starting
        case .ready: .ready
        case .running: .running
        case .stopped: .stopped
        case .failed: .failed
        }
    }

    var welcomed: Bool { phase != .joining }
    var readySent: Bool { phase == .ready || phase == .running }
    var stopped: Bool { phase == .stopped }
    /// Until the network has started this node beats fast (a pool that joins later waits to hear it).
    var joining: Bool { phase == .joining || phase == .welcomed || (phase == .ready && controllerState == .starting) }

    /// Whether tick `tick` may be simulated as far as the controller is concerned.
    func permits(tick: UInt64) -> Bool { readySent && tick < permitUntil }

    /// Whether a modulator broadcast belongs to this node's epoch.
    var broadcastsCount: Bool { permitEpoch >= epoch }

    /// The controller's WELCOME, this node at `tick`.
    mutating func welcome(_ w: Welcome, tick: UInt64) throws(NodeError) -> WelcomeOutcome {
        guard w.networkHash == networkHash else {
            throw .refused("the controller runs another network file (hash \(hex(w.networkHash)), ours \(hex(networkHash)))")
        }
        switch phase {
        case .joining:
            // Real time: a replica taking over restarts a lead ahead of the network.
            let catchUp = realtime && promoted && w.startTick > tick ? w.startTick : nil
            guard w.startTick == (catchUp ?? tick) else {
                throw .refused("the controller starts at tick \(w.startTick) but this pool is at tick \(tick)")
            }
            phase = .welcomed
            epoch = w.epoch
            // Real time never rolls back; a replica taking over starts its stream anew.
            let awaitMarkers = !realtime && epoch > 0
            markerPending = realtime ? promoted : awaitMarkers
            return .joined(catchUpTo: catchUp, awaitUpstreamMarkers: awaitMarkers)
        case .welcomed, .ready, .running:
            guard w.epoch > epoch else { throw .refused("a second WELCOME in epoch \(epoch)") }
            phase = .welcomed
            epoch = w.epoch
            permitUntil = w.startTick
            controllerState = .starting
            markerPending = true
            pendingCut = nil
            return .rollBack(tick: w.startTick, epoch: w.epoch)
        case .stopped, .failed:
            throw .refused("a WELCOME after this pool \(phase == .stopped ? "stopped" : "failed")")
        }
    }

    /// READY is due: welcomed, every upstream pool and the source heard, and the controller
    /// heard on the SUB. Moves to `.ready` and returns true once. The conditions are evaluated
    /// only while welcomed (the node asks on every pass of its loop).
    mutating func readyIfDue(upstreamsHeard: @autoclosure () -> Bool, sourceHeard: @autoclosure () -> Bool) -> Bool {
        guard phase == .welcomed, controllerSubscribed, upstreamsHeard(), sourceHeard() else { return false }
        phase = .ready
        return true
    }

    /// A message on `clk/` (a permit or a snapshot request): the controller is heard, and a
    /// ready node is running.
    mutating func clockHeard() {
        controllerSubscribed = true
        if phase == .ready { phase = .running }
    }

    /// The controller's heartbeat.
    mutating func controllerHeartbeat(_ state: NodeState) {
        controllerSubscribed = true
        controllerState = state
    }

    /// A permit: only one of this node's epoch moves the limit (it never goes back).
    mutating func permit(_ p: Permit) {
        permitEpoch = max(permitEpoch, p.epoch)
        guard p.epoch >= epoch else { return }
        permitUntil = max(permitUntil, p.until)
    }

    /// The marker has been published.
    mutating func markerSent() { markerPending = false }

    /// The controller asks for a snapshot at `cut.tick`, this node being at `tick`: it is
    /// pending until captured (true). One that comes too late is skipped in real time (false;
    /// the controller abandons that snapshot) and an error in lockstep, which never lets a
    /// pool past a cut.
    mutating func snapshotRequested(_ cut: SnapshotCut, tick: UInt64) throws(NodeError) -> Bool {
        guard cut.tick >= tick else {
            guard realtime else { throw .failed("snapshot \(hex(cut.snapshot)) is at tick \(cut.tick), but this pool is already at tick \(tick)") }
            return false
        }
        pendingCut = cut
        return true
    }

    /// This node's part of the pending snapshot is captured.
    mutating func cutCaptured() { pendingCut = nil }

    /// The controller said stop.
    mutating func stop() { phase = .stopped }

    /// Something failed; the node reports `.failed` from here on.
    mutating func fail() { phase = .failed }
}
