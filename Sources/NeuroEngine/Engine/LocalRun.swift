import NeuroNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole network in one process, no sockets: the reference a distributed lockstep run must
/// equal byte for byte (`neurobus run`).
public enum LocalRun {
    /// Runs `ticks` ticks of every pool. Within a global tick the pools' order does not matter:
    /// every projection has a lag ≥ 1, so tick t only reads spikes of earlier ticks.
    /// `injections`: the input of the network's external sources (`[[source]]`), at most one
    /// schedule per source; a source without one is silent.
    /// `snapshots`: where and when to take snapshots (the network's `[snapshots] every`, and
    /// `at` ticks); `restore`: a loaded snapshot to continue from (its tick is the start;
    /// `ticks` stays the tick to stop at). `onSnapshot` gets each snapshot folder written.
    /// `progress` is called about every `progressEvery` ticks with the ticks done, and
    /// `observe` then with the pools and the dopamine levels of the reward broadcasts released
    /// so far (for ticks before `ticks`), in order. `onTrials` gets the task's trials as they
    /// are decided (also written to `OUT/trials.csv`).
    /// Writes the output files to `out` if given. O(ticks × cost of one network tick).
    public static func run(network: NetworkDescription, ticks: UInt64, out: OutputDirectory?, injections: [InjectionSchedule] = [],
                           snapshots: SnapshotPlan? = nil, restore: LoadedSnapshot? = nil, onSnapshot: ((String) -> Void)? = nil,
                           progressEvery: UInt64 = 1000, progress: ((UInt64) -> Void)? = nil,
                           observe: ((_ tick: UInt64, _ pools: [PoolDriver], _ rewards: [UInt8]) -> Void)? = nil,
                           onTrials: (([TrialResult]) -> Void)? = nil) throws(NodeError) -> [PoolSummary] {
        var drivers: [PoolDriver] = []
        for index in network.pools.indices { drivers.append(try network.buildPool(index)) }
        let start = restore?.manifest.tick ?? 0
        guard ticks > start else { throw .failed("the snapshot is at tick \(start): --ticks \(ticks) must be later") }
        var rasters: [RasterWriter] = []
        var monitors: [PoolMonitors?] = Array(repeating: nil, count: drivers.count)
        var trials: TrialWriter?
        if let out {
            try out.writeNetwork(network)
            if let task = network.task { trials = try TrialWriter(path: "\(out.path)/trials.csv", task: task) }
            for d in drivers { rasters.append(try RasterWriter(directory: out.path, pool: d.spec.name, neurons: d.pool.neuronCount)) }
            for i in drivers.indices {
                let m = try PoolMonitors(network: network, pool: i, driver: drivers[i], directory: out.path)
                if !m.isEmpty { monitors[i] = m }
            }
        }
        var rewards = RewardSchedule(rules: network.rewards, task: network.task)
        // The dopamine levels of the reward broadcasts released for ticks this run reaches.
        var released: [UInt8] = []
        var history = RecentSpikes(pools: drivers.count, maxLag: network.maxLag)
        var parent: UInt64 = 0
        if let restore {
            // The pools' held input: broadcasts go back into each driver, the afferent spikes
            // still on their way into the history (every consumer holds the same spikes).
            for i in drivers.indices {
                let held = try drivers[i].restore(restore.pools[i])
                for (p, ticks) in held.afferentSpikes.enumerated() {
                    for t in ticks { history.record(pool: drivers[i].afferentSources[p], tick: t.tick, spikes: t.ids[...]) }
                }
            }
            rewards = try RewardSchedule(rules: network.rewards, task: network.task, restoredAt: start, state: restore.manifest.rewards)
            parent = restore.manifest.id
        } else {
            // Scheduled broadcasts first, in file order (equal ticks keep it), then rewards as released.
            for m in network.modulations {
                for i in drivers.indices { try drivers[i].schedule(ModulatorLevels(m), at: m.tick) }
            }
        }
        // Per pool, the schedule of its source (if any).
        var injected: [InjectionSchedule?] = Array(repeating: nil, count: drivers.count)
        for schedule in injections { injected[schedule.source.pool] = schedule }
        func takeSnapshot(at t: UInt64) throws(NodeError) {
            guard let plan = snapshots, t > start, plan.isDue(t) else { return }
            var parts: [SnapshotPart] = []
            for d in drivers { parts.append(SnapshotPart(pool: try d.snapshotPool(history: history))) }
            let id = SnapshotStore.id(networkHash: network.hash, tick: t, parent: parent)
            let manifest = SnapshotManifest(id: id, parent: parent, network: network.name, networkHash: network.hash, tick: t,
                                            createdMilliseconds: wallClockMilliseconds(), rewards: rewards.state(cut: t), parts: [])
            let folder: String
            do {
                folder = try SnapshotStore.write(root: plan.root, manifest: manifest, parts: parts)
            } catch { throw .failed("snapshot at tick \(t): \(error)") }
            SnapshotStore.prune(root: plan.root, keep: plan.keep)
            parent = id
            onSnapshot?(folder)
        }
        for t in start ..< ticks {
            try takeSnapshot(at: t)
            for i in drivers.indices {
                let spikes: ArraySlice<UInt16>
                if injected[i] != nil {
                    let ids = injected[i]!.spikes(at: t), drive = injected[i]!.source.drive
                    spikes = try ids.withUnsafeBufferPointer { (buffer) throws(NodeError) in
                        try drivers[i].advance(history: history, injected: buffer, drive: drive)
                    }
                } else {
                    spikes = try drivers[i].advance(history: history)
                }
                history.record(pool: i, tick: t, spikes: spikes)
                if !rasters.isEmpty { try rasters[i].record(tick: t, spikes: spikes) }
                if let m = monitors[i] { try m.sample(tick: t, pool: drivers[i].pool) }
                if !rewards.isEmpty { rewards.observe(pool: i, tick: t, spikes: spikes) }
            }
            if !rewards.isEmpty {
                for (tick, levels, _) in rewards.release() {
                    for i in drivers.indices { try drivers[i].schedule(levels, at: tick) }
                    if tick < ticks, let level = levels.dopamine { released.append(level) }
                }
                let decided = rewards.takeTrials()
                if !decided.isEmpty {
                    try trials?.record(decided)
                    onTrials?(decided)
                }
            }
            if (t + 1) % progressEvery == 0 {
                progress?(t + 1)
                observe?(t + 1, drivers, released)
            }
        }
        try takeSnapshot(at: ticks)
        if let out {
            for r in rasters { try r.finish() }
            for m in monitors { try m?.finish() }
            try trials?.finish()
            for d in drivers { try out.savePool(of: d) }
        }
        return drivers.map(\.summary)
    }
}
