import NeuroPool
import NeuroWire
import NeuroNetwork
import NeuroEngine

/// Rolling back to the last snapshot when the controller fails a pool over to its replica.
extension NodeRuntime {
    /// Returns this pool to its last snapshot part at `tick`, in epoch `newEpoch`: the pool and
    /// its held input, the upstream streams as they were at the cut, the raster cut back to
    /// the tick; then it joins again (READY once every upstream is heard in the new epoch) and
    /// drops what the abandoned epoch still delivers (see `epoch`). O(pool + raster).
    func rollBack(to tick: UInt64, epoch newEpoch: UInt32) throws(NodeError) {
        guard let index = recentParts.lastIndex(where: { $0.cut.tick == tick }) else {
            throw .failed("asked to roll back to tick \(tick), but this pool holds parts only at ticks \(recentParts.map { "\($0.cut.tick)" }.joined(separator: ", "))")
        }
        let last = recentParts[index]
        // Parts after the cut belong to the abandoned epoch.
        recentParts.removeLast(recentParts.count - index - 1)
        let network = options.network
        let pool: SnapshotPool
        do { pool = try last.part.decodedPool() } catch { throw .failed("rollback to tick \(tick): \(error)") }
        var fresh = try network.buildPool(options.pool)
        let held = try fresh.restore(pool)
        driver = fresh
        var streams: [Int: SpikeStream] = [:]
        for u in network.upstream(of: options.pool) { streams[u] = try Self.restoredStream(from: u, held: held, driver: driver, network: network) }
        history = StreamHistory(streams: streams, missingIsSilent: realtime)
        source?.restart(at: tick)
        outBatch.removeAll(firstTick: tick, neuronCount: spec.neurons)
        transfer = nil
        lastHeartbeatTick = .max
        for k in upstream.indices {
            feeds[k].rollBack(to: history.streams[upstream[k]]!.nextTick)
        }
        try raster?.truncate(fromTick: tick)
        try monitors?.truncate(fromTick: tick)
        log.notice("rolled back to the snapshot at tick \(tick) (epoch \(newEpoch)); joining again")
    }
}

/// What a replica hands on when the controller promotes it: the latest part it followed.
public struct Promotion: Sendable {
    public var pool: SnapshotPool
    public var cut: SnapshotCut
    public var epoch: UInt32

    public init(pool: SnapshotPool, cut: SnapshotCut, epoch: UInt32) {
        self.pool = pool
        self.cut = cut
        self.epoch = epoch
    }
}

/// Real time: a replica taking over from the last snapshot.
extension NodeRuntime {
    /// Brings the pool from its snapshot's tick to `tick`, the restart tick the controller
    /// gave (a lead ahead of the network), by simulating the gap without input — upstream
    /// spikes of those ticks were sent to the dead primary, and nothing of the gap is
    /// published or recorded — then sets the clock so `tick` is due when the network gets
    /// there: a lead after the WELCOME (`welcomedAt`). O(gap × tick cost).
    func takeOver(at tick: UInt64, welcomedAt: UInt64) throws(NodeError) {
        let from = driver.tick
        while driver.tick < tick {
            let t = driver.tick
            let spikes = try driver.advance(history: history)
            try feedOwnSpikes(spikes, tick: t)
            discardHistory(after: t)
        }
        source?.pending.removeAll(keepingCapacity: true)
        let lead = realtimeLeadTicks(tickMicroseconds: options.network.tickMicroseconds)
        pacer.start(tick: tick, now: welcomedAt + lead * UInt64(max(options.network.tickMicroseconds, 1)))
        log.notice("taking over from the snapshot at tick \(from): simulated the gap to tick \(tick) without input (\(tick - from) ticks); running on from there")
    }
}
