import Logging
import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// Settings of `neurobus record`.
public struct RecorderOptions: Sendable {
    public var network: NetworkDescription
    /// Indices of the pools to record (ascending, distinct).
    public var pools: [Int]
    /// Folder for the files `POOL.npy` or `POOL.csv`.
    public var out: String
    public var format: SpikeFileFormat
    /// The recorder's name on the controller (`recorder/NAME`): unique per running recorder.
    public var name: String
    /// Stop after recording the ticks before this one (nil: until the pools stop).
    public var untilTick: UInt64?
    public var peerTimeoutMilliseconds = 2000
    public var joinTimeoutMilliseconds = 30_000
    public var highWaterMark: Int32 = 100_000
    /// The recorder's CURVE identity, an observer or operator (nil: not authenticated).
    public var security: BusSecurity?
    /// The ZeroMQ context to open the sockets in (nil: one of its own; shared: `inproc://`).
    public var context: ZMQContext?

    public init(network: NetworkDescription, pools: [Int], out: String, format: SpikeFileFormat, name: String) {
        self.network = network
        self.pools = pools
        self.out = out
        self.format = format
        self.name = name
    }
}

/// What one pool's recording holds.
public struct RecordedPool: Sendable {
    public var name: String
    public var path: String
    /// Ticks `firstTick ..< endTick` were recorded (both 0 when nothing arrived).
    public var firstTick: UInt64
    public var endTick: UInt64
    public var spikes: Int
    /// Real time: messages lost on the way (sequence gaps); lockstep fails instead.
    public var lost: UInt64
}

/// `neurobus record`: a passive subscriber that writes the spikes of some pools to files.
///
/// It connects a SUB to each recorded pool (`spk/P/`, then `hb/P/`: a heartbeat heard proves
/// the spike subscription) and a DEALER to the controller (`recorder/NAME`), joins with
/// HELLO → WELCOME → READY, and then only listens: a PUB never waits for a subscriber, so the
/// run is neither slowed nor changed. The controller holds the lockstep clock while a recorder
/// is joining, so a recorder that joins before the run starts gets every tick from 0; one that
/// joins later starts at the first batch it receives. It ends when every recorded pool has
/// sent its `stopped` heartbeat (after its last batch), at `untilTick`, or on `shouldStop`.
/// Files are written under temporary names and renamed into place when complete.
public final class Recorder {
    struct Track {
        let index: Int
        var feed: PoolFeed
        var writer: SpikeEventWriter
        var firstTick: UInt64?
        /// One past the last tick written.
        var nextTick: UInt64 = 0
        var done = false
        var name: String { feed.name }
    }

    let options: RecorderOptions
    var log: Logger
    let context: ZMQContext
    let sub: ZMQSocket
    let dealer: ZMQSocket
    var sender = MessageSender(source: SourceID.recorder)
    var tracks: [Track]
    let realtime: Bool
    let started = monotonicMicroseconds()
    var welcomed = false
    var readySent = false
    /// Raised by each rollback (lockstep failover), as the controller's WELCOME says.
    var epoch: UInt32 = 0
    /// When the last rollback came, until READY is sent again.
    var rolledBackAt: UInt64?
    var scratch = SpikeBatch(firstTick: 0, neuronCount: 1)

    public init(options: RecorderOptions, logger: Logger) throws(NodeError) {
        self.options = options
        log = logger
        let network = options.network
        realtime = network.mode == .realtime
        var tracks: [Track] = []
        for p in options.pools {
            let name = network.pools[p].name
            let path = "\(options.out)/\(name).\(options.format.rawValue)"
            let writer: SpikeEventWriter
            do { writer = try SpikeEventWriter(path: path, format: options.format) } catch {
                for t in tracks { t.writer.discard() }
                throw .spikeFile(error)
            }
            tracks.append(Track(index: p, feed: PoolFeed(name: name), writer: writer))
        }
        self.tracks = tracks
        do {
            if let shared = options.context { context = shared } else { context = try ZMQContext() }
            sub = try ZMQSocket(context, .sub)
            dealer = try ZMQSocket(context, .dealer)
        } catch { throw .transport(error) }
        do throws(ZMQError) {
            try dealer.setLinger(milliseconds: 1000)
            try sub.setLinger(milliseconds: 0) // a SUB sends only subscriptions: nothing to flush
            try sub.setReceiveHighWaterMark(options.highWaterMark)
            for t in tracks { try sub.subscribe(t.feed.spikeTopic) }
            for t in tracks { try sub.subscribe(t.feed.heartbeatTopic) }
            try dealer.setRoutingID(Topic.recorderIdentity(options.name))
        } catch {
            closeSockets()
            for t in tracks { t.writer.discard() }
            throw .transport(error)
        }
        do throws(NodeError) {
            for t in tracks {
                let pool = network.pools[t.index]
                try BusSecurity.connect(sub, to: pool.endpoint, server: BusPrincipal(.node, pool.name), with: options.security)
            }
            try BusSecurity.connect(dealer, to: network.controller.control, server: BusPrincipal(.controller), with: options.security)
        } catch {
            closeSockets()
            for t in tracks { t.writer.discard() }
            throw error
        }
    }

    deinit { closeSockets() }

    func closeSockets() {
        for socket in [sub, dealer] where !socket.isClosed { socket.close() }
    }

    /// Records until the pools stop (or `untilTick`, or `shouldStop`), then finishes the
    /// files. On a failure the files are finished too (they hold every tick up to the
    /// failure, which the error names) and the error is thrown.
    public func run(shouldStop: () -> Bool) throws(NodeError) -> [RecordedPool] {
        defer { closeSockets() }
        do {
            try loop(shouldStop: shouldStop)
        } catch {
            log.error("\(error)")
            _ = try? finish()
            let held = tracks.map { "\($0.name) up to tick \($0.nextTick)" }.joined(separator: ", ")
            throw .failed("\(error) (the files hold \(held))")
        }
        return try finish()
    }

    private func finish() throws(NodeError) -> [RecordedPool] {
        var result: [RecordedPool] = []
        for t in tracks {
            do { try t.writer.finish() } catch { throw .spikeFile(error) }
            result.append(RecordedPool(name: t.name, path: t.writer.path, firstTick: t.firstTick ?? 0,
                                       endTick: t.firstTick == nil ? 0 : t.nextTick, spikes: t.writer.count, lost: t.feed.lostBatches))
        }
        return result
    }

    private func loop(shouldStop: () -> Bool) throws(NodeError) {
        let hello = Hello(role: .recorder, pool: 0, neuronCount: 0, networkHash: options.network.hash, tick: 0,
                          name: options.name, software: neurobusSoftware)
        try sender.send(.hello(hello), stream: [], on: dealer)
        var poller = ZMQPoller()
        poller.add(sub)
        poller.add(dealer)
        // A silent pool may be failing over: the controller notices first and rolls the
        // network back (a WELCOME of a new epoch) or hands the pool to its replica (real
        // time: a marker); only a longer silence is fatal here.
        let limit = Liveness(peerTimeoutMilliseconds: options.peerTimeoutMilliseconds).recordedPoolSilent
        while !tracks.allSatisfy(\.done) {
            if shouldStop() { return }
            try drainDealer()
            try drainSubscriptions()
            let now = monotonicMicroseconds()
            if !welcomed, now - started > UInt64(options.joinTimeoutMilliseconds) * 1000 {
                throw .timeout("no WELCOME from the controller at \(options.network.controller.control) within \(options.joinTimeoutMilliseconds) ms — is it running?")
            }
            if welcomed, !readySent, tracks.allSatisfy({ $0.feed.lastHeard != nil }) {
                try sender.send(.ready(Ready(tick: 0, upstreamReady: UInt16(tracks.count), upstreamTotal: UInt16(tracks.count))), stream: [], on: dealer)
                readySent = true
                rolledBackAt = nil
                log.info("ready: recording \(tracks.map(\.name).joined(separator: ", "))")
            }
            if let since = rolledBackAt, now - since > UInt64(options.joinTimeoutMilliseconds) * 1000 {
                let missing = tracks.filter { $0.feed.lastHeard == nil }.map(\.name).joined(separator: ", ")
                throw .timeout("the network did not come back within \(options.joinTimeoutMilliseconds) ms of the rollback (not heard: \(missing))")
            }
            for t in tracks where !t.done {
                guard let silence = t.feed.silence(at: now), silence > limit else { continue }
                throw .peerLost("pool \(t.name) has been silent for \(silence / 1000) ms")
            }
            do { _ = try poller.poll(timeoutMilliseconds: 100) } catch { throw .transport(error) }
        }
    }

    private func drainDealer() throws(NodeError) {
        while true {
            let frame: [UInt8]?
            do { frame = try dealer.receiveBytes(dontWait: true) } catch { throw .transport(error) }
            guard let frame else { return }
            let envelope: WireEnvelope
            do { envelope = try WireDecoder.decode(frame) } catch { throw .wire("from the controller", error) }
            switch envelope.message {
            case .welcome(let welcome):
                guard welcome.networkHash == options.network.hash else {
                    throw .refused("the controller runs another network file (hash \(hex(welcome.networkHash)), ours \(hex(options.network.hash)))")
                }
                if welcomed, welcome.epoch > epoch {
                    try rollBack(to: welcome.startTick, epoch: welcome.epoch)
                    continue
                }
                welcomed = true
                log.info("welcomed at permit \(welcome.startTick)")
            case .error(let reply):
                throw .refused("\(reply.code.name): \(reply.message)")
            default:
                break
            }
        }
    }

    private func drainSubscriptions() throws(NodeError) {
        var frame = PubSubMessage()
        while true {
            guard try frame.receive(from: sub, dontWait: true) else { return }
            guard frame.isWellFormed else { continue }
            let now = monotonicMicroseconds()
            for k in tracks.indices {
                if frame.hasTopic(tracks[k].feed.spikeTopic) {
                    if frame.isMarker {
                        try resume(k, frame, now: now)
                    } else {
                        try record(k, frame, now: now)
                    }
                    break
                }
                if frame.hasTopic(tracks[k].feed.heartbeatTopic) {
                    let envelope: WireEnvelope
                    do { envelope = try frame.withFrame { (raw) throws(WireError) in try WireDecoder.decode(raw) } } catch {
                        throw .wire("hb/\(tracks[k].name)/", error)
                    }
                    guard let beat = tracks[k].feed.acceptHeartbeat(envelope, now: now) else { break }
                    if beat.state == .failed { throw .peerLost("pool \(tracks[k].name) has failed") }
                    // Only once recording: a pool already stopped before we joined has nothing for us.
                    if beat.state == .stopped, readySent, !tracks[k].done {
                        tracks[k].done = true
                        log.info("pool \(tracks[k].name) stopped at tick \(beat.tick); recorded ticks \(tracks[k].firstTick ?? 0)..<\(tracks[k].nextTick)")
                    }
                    break
                }
            }
        }
    }

    /// The network rolled back to the snapshot at `tick` (lockstep failover): every file is cut
    /// before it, and each pool's stream continues from its marker of epoch `newEpoch`; READY
    /// goes to the controller again once every pool is heard in that epoch.
    private func rollBack(to tick: UInt64, epoch newEpoch: UInt32) throws(NodeError) {
        epoch = newEpoch
        for k in tracks.indices {
            do { try tracks[k].writer.truncate(fromTick: tick) } catch { throw .spikeFile(error) }
            if let first = tracks[k].firstTick, first >= tick { tracks[k].firstTick = nil }
            tracks[k].nextTick = min(tracks[k].nextTick, tick)
            tracks[k].feed.rollBack(to: tracks[k].firstTick == nil ? nil : tracks[k].nextTick)
            tracks[k].done = options.untilTick.map { tick >= $0 } ?? false
        }
        readySent = false
        rolledBackAt = monotonicMicroseconds()
        log.notice("the network rolled back to the snapshot at tick \(tick) (epoch \(newEpoch)): the files are cut there and go on from it")
    }

    /// A marker on pool `k`'s stream: the start of its stream in the new epoch after a
    /// rollback, or (real time) its replica taking over, whose stream counts from here.
    private func resume(_ k: Int, _ frame: borrowing PubSubMessage, now: UInt64) throws(NodeError) {
        let envelope: WireEnvelope
        do { envelope = try frame.withFrame { (raw) throws(WireError) in try WireDecoder.decode(raw) } } catch {
            throw .wire("spk/\(tracks[k].name)/", error)
        }
        switch tracks[k].feed.acceptMarker(envelope, epoch: epoch, realtime: realtime, now: now) {
        case .newEpoch(let tick):
            log.info("pool \(tracks[k].name) resumed in epoch \(epoch) at tick \(tick)")
        case .takenOver(let tick):
            log.notice("pool \(tracks[k].name) taken over by its replica: its spikes resume at tick \(tick)")
        case nil:
            break
        }
    }

    /// Writes one batch. Lockstep: batches must follow each other exactly (a gap is lost data
    /// and fails the recording); real time: gaps are counted as lost.
    private func record(_ k: Int, _ frame: borrowing PubSubMessage, now: UInt64) throws(NodeError) {
        guard !tracks[k].done, !tracks[k].feed.awaitingMarker else { return }
        let header: WireHeader
        do { header = try frame.withFrame { (raw) throws(WireError) in try WireDecoder.decodeSpikeBatch(raw, into: &scratch) } } catch {
            throw .wire("spk/\(tracks[k].name)/", error)
        }
        switch try tracks[k].feed.acceptBatch(sequence: header.sequence, firstTick: scratch.firstTick, tickCount: scratch.tickCount,
                                              realtime: realtime, now: now) {
        case .take(_, let takenOver):
            if takenOver {
                log.notice("pool \(tracks[k].name) taken over by its replica (its marker not seen): its spikes resume at tick \(scratch.firstTick)")
            }
        case .late, .drop:
            return
        }
        if tracks[k].firstTick == nil {
            tracks[k].firstTick = scratch.firstTick
            tracks[k].nextTick = scratch.firstTick
            if scratch.firstTick > 0 { log.notice("pool \(tracks[k].name): recording starts at tick \(scratch.firstTick)") }
        }
        try write(k)
    }

    /// Appends the batch in `scratch` to pool `k`'s file, up to `untilTick`.
    private func write(_ k: Int) throws(NodeError) {
        for i in 0 ..< scratch.tickCount {
            let tick = scratch.firstTick + UInt64(i)
            if let until = options.untilTick, tick >= until {
                tracks[k].done = true
                break
            }
            do { try tracks[k].writer.append(tick: tick, neurons: scratch.spikes(inTick: i)) } catch { throw .spikeFile(error) }
            tracks[k].nextTick = tick + 1
        }
    }
}
