import Foundation
import NeuroNode
import NeuroWire
import Testing
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// Keys per role and the rules that bind a peer's key to what it may do.
@Suite struct BusSecurityTests {
    static func keyDirectory(_ principals: [BusPrincipal]) throws -> (String, KeyDirectory) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("neurobus-keys-\(getpid())-\(UInt32.random(in: 0 ... .max))").path
        try KeyDirectory.generate(at: dir, principals: principals)
        return (dir, try KeyDirectory(path: dir))
    }

    static let motor = BusPrincipal(.node, "motor"), sensory = BusPrincipal(.node, "sensory")
    static let everyone = [BusPrincipal(.controller), motor, sensory, BusPrincipal(.operator), BusPrincipal(.observer)]

    @Test func principalsParseAndPrint() {
        for text in ["controller", "node/motor", "source/cue", "operator", "operator/alice", "observer/bob"] {
            #expect(BusPrincipal(text)?.description == text)
        }
        for bad in ["", "admin", "node", "source", "controller/x", "node/", "node/a b", "node/\(String(repeating: "x", count: 65))", "operator/a/b"] {
            #expect(BusPrincipal(bad) == nil, "\(bad)")
        }
        #expect(BusPrincipal("node/motor")?.fileStem == "node.motor")
    }

    @Test func generatedKeysLoadWithSecretsPrivate() throws {
        let (dir, keys) = try Self.keyDirectory(Self.everyone)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(Set(keys.publicKeys.keys) == Set(Self.everyone))
        let pair = try keys.keyPair(of: Self.motor)
        #expect(keys.publicKeys[Self.motor] == pair.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(dir)/node.motor.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let dirMode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int
        #expect(dirMode == 0o700)
        // Kept unless replaced: a second generate changes nothing, --force rotates.
        try KeyDirectory.generate(at: dir, principals: [Self.motor])
        #expect(try KeyDirectory(path: dir).keyPair(of: Self.motor) == pair)
        try KeyDirectory.generate(at: dir, principals: [Self.motor], replace: true)
        #expect(try KeyDirectory(path: dir).keyPair(of: Self.motor) != pair)
    }

    @Test func tamperedKeyFilesAreRefusedNamingTheFile() throws {
        let (dir, _) = try Self.keyDirectory(Self.everyone)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A .pub under another principal's name.
        let sensory = try String(contentsOfFile: "\(dir)/node.sensory.pub", encoding: .utf8)
        try sensory.write(toFile: "\(dir)/node.motor.pub", atomically: true, encoding: .utf8)
        #expect(throws: NodeError.self) { _ = try KeyDirectory(path: dir) }
        // The same public key under two principals.
        try sensory.replacingOccurrences(of: "node/sensory", with: "node/motor").write(toFile: "\(dir)/node.motor.pub", atomically: true, encoding: .utf8)
        let duplicate = #expect(throws: NodeError.self) { _ = try KeyDirectory(path: dir) }
        #expect("\(duplicate!)".contains("same public key"))
        // A secret that does not make the allow-listed public key.
        try KeyDirectory.generate(at: dir, principals: [Self.motor], replace: true)
        let other = try String(contentsOfFile: "\(dir)/node.sensory.key", encoding: .utf8)
        let secretLine = other.split(separator: "\n").first { $0.hasPrefix("secret") }!
        var motorKey = try String(contentsOfFile: "\(dir)/node.motor.key", encoding: .utf8)
        motorKey = motorKey.split(separator: "\n").map { $0.hasPrefix("secret") ? secretLine : $0 }.joined(separator: "\n")
        try motorKey.write(toFile: "\(dir)/node.motor.key", atomically: true, encoding: .utf8)
        let mismatch = #expect(throws: NodeError.self) { _ = try KeyDirectory(path: dir).keyPair(of: Self.motor) }
        #expect("\(mismatch!)".contains("node.motor.key"))
        // Oversized and non-regular files.
        try String(repeating: "#", count: 10_000).write(toFile: "\(dir)/observer.pub", atomically: true, encoding: .utf8)
        #expect(throws: NodeError.self) { _ = try KeyDirectory(path: dir) }
        try FileManager.default.removeItem(atPath: "\(dir)/observer.pub")
        #expect(mkfifo("\(dir)/observer.pub", 0o600) == 0)
        #expect(throws: NodeError.self) { _ = try KeyDirectory(path: dir) }
        // A missing own key names what to do.
        try FileManager.default.removeItem(atPath: "\(dir)/observer.pub")
        try FileManager.default.removeItem(atPath: "\(dir)/controller.key")
        let missing = #expect(throws: NodeError.self) { _ = try BusSecurity(directory: KeyDirectory(path: dir), as: BusPrincipal(.controller)) }
        #expect("\(missing!)".contains("controller.key"))
    }

    @Test func onlyAPoolsOwnKeyMayUseItsRoutingIDs() {
        let node = Array("node/motor".utf8), replica = Array("replica/motor/42".utf8), recorder = Array("recorder/r1".utf8)
        #expect(BusSecurity.mayUse(identity: node, user: "node/motor"))
        #expect(BusSecurity.mayUse(identity: replica, user: "node/motor"))
        #expect(!BusSecurity.mayUse(identity: node, user: "node/sensory"))
        #expect(!BusSecurity.mayUse(identity: node, user: "observer"))
        #expect(!BusSecurity.mayUse(identity: node, user: "operator"))
        #expect(!BusSecurity.mayUse(identity: Array("node/motorX".utf8), user: "node/motor"))
        #expect(!BusSecurity.mayUse(identity: Array("replica/motorX/1".utf8), user: "node/motor"))
        #expect(!BusSecurity.mayUse(identity: replica, user: "source/motor"))
        #expect(BusSecurity.mayUse(identity: recorder, user: "observer"))
        #expect(BusSecurity.mayUse(identity: recorder, user: "operator/alice"))
        #expect(!BusSecurity.mayUse(identity: recorder, user: "node/motor"))
        #expect(!BusSecurity.mayUse(identity: Array("whatever".utf8), user: "operator"))
        #expect(BusSecurity.mayUse(identity: [], user: "observer"))
        // Without authentication everything is as before.
        #expect(BusSecurity.mayUse(identity: node, user: nil))
    }

    @Test func onlyOperatorsMayChangeTheRun() {
        let changes: [WireMessage] = [.command(Command(verb: .stop)), .command(Command(verb: .pause)), .command(Command(verb: .run, argument: 5)),
                                      .modulators(Modulators(tick: 0, levels: [(id: 0, level: 200)])), .snapshotRequest(SnapshotCut(snapshot: 1, parent: 0, tick: 10))]
        for m in changes {
            #expect(BusSecurity.mayRequest(m, user: "operator"))
            #expect(BusSecurity.mayRequest(m, user: "operator/alice"))
            #expect(!BusSecurity.mayRequest(m, user: "observer"), "\(m.kind)")
            #expect(!BusSecurity.mayRequest(m, user: "node/motor"), "\(m.kind)")
            #expect(!BusSecurity.mayRequest(m, user: "controller"), "\(m.kind)")
        }
        #expect(BusSecurity.mayRequest(.statusRequest, user: "observer"))
        #expect(BusSecurity.mayRequest(.statusRequest, user: "node/motor"))
    }

    @Test func theHandlerAdmitsAllowListedKeysAsTheirPrincipals() throws {
        let (dir, keys) = try Self.keyDirectory(Self.everyone)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let security = try BusSecurity(directory: keys, as: BusPrincipal(.controller))
        func request(_ p: BusPrincipal?, domain: String = BusSecurity.domain) throws -> ZAPDecision {
            let key = try p.map { try keys.keyPair(of: $0).publicKey } ?? CurveKeyPair.generate().publicKey
            return security.decide(ZAPRequest(domain: domain, address: "127.0.0.1", mechanism: "CURVE",
                                              publicKey: CurveKeyPair.decode(key)!))
        }
        #expect(try request(Self.motor) == .allow(user: "node/motor"))
        #expect(try request(BusPrincipal(.observer)) == .allow(user: "observer"))
        guard case .deny = try request(nil) else { Issue.record("a stranger's key was admitted"); return }
        guard case .deny = try request(Self.motor, domain: "other") else { Issue.record("another domain was admitted"); return }
    }

    /// A rogue process bound where a pool should be, without the pool's secret key, cannot
    /// feed a subscriber that expects that pool: only the genuine pool's messages arrive.
    @Test func aRogueServerWithoutThePoolsKeyReachesNoSubscriber() throws {
        let (dir, keys) = try Self.keyDirectory(Self.everyone)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let motor = try BusSecurity(directory: keys, as: Self.motor), sensory = try BusSecurity(directory: keys, as: Self.sensory)
        let poolContext = try ZMQContext(), rogueContext = try ZMQContext(), readerContext = try ZMQContext()
        let zap = try motor.startHandler(poolContext, log: .init(label: "test"))
        defer { zap.stop() }
        // The rogue holds a key of its own (in the allow-list or not, it is not motor's).
        let rogueKeys = try CurveKeyPair.generate()
        let rogueZap = try ZAPHandler(context: rogueContext) { _ in .allow(user: "anyone") }
        defer { rogueZap.stop() }
        let genuine = try ZMQSocket(poolContext, .pub), rogue = try ZMQSocket(rogueContext, .pub), reader = try ZMQSocket(readerContext, .sub)
        defer { genuine.close(); rogue.close(); reader.close() }
        try motor.serve(genuine)
        try genuine.bind("tcp://127.0.0.1:*")
        try rogue.setCurveServer(keys: rogueKeys, domain: BusSecurity.domain)
        try rogue.bind("tcp://127.0.0.1:*")
        try reader.subscribe("")
        try sensory.connect(reader, to: try rogue.lastEndpoint(), server: Self.motor)
        try sensory.connect(reader, to: try genuine.lastEndpoint(), server: Self.motor)
        var poller = ZMQPoller()
        poller.add(reader)
        var got: [[UInt8]]?
        for _ in 0 ..< 1000 where got == nil {
            _ = try rogue.send("rogue")
            _ = try genuine.send("genuine")
            if try poller.poll(timeoutMilliseconds: 10) > 0 { got = try reader.receiveMultipart() }
        }
        #expect(got == [Array("genuine".utf8)])
        for _ in 0 ..< 20 { _ = try rogue.send("rogue"); _ = try genuine.send("genuine") }
        _ = try poller.poll(timeoutMilliseconds: 50)
        while let more = try reader.receiveMultipart(dontWait: true) { #expect(more == [Array("genuine".utf8)]) }
    }

    @Test func theSecurityTableParses() throws {
        let base = NetworkDescription.loopExampleText
        let on = try NetworkDescription.parse(Array(base.utf8), file: "/srv/nets/a.toml")
        #expect(on.curve && on.keyDirectory == nil)
        let keyed = try NetworkDescription.parse(Array((base + "\n[security]\nkeys = \"keys\"\n").utf8), file: "/srv/nets/a.toml")
        #expect(keyed.curve && keyed.keyDirectory == "/srv/nets/keys")
        let absolute = try NetworkDescription.parse(Array((base + "\n[security]\nkeys = \"/etc/k\"\n").utf8), file: "a.toml")
        #expect(absolute.keyDirectory == "/etc/k")
        let off = try NetworkDescription.parse(Array((base + "\n[security]\ncurve = false\n").utf8), file: "a.toml")
        #expect(!off.curve)
        #expect(keyed.hash != on.hash && off.hash != on.hash)
        for (bad, message) in [("curve = false\nkeys = \"k\"", "curve = false turns authentication off"), ("curve = \"no\"", "boolean"),
                               ("keys = \"\"", "must name a folder"), ("key = \"k\"", "key")] {
            let e = #expect(throws: NetworkFileError.self) { _ = try NetworkDescription.parse(Array((base + "\n[security]\n\(bad)\n").utf8), file: "a.toml") }
            #expect("\(e!)".contains(message), "\(e!)")
        }
    }
}
