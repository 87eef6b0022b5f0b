import NeuroPool
import NeuroNetwork

/// Why a snapshot could not be taken, stored or restored. Each case names the problem.
public enum SnapshotError: Error, Sendable, CustomStringConvertible, Equatable {
    /// No snapshot (no manifest) at the path.
    case notFound(String)
    /// The manifest is malformed: file, line, what.
    case badManifest(file: String, line: Int, detail: String)
    /// Written by a newer NeuroBus.
    case newerFormat(file: String, found: Int, supported: Int)
    /// Taken from another network file.
    case networkMismatch(snapshot: String, snapshotHash: UInt64, network: String, networkHash: UInt64)
    /// The manifest and the network disagree about the pools.
    case poolsMismatch(String)
    /// The manifest's reward state (`key`: `reward_counts`, `reward_state`, `reward_random`, or
    /// one entry of them) does not fit the network's reward rules.
    case badRewardState(key: String, detail: String)
    /// A pool's part is missing from the snapshot folder.
    case missingPart(pool: String, path: String)
    /// A part's size or CRC is not what the manifest says.
    case corruptPart(pool: String, path: String, detail: String)
    /// A part decompressed but is not a valid pool at the snapshot's tick.
    case badPart(pool: String, detail: String)
    /// A file could not be read or written.
    case io(String)

    public var description: String {
        switch self {
        case .notFound(let path): "no snapshot at \(path) (no manifest.toml there)"
        case .badManifest(let file, let line, let detail): "\(file):\(line): bad snapshot manifest: \(detail)"
        case .newerFormat(let file, let found, let supported):
            "\(file): snapshot format \(found) is newer than this build reads (\(supported)); use a newer neurobus"
        case .networkMismatch(let snapshot, let sh, let network, let nh):
            "snapshot \(snapshot) was taken of network hash \(hex(sh)), but \(network) has hash \(hex(nh)): restore it with the network file it was taken with"
        case .poolsMismatch(let detail): "the snapshot does not fit the network: \(detail)"
        case .badRewardState(let key, let detail): "the snapshot's reward state does not fit the network: \(key) \(detail)"
        case .missingPart(let pool, let path): "pool \(pool)'s part \(path) is missing: the snapshot is incomplete"
        case .corruptPart(let pool, let path, let detail): "pool \(pool)'s part \(path) is corrupt: \(detail)"
        case .badPart(let pool, let detail): "pool \(pool)'s part is not a valid pool: \(detail)"
        case .io(let what): what
        }
    }
}
