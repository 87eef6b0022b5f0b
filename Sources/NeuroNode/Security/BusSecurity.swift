import Logging
import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// One process's CURVE identity on a network's bus: its principal and key pair, and the
/// network's allow-list (`KeyDirectory`).
///
/// Every socket that binds is a CURVE server with this process's key, and the process runs a
/// `ZAPHandler` that admits exactly the keys of the allow-list, each as its principal. Every
/// socket that connects names the public key of the principal it expects there, so a peer
/// without that principal's secret — a rogue process on a dead pool's port, a stranger's
/// controller — cannot complete the handshake. Authorization by role happens where messages
/// are handled (`mayUse(identity:user:)`, `mayRequest(_:user:)`), on the ZAP user id libzmq
/// attaches to every frame.
public struct BusSecurity: Sendable {
    /// The ZAP domain of every NeuroBus server socket.
    public static let domain = "neurobus"

    public let principal: BusPrincipal
    public let keys: CurveKeyPair
    public let directory: KeyDirectory
    /// The allow-list by raw public key.
    let principals: [[UInt8]: BusPrincipal]

    /// This process as `principal`, with its key pair from `directory`.
    public init(directory: KeyDirectory, as principal: BusPrincipal) throws(NodeError) {
        self.principal = principal
        keys = try directory.keyPair(of: principal)
        self.directory = directory
        var byKey: [[UInt8]: BusPrincipal] = [:]
        for (p, key) in directory.publicKeys { if let raw = CurveKeyPair.decode(key) { byKey[raw] = p } }
        principals = byKey
    }

    /// The public key of `principal`, the server a socket is about to connect to.
    public func publicKey(of server: BusPrincipal) throws(NodeError) -> String {
        guard let key = directory.publicKeys[server] else {
            throw .io("no public key of \(server) in \(directory.path): expected \(server.fileStem).pub")
        }
        return key
    }

    /// The ZAP decision for a connecting key: admitted as its principal if allow-listed.
    /// (What the key may then do is checked per message: libzmq's ZAP request carries the
    /// server's routing id, not the client's, so a routing id cannot be checked here.)
    public func decide(_ request: ZAPRequest) -> ZAPDecision {
        guard request.domain == Self.domain else { return .deny(reason: "unknown ZAP domain \(request.domain)") }
        guard let p = principals[request.publicKey] else { return .deny(reason: "key not in the network's allow-list") }
        return .allow(user: p.description)
    }

    /// Starts the ZAP handler of `context`, logging every refused key.
    public func startHandler(_ context: ZMQContext, log: Logger) throws(NodeError) -> ZAPHandler {
        do {
            return try ZAPHandler(context: context) { [self] request in
                let decision = decide(request)
                if case .deny(let reason) = decision {
                    log.warning("refused a connection from \(request.address) with key \(CurveKeyPair.encode(request.publicKey) ?? "?"): \(reason)")
                }
                return decision
            }
        } catch { throw .transport(error) }
    }

    /// Makes `socket` a CURVE server with this process's key. Call before `bind`.
    public func serve(_ socket: ZMQSocket) throws(NodeError) {
        do { try socket.setCurveServer(keys: keys, domain: Self.domain) } catch { throw .transport(error) }
    }

    /// Connects `socket` to `endpoint`, where `server` must answer.
    public func connect(_ socket: ZMQSocket, to endpoint: String, server: BusPrincipal) throws(NodeError) {
        let key = try publicKey(of: server)
        do {
            try socket.setCurveClient(keys: keys, serverKey: key)
            try socket.connect(endpoint)
        } catch { throw .transport(error) }
    }

    /// Binds each socket at its endpoint — as CURVE servers under a ZAP handler started for
    /// `context` first, when `security` is given — and returns that handler (nil without
    /// authentication). The caller stops it after closing the sockets.
    public static func bind(_ sockets: [(socket: ZMQSocket, endpoint: String)], in context: ZMQContext,
                            with security: BusSecurity?, log: Logger) throws(NodeError) -> ZAPHandler? {
        let zap = try security?.startHandler(context, log: log)
        do throws(NodeError) {
            for (socket, endpoint) in sockets {
                try security?.serve(socket)
                do { try socket.bind(endpoint) } catch { throw NodeError.transport(error) }
            }
        } catch {
            zap?.stop()
            throw error
        }
        return zap
    }

    /// Connects `socket` to `endpoint` through `security` when the bus is authenticated, or
    /// plainly when it is nil.
    public static func connect(_ socket: ZMQSocket, to endpoint: String, server: BusPrincipal, with security: BusSecurity?) throws(NodeError) {
        if let security { return try security.connect(socket, to: endpoint, server: server) }
        do { try socket.connect(endpoint) } catch { throw .transport(error) }
    }

    // MARK: Authorization (pure; `user` is the ZAP user id, nil when the bus is not authenticated)

    /// Whether a peer authenticated as `user` may use the controller ROUTER routing id
    /// `identity`: `node/P` and `replica/P/…` need the key of `node/P`; `recorder/…` an
    /// observer's or operator's key. No routing id (a client's REQ) is fine for any key.
    public static func mayUse(identity: [UInt8], user: String?) -> Bool {
        guard let user, !identity.isEmpty else { return true }
        guard let p = BusPrincipal(user) else { return false }
        let id = String(decoding: identity, as: UTF8.self)
        if id.hasPrefix("node/") { return p.role == .node && id == "node/\(p.name ?? "")" }
        if id.hasPrefix("replica/") { return p.role == .node && id.hasPrefix("replica/\(p.name ?? "")/") }
        if id.hasPrefix("recorder/") { return p.role == .observer || p.role == .operator }
        return false
    }

    /// Whether a client authenticated as `user` may make `request` of the controller: asking
    /// for the status or the task's progress, or naming the network (HELLO), needs any
    /// admitted key; everything that
    /// changes the run (commands, modulators, snapshots) an operator's.
    public static func mayRequest(_ request: WireMessage, user: String?) -> Bool {
        guard let user else { return true }
        guard let p = BusPrincipal(user) else { return false }
        switch request {
        case .statusRequest, .taskRequest, .hello: return true
        default: return p.role == .operator
        }
    }
}
