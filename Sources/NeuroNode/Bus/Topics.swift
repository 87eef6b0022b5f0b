import NeuroNetwork
import NeuroEngine
/// Pub/sub topic frames (protocol/SPEC.md §2.1). Every topic ends with `/` so prefix matching
/// selects exactly one pool.
public enum Topic {
    public static func spikes(_ pool: String) -> [UInt8] { Array("spk/\(pool)/".utf8) }
    public static func heartbeat(_ pool: String) -> [UInt8] { Array("hb/\(pool)/".utf8) }
    /// External spikes for pool `pool` (`neurobus inject`).
    public static func stimulus(_ pool: String) -> [UInt8] { Array("stim/\(pool)/".utf8) }
    public static let clock: [UInt8] = Array("clk/".utf8)
    public static let modulators: [UInt8] = Array("mod/".utf8)
    public static let controllerHeartbeat: [UInt8] = Array("hb/controller/".utf8)
    /// The routing id of recorder `name` on the controller's ROUTER.
    public static func recorderIdentity(_ name: String) -> [UInt8] { Array("recorder/\(name)".utf8) }
    /// The routing id of pool `pool`'s node on the controller's ROUTER.
    public static func nodeIdentity(_ pool: String) -> [UInt8] { Array("node/\(pool)".utf8) }
}

/// Source ids (protocol/SPEC.md §3.1).
public enum SourceID {
    public static let controller: UInt16 = 0
    public static func pool(_ index: Int) -> UInt16 { UInt16(index + 1) }
    public static let ctl: UInt16 = 0xF001
    public static let recorder: UInt16 = 0xF002
    public static let injector: UInt16 = 0xF003
}

/// The software string sent in `HELLO`.
public let neurobusSoftware = "neurobus 0.4.0"
