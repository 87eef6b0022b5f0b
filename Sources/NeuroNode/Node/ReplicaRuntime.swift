import Logging
import NeuroPool
import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine
#if canImport(Glibc)
import Glibc
#endif

/// `neurobus node --replica`: a standby for one pool. It joins the controller as
/// `replica/POOL/PID` and receives every complete snapshot's part of its pool (streamed under
/// credit, CRC-checked, decoded), keeping the latest in memory and, with `snapshotRoot`, on
/// disk. When the primary dies the controller promotes it with a WELCOME of a new epoch at the
/// latest snapshot's tick; `follow` then returns the part to start the pool from.
public final class ReplicaRuntime {
    let options: NodeOptions
    let spec: PoolSpec
    var log: Logger
    let context: ZMQContext
    let dealer: ZMQSocket
    var sender: MessageSender
    var receiver: PartReceiver?
    /// The last two parts verified, newest last (the controller may fail over to the one
    /// before the newest, if the newest snapshot was not complete everywhere yet).
    var held: [(cut: SnapshotCut, pool: SnapshotPool)] = []
    var registered = false
    /// Its routing id, `replica/POOL/PID`: unique, so a second replica of the pool can
    /// follow it once it has been promoted (and keeps this id as the pool's node).
    public let identity: String

    public init(options: NodeOptions, logger: Logger) throws(NodeError) {
        self.options = options
        spec = options.network.pools[options.pool]
        log = logger
        sender = MessageSender(source: SourceID.pool(options.pool))
        identity = "replica/\(spec.name)/\(getpid())"
        do {
            if let shared = options.context { context = shared } else { context = try ZMQContext() }
            dealer = try ZMQSocket(context, .dealer)
            try dealer.setLinger(milliseconds: 1000)
            try dealer.setRoutingID(Array(identity.utf8))
        } catch { throw .transport(error) }
        do throws(NodeError) {
            try BusSecurity.connect(dealer, to: options.network.controller.control, server: BusPrincipal(.controller), with: options.security)
        } catch {
            dealer.close()
            throw error
        }
    }

    deinit { if !dealer.isClosed { dealer.close() } }

    /// Follows the snapshots until promoted (returns the part to start from) or stopped by
    /// the controller (returns nil). `shouldStop` is polled at least every 100 ms.
    public func follow(shouldStop: () -> Bool) throws(NodeError) -> Promotion? {
        defer { if !dealer.isClosed { dealer.close() } }
        let hello = Hello(role: .replica, pool: UInt16(options.pool), neuronCount: UInt32(spec.neurons), networkHash: options.network.hash,
                          tick: 0, name: spec.name, software: neurobusSoftware)
        try sender.send(.hello(hello), stream: [], on: dealer)
        var poller = ZMQPoller()
        poller.add(dealer)
        let deadline = monotonicMicroseconds() + UInt64(options.joinTimeoutMilliseconds) * 1000
        while true {
            if shouldStop() { throw .failed("interrupted") }
            if !registered, monotonicMicroseconds() > deadline {
                throw .timeout("no WELCOME from the controller at \(options.network.controller.control) within \(options.joinTimeoutMilliseconds) ms")
            }
            while true {
                let frame: [UInt8]?
                do { frame = try dealer.receiveBytes(dontWait: true) } catch { throw .transport(error) }
                guard let frame else { break }
                let envelope: WireEnvelope
                do { envelope = try WireDecoder.decode(frame) } catch { throw .wire("from the controller", error) }
                if let promotion = try handle(envelope) { return promotion }
                if case .command(let c) = envelope.message, c.verb == .stop {
                    let reply = CommandReply(verb: .stop, state: .stopped, tick: held.last?.cut.tick ?? 0, targetTick: 0, message: "replica of \(spec.name) stopped")
                    try sender.send(.commandReply(reply), stream: [], on: dealer)
                    log.info("stopped (not promoted)")
                    return nil
                }
            }
            do { _ = try poller.poll(timeoutMilliseconds: 100) } catch { throw .transport(error) }
        }
    }

    private func handle(_ envelope: WireEnvelope) throws(NodeError) -> Promotion? {
        switch envelope.message {
        case .welcome(let welcome):
            guard welcome.networkHash == options.network.hash else { throw .refused("the controller runs another network file") }
            if !registered {
                registered = true
                log.info("following pool \(spec.name)'s snapshots")
                return nil
            }
            guard let latest = held.last(where: { $0.cut.tick == welcome.startTick }) else {
                throw .failed("promoted at tick \(welcome.startTick), but the parts held are at ticks \(held.map { "\($0.cut.tick)" }.joined(separator: ", "))")
            }
            log.notice("promoted: pool \(spec.name) restarts from the snapshot at tick \(latest.cut.tick) in epoch \(welcome.epoch)")
            return Promotion(pool: latest.pool, cut: latest.cut, epoch: welcome.epoch)
        case .snapshotAnnounce(let announce):
            receiver = PartReceiver(announce: announce)
            try sender.send(.snapshotAck(receiver!.ack), stream: [], on: dealer)
        case .snapshotChunk(let chunk):
            // In place: a copy of the receiver would copy the part's whole buffer per chunk.
            guard let ack = receiver?.accept(chunk) else { return nil }
            if let r = receiver, r.verified {
                let part: SnapshotPart, pool: SnapshotPool
                do { (part, pool) = try SnapshotPart.verified(received: r.bytes, pool: spec.name, tick: r.announce.tick) } catch {
                    throw .failed("snapshot \(hex(r.announce.snapshot)): \(error)")
                }
                held.append((SnapshotCut(snapshot: r.announce.snapshot, parent: 0, tick: r.announce.tick), pool))
                if held.count > 2 { held.removeFirst() }
                if let root = options.snapshotRoot {
                    do { try part.keepCopy(under: root, tick: r.announce.tick, id: r.announce.snapshot, keep: options.network.snapshotKeep) } catch { log.error("\(error)") }
                }
                log.info("holds snapshot \(hex(r.announce.snapshot)) at tick \(r.announce.tick) (\(part.bytes.count) bytes)")
                receiver = nil
            }
            try sender.send(.snapshotAck(ack), stream: [], on: dealer)
        case .error(let reply):
            throw .refused("\(reply.code.name): \(reply.message)")
        default:
            break
        }
        return nil
    }
}
