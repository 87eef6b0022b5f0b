/// One decoded message: its header fields and its payload (protocol/SPEC.md §3, §4).
public struct WireEnvelope: Equatable, Sendable {
    /// Sender id (§3.1): 0 controller, 1…0xEFFF pool number + 1, 0xF000… tools.
    public var source: UInt16
    /// Position in the sender's stream (§3.2).
    public var sequence: UInt32
    /// Header flags. `.compressed` makes the encoder deflate the payload; ancillary bits are
    /// carried through unchanged.
    public var flags: WireFlags
    /// The minor version the message was written with (the encoder always writes its own).
    public var minorVersion: UInt8
    public var message: WireMessage

    public init(source: UInt16, sequence: UInt32, flags: WireFlags = [], message: WireMessage) {
        self.source = source
        self.sequence = sequence
        self.flags = flags
        self.minorVersion = WireFormat.minorVersion
        self.message = message
    }
}

/// Every message kind's payload.
public enum WireMessage: Equatable, Sendable {
    case spikeBatch(SpikeBatch)
    case stimulus(Stimulus)
    case modulators(Modulators)
    case permit(Permit)
    case heartbeat(Heartbeat)
    case hello(Hello)
    case welcome(Welcome)
    case ready(Ready)
    case command(Command)
    case commandReply(CommandReply)
    case statusRequest
    case statusReply(StatusReply)
    case taskRequest
    case taskReply(TaskProgress)
    case snapshotRequest(SnapshotCut)
    case snapshotMarker(SnapshotCut)
    case snapshotAnnounce(SnapshotAnnounce)
    case snapshotChunk(SnapshotChunk)
    case snapshotAck(SnapshotAck)
    case error(ErrorReply)

    public var kind: WireKind {
        switch self {
        case .spikeBatch: .spikeBatch
        case .stimulus: .stimulus
        case .modulators: .modulators
        case .permit: .permit
        case .heartbeat: .heartbeat
        case .hello: .hello
        case .welcome: .welcome
        case .ready: .ready
        case .command: .command
        case .commandReply: .commandReply
        case .statusRequest: .statusRequest
        case .statusReply: .statusReply
        case .taskRequest: .taskRequest
        case .taskReply: .taskReply
        case .snapshotRequest: .snapshotRequest
        case .snapshotMarker: .snapshotMarker
        case .snapshotAnnounce: .snapshotAnnounce
        case .snapshotChunk: .snapshotChunk
        case .snapshotAck: .snapshotAck
        case .error: .error
        }
    }
}

/// External spikes for a pool's neurons (§4.2).
public struct Stimulus: Equatable, Sendable {
    /// Target pool number (0-based, network description order).
    public var targetPool: UInt16
    /// Input per spike, Q8.8 mV.
    public var drive: Int16
    /// Spikes, by target-pool neuron id.
    public var batch: SpikeBatch

    public init(targetPool: UInt16, drive: Int16, batch: SpikeBatch) {
        self.targetPool = targetPool
        self.drive = drive
        self.batch = batch
    }
}

/// Neuromodulator ids (§4.3); ids this build does not name are kept as numbers.
public enum Modulator {
    public static let dopamine: UInt8 = 0
    public static let cortisol: UInt8 = 1
    public static let acetylcholine: UInt8 = 2
    public static let serotonin: UInt8 = 3
    public static let noradrenaline: UInt8 = 4

    static let names = ["dopamine", "cortisol", "acetylcholine", "serotonin", "noradrenaline"]

    /// The JSON name of modulator `id`.
    public static func name(_ id: UInt8) -> String {
        Int(id) < names.count ? names[Int(id)] : "modulator_\(id)"
    }
}

/// A neuromodulator broadcast (§4.3).
public struct Modulators: Equatable, Sendable {
    public enum Mode: UInt8, Sendable { case atTick = 0, onArrival = 1 }
    /// Apply after tick `tick − 1`, before tick `tick` (lockstep).
    public var tick: UInt64
    public var mode: Mode
    /// `(id, level)` pairs with strictly increasing ids, at most 32.
    public var levels: [(id: UInt8, level: UInt8)]

    public init(tick: UInt64, mode: Mode = .atTick, levels: [(id: UInt8, level: UInt8)]) {
        self.tick = tick
        self.mode = mode
        self.levels = levels
    }

    /// The level of modulator `id`, if present.
    public func level(_ id: UInt8) -> UInt8? { levels.first { $0.id == id }?.level }

    public static func == (a: Modulators, b: Modulators) -> Bool {
        a.tick == b.tick && a.mode == b.mode && a.levels.elementsEqual(b.levels) { $0.id == $1.id && $0.level == $1.level }
    }
}

/// The lockstep clock: nodes may simulate every tick below `until` (§4.4).
public struct Permit: Equatable, Sendable {
    public var until: UInt64
    public var epoch: UInt32
    public init(until: UInt64, epoch: UInt32) {
        self.until = until
        self.epoch = epoch
    }
}

/// Node and controller states (§4.11).
public enum NodeState: UInt8, Sendable, CaseIterable {
    case starting = 0, ready, running, paused, stopping, stopped, failed

    public var name: String {
        switch self {
        case .starting: "starting"
        case .ready: "ready"
        case .running: "running"
        case .paused: "paused"
        case .stopping: "stopping"
        case .stopped: "stopped"
        case .failed: "failed"
        }
    }
}

/// Counters every node reports in heartbeats and status rows.
public struct TrafficCounters: Equatable, Sendable {
    public var spikes: UInt64 = 0
    public var packetsOut: UInt64 = 0
    public var packetsIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var late: UInt64 = 0
    public var lost: UInt64 = 0
    public init() {}
}

/// A liveness beacon with the sender's tick and counters (§4.5).
public struct Heartbeat: Equatable, Sendable {
    public var state: NodeState
    public var tick: UInt64
    public var uptimeMicroseconds: UInt64
    public var counters: TrafficCounters
    public var overruns: UInt64

    public init(state: NodeState, tick: UInt64, uptimeMicroseconds: UInt64, counters: TrafficCounters = TrafficCounters(), overruns: UInt64 = 0) {
        self.state = state
        self.tick = tick
        self.uptimeMicroseconds = uptimeMicroseconds
        self.counters = counters
        self.overruns = overruns
    }
}

/// Who is joining (§4.6).
public enum PeerRole: UInt8, Sendable, CaseIterable {
    case node = 1, replica, ctl, recorder, injector, store

    public var name: String {
        switch self {
        case .node: "node"
        case .replica: "replica"
        case .ctl: "ctl"
        case .recorder: "recorder"
        case .injector: "injector"
        case .store: "store"
        }
    }
}

/// A peer's request to join (§4.6).
public struct Hello: Equatable, Sendable {
    public var role: PeerRole
    public var pool: UInt16
    public var neuronCount: UInt32
    /// FNV-1a 64 of the network description file's bytes.
    public var networkHash: UInt64
    public var tick: UInt64
    public var name: String
    public var software: String

    public init(role: PeerRole, pool: UInt16, neuronCount: UInt32, networkHash: UInt64, tick: UInt64, name: String, software: String) {
        self.role = role
        self.pool = pool
        self.neuronCount = neuronCount
        self.networkHash = networkHash
        self.tick = tick
        self.name = name
        self.software = software
    }
}

/// Run modes (§4.6).
public enum RunMode: UInt8, Sendable, CaseIterable {
    case lockstep = 0, realtime = 1
    public var name: String { self == .lockstep ? "lockstep" : "realtime" }
}

/// The controller's answer to `HELLO` (§4.6).
public struct Welcome: Equatable, Sendable {
    public var startTick: UInt64
    public var epoch: UInt32
    public var mode: RunMode
    public var tickMicroseconds: UInt32
    public var networkHash: UInt64

    public init(startTick: UInt64, epoch: UInt32, mode: RunMode, tickMicroseconds: UInt32, networkHash: UInt64) {
        self.startTick = startTick
        self.epoch = epoch
        self.mode = mode
        self.tickMicroseconds = tickMicroseconds
        self.networkHash = networkHash
    }
}

/// A node's subscriptions are live (§4.6).
public struct Ready: Equatable, Sendable {
    public var tick: UInt64
    public var upstreamReady: UInt16
    public var upstreamTotal: UInt16

    public init(tick: UInt64, upstreamReady: UInt16, upstreamTotal: UInt16) {
        self.tick = tick
        self.upstreamReady = upstreamReady
        self.upstreamTotal = upstreamTotal
    }
}

/// Run-control verbs (§4.7).
public enum CommandVerb: UInt8, Sendable, CaseIterable {
    case run = 1, pause, resume, step, stop

    public var name: String {
        switch self {
        case .run: "run"
        case .pause: "pause"
        case .resume: "resume"
        case .step: "step"
        case .stop: "stop"
        }
    }
}

/// A run-control command (§4.7).
public struct Command: Equatable, Sendable {
    public var verb: CommandVerb
    /// `run`: ticks (0 = until stopped); `step`: ticks ≥ 1; otherwise 0.
    public var argument: UInt64

    public init(verb: CommandVerb, argument: UInt64 = 0) {
        self.verb = verb
        self.argument = argument
    }
}

/// The answer to a command (§4.7).
public struct CommandReply: Equatable, Sendable {
    public var verb: CommandVerb
    public var state: NodeState
    public var tick: UInt64
    /// The tick the run stops at; `UInt64.max` when open-ended.
    public var targetTick: UInt64
    public var message: String

    public init(verb: CommandVerb, state: NodeState, tick: UInt64, targetTick: UInt64, message: String) {
        self.verb = verb
        self.state = state
        self.tick = tick
        self.targetTick = targetTick
        self.message = message
    }
}

/// One pool's line in a status reply (§4.8).
public struct PoolStatus: Equatable, Sendable {
    public var pool: UInt16
    public var state: NodeState
    public var alive: Bool
    public var tick: UInt64
    public var neuronCount: UInt32
    public var heartbeatAgeMilliseconds: UInt32
    public var counters: TrafficCounters
    public var name: String

    public init(pool: UInt16, state: NodeState, alive: Bool, tick: UInt64, neuronCount: UInt32, heartbeatAgeMilliseconds: UInt32, counters: TrafficCounters, name: String) {
        self.pool = pool
        self.state = state
        self.alive = alive
        self.tick = tick
        self.neuronCount = neuronCount
        self.heartbeatAgeMilliseconds = heartbeatAgeMilliseconds
        self.counters = counters
        self.name = name
    }
}

/// The network's status (§4.8).
public struct StatusReply: Equatable, Sendable {
    public var state: NodeState
    public var tick: UInt64
    public var rows: [PoolStatus]

    public init(state: NodeState, tick: UInt64, rows: [PoolStatus]) {
        self.state = state
        self.tick = tick
        self.rows = rows
    }
}

/// A task's progress (§4.8a): trials decided so far and how many were right, by phase.
/// `trials` 0: the network has no task.
public struct TaskProgress: Equatable, Sendable {
    /// Trials in the whole task, and the number decided (the first not decided yet).
    public var trials: UInt32
    public var decided: UInt32
    /// Training and test trials decided since the run (or its restore) began, and how many
    /// of each were answered right.
    public var trainTrials: UInt32
    public var trainCorrect: UInt32
    public var testTrials: UInt32
    public var testCorrect: UInt32

    public init(trials: UInt32, decided: UInt32, trainTrials: UInt32, trainCorrect: UInt32, testTrials: UInt32, testCorrect: UInt32) {
        self.trials = trials
        self.decided = decided
        self.trainTrials = trainTrials
        self.trainCorrect = trainCorrect
        self.testTrials = testTrials
        self.testCorrect = testCorrect
    }
}

/// A snapshot request or marker (§4.9): the state at tick `tick`.
public struct SnapshotCut: Equatable, Sendable {
    /// Non-zero snapshot id.
    public var snapshot: UInt64
    /// The previous snapshot's id, 0 for none.
    public var parent: UInt64
    /// Cut tick; `UInt64.max` from `ctl` means "as soon as possible".
    public var tick: UInt64

    public init(snapshot: UInt64, parent: UInt64, tick: UInt64) {
        self.snapshot = snapshot
        self.parent = parent
        self.tick = tick
    }
}

/// The start of a snapshot part's transfer (§4.10).
public struct SnapshotAnnounce: Equatable, Sendable {
    public var snapshot: UInt64
    public var pool: UInt16
    public var tick: UInt64
    public var size: UInt64
    public var crc: UInt32
    public var chunkSize: UInt32

    public init(snapshot: UInt64, pool: UInt16, tick: UInt64, size: UInt64, crc: UInt32, chunkSize: UInt32) {
        self.snapshot = snapshot
        self.pool = pool
        self.tick = tick
        self.size = size
        self.crc = crc
        self.chunkSize = chunkSize
    }
}

/// Bytes of a snapshot part (§4.10).
public struct SnapshotChunk: Equatable, Sendable {
    public var snapshot: UInt64
    public var pool: UInt16
    public var offset: UInt64
    /// 1…1,048,576 bytes.
    public var data: [UInt8]

    public init(snapshot: UInt64, pool: UInt16, offset: UInt64, data: [UInt8]) {
        self.snapshot = snapshot
        self.pool = pool
        self.offset = offset
        self.data = data
    }
}

/// The store's flow-control and completion answer (§4.10).
public struct SnapshotAck: Equatable, Sendable {
    public enum Status: UInt8, Sendable, CaseIterable {
        case inProgress = 0, complete, crcMismatch, refused
        public var name: String {
            switch self {
            case .inProgress: "in_progress"
            case .complete: "complete"
            case .crcMismatch: "crc_mismatch"
            case .refused: "refused"
            }
        }
    }
    public var snapshot: UInt64
    public var pool: UInt16
    /// Bytes held contiguously from offset 0.
    public var received: UInt64
    /// Chunks the sender may send beyond `received`.
    public var credit: UInt32
    public var status: Status

    public init(snapshot: UInt64, pool: UInt16, received: UInt64, credit: UInt32, status: Status) {
        self.snapshot = snapshot
        self.pool = pool
        self.received = received
        self.credit = credit
        self.status = status
    }
}

/// A typed error answer (§4.12).
public struct ErrorReply: Equatable, Sendable {
    public var code: WireError.Code
    /// Kind byte of the message this answers (0 if unknown).
    public var aboutKind: UInt8
    public var aboutSequence: UInt32
    public var message: String

    public init(code: WireError.Code, aboutKind: UInt8, aboutSequence: UInt32, message: String) {
        self.code = code
        self.aboutKind = aboutKind
        self.aboutSequence = aboutSequence
        self.message = message
    }
}
