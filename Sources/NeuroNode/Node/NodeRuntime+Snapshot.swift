import NeuroPool
import NeuroWire
import NeuroNetwork
import NeuroEngine

extension NodeRuntime {
    /// Captures this pool's part of the requested snapshot once the pool stands at the cut
    /// tick T and holds every upstream spike of the ticks before T (the spikes in flight),
    /// then announces it to the store (the controller) and streams it under its credit. The
    /// controller grants no tick past T until every part is in, so the cut is consistent.
    func captureSnapshotIfDue() throws(NodeError) {
        guard let cut = pendingCut, driver.tick == cut.tick else { return }
        if let stale = transfer {
            // A newer cut supersedes a part the store no longer waits for (real time abandons
            // a snapshot whose parts do not all come).
            guard stale.snapshot != cut.snapshot else { return }
            log.warning("snapshot \(hex(stale.snapshot)): part never completed; superseded by snapshot \(hex(cut.snapshot))")
            transfer = nil
        }
        // Real time holds no spike back for a cut: what had not arrived reads as silent.
        if cut.tick > 0, !realtime {
            for (u, stream) in history.streams where u != options.pool && !stream.holds(cut.tick - 1) { return }
        }
        // At the cut, before the capture (seconds for a large pool): the controller sees this
        // pool reached it, and gives it the snapshot's grace.
        try heartbeat(now: monotonicMicroseconds())
        let part = SnapshotPart(pool: try driver.snapshotPool(history: history))
        // The raster up to the cut goes to disk with the part: a replica taking over after a
        // crash continues it from there.
        try raster?.sync()
        try monitors?.sync()
        if let root = options.snapshotRoot {
            do { try part.keepCopy(under: root, tick: cut.tick, id: cut.snapshot, keep: options.network.snapshotKeep) } catch { throw .failed("\(error)") }
        }
        // Capturing a large pool takes a while: tell everyone we are still here.
        try heartbeat(now: monotonicMicroseconds())
        let sending = PartSender(snapshot: cut.snapshot, pool: UInt16(options.pool), tick: cut.tick, part: part)
        try sender.send(sending.announce, stream: [], on: dealer)
        transfer = sending
        recentParts.append((cut, part))
        if recentParts.count > 3 { recentParts.removeFirst() }
        session.cutCaptured()
        log.info("snapshot \(hex(cut.snapshot)) at tick \(cut.tick): part of \(part.bytes.count) bytes (\(part.rawBytes) raw) announced to the store")
    }
}
