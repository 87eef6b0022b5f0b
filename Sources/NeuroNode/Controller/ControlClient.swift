import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// A client of a running controller (`neurobus ctl`): one REQ socket, one request, one reply.
public final class ControlClient {
    public let endpoint: String
    let timeoutMilliseconds: Int
    let context: ZMQContext
    let socket: ZMQSocket
    var sender = MessageSender(source: SourceID.ctl)

    /// Connects (lazily, as ZeroMQ does) to the controller's control endpoint, authenticated
    /// with `security` (an operator's key, or an observer's for the status) when given.
    public init(endpoint: String, timeoutMilliseconds: Int = 5000, security: BusSecurity? = nil) throws(NodeError) {
        self.endpoint = endpoint
        self.timeoutMilliseconds = timeoutMilliseconds
        do throws(ZMQError) {
            context = try ZMQContext()
            socket = try ZMQSocket(context, .req)
            try socket.setLinger(milliseconds: 0)
        } catch { throw .transport(error) }
        do throws(NodeError) {
            try BusSecurity.connect(socket, to: endpoint, server: BusPrincipal(.controller), with: security)
        } catch {
            socket.close()
            throw error
        }
    }

    deinit { if !socket.isClosed { socket.close() } }

    /// Asks the controller whether it runs `network` (a `HELLO` of role `ctl` with its hash):
    /// throws `.refused` naming both networks if it runs another one.
    public func checkNetwork(_ network: NetworkDescription) throws(NodeError) {
        let hello = Hello(role: .ctl, pool: 0, neuronCount: 0, networkHash: network.hash, tick: 0, name: network.name, software: "neurobus ctl")
        let reply = try request(.hello(hello))
        guard case .welcome = reply else { throw .refused("unexpected reply \(reply.kind) to HELLO") }
    }

    /// Sends `message` and waits for the reply; an `ERROR` reply becomes `.refused`.
    public func request(_ message: WireMessage) throws(NodeError) -> WireMessage {
        try sender.send(message, stream: [], on: socket)
        var poller = ZMQPoller()
        poller.add(socket)
        let deadline = monotonicMicroseconds() + UInt64(timeoutMilliseconds) * 1000
        while true {
            let now = monotonicMicroseconds()
            guard now < deadline else {
                throw .timeout("no reply from the controller at \(endpoint) within \(timeoutMilliseconds) ms — is it running?")
            }
            let ready: Int
            do { ready = try poller.poll(timeoutMilliseconds: Int((deadline - now) / 1000) + 1) } catch { throw .transport(error) }
            guard ready > 0 else { continue }
            let bytes: [UInt8]?
            do { bytes = try socket.receiveBytes(dontWait: true) } catch { throw .transport(error) }
            guard let bytes else { continue }
            let envelope: WireEnvelope
            do { envelope = try WireDecoder.decode(bytes) } catch { throw .wire("reply from the controller", error) }
            if case .error(let e) = envelope.message { throw .refused(e.code == .refused ? e.message : "\(e.code.name): \(e.message)") }
            return envelope.message
        }
    }
}
