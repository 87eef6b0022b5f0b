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
    /// `progress` is called about every `progressEvery` ticks with the ticks done.
    /// Writes the output files to `out` if given. O(ticks × cost of one network tick).
    public static func run(network: NetworkDescription, ticks: UInt64, out: OutputDirectory?, injections: [InjectionSchedule] = [],
                           progressEvery: UInt64 = 1000, progress: ((UInt64) -> Void)? = nil) throws(NodeError) -> [PoolSummary] {
        var drivers: [PoolDriver] = []
        for index in network.pools.indices { drivers.append(try network.buildPool(index)) }
        var rasters: [RasterWriter] = []
        if let out {
            try out.writeNetwork(network)
            for d in drivers { rasters.append(try RasterWriter(directory: out.path, pool: d.spec.name, neurons: d.pool.neuronCount)) }
        }
        // Scheduled broadcasts first, in file order (equal ticks keep it), then rewards as released.
        for m in network.modulations {
            for i in drivers.indices { try drivers[i].schedule(ModulatorLevels(m), at: m.tick) }
        }
        // Per pool, the schedule of its source (if any).
        var injected: [InjectionSchedule?] = Array(repeating: nil, count: drivers.count)
        for schedule in injections { injected[schedule.source.pool] = schedule }
        var rewards = RewardSchedule(rules: network.rewards)
        var history = RecentSpikes(pools: drivers.count)
        for t in 0 ..< ticks {
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
                if !rewards.isEmpty { rewards.observe(pool: i, tick: t, spikes: spikes) }
            }
            if !rewards.isEmpty {
                for (tick, levels) in rewards.release() {
                    for i in drivers.indices { try drivers[i].schedule(levels, at: tick) }
                }
            }
            if let progress, (t + 1) % progressEvery == 0 { progress(t + 1) }
        }
        if let out {
            for r in rasters { try r.finish() }
            for d in drivers { try out.savePool(d.pool) }
        }
        return drivers.map {
            PoolSummary(name: $0.spec.name, neurons: $0.pool.neuronCount, ticks: $0.pool.tickCount, spikes: $0.pool.totalSpikes,
                        synapses: $0.pool.synapseCount + $0.pool.afferentSynapseCount)
        }
    }
}
