// The payload layouts of protocol/SPEC.md §4, one `write` and one `read` per kind. Spike
// batches are written by `WireEncoder` directly (they are the hot path); everything else goes
// through `WireWriter`.

extension WireMessage {
    /// Writes the payload of every kind but spike batches and stimuli, validating the fields
    /// the type system does not.
    func writeControlPayload(into w: inout WireWriter) throws(WireError) {
        switch self {
        case .spikeBatch, .stimulus:
            preconditionFailure("spike payloads are written by WireEncoder")
        case .modulators(let m):
            guard m.levels.count <= WireFormat.maxModulators else {
                throw WireError(.badValue, "modulators: \(m.levels.count) entries, the limit is \(WireFormat.maxModulators)")
            }
            for index in m.levels.indices.dropFirst() where m.levels[index].id <= m.levels[index - 1].id {
                throw WireError(.badValue, "modulators: id \(m.levels[index].id) follows \(m.levels[index - 1].id); ids must be strictly increasing")
            }
            w.u64(m.tick)
            w.u8(m.mode.rawValue)
            w.u8(UInt8(m.levels.count))
            for entry in m.levels {
                w.u8(entry.id)
                w.u8(entry.level)
            }
        case .permit(let p):
            w.u64(p.until)
            w.u32(p.epoch)
        case .heartbeat(let h):
            w.u8(h.state.rawValue)
            w.u64(h.tick)
            w.u64(h.uptimeMicroseconds)
            writeCounters(h.counters, into: &w)
            w.u64(h.overruns)
        case .hello(let h):
            try checkText(h.name, "name")
            try checkText(h.software, "software")
            w.u8(h.role.rawValue)
            w.u16(h.pool)
            w.u32(h.neuronCount)
            w.u64(h.networkHash)
            w.u64(h.tick)
            w.text(h.name)
            w.text(h.software)
        case .welcome(let m):
            w.u64(m.startTick)
            w.u32(m.epoch)
            w.u8(m.mode.rawValue)
            w.u32(m.tickMicroseconds)
            w.u64(m.networkHash)
        case .ready(let r):
            w.u64(r.tick)
            w.u16(r.upstreamReady)
            w.u16(r.upstreamTotal)
        case .command(let c):
            try checkCommand(verb: c.verb, argument: c.argument)
            w.u8(c.verb.rawValue)
            w.u64(c.argument)
        case .commandReply(let r):
            try checkText(r.message, "message")
            w.u8(r.verb.rawValue)
            w.u8(r.state.rawValue)
            w.u64(r.tick)
            w.u64(r.targetTick)
            w.text(r.message)
        case .statusRequest, .taskRequest:
            break
        case .taskReply(let t):
            for v in [t.trials, t.decided, t.trainTrials, t.trainCorrect, t.testTrials, t.testCorrect] { w.u32(v) }
        case .statusReply(let s):
            guard s.rows.count <= WireFormat.maxStatusRows else {
                throw WireError(.badValue, "status_reply: \(s.rows.count) rows, the limit is \(WireFormat.maxStatusRows)")
            }
            w.u8(s.state.rawValue)
            w.u64(s.tick)
            w.u16(UInt16(s.rows.count))
            for row in s.rows {
                try checkText(row.name, "name")
                w.u16(UInt16(78 + row.name.utf8.count))
                w.u16(row.pool)
                w.u8(row.state.rawValue)
                w.u8(row.alive ? 1 : 0)
                w.u64(row.tick)
                w.u32(row.neuronCount)
                w.u32(row.heartbeatAgeMilliseconds)
                writeCounters(row.counters, into: &w)
                w.text(row.name)
            }
        case .snapshotRequest(let c), .snapshotMarker(let c):
            guard c.snapshot != 0 else { throw WireError(.badValue, "\(kind.name): snapshot id 0 (ids are non-zero)") }
            w.u64(c.snapshot)
            w.u64(c.parent)
            w.u64(c.tick)
        case .snapshotAnnounce(let a):
            guard (1...UInt32(WireFormat.maxChunk)).contains(a.chunkSize) else {
                throw WireError(.badValue, "snapshot_announce: chunk_size \(a.chunkSize) outside 1…\(WireFormat.maxChunk)")
            }
            w.u64(a.snapshot)
            w.u16(a.pool)
            w.u64(a.tick)
            w.u64(a.size)
            w.u32(a.crc)
            w.u32(a.chunkSize)
        case .snapshotChunk(let c):
            guard !c.data.isEmpty else { throw WireError(.badValue, "snapshot_chunk: no data") }
            guard c.data.count <= WireFormat.maxChunk else {
                throw WireError(.oversized, "snapshot_chunk: \(c.data.count) bytes of data, the limit is \(WireFormat.maxChunk)")
            }
            w.u64(c.snapshot)
            w.u16(c.pool)
            w.u64(c.offset)
            w.raw(c.data)
        case .snapshotAck(let a):
            w.u64(a.snapshot)
            w.u16(a.pool)
            w.u64(a.received)
            w.u32(a.credit)
            w.u8(a.status.rawValue)
        case .error(let e):
            try checkText(e.message, "message")
            w.u16(e.code.rawValue)
            w.u8(e.aboutKind)
            w.u32(e.aboutSequence)
            w.text(e.message)
        }
    }

    private func writeCounters(_ c: TrafficCounters, into w: inout WireWriter) {
        w.u64(c.spikes)
        w.u64(c.packetsOut)
        w.u64(c.packetsIn)
        w.u64(c.bytesOut)
        w.u64(c.bytesIn)
        w.u64(c.late)
        w.u64(c.lost)
    }

    private func checkText(_ text: String, _ field: String) throws(WireError) {
        guard text.utf8.count <= WireFormat.maxText else {
            throw WireError(.badText, "\(kind.name): '\(field)' is \(text.utf8.count) bytes, the limit is \(WireFormat.maxText)")
        }
    }
}

/// `run` takes any count, `step` at least one tick, the other verbs none.
func checkCommand(verb: CommandVerb, argument: UInt64) throws(WireError) {
    switch verb {
    case .run:
        return
    case .step:
        guard argument == 0 else { return }
        throw WireError(.badValue, "command: step needs an argument of at least 1 tick")
    case .pause, .resume, .stop:
        guard argument != 0 else { return }
        throw WireError(.badValue, "command: \(verb.name) takes no argument, got \(argument)")
    }
}

extension WireMessage {
    /// Reads a payload of `kind` written with minor version `minor`. Bytes after the last
    /// known field are an error unless `minor` is newer than ours.
    static func read(kind: WireKind, payload: UnsafeRawBufferPointer, minor: UInt8) throws(WireError) -> WireMessage {
        var r = WireReader(payload)
        let message: WireMessage
        switch kind {
        case .spikeBatch:
            message = .spikeBatch(try readBatch(&r))
        case .stimulus:
            let target = try r.u16("target_pool")
            let drive = try r.i16("drive")
            message = .stimulus(Stimulus(targetPool: target, drive: drive, batch: try readBatch(&r)))
        case .modulators:
            let tick = try r.u64("tick")
            let modeByte = try r.u8("mode")
            guard let mode = Modulators.Mode(rawValue: modeByte) else {
                throw WireError(.badValue, "modulators: mode \(modeByte) (0 at_tick, 1 on_arrival)")
            }
            let count = Int(try r.u8("count"))
            guard count <= WireFormat.maxModulators else {
                throw WireError(.badValue, "modulators: count \(count), the limit is \(WireFormat.maxModulators)")
            }
            var levels: [(id: UInt8, level: UInt8)] = []
            levels.reserveCapacity(count)
            for _ in 0..<count {
                let id = try r.u8("id")
                let level = try r.u8("level")
                if let last = levels.last, id <= last.id {
                    throw WireError(.badValue, "modulators: id \(id) follows \(last.id); ids must be strictly increasing")
                }
                levels.append((id, level))
            }
            message = .modulators(Modulators(tick: tick, mode: mode, levels: levels))
        case .permit:
            message = .permit(Permit(until: try r.u64("until"), epoch: try r.u32("epoch")))
        case .heartbeat:
            let state = try readState(&r)
            let tick = try r.u64("tick")
            let uptime = try r.u64("uptime_us")
            let counters = try readCounters(&r)
            let overruns = try r.u64("overruns")
            message = .heartbeat(Heartbeat(state: state, tick: tick, uptimeMicroseconds: uptime, counters: counters, overruns: overruns))
        case .hello:
            let roleByte = try r.u8("role")
            guard let role = PeerRole(rawValue: roleByte) else {
                throw WireError(.badValue, "hello: role \(roleByte) (1…6)")
            }
            message = .hello(Hello(
                role: role, pool: try r.u16("pool"), neuronCount: try r.u32("neuron_count"),
                networkHash: try r.u64("network_hash"), tick: try r.u64("tick"),
                name: try r.text("name"), software: try r.text("software")))
        case .welcome:
            let start = try r.u64("start_tick")
            let epoch = try r.u32("epoch")
            let modeByte = try r.u8("mode")
            guard let mode = RunMode(rawValue: modeByte) else {
                throw WireError(.badValue, "welcome: mode \(modeByte) (0 lockstep, 1 realtime)")
            }
            message = .welcome(Welcome(startTick: start, epoch: epoch, mode: mode, tickMicroseconds: try r.u32("tick_us"), networkHash: try r.u64("network_hash")))
        case .ready:
            message = .ready(Ready(tick: try r.u64("tick"), upstreamReady: try r.u16("upstream_ready"), upstreamTotal: try r.u16("upstream_total")))
        case .command:
            let verb = try readVerb(&r)
            let argument = try r.u64("argument")
            try checkCommand(verb: verb, argument: argument)
            message = .command(Command(verb: verb, argument: argument))
        case .commandReply:
            let verb = try readVerb(&r)
            message = .commandReply(CommandReply(verb: verb, state: try readState(&r), tick: try r.u64("tick"), targetTick: try r.u64("target_tick"), message: try r.text("message")))
        case .statusRequest:
            message = .statusRequest
        case .taskRequest:
            message = .taskRequest
        case .taskReply:
            message = .taskReply(TaskProgress(trials: try r.u32("trials"), decided: try r.u32("decided"),
                                              trainTrials: try r.u32("train_trials"), trainCorrect: try r.u32("train_correct"),
                                              testTrials: try r.u32("test_trials"), testCorrect: try r.u32("test_correct")))
        case .statusReply:
            let state = try readState(&r)
            let tick = try r.u64("tick")
            let count = Int(try r.u16("row_count"))
            guard count <= WireFormat.maxStatusRows else {
                throw WireError(.badValue, "status_reply: row_count \(count), the limit is \(WireFormat.maxStatusRows)")
            }
            var rows: [PoolStatus] = []
            for _ in 0..<count {
                let length = Int(try r.u16("row_length"))
                var row = WireReader(try r.bytes(length, "row"))
                let pool = try row.u16("pool")
                let rowState = try readState(&row)
                let aliveByte = try row.u8("alive")
                guard aliveByte <= 1 else { throw WireError(.badValue, "status_reply: alive \(aliveByte) (0 or 1)") }
                rows.append(PoolStatus(
                    pool: pool, state: rowState, alive: aliveByte == 1, tick: try row.u64("tick"),
                    neuronCount: try row.u32("neuron_count"), heartbeatAgeMilliseconds: try row.u32("heartbeat_age_ms"),
                    counters: try readCounters(&row), name: try row.text("name")))
                try row.finish("a status row", minor: minor)
            }
            message = .statusReply(StatusReply(state: state, tick: tick, rows: rows))
        case .snapshotRequest, .snapshotMarker:
            let snapshot = try r.u64("snapshot")
            guard snapshot != 0 else { throw WireError(.badValue, "\(kind.name): snapshot id 0 (ids are non-zero)") }
            let cut = SnapshotCut(snapshot: snapshot, parent: try r.u64("parent"), tick: try r.u64("tick"))
            message = kind == .snapshotRequest ? .snapshotRequest(cut) : .snapshotMarker(cut)
        case .snapshotAnnounce:
            let a = SnapshotAnnounce(snapshot: try r.u64("snapshot"), pool: try r.u16("pool"), tick: try r.u64("tick"), size: try r.u64("size"), crc: try r.u32("crc"), chunkSize: try r.u32("chunk_size"))
            guard (1...UInt32(WireFormat.maxChunk)).contains(a.chunkSize) else {
                throw WireError(.badValue, "snapshot_announce: chunk_size \(a.chunkSize) outside 1…\(WireFormat.maxChunk)")
            }
            message = .snapshotAnnounce(a)
        case .snapshotChunk:
            let snapshot = try r.u64("snapshot")
            let pool = try r.u16("pool")
            let offset = try r.u64("offset")
            guard r.remaining > 0 else { throw WireError(.badValue, "snapshot_chunk: no data") }
            guard r.remaining <= WireFormat.maxChunk else {
                throw WireError(.oversized, "snapshot_chunk: \(r.remaining) bytes of data, the limit is \(WireFormat.maxChunk)")
            }
            let data = Array(try r.bytes(r.remaining, "data"))
            message = .snapshotChunk(SnapshotChunk(snapshot: snapshot, pool: pool, offset: offset, data: data))
        case .snapshotAck:
            let snapshot = try r.u64("snapshot")
            let pool = try r.u16("pool")
            let received = try r.u64("received")
            let credit = try r.u32("credit")
            let statusByte = try r.u8("status")
            guard let status = SnapshotAck.Status(rawValue: statusByte) else {
                throw WireError(.badValue, "snapshot_ack: status \(statusByte) (0…3)")
            }
            message = .snapshotAck(SnapshotAck(snapshot: snapshot, pool: pool, received: received, credit: credit, status: status))
        case .error:
            message = .error(ErrorReply(code: WireError.Code(rawValue: try r.u16("code")), aboutKind: try r.u8("about_kind"), aboutSequence: try r.u32("about_sequence"), message: try r.text("message")))
        }
        try r.finish("the \(kind.name) payload", minor: minor)
        return message
    }

    /// The fixed fields and spike sets of a `SPIKE_BATCH` payload (also inside `STIMULUS`).
    static func readBatch(_ r: inout WireReader) throws(WireError) -> SpikeBatch {
        var batch = SpikeBatch(firstTick: 0, neuronCount: 1)
        try readBatch(&r, into: &batch)
        return batch
    }

    static func readBatch(_ r: inout WireReader, into batch: inout SpikeBatch) throws(WireError) {
        let firstTick = try r.u64("first_tick")
        let tickCount = Int(try r.u16("tick_count"))
        let neuronCount = Int(try r.u32("neuron_count"))
        guard (1...WireFormat.maxTicksPerBatch).contains(tickCount) else {
            throw WireError(.badValue, "tick_count \(tickCount) outside 1…\(WireFormat.maxTicksPerBatch)")
        }
        guard firstTick <= UInt64.max - UInt64(tickCount - 1) else {
            throw WireError(.badValue, "first_tick \(firstTick) + tick_count \(tickCount) − 1 passes 2^64 − 1")
        }
        guard (1...WireFormat.maxNeurons).contains(neuronCount) else {
            throw WireError(.badValue, "neuron_count \(neuronCount) outside 1…\(WireFormat.maxNeurons)")
        }
        batch.removeAll(firstTick: firstTick, neuronCount: neuronCount)
        for tick in 0..<tickCount {
            try SpikeSetCoder.read(&r, into: &batch, tick: tick)
        }
    }

    private static func readState(_ r: inout WireReader) throws(WireError) -> NodeState {
        let byte = try r.u8("state")
        guard let state = NodeState(rawValue: byte) else { throw WireError(.badValue, "state \(byte) (0…6)") }
        return state
    }

    private static func readVerb(_ r: inout WireReader) throws(WireError) -> CommandVerb {
        let byte = try r.u8("verb")
        guard let verb = CommandVerb(rawValue: byte) else { throw WireError(.badValue, "verb \(byte) (1…5)") }
        return verb
    }

    private static func readCounters(_ r: inout WireReader) throws(WireError) -> TrafficCounters {
        var c = TrafficCounters()
        c.spikes = try r.u64("spikes")
        c.packetsOut = try r.u64("packets_out")
        c.packetsIn = try r.u64("packets_in")
        c.bytesOut = try r.u64("bytes_out")
        c.bytesIn = try r.u64("bytes_in")
        c.late = try r.u64("late")
        c.lost = try r.u64("lost")
        return c
    }
}
