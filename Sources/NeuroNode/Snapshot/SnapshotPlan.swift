/// When and where a run takes snapshots.
public struct SnapshotPlan: Sendable, Equatable {
    /// The folder that holds the snapshot folders.
    public var root: String
    /// Every this many ticks (nil: only at `at`).
    public var every: UInt64?
    /// Extra cut ticks.
    public var at: Set<UInt64>
    /// Complete snapshots kept (older ones are removed).
    public var keep: Int

    public init(root: String, every: UInt64? = nil, at: Set<UInt64> = [], keep: Int = 3) {
        self.root = root
        self.every = every
        self.at = at
        self.keep = keep
    }

    /// Whether the state at tick `t` (before simulating it) is a snapshot.
    public func isDue(_ t: UInt64) -> Bool {
        at.contains(t) || every.map { t > 0 && t % $0 == 0 } ?? false
    }
}

/// A snapshot read from disk and checked against a network: its manifest and every pool.
public struct LoadedSnapshot: Sendable {
    public var path: String
    public var manifest: SnapshotManifest
    /// The parts' pools, in the network's pool order, each with its held input (and a
    /// Hodgkin–Huxley pool's HH state).
    public var pools: [SnapshotPool]

    /// Loads the snapshot at `path` for `network`: manifest, network hash and pools, every
    /// part's size, CRC and contents. Nothing is written. O(size of the snapshot).
    public init(path: String, network: NetworkDescription) throws(SnapshotError) {
        self.path = path
        manifest = try SnapshotStore.manifest(at: path)
        try SnapshotStore.check(manifest, path: path, against: network)
        var pools: [SnapshotPool] = []
        for spec in network.pools { pools.append(try SnapshotStore.loadPart(path, manifest: manifest, pool: spec.name)) }
        self.pools = pools
    }
}

import NeuroPool
