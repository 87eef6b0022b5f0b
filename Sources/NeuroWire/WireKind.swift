/// The kind byte of a message (protocol/SPEC.md §4).
public enum WireKind: UInt8, CaseIterable, Sendable {
    case spikeBatch = 0x01
    case stimulus = 0x02
    case modulators = 0x03
    case permit = 0x04
    case heartbeat = 0x05
    case hello = 0x10
    case welcome = 0x11
    case ready = 0x12
    case command = 0x20
    case commandReply = 0x21
    case statusRequest = 0x22
    case statusReply = 0x23
    case taskRequest = 0x24
    case taskReply = 0x25
    case snapshotRequest = 0x30
    case snapshotMarker = 0x31
    case snapshotAnnounce = 0x32
    case snapshotChunk = 0x33
    case snapshotAck = 0x34
    case error = 0x7F

    /// The kind's name in the spec's JSON form (`spike_batch`).
    public var name: String {
        switch self {
        case .spikeBatch: "spike_batch"
        case .stimulus: "stimulus"
        case .modulators: "modulators"
        case .permit: "permit"
        case .heartbeat: "heartbeat"
        case .hello: "hello"
        case .welcome: "welcome"
        case .ready: "ready"
        case .command: "command"
        case .commandReply: "command_reply"
        case .statusRequest: "status_request"
        case .statusReply: "status_reply"
        case .taskRequest: "task_request"
        case .taskReply: "task_reply"
        case .snapshotRequest: "snapshot_request"
        case .snapshotMarker: "snapshot_marker"
        case .snapshotAnnounce: "snapshot_announce"
        case .snapshotChunk: "snapshot_chunk"
        case .snapshotAck: "snapshot_ack"
        case .error: "error"
        }
    }
}
