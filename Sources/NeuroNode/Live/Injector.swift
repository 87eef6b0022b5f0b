#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// Settings of `neurobus inject`.
public struct InjectorOptions: Sendable {
    public var network: NetworkDescription
    /// Index of the source in `network.sources`.
    public var source: Int
    /// A spike file (CSV or .npy) or `-` for standard input.
    public var input: String
    /// The input's format; nil: from the extension (or sniffed).
    public var format: SpikeFileFormat?
    public var heartbeatMilliseconds = 100
    /// The target node silent this long (after it was heard) ends the injector with an error.
    public var peerTimeoutMilliseconds = 2000
    /// Lockstep: how many ticks the injector may send ahead of the target node. Each message
    /// covers at least one tick, so this bounds the messages queued far below the high-water
    /// mark (nothing is ever dropped).
    public var maxLeadTicks: UInt64 = 50_000
    public var highWaterMark: Int32 = 100_000
    /// The tick the stream starts at (a restored run's); earlier input is skipped.
    public var startTick: UInt64 = 0
    /// The injector's CURVE identity, `source/NAME` (nil: the bus is not authenticated).
    public var security: BusSecurity?
    /// The ZeroMQ context to open the sockets in (nil: one of its own; shared: `inproc://`).
    public var context: ZMQContext?

    public init(network: NetworkDescription, source: Int, input: String, format: SpikeFileFormat? = nil) {
        self.network = network
        self.source = source
        self.input = input
        self.format = format
    }
}

/// What an injector sent.
public struct InjectorSummary: Sendable {
    /// Spikes sent (after merging repeats within a tick), messages and their bytes.
    public var spikes: UInt64 = 0
    public var messages: UInt64 = 0
    public var bytes: UInt64 = 0
    /// Lockstep: one past the last tick sent (the stream's end).
    public var endTick: UInt64 = 0
}

/// `neurobus inject`: streams a spike file into a pool through the bus.
///
/// Binds an XPUB at the source's endpoint and publishes `STIMULUS` on `stim/POOL/` and
/// heartbeats on `hb/SOURCE/`; a SUB hears the target node's heartbeats (its tick, whether it
/// stopped). Nothing is sent before the node's subscription is seen on the XPUB, so nothing
/// is lost to a slow joiner. In lockstep every tick from 0 is covered (empty ticks too, up
/// to 1024 per batch), the stream ends with a heartbeat whose state is `stopped` and whose
/// tick is the end, and the injector waits for the node to reach that tick before it exits.
/// In real time each input tick is sent when the node's clock (estimated from its heartbeats)
/// reaches it, and the node applies it on arrival: at that tick plus the transit time. One thread owns everything.
public final class Injector {
    let options: InjectorOptions
    let spec: SourceSpec
    let pool: PoolSpec
    var log: Logger
    let context: ZMQContext
    let xpub: ZMQSocket
    let sub: ZMQSocket
    /// Admits allow-listed keys to the XPUB (nil without authentication).
    var zap: ZAPHandler?
    var sender: MessageSender
    let stimulusTopic: [UInt8]
    let heartbeatTopic: [UInt8]
    let nodeHeartbeatTopic: [UInt8]
    let realtime: Bool
    let started = monotonicMicroseconds()
    var summary = InjectorSummary()
    var state = NodeState.starting

    /// Input: the file descriptor, its parser, events parsed but not yet sent.
    var fd: Int32 = -1
    var parser: SpikeEventParser
    var queued: [SpikeEvent] = []
    var queueHead = 0
    var inputEnded = false
    var eventNumber = 0
    var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    /// Lockstep: the batch being filled (ticks from `batch.firstTick`), the tick whose ids are
    /// being gathered, and its ids.
    var batch: SpikeBatch
    var openTick: UInt64?
    var tickIds: [UInt16] = []

    /// The node: subscribed (seen on the XPUB), its last heartbeat.
    var subscribed = false
    var nodeTick: UInt64 = 0
    var nodeHeard: UInt64?
    var nodeStopped = false
    var nodeSequence = SequenceCheck()
    var lastHeartbeatAt: UInt64 = 0
    var pollers: (sockets: ZMQPoller, withInput: ZMQPoller)?
    /// Real time: the wall-clock time of the node's tick 0, from its last running heartbeat.
    var epoch: UInt64?
    /// Lockstep failover: the batches sent since the third-newest snapshot cut seen on the
    /// controller's `clk/` (nodes keep their last three parts, so no rollback goes further
    /// back), and the rollback waiting to be served.
    var history = Replay()

    public init(options: InjectorOptions, logger: Logger) throws(NodeError) {
        self.options = options
        let network = options.network
        spec = network.sources[options.source]
        pool = network.pools[spec.pool]
        // Before anything is opened: resolving a named host may fail.
        let bindAt = try NetworkEndpoints.bindAddress(spec.endpoint)
        log = logger
        realtime = network.mode == .realtime
        stimulusTopic = Topic.stimulus(pool.name)
        heartbeatTopic = Topic.heartbeat(spec.name)
        nodeHeartbeatTopic = Topic.heartbeat(pool.name)
        sender = MessageSender(source: SourceID.injector, spikePolicy: network.spikeEncoding)
        batch = SpikeBatch(firstTick: options.startTick, neuronCount: pool.neurons)
        summary.endTick = options.startTick
        let name = options.input == "-" ? "<stdin>" : options.input
        let format = options.format ?? SpikeFileFormat(path: options.input) ?? .csv
        parser = SpikeEventParser(format: format, file: name)
        if options.input == "-" {
            fd = 0
        } else {
            fd = open(options.input, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .io("cannot open \(options.input): \(String(cString: strerror(errno)))") }
        }
        do {
            if let shared = options.context { context = shared } else { context = try ZMQContext() }
            xpub = try ZMQSocket(context, .xpub)
            sub = try ZMQSocket(context, .sub)
        } catch { throw .transport(error) }
        do throws(ZMQError) {
            for socket in [xpub, sub] { try socket.setLinger(milliseconds: 1000) }
            try xpub.setSendHighWaterMark(options.highWaterMark)
            try sub.subscribe(nodeHeartbeatTopic)
            // The controller's clock: snapshot cuts (what to keep) and rollbacks (what to resend).
            if !realtime { try sub.subscribe(Topic.clock) }
        } catch {
            closeAll()
            throw .transport(error)
        }
        do throws(NodeError) {
            let security = options.security
            zap = try BusSecurity.bind([(xpub, bindAt)], in: context, with: security, log: log)
            try BusSecurity.connect(sub, to: pool.endpoint, server: BusPrincipal(.node, pool.name), with: security)
            if !realtime { try BusSecurity.connect(sub, to: network.controller.publish, server: BusPrincipal(.controller), with: security) }
        } catch {
            closeAll()
            throw error
        }
    }

    deinit { closeAll() }

    func closeAll() {
        for socket in [xpub, sub] where !socket.isClosed { socket.close() }
        zap?.stop()
        if fd > 0 { close(fd) }
        fd = -1
    }

    /// Runs until the input is sent and (lockstep) consumed. `shouldStop` is polled at least
    /// every 100 ms; `progress` about once a second with (ticks sent, node tick).
    public func run(shouldStop: () -> Bool, progress: ((UInt64, UInt64) -> Void)? = nil) throws(NodeError) -> InjectorSummary {
        defer { closeAll() }
        do {
            try loop(shouldStop: shouldStop, progress: progress)
        } catch {
            state = .failed
            try? heartbeat(now: monotonicMicroseconds())
            throw error
        }
        return summary
    }

    private func loop(shouldStop: () -> Bool, progress: ((UInt64, UInt64) -> Void)?) throws(NodeError) {
        log.info("source \(spec.name): waiting for pool \(pool.name) to subscribe at \(spec.endpoint)")
        var lastProgress = started
        while true {
            if shouldStop() { throw .failed("interrupted") }
            try drainSockets()
            let now = monotonicMicroseconds()
            // As nodes wait for an upstream: the controller decides first, and a failover (the
            // node rolled back or replaced) ends well within.
            if let heard = nodeHeard, !nodeStopped, now - heard > Liveness(peerTimeoutMilliseconds: options.peerTimeoutMilliseconds).fedNodeSilent {
                // Everything was sent to a pool that subscribed (and TCP keeps the order): a
                // pool that finished and left before its last heartbeat reached us is not a failure.
                if state == .stopped {
                    log.notice("pool \(pool.name) went silent after the input was sent (last heard at tick \(nodeTick))")
                    return
                }
                throw .peerLost("pool \(pool.name) has been silent for \((now - heard) / 1000) ms")
            }
            if nodeStopped, state != .stopped {
                // The run was shorter than the input: what lies beyond it is simply not used.
                log.notice("pool \(pool.name) stopped at tick \(nodeTick); input after tick \(sentThrough) was not sent")
                return
            }
            if subscribed, state == .starting {
                state = .running
                log.info("pool \(pool.name) subscribed: sending")
            }
            var wantInput = false
            if state == .running {
                wantInput = try realtime ? pumpRealtime(now: now) : pumpLockstep()
                if inputEnded, queueHead == queued.count, state == .running { try endStream() }
            }
            if !realtime, let rollback = history.pending, subscribed, rollback.nodeThere { try replay(rollback) }
            // With snapshots a failover may roll the node back past the end: stay until it stops.
            let stay = options.network.snapshotEvery != nil || history.cutsSeen
            if state == .stopped, !realtime ? (nodeTick >= summary.endTick && !stay) || nodeStopped : true {
                log.info("source \(spec.name): sent \(summary.spikes) spikes in \(summary.messages) messages; pool \(pool.name) is at tick \(nodeTick)")
                return
            }
            // Fresh: `endStream` may have sent a heartbeat after `now` was read.
            let later = monotonicMicroseconds()
            if later - lastHeartbeatAt >= UInt64(options.heartbeatMilliseconds) * 1000 { try heartbeat(now: later) }
            if let progress, later - lastProgress >= 1_000_000 {
                progress(sentThrough, nodeTick)
                lastProgress = later
            }
            try wait(forInput: wantInput && !inputEnded, now: now)
        }
    }

    /// Ticks before this one have been sent (lockstep), or the wall tick reached (real time).
    var sentThrough: UInt64 { realtime ? epoch.map { (max(monotonicMicroseconds(), $0) - $0) / UInt64(options.network.tickMicroseconds) } ?? 0 : batch.firstTick }

    /// Blocks until a socket or the input is readable, or the next heartbeat or real-time
    /// tick is due — never longer than 100 ms.
    private func wait(forInput: Bool, now: UInt64) throws(NodeError) {
        // Built once: the sockets alone, and with the input's descriptor.
        if pollers == nil {
            var sockets = ZMQPoller()
            sockets.add(xpub)
            sockets.add(sub)
            var withInput = sockets
            withInput.add(fileDescriptor: fd)
            pollers = (sockets, withInput)
        }
        var timeout = options.heartbeatMilliseconds
        if realtime, let epoch, queueHead < queued.count {
            let due = epoch + queued[queueHead].tick * UInt64(options.network.tickMicroseconds)
            timeout = due > now ? min(timeout, Int((due - now + 999) / 1000)) : 0
        }
        if forInput, !realtime || queued.count - queueHead < 1 { timeout = min(timeout, 100) }
        do {
            if forInput { _ = try pollers!.withInput.poll(timeoutMilliseconds: timeout) } else { _ = try pollers!.sockets.poll(timeoutMilliseconds: timeout) }
        } catch { throw .transport(error) }
    }

    /// Subscriptions on the XPUB, heartbeats of the node.
    private func drainSockets() throws(NodeError) {
        while true {
            let frame: [UInt8]?
            do { frame = try xpub.receiveBytes(dontWait: true) } catch { throw .transport(error) }
            guard let frame else { break }
            // 1 + topic: subscribe; 0 + topic: unsubscribe.
            if frame.first == 0, Array(frame.dropFirst()) == stimulusTopic {
                // Its last subscriber left (the node died): a replica will subscribe anew.
                subscribed = false
            }
            if frame.first == 1, Array(frame.dropFirst()) == stimulusTopic {
                subscribed = true
                // Its subscription is a sign of life: silence counts from here, even if none
                // of its heartbeats ever reaches us (it may finish before our SUB joins).
                if nodeHeard == nil { nodeHeard = monotonicMicroseconds() }
            }
        }
        var message = PubSubMessage()
        while true {
            guard try message.receive(from: sub, dontWait: true) else { break }
            guard message.isWellFormed else { continue }
            if message.hasTopic(Topic.clock) {
                let envelope: WireEnvelope
                do { envelope = try message.withFrame { (raw) throws(WireError) in try WireDecoder.decode(raw) } } catch { throw .wire("clk/", error) }
                history.observe(envelope.message)
                continue
            }
            guard message.hasTopic(nodeHeartbeatTopic) else { continue }
            let envelope: WireEnvelope
            do { envelope = try message.withFrame { (raw) throws(WireError) in try WireDecoder.decode(raw) } } catch { throw .wire("hb/\(pool.name)/", error) }
            if nodeSequence.accept(envelope.sequence) == nil {
                // During a rollback the pool's node may be a promoted replica: a new sender.
                guard history.pending != nil else { continue }
                nodeSequence.reset()
                _ = nodeSequence.accept(envelope.sequence)
            }
            guard case .heartbeat(let beat) = envelope.message else { continue }
            // At the snapshot's tick after the rollback: it cannot pass it without our input
            // (it may be `running` already: the restart does not wait for us).
            if var r = history.pending, beat.tick == r.tick {
                r.nodeThere = true
                history.pending = r
            }
            nodeHeard = monotonicMicroseconds()
            nodeTick = beat.tick
            if beat.state == .failed { throw .peerLost("pool \(pool.name) has failed") }
            if beat.state == .stopped { nodeStopped = true }
            // Real time follows the node's own clock: tick 0 was `tick` ticks before this beat.
            if realtime, beat.state == .running {
                epoch = nodeHeard! &- beat.tick &* UInt64(options.network.tickMicroseconds)
            }
        }
    }

    /// Reads what the input has now (never blocks: called after poll said readable, or on a
    /// regular file). Returns false at end of input.
    private func readInput() throws(NodeError) {
        let n = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR || errno == EAGAIN { return }
            throw .io("cannot read \(options.input): \(String(cString: strerror(errno)))")
        }
        if queueHead == queued.count {
            queued.removeAll(keepingCapacity: true)
            queueHead = 0
        }
        var failure: SpikeFileError?
        if n == 0 {
            do throws(SpikeFileError) { try parser.finish(into: &queued) } catch { failure = error }
            inputEnded = true
        } else {
            readBuffer.withUnsafeBytes { raw in
                do throws(SpikeFileError) { try parser.feed(UnsafeRawBufferPointer(rebasing: raw[0 ..< n]), into: &queued) } catch { failure = error }
            }
        }
        if let failure { throw .spikeFile(failure) }
    }

    /// Whether the input fd has bytes (or its end) right now.
    private func inputReadable() -> Bool {
        var item = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&item, 1, 0) > 0
    }

    /// Lockstep: turns queued events into batches as far as the lead allows, reading more input
    /// while there is some. Returns whether it wants input (so `wait` polls the fd).
    private func pumpLockstep() throws(NodeError) -> Bool {
        while true {
            while queueHead < queued.count {
                let event = queued[queueHead]
                let lead = nodeTick &+ options.maxLeadTicks
                guard event.tick < lead else {
                    // The next event is beyond the lead: the ticks before it are known to be
                    // empty, so send them as far as the lead allows, or the node would wait for
                    // them while this waits for the node.
                    if let open = openTick { try closeTick(open) }
                    while batch.firstTick &+ UInt64(batch.tickCount) < lead { try appendTick(empty: true) }
                    if batch.tickCount > 0 { try flush() }
                    return false
                }
                try InjectionSchedule.check(event, number: eventNumber, source: spec, file: options.input)
                if event.tick < options.startTick {
                    // Before the restored run's start: already part of the snapshot.
                    queueHead += 1
                    eventNumber += 1
                    continue
                }
                if let open = openTick, event.tick != open {
                    guard event.tick > open else {
                        throw .failed("\(options.input): event \(eventNumber) (tick \(event.tick)) comes after tick \(open): ticks must not decrease")
                    }
                    try closeTick(open)
                    while batch.firstTick + UInt64(batch.tickCount) < event.tick { try appendTick(empty: true) }
                } else if openTick == nil {
                    while batch.firstTick + UInt64(batch.tickCount) < event.tick { try appendTick(empty: true) }
                }
                openTick = event.tick
                tickIds.append(event.neuron)
                queueHead += 1
                eventNumber += 1
            }
            if inputEnded { return false }
            guard inputReadable() else {
                // Idle input (a pipe): send the complete ticks so far, so the node can go on.
                if batch.tickCount > 0 { try flush() }
                return true
            }
            try readInput()
        }
    }

    private func closeTick(_ tick: UInt64) throws(NodeError) {
        try appendTick(empty: false)
        openTick = nil
    }

    /// Appends the gathered tick (or an empty one) to the batch; sends it when full.
    private func appendTick(empty: Bool) throws(NodeError) {
        if empty {
            batch.appendTick(EmptyCollection<UInt16>())
        } else {
            sortUnique(&tickIds)
            batch.appendTick(tickIds)
            summary.spikes &+= UInt64(tickIds.count)
            tickIds.removeAll(keepingCapacity: true)
        }
        if batch.tickCount >= WireFormat.maxTicksPerBatch { try flush() }
    }

    private func flush() throws(NodeError) {
        let stimulus = Stimulus(targetPool: UInt16(spec.pool), drive: spec.drive, batch: batch)
        try sender.publish(.stimulus(stimulus), topic: stimulusTopic, on: xpub)
        if !realtime { history.keep(batch) }
        summary.messages = sender.packets
        summary.bytes = sender.bytes
        batch.removeAll(firstTick: batch.firstTick + UInt64(batch.tickCount), neuronCount: pool.neurons)
    }

    /// Real time: sends every queued event whose tick the wall clock has reached, as one
    /// message per tick (the node applies it on arrival). Keeps at most 65,536 events queued.
    private func pumpRealtime(now: UInt64) throws(NodeError) -> Bool {
        guard let epoch else { return false }
        let wallTick = now > epoch ? (now - epoch) / UInt64(options.network.tickMicroseconds) : 0
        while true {
            while queueHead < queued.count, queued[queueHead].tick <= wallTick {
                let tick = queued[queueHead].tick
                while queueHead < queued.count, queued[queueHead].tick == tick {
                    try InjectionSchedule.check(queued[queueHead], number: eventNumber, source: spec, file: options.input)
                    if let last = queued[..<queueHead].last, last.tick > tick {
                        throw .failed("\(options.input): event \(eventNumber) (tick \(tick)) comes after tick \(last.tick): ticks must not decrease")
                    }
                    tickIds.append(queued[queueHead].neuron)
                    queueHead += 1
                    eventNumber += 1
                }
                sortUnique(&tickIds)
                batch.removeAll(firstTick: wallTick, neuronCount: pool.neurons)
                batch.appendTick(tickIds)
                summary.spikes &+= UInt64(tickIds.count)
                tickIds.removeAll(keepingCapacity: true)
                try flush()
            }
            if inputEnded || queued.count - queueHead >= 65_536 || !inputReadable() { return !inputEnded && queued.count - queueHead < 65_536 }
            try readInput()
        }
    }

    /// All input sent: lockstep closes the last tick, sends the rest and the end; real time
    /// just says it has stopped.
    private func endStream() throws(NodeError) {
        if !realtime {
            if let open = openTick { try closeTick(open) }
            if batch.tickCount > 0 { try flush() }
            summary.endTick = batch.firstTick
        }
        state = .stopped
        try heartbeat(now: monotonicMicroseconds())
        log.info("source \(spec.name): input ended\(realtime ? "" : " at tick \(summary.endTick); waiting for pool \(pool.name) to reach it")")
    }

    /// Lockstep failover: the node (rolled back, or the replica promoted in its place) stands
    /// at the snapshot's tick and subscribes. Sends the marker of the new epoch — the node
    /// drops what it gets before it — then every kept batch from that tick on; the input goes
    /// on from where it was. O(ticks resent).
    private func replay(_ rollback: Replay.Rollback) throws(NodeError) {
        history.pending = nil
        let batches = try history.batches(from: rollback.tick)
        // The id field is not read for a stream restart (ids are non-zero: 1).
        let cut = SnapshotCut(snapshot: 1, parent: UInt64(rollback.epoch), tick: rollback.tick)
        try sender.publish(.snapshotMarker(cut), topic: stimulusTopic, on: xpub)
        for b in batches {
            try sender.publish(.stimulus(Stimulus(targetPool: UInt16(spec.pool), drive: spec.drive, batch: b)), topic: stimulusTopic, on: xpub)
        }
        summary.messages = sender.packets
        summary.bytes = sender.bytes
        log.notice("pool \(pool.name) rolled back to tick \(rollback.tick) (epoch \(rollback.epoch)): resent \(batches.count) batch(es) from there")
    }

    func heartbeat(now: UInt64) throws(NodeError) {
        var counters = TrafficCounters()
        counters.spikes = summary.spikes
        counters.packetsOut = sender.packets
        counters.bytesOut = sender.bytes
        let tick = state == .stopped && !realtime ? summary.endTick : sentThrough
        try sender.publish(.heartbeat(Heartbeat(state: state, tick: tick, uptimeMicroseconds: now - started, counters: counters)),
                           topic: heartbeatTopic, on: xpub)
        lastHeartbeatAt = now
    }
}
