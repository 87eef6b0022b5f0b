import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// Listens to every pool's heartbeats (a SUB on each node's endpoint, `hb/`): what `neurobus up`
/// shows as live progress. Confined to the thread that made it.
public final class HeartbeatMonitor {
    let context: ZMQContext
    let sub: ZMQSocket
    let topics: [[UInt8]]
    /// Last heartbeat of each pool (network order).
    public private(set) var beats: [Heartbeat?]

    /// Subscribes to every pool's heartbeats, authenticated with `security` when given.
    public init(network: NetworkDescription, security: BusSecurity? = nil) throws(NodeError) {
        topics = network.pools.map { Topic.heartbeat($0.name) }
        beats = network.pools.map { _ in nil }
        do throws(ZMQError) {
            context = try ZMQContext()
            sub = try ZMQSocket(context, .sub)
            try sub.setLinger(milliseconds: 0)
            try sub.reconnectSoon()
            for t in topics { try sub.subscribe(t) }
        } catch { throw .transport(error) }
        do throws(NodeError) {
            for p in network.pools { try BusSecurity.connect(sub, to: p.endpoint, server: BusPrincipal(.node, p.name), with: security) }
        } catch {
            sub.close()
            throw error
        }
    }

    deinit { if !sub.isClosed { sub.close() } }

    /// Waits up to `milliseconds` for heartbeats (or for file descriptor `wakeOn` to turn
    /// readable) and records all that arrived.
    public func poll(milliseconds: Int, wakeOn fd: Int32? = nil) throws(NodeError) {
        var poller = ZMQPoller()
        poller.add(sub)
        if let fd { poller.add(fileDescriptor: fd) }
        do { _ = try poller.poll(timeoutMilliseconds: milliseconds) } catch { throw .transport(error) }
        var message = PubSubMessage()
        while true {
            guard try message.receive(from: sub, dontWait: true) else { break }
            guard let k = topics.firstIndex(where: { message.hasTopic($0) }),
                  let envelope = try? message.withFrame({ (raw) throws(WireError) in try WireDecoder.decode(raw) }),
                  case .heartbeat(let beat) = envelope.message else { continue }
            beats[k] = beat
        }
    }

    public func close() { if !sub.isClosed { sub.close() } }
}
