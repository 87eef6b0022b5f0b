import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

extension Controller {
    /// Handles every request waiting on the ROUTER: node messages (`[id, frame]`) and client
    /// requests (`[id, "", frame]`).
    func drainRouter() throws(NodeError) {
        while true {
            let received: (frames: [[UInt8]], user: String?)?
            do { received = try router.receiveMultipartFromUser(dontWait: true) } catch { throw .transport(error) }
            guard let (frames, peer) = received else { break }
            // On an authenticated bus a message without a user id is refused, not trusted.
            let user = options.security == nil ? nil : peer ?? ""
            guard frames.count >= 2, let body = frames.last else { continue }
            let identity = frames[0]
            let isClient = frames.count == 3 && frames[1].isEmpty
            let envelope: WireEnvelope
            do { envelope = try WireDecoder.decode(body) } catch {
                log.warning("undecodable request from \(String(decoding: identity, as: UTF8.self)): \(error)")
                let reply = ErrorReply(code: error.code, aboutKind: body.count > 4 ? body[4] : 0, aboutSequence: 0, message: "\(error)")
                try? sender.send(.error(reply), envelope: isClient ? [identity, []] : [identity], stream: identity, on: router)
                continue
            }
            // A routing id is the peer's own claim; the key is proof. (libzmq's ZAP request
            // carries the server's routing id, not the client's, so this check happens here.)
            guard isClient || BusSecurity.mayUse(identity: identity, user: user) else {
                log.warning("refused a message as \(String(decoding: identity.prefix(64), as: UTF8.self)) from the key of \(user ?? "?")")
                continue
            }
            if isClient {
                guard BusSecurity.mayRequest(envelope.message, user: user) else {
                    let text = "the key of \(user ?? "?") may not make \(envelope.message.kind) requests: an operator key may"
                    log.warning("refused: \(text)")
                    try sender.send(.error(ErrorReply(code: .refused, aboutKind: envelope.message.kind.rawValue, aboutSequence: envelope.sequence, message: text)),
                                    envelope: [identity, []], stream: identity, on: router)
                    continue
                }
                let reply = handleClient(envelope)
                try sender.send(reply, envelope: [identity, []], stream: identity, on: router)
            } else if let k = pools.firstIndex(where: { $0.identity == identity }) {
                // A message is a sign of life too (only once heard on our SUB: that first
                // heartbeat is the proof the start-up waits for).
                if pools[k].heard != nil { pools[k].heard = monotonicMicroseconds() }
                try handleNode(k, envelope)
            } else if identity.starts(with: Self.replicaPrefix) {
                try handleReplica(identity, envelope)
            } else if identity.starts(with: Self.recorderPrefix) {
                try handleRecorder(identity, envelope)
            } else {
                log.warning("message from unknown peer \(String(decoding: identity, as: UTF8.self))")
            }
        }
    }

    private func handleNode(_ k: Int, _ envelope: WireEnvelope) throws(NodeError) {
        switch envelope.message {
        case .hello(let hello):
            let network = options.network
            guard hello.networkHash == network.hash else {
                let message = "pool \(pools[k].name) runs network hash \(hex(hello.networkHash)), the controller \(hex(network.hash)): use the same network file"
                try sendToNode(k, .error(ErrorReply(code: .networkMismatch, aboutKind: WireKind.hello.rawValue, aboutSequence: envelope.sequence, message: message)))
                log.error("\(message)")
                return
            }
            if let takeover = pools[k].takeover, !pools[k].joined {
                guard Int(hello.pool) == k, Int(hello.neuronCount) == pools[k].neurons, hello.tick == takeover.from else {
                    let message = "the replica of pool \(pools[k].name) says it is pool \(hello.pool) with \(hello.neuronCount) neurons at tick \(hello.tick); expected tick \(takeover.from)"
                    try sendToNode(k, .error(ErrorReply(code: .refused, aboutKind: WireKind.hello.rawValue, aboutSequence: envelope.sequence, message: message)))
                    return
                }
                pools[k].joined = true
                let at = takeoverJoined(k)
                try sendToNode(k, .welcome(Welcome(startTick: at, epoch: epoch, mode: .realtime, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash)))
                log.info("pool \(pools[k].name): its replica joined; it restarts at tick \(at)")
                return
            }
            guard Int(hello.pool) == k, Int(hello.neuronCount) == pools[k].neurons, hello.tick == joinTick else {
                let message = "pool \(pools[k].name) says it is pool \(hello.pool) with \(hello.neuronCount) neurons at tick \(hello.tick); the controller expects pool \(k) with \(pools[k].neurons) neurons at tick \(joinTick)\(startTick > 0 ? " (restored snapshot: start every node with the same --restore)" : "")"
                try sendToNode(k, .error(ErrorReply(code: .refused, aboutKind: WireKind.hello.rawValue, aboutSequence: envelope.sequence, message: message)))
                return
            }
            guard phase == .starting, !pools[k].joined else {
                let message = "pool \(pools[k].name) has already joined; a replacement joins only through failover (a replica promoted by the controller, `node --replica`)"
                try sendToNode(k, .error(ErrorReply(code: .refused, aboutKind: WireKind.hello.rawValue, aboutSequence: envelope.sequence, message: message)))
                return
            }
            pools[k].joined = true
            let mode: RunMode = network.mode == .lockstep ? .lockstep : .realtime
            try sendToNode(k, .welcome(Welcome(startTick: joinTick, epoch: epoch, mode: mode, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash)))
            log.info("pool \(pools[k].name) joined")
        case .ready:
            pools[k].ready = true
            log.info("pool \(pools[k].name) ready\(epoch > 0 ? " in epoch \(epoch)" : "")")
            try takeoverReady(k)
        case .commandReply(let reply) where reply.verb == .stop:
            pools[k].stopped = true
            log.info("\(reply.message)")
        case .error(let reply):
            throw .peerLost("pool \(pools[k].name) failed: \(reply.message)")
        case .snapshotAnnounce(let announce):
            try snapshotAnnounced(k, announce)
        case .snapshotChunk(let chunk):
            try snapshotChunk(k, chunk)
        default:
            break
        }
    }

    static let recorderPrefix = Array("recorder/".utf8)

    /// A recorder joining: HELLO (same network file) → WELCOME, then READY once it has heard
    /// every pool it records. It never affects the run beyond holding the clock while it joins.
    private func handleRecorder(_ identity: [UInt8], _ envelope: WireEnvelope) throws(NodeError) {
        let name = String(decoding: identity.dropFirst(Self.recorderPrefix.count), as: UTF8.self)
        func send(_ message: WireMessage) throws(NodeError) {
            try sender.send(message, envelope: [identity], stream: identity, on: router)
        }
        switch envelope.message {
        case .hello(let hello):
            let network = options.network
            guard hello.networkHash == network.hash else {
                let message = "recorder \(name) runs network hash \(hex(hello.networkHash)), the controller \(hex(network.hash)): use the same network file"
                try send(.error(ErrorReply(code: .networkMismatch, aboutKind: WireKind.hello.rawValue, aboutSequence: envelope.sequence, message: message)))
                log.error("\(message)")
                return
            }
            guard phase != .stopping, phase != .done else {
                try send(.error(ErrorReply(code: .notRunning, aboutKind: WireKind.hello.rawValue, aboutSequence: envelope.sequence, message: "the network is stopping")))
                return
            }
            if let i = recorders.firstIndex(where: { $0.identity == identity }) { recorders.remove(at: i) }
            recorders.append((identity, name, false, monotonicMicroseconds()))
            let mode: RunMode = network.mode == .lockstep ? .lockstep : .realtime
            try send(.welcome(Welcome(startTick: until, epoch: 0, mode: mode, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash)))
            log.info("recorder \(name) joined at permit \(until)")
        case .ready:
            guard let i = recorders.firstIndex(where: { $0.identity == identity }) else { return }
            recorders[i].ready = true
            log.info("recorder \(name) ready")
        default:
            break
        }
    }

    /// Answers one client request (`neurobus ctl`).
    func handleClient(_ envelope: WireEnvelope) -> WireMessage {
        func refuse(_ code: WireError.Code, _ text: String) -> WireMessage {
            .error(ErrorReply(code: code, aboutKind: envelope.message.kind.rawValue, aboutSequence: envelope.sequence, message: text))
        }
        switch envelope.message {
        case .command(let command):
            do throws(NodeError) {
                return try handleCommand(command)
            } catch {
                return refuse(.internal, "\(error)")
            }
        case .modulators(let m):
            guard phase != .stopping, phase != .done else { return refuse(.notRunning, "the network is stopping") }
            let tick: UInt64
            if realtime {
                // Real time: every node applies it on arrival.
                do throws(NodeError) { try publishModulation(wire: m.levels, at: networkTick, onArrival: true) } catch {
                    return refuse(.internal, "\(error)")
                }
                return .modulators(Modulators(tick: networkTick, mode: .onArrival, levels: m.levels))
            } else if m.mode == .atTick, m.tick != 0 {
                guard m.tick >= until else {
                    return refuse(.refused, "tick \(m.tick) is already permitted (pools may be past it); the earliest tick is \(until)")
                }
                tick = m.tick
            } else {
                tick = until
            }
            do throws(NodeError) {
                try publishModulation(wire: m.levels, at: tick)
            } catch {
                return refuse(.internal, "\(error)")
            }
            return .modulators(Modulators(tick: tick, mode: .atTick, levels: m.levels))
        case .hello(let hello) where hello.role == .ctl:
            // A client naming the network it means: refused, naming both, if it is another.
            let network = options.network
            guard hello.networkHash == network.hash else {
                return refuse(.networkMismatch, "this controller runs network \"\(network.name)\" (hash \(hex(network.hash))); the request is for network \"\(hello.name)\" (hash \(hex(hello.networkHash)))")
            }
            return .welcome(Welcome(startTick: until, epoch: epoch, mode: realtime ? .realtime : .lockstep,
                                    tickMicroseconds: network.tickMicroseconds, networkHash: network.hash))
        case .statusRequest:
            return .statusReply(status())
        case .taskRequest:
            return .taskReply(taskProgress)
        case .snapshotRequest(let cut):
            do throws(NodeError) {
                return .snapshotRequest(try requestSnapshot(at: cut.tick))
            } catch {
                return refuse(.refused, "\(error)")
            }
        default:
            return refuse(.refused, "the controller does not serve \(envelope.message.kind) requests")
        }
    }

    private func handleCommand(_ command: Command) throws(NodeError) -> WireMessage {
        // Once a stop is under way, the run's end is fixed: run, step, pause and resume change nothing.
        if command.verb == .stop {
            try stopAtCommonTick(reason: "ctl stop")
        } else {
            _ = clock.command(command.verb, argument: command.argument)
        }
        let text = switch phase {
        case .starting: "waiting for pools: \(pools.filter { !$0.ready }.map(\.name).joined(separator: ", "))"
        case .running: stoppingAt != nil ? "stopping every pool at tick \(target)" : target == .max ? "running until stopped" : "running to tick \(target)"
        case .ready: "ready at tick \(networkTick); waiting for `ctl run`"
        case .paused: "paused at tick \(networkTick)"
        case .stopping, .done: "stopping"
        }
        return .commandReply(CommandReply(verb: command.verb, state: state, tick: networkTick, targetTick: target, message: text))
    }

    /// One row per pool from its last heartbeat.
    func status() -> StatusReply {
        let now = monotonicMicroseconds()
        let limit = UInt64(options.peerTimeoutMilliseconds) * 1000
        let rows = pools.indices.map { k in
            let p = pools[k]
            let age = p.heard.map { (now - $0) / 1000 } ?? UInt64(UInt32.max)
            return PoolStatus(pool: UInt16(k), state: p.beat?.state ?? .starting, alive: p.heard.map { now - $0 <= limit } ?? false,
                              tick: p.tick, neuronCount: UInt32(p.neurons), heartbeatAgeMilliseconds: UInt32(min(age, UInt64(UInt32.max))),
                              counters: p.beat?.counters ?? TrafficCounters(), name: p.name)
        }
        return StatusReply(state: state, tick: networkTick, rows: rows)
    }

    /// Heartbeats of every node and spikes of rewarded pools.
    func drainSubscriptions() throws(NodeError) {
        var frame = PubSubMessage()
        while true {
            guard try frame.receive(from: sub, dontWait: true) else { break }
            guard frame.isWellFormed else { continue }
            let now = monotonicMicroseconds()
            if let k = pools.firstIndex(where: { p in frame.hasTopic(p.feed.heartbeatTopic) }) {
                let envelope: WireEnvelope
                do { envelope = try frame.withFrame { (raw) throws(WireError) in try WireDecoder.decode(raw) } } catch {
                    throw .wire("hb/\(pools[k].name)/", error)
                }
                // Rolling back: a running heartbeat is from the abandoned epoch.
                let abandoned: Bool
                if case .heartbeat(let beat) = envelope.message {
                    abandoned = phase == .starting && epoch > 0 && !pools[k].ready && beat.state == .running
                } else { abandoned = false }
                if let beat = pools[k].feed.acceptHeartbeat(envelope, now: now, counts: !abandoned) {
                    pools[k].beat = beat
                    if beat.state == .failed { throw .peerLost("pool \(pools[k].name) has failed") }
                }
            } else if let k = pools.firstIndex(where: { p in frame.hasTopic(p.feed.spikeTopic) }) {
                if frame.isMarker {
                    let envelope: WireEnvelope
                    do { envelope = try frame.withFrame { (raw) throws(WireError) in try WireDecoder.decode(raw) } } catch {
                        throw .wire("spk/\(pools[k].name)/", error)
                    }
                    _ = pools[k].feed.acceptMarker(envelope, epoch: epoch, realtime: realtime, now: now)
                    continue
                }
                // Real time: a replica that took over and has joined (its start tick known)
                // stands for its marker if that was missed; lockstep waits for the marker.
                let replicaJoined = realtime && (pools[k].takeover == nil || pools[k].takeover?.at != nil)
                if pools[k].feed.awaitingMarker, !replicaJoined { continue }
                let header: WireHeader
                do { header = try frame.withFrame { (raw) throws(WireError) in try WireDecoder.decodeSpikeBatch(raw, into: &scratch) } } catch {
                    throw .wire("spk/\(pools[k].name)/", error)
                }
                switch try pools[k].feed.acceptBatch(sequence: header.sequence, firstTick: scratch.firstTick, tickCount: scratch.tickCount,
                                                     realtime: realtime, now: now, markerMissable: replicaJoined) {
                case .take(let silentFrom, let takenOver):
                    if takenOver { log.notice("pool \(pools[k].name)'s replica: its spikes resume at tick \(scratch.firstTick) (its marker not seen)") }
                    // Real time: lost ticks count as silent for the reward windows.
                    if let silentFrom {
                        for t in silentFrom ..< scratch.firstTick { rewards.observe(pool: k, tick: t, spikes: EmptyCollection()) }
                    }
                case .late, .drop:
                    continue
                }
                for i in 0 ..< scratch.tickCount {
                    rewards.observe(pool: k, tick: scratch.firstTick + UInt64(i), spikes: scratch.spikes(inTick: i))
                }
                // Real time applies a reward on arrival, but a pairing reward at its tick (still
                // a delay ahead; a node past it applies it on arrival).
                for (tick, levels, distal) in rewards.release() { try publishModulation(levels, at: tick, onArrival: realtime && !distal) }
                let decided = rewards.takeTrials()
                if !decided.isEmpty {
                    score.add(decided)
                    try trials?.record(decided)
                }
            }
        }
    }
}
