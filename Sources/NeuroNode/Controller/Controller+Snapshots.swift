import NeuroPool
import NeuroWire
import NeuroNetwork
import NeuroEngine

/// A snapshot the controller is taking: the cut, the controller's own state at it, and the
/// parts arriving from the nodes.
struct SnapshotInProgress {
    var cut: SnapshotCut
    /// Whether the cut has been published to the nodes (once the reward schedule stands at it).
    var published = false
    var rewards = RewardScheduleState(counts: [])
    var receivers: [Int: PartReceiver] = [:]
    var parts: [Int: SnapshotPart] = [:]
    /// When each part's announce arrived, µs (monotonic): its receive time is logged.
    var announced: [Int: UInt64] = [:]
    let started = monotonicMicroseconds()
}

extension Controller {
    /// Starts a snapshot at `tick` (`UInt64.max`: the first tick no pool has been permitted;
    /// in real time, a lead of 250 ms ahead of the furthest pool). One at a time; never at a
    /// tick some pool may already have simulated.
    func requestSnapshot(at tick: UInt64) throws(NodeError) -> SnapshotCut {
        if let s = snapshot { throw .refused("snapshot \(hex(s.cut.snapshot)) at tick \(s.cut.tick) is still being taken") }
        if let blocker = options.network.snapshotBlocker { throw .refused(blocker) }
        guard phase != .stopping, phase != .done, stoppingAt == nil else { throw .refused("the network is stopping") }
        if realtime {
            if let dead = pools.first(where: { $0.dead || $0.takeover != nil }) { throw .refused("pool \(dead.name) is not running: a snapshot needs every pool") }
            let earliest = estimatedTick(now: monotonicMicroseconds()) + realtimeLead
            let t = tick == .max ? earliest : tick
            guard t >= earliest else { throw .refused("tick \(t) is too close: the pools are at about tick \(earliest - realtimeLead) and run on; the earliest is \(earliest)") }
            guard t <= target else { throw .refused("tick \(t) is after the run's end (tick \(target))") }
            return begin(at: t)
        }
        let t = tick == .max ? until : tick
        guard t >= until else { throw .refused("tick \(t) is already permitted (pools may be past it); the earliest is \(until)") }
        guard t > startTick else { throw .refused("tick \(t) is the start of this run; the earliest is \(startTick + 1)") }
        return begin(at: t)
    }

    @discardableResult
    func begin(at t: UInt64) -> SnapshotCut {
        let id = SnapshotStore.id(networkHash: options.network.hash, tick: t, parent: snapshotParent)
        let cut = SnapshotCut(snapshot: id, parent: snapshotParent, tick: t)
        snapshot = SnapshotInProgress(cut: cut)
        log.info("snapshot \(hex(id)) at tick \(t): holding every pool there")
        return cut
    }

    /// The tick permits must stop at for a snapshot, starting a periodic or requested one
    /// that falls at or before `desired`; nil when none does. Also publishes the cut once the
    /// controller's own state (the reward schedule) stands at it.
    func snapshotBarrier(upTo desired: UInt64) throws(NodeError) -> UInt64? {
        if realtime {
            try realtimeSnapshots()
            return nil
        }
        if snapshot == nil {
            // The next due cut no pool may have passed yet (a cut at `until` is still ahead).
            var due = nextDueSnapshot(after: lastSnapshotTick)
            while let d = due, d < until { due = nextDueSnapshot(after: d) }
            if let d = due, d <= desired, d <= target { begin(at: d) }
        }
        guard var s = snapshot else { return nil }
        if !s.published, rewards.isEmpty || rewards.horizon >= s.cut.tick {
            s.rewards = rewards.state(cut: s.cut.tick)
            s.published = true
            snapshot = s
            try sender.publish(.snapshotRequest(s.cut), topic: Topic.clock, on: pub)
        }
        return s.cut.tick
    }

    /// Real time: the nodes never wait for a snapshot. A due cut is asked for a lead ahead
    /// of the furthest pool (skipping any the network has passed); each node captures its
    /// part at the end of the cut tick and streams it while it runs on. Late upstream spikes
    /// are dropped in real time, so the part holds what the node held then. A snapshot whose
    /// parts do not come within ten peer timeouts is abandoned.
    func realtimeSnapshots() throws(NodeError) {
        let now = monotonicMicroseconds()
        if snapshot == nil, phase == .running, !pools.contains(where: { $0.dead || $0.takeover != nil }) {
            let earliest = estimatedTick(now: now) + realtimeLead
            var due = nextDueSnapshot(after: lastSnapshotTick)
            while let d = due, d < earliest {
                if d > skippedThrough, d <= target {
                    log.warning("snapshot at tick \(d) skipped: the pools are at about tick \(earliest - realtimeLead), too close to ask for it (the previous one took until then)")
                }
                skippedThrough = max(skippedThrough, d)
                due = nextDueSnapshot(after: d)
            }
            if let d = due, d <= earliest + realtimeLead, d <= target { begin(at: d) }
        }
        guard var s = snapshot else { return }
        if !s.published {
            s.rewards = rewards.state(cut: s.cut.tick)
            s.published = true
            snapshot = s
            try sender.publish(.snapshotRequest(s.cut), topic: Topic.clock, on: pub)
        } else if now - s.started > liveness.snapshotParts {
            abandonSnapshot("its parts did not all come within \(liveness.snapshotParts / 1000) ms")
        }
    }

    /// The first cut tick after `tick` that the network's `[snapshots] every` or `--snapshot-at` asks for.
    func nextDueSnapshot(after tick: UInt64) -> UInt64? {
        SnapshotPlan.nextDue(after: tick, every: options.network.snapshotEvery, at: options.snapshotAt)
    }

    func snapshotAnnounced(_ k: Int, _ announce: SnapshotAnnounce) throws(NodeError) {
        guard var s = snapshot, s.published, announce.snapshot == s.cut.snapshot, Int(announce.pool) == k, announce.tick == s.cut.tick,
              announce.size <= 1 << 31, (1 ... 1 << 20).contains(Int(announce.chunkSize)) else {
            log.warning("refused a snapshot part from pool \(pools[k].name): \(announce)")
            try sendToNode(k, .snapshotAck(SnapshotAck(snapshot: announce.snapshot, pool: announce.pool, received: 0, credit: 0, status: .refused)))
            return
        }
        // A repeated announce (a restarted sender) starts the part over.
        let receiver = PartReceiver(announce: announce)
        s.receivers[k] = receiver
        s.parts[k] = nil
        s.announced[k] = monotonicMicroseconds()
        snapshot = s
        try sendToNode(k, .snapshotAck(receiver.ack))
    }

    func snapshotChunk(_ k: Int, _ chunk: SnapshotChunk) throws(NodeError) {
        guard let cut = snapshot?.cut, chunk.snapshot == cut.snapshot,
              // In place: a copy of the receiver would copy the part's whole buffer per chunk.
              let ack = snapshot?.receivers[k]?.accept(chunk) else { return }
        let received = snapshot?.receivers[k].flatMap { $0.verified ? $0.bytes : nil }
        if let received {
            let arrived = monotonicMicroseconds()
            // The CRC matched; the store also checks the part is the pool at the cut.
            do {
                snapshot?.parts[k] = try SnapshotPart(received: received, pool: pools[k].name, tick: cut.tick)
                let ms = Double(arrived - (snapshot?.announced[k] ?? arrived)) / 1000, check = Double(monotonicMicroseconds() - arrived) / 1000
                log.info("snapshot \(hex(cut.snapshot)): pool \(pools[k].name)'s part received and its CRC verified, \(received.count) bytes in \(formatFixed(ms, 1)) ms from its announce; checked against the cut in \(formatFixed(check, 1)) ms")
            } catch {
                log.error("snapshot \(hex(cut.snapshot)): \(error)")
                try sendToNode(k, .snapshotAck(SnapshotAck(snapshot: chunk.snapshot, pool: chunk.pool, received: 0, credit: 0, status: .refused)))
                throw .failed("snapshot \(hex(cut.snapshot)): \(error)")
            }
        }
        try sendToNode(k, .snapshotAck(ack))
        // Verifying a large part takes a while: tell the nodes we are still here.
        if received != nil { try heartbeat(now: monotonicMicroseconds()) }
        if snapshot?.parts.count == pools.count { try completeSnapshot() }
    }

    /// Every part is in and verified: write the snapshot folder (atomically), apply the
    /// retention, and let the run go on.
    func completeSnapshot() throws(NodeError) {
        guard let s = snapshot else { return }
        let network = options.network
        let manifest = SnapshotManifest(id: s.cut.snapshot, parent: s.cut.parent, network: network.name, networkHash: network.hash, tick: s.cut.tick,
                                        createdMilliseconds: wallClockMilliseconds(), rewards: s.rewards, parts: [])
        let parts = pools.indices.map { s.parts[$0]! }
        let folder: String
        let writeStarted = monotonicMicroseconds()
        do { folder = try SnapshotStore.write(root: options.snapshotRoot, manifest: manifest, parts: parts) } catch {
            throw .failed("snapshot \(hex(s.cut.snapshot)): \(error)")
        }
        let written = Double(monotonicMicroseconds() - writeStarted) / 1000
        let removed = SnapshotStore.prune(root: options.snapshotRoot, keep: network.snapshotKeep)
        let bytes = parts.reduce(0) { $0 + $1.bytes.count }, raw = parts.reduce(0) { $0 + $1.rawBytes }
        let ms = Double(monotonicMicroseconds() - s.started) / 1000
        log.info("snapshot \(hex(s.cut.snapshot)) at tick \(s.cut.tick) complete: \(folder) (\(bytes) bytes, \(raw) raw, \(formatFixed(ms, 1)) ms; written in \(formatFixed(written, 1)) ms)\(removed.isEmpty ? "" : "; removed \(removed.count) old")")
        snapshotParent = s.cut.snapshot
        lastSnapshotTick = s.cut.tick
        snapshot = nil
        // Lockstep only: real time never waits, so a dead pool must show within the timeout.
        if !realtime { snapshotGraceUntil = monotonicMicroseconds() + UInt64(options.peerTimeoutMilliseconds) * 1000 }
        var stored = manifest
        stored.parts = parts.map(SnapshotManifest.Part.init)
        previousManifest = lastManifest
        lastManifest = stored
        lastParts = parts
        for i in replicas.indices { try streamLastPart(to: i) }
    }
}
