import NeuroNetwork
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

    /// The first cut tick after `tick` (nil: none). O(|at|).
    public func nextDue(after tick: UInt64) -> UInt64? {
        Self.nextDue(after: tick, every: every, at: at)
    }

    /// The first tick after `tick` that is in `at` or a positive multiple of `every`: the
    /// schedule `isDue` describes, for a caller that holds no plan (the controller).
    public static func nextDue(after tick: UInt64, every: UInt64?, at: some Sequence<UInt64>) -> UInt64? {
        var next = at.lazy.filter { $0 > tick }.min()
        if let every, every > 0 {
            let periodic = (tick / every + 1) * every
            next = min(next ?? periodic, periodic)
        }
        return next
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
