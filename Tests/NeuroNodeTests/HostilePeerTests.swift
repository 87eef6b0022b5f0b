import Foundation
import NeuroNode
import NeuroWire
import Testing
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// Peers without the network's keys, or with a key that does not allow what they try, change
/// nothing: a run attacked before it starts ends byte-identical to an undisturbed run.
@Suite("Hostile peers", .serialized)
struct HostilePeerTests {
    typealias L = LockstepIntegrationTests

    /// A client of the controller with the key of `principal` from `keys`.
    static func client(_ network: NetworkDescription, _ keys: String, _ principal: BusPrincipal, timeout: Int = 5000) throws -> ControlClient {
        try ControlClient(endpoint: network.controller.control, timeoutMilliseconds: timeout,
                          security: BusSecurity(directory: KeyDirectory(path: keys), as: principal))
    }

    /// Raw connections to an `ipc://` endpoint that send `bytes` and stay open.
    static func rawConnections(_ endpoint: String, count: Int, bytes: [UInt8]) -> [Int32] {
        let path = String(endpoint.dropFirst("ipc://".count))
        var fds: [Int32] = []
        for _ in 0 ..< count {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { break }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, b) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if connected == 0 { _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
            fds.append(fd)
        }
        return fds
    }

    @Test func attacksBeforeTheRunChangeNothing() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try L.withPrivateEndpoints(NetworkDescription.threePoolFileText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: file)
        try #require(network.keyDirectory == "\(dir)/keys")
        let ticks = 1500
        let reference = try L.neurobus(["run", file, "--ticks", "\(ticks)", "--out", "\(dir)/run", "--quiet"], log: "\(dir)/run.log")
        try #require(reference.status == .exited(0), "\(reference.output)")
        // A stranger: the same principals, keys of its own.
        try KeyDirectory.generate(at: "\(dir)/stranger", principals: KeyDirectory.principals(of: network))

        // The controller waits for `ctl run`, so every attack lands before the first tick.
        let executable = try L.executable()
        let children = try [ChildProcess(label: "controller", executable: executable,
                                         arguments: ["controller", "--network", file, "--exit-when-done"], logPath: "\(dir)/controller.log")]
            + network.pools.map { try ChildProcess(label: $0.name, executable: executable,
                                                   arguments: ["node", "--network", file, "--pool", $0.name, "--out", "\(dir)/bus"],
                                                   logPath: "\(dir)/\($0.name).log") }
        defer { for c in children { c.killAndReap() } }
        let keys = "\(dir)/keys", stranger = "\(dir)/stranger"
        var ready = false
        for _ in 0 ..< 600 where !ready && children.allSatisfy({ $0.poll() == nil }) {
            if case .statusReply(let s)? = try? Self.client(network, keys, BusPrincipal(.observer), timeout: 1000).request(.statusRequest) {
                ready = s.state == .ready
            }
            if !ready { usleep(20_000) }
        }
        try #require(ready, "the network did not become ready")

        // 1. Run-changing requests with an observer's key: refused, naming the rule.
        let changes: [WireMessage] = [.command(Command(verb: .stop)), .command(Command(verb: .pause)), .command(Command(verb: .run, argument: 5)),
                                      .modulators(Modulators(tick: 0, levels: [(id: 0, level: 255)])),
                                      .snapshotRequest(SnapshotCut(snapshot: 1, parent: 0, tick: 10))]
        for request in changes {
            do {
                _ = try Self.client(network, keys, BusPrincipal(.observer)).request(request)
                Issue.record("an observer's \(request.kind) was served")
            } catch {
                #expect("\(error)".contains("may not make"), "\(error)")
            }
        }
        // 2. The same from a key outside the allow-list: the handshake fails, no reply ever comes.
        for request in changes {
            #expect(throws: NodeError.self) { _ = try Self.client(network, stranger, BusPrincipal(.operator), timeout: 300).request(request) }
        }
        // 3. Forged identities: a node's routing id with an observer's key, a replica's with a
        //    stranger's key, and a peer without CURVE — each says HELLO and sends an ERROR.
        let context = try ZMQContext()
        var sockets: [ZMQSocket] = []
        defer { for s in sockets { s.close() } }
        let pool = network.pools[0]
        let forgeries: [(identity: String, security: BusSecurity?)] = [
            ("node/\(pool.name)", try BusSecurity(directory: KeyDirectory(path: keys), as: BusPrincipal(.observer))),
            ("replica/\(pool.name)/666", try BusSecurity(directory: KeyDirectory(path: stranger), as: BusPrincipal(.node, pool.name))),
            ("node/\(pool.name)", nil),
        ]
        var sender = MessageSender(source: SourceID.pool(0))
        for forgery in forgeries {
            let dealer = try ZMQSocket(context, .dealer)
            sockets.append(dealer)
            try dealer.setLinger(milliseconds: 0)
            // A refused handshake leaves the DEALER without a peer, where a send would wait
            // for one forever: each send gives up after 200 ms (what is sent is the attack).
            try dealer.setSendTimeout(milliseconds: 200)
            try dealer.setRoutingID(Array(forgery.identity.utf8))
            try BusSecurity.connect(dealer, to: network.controller.control, server: BusPrincipal(.controller), with: forgery.security)
            let hello = Hello(role: .node, pool: 0, neuronCount: UInt32(pool.neurons), networkHash: network.hash, tick: 0, name: pool.name, software: "forged")
            try? sender.send(.hello(hello), stream: [], on: dealer)
            try? sender.send(.error(ErrorReply(code: .internal, aboutKind: 0, aboutSequence: 0, message: "forged failure")), stream: [], on: dealer)
            // Garbage and an oversized frame on the same connection.
            _ = try? dealer.send([UInt8](repeating: 0xA5, count: 64))
            _ = try? dealer.send([UInt8](repeating: 0x5A, count: 4 << 20))
        }
        // 4. A subscriber with a stranger's key on the controller's clock stream hears nothing.
        //    (A rogue publisher in a pool's place: BusSecurityTests.)
        let eavesdropper = try ZMQSocket(context, .sub)
        sockets.append(eavesdropper)
        try eavesdropper.setLinger(milliseconds: 0)
        try eavesdropper.subscribe("")
        try BusSecurity(directory: KeyDirectory(path: stranger), as: BusPrincipal(.observer))
            .connect(eavesdropper, to: network.controller.publish, server: BusPrincipal(.controller))
        // 5. A thousand connections that send garbage and stay open.
        let raw = Self.rawConnections(network.controller.control, count: 1000, bytes: Array("GET / HTTP/1.1\r\n\r\n".utf8))
        defer { for fd in raw { close(fd) } }
        #expect(raw.count == 1000)

        // The operator runs the network: it ends byte-identical to the undisturbed run.
        let run = try L.neurobus(["ctl", "run", "--ticks", "\(ticks)", "--network", file], log: "\(dir)/ctl.log", timeoutSeconds: 60)
        #expect(run.status == .exited(0), "\(run.output)")
        for _ in 0 ..< 6000 where children.contains(where: { $0.poll() == nil }) { usleep(20_000) }
        for c in children { #expect(c.poll() == .exited(0), "\(c.label): \((try? String(contentsOfFile: c.logPath, encoding: .utf8)) ?? "")") }
        for p in network.pools {
            for ext in ["raster", "pool"] {
                let a = FileManager.default.contents(atPath: "\(dir)/run/\(p.name).\(ext)"), b = FileManager.default.contents(atPath: "\(dir)/bus/\(p.name).\(ext)")
                #expect(a != nil && a == b, "\(p.name).\(ext) differs from the undisturbed run")
            }
        }
        #expect(try eavesdropper.receiveMultipart(dontWait: true) == nil, "a stranger heard the controller")
    }

    /// A network that turns authentication off still runs across processes, as `run` does.
    @Test func aNetworkWithoutCurveRunsInTheClear() throws {
        try L.expectIdenticalRuns(networkText: NetworkDescription.loopExampleText + "\n[security]\ncurve = false\n", ticks: 300)
    }

    /// A process of an authenticated network without keys is refused before it opens a
    /// socket, naming the ways to give them.
    @Test func aProcessWithoutKeysSaysHowToGetThem() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try NetworkDescription.loopExampleText.write(toFile: "\(dir)/n.toml", atomically: true, encoding: .utf8)
        for args in [["node", "--network", "\(dir)/n.toml", "--pool", "left"], ["controller", "--network", "\(dir)/n.toml"],
                     ["ctl", "status", "--network", "\(dir)/n.toml"], ["record", "--network", "\(dir)/n.toml", "-o", "\(dir)/rec"]] {
            let r = try L.neurobus(args, log: "\(dir)/\(args[0]).log", timeoutSeconds: 30)
            #expect(r.status == .exited(1) && r.output.contains("give --keys DIR") && r.output.contains("curve = false"), "\(args[0]): \(r.output)")
        }
    }
}
