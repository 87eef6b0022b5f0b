import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

/// CURVE with a ZAP handler: only keys the handler allows reach a server, the server sees who
/// they are, and a handler-less refusal is never silent.
@Suite struct CurveTests {
    /// The requests a handler saw and what it decided, for assertions.
    final class Decisions: Sendable {
        let log = Mutex<[(user: String?, key: [UInt8])]>([])
        let denied = DispatchSemaphore(value: 0)
        func record(_ user: String?, _ key: [UInt8]) {
            log.withLock { $0.append((user, key)) }
            if user == nil { denied.signal() }
        }
    }

    @Test func keyPairsRoundTripThroughZ85() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.utf8.count == 40 && pair.secretKey.utf8.count == 40)
        #expect(CurveKeyPair(secretKey: pair.secretKey) == pair)
        let bytes = try #require(CurveKeyPair.decode(pair.publicKey))
        #expect(bytes.count == 32)
        #expect(CurveKeyPair.encode(bytes) == pair.publicKey)
        #expect(CurveKeyPair(secretKey: "too short") == nil)
        #expect(CurveKeyPair(secretKey: String(repeating: "\u{7F}", count: 40)) == nil)
        #expect(try CurveKeyPair.generate() != pair)
    }

    @Test func onlyAllowedKeysReachTheServerAndCarryTheirUserID() throws {
        let server = try CurveKeyPair.generate(), friend = try CurveKeyPair.generate(), stranger = try CurveKeyPair.generate()
        let friendKey = try #require(CurveKeyPair.decode(friend.publicKey))
        let decisions = Decisions()
        let serverContext = try ZMQContext()
        let zap = try ZAPHandler(context: serverContext) { request in
            let user: String? = request.publicKey == friendKey && request.domain == "net" ? "operator/friend" : nil
            decisions.record(user, request.publicKey)
            return user.map { .allow(user: $0) } ?? .deny(reason: "unknown key")
        }
        defer { zap.stop() }
        let router = try ZMQSocket(serverContext, .router)
        defer { router.close() }
        try router.setCurveServer(keys: server, domain: "net")
        let endpoint = try bindLoopback(router)
        try router.setReceiveTimeout(milliseconds: 10_000)

        let clientContext = try ZMQContext()
        let intruder = try ZMQSocket(clientContext, .dealer)
        let member = try ZMQSocket(clientContext, .dealer)
        defer { intruder.close(); member.close() }
        try intruder.setCurveClient(keys: stranger, serverKey: server.publicKey)
        try intruder.connect(endpoint)
        _ = try intruder.send("stop")
        // The stranger's handshake is decided (and refused) before anything it sent could arrive.
        #expect(decisions.denied.wait(timeout: .now() + 10) == .success)

        try member.setCurveClient(keys: friend, serverKey: server.publicKey)
        try member.connect(endpoint)
        _ = try member.send("status")
        let received = try #require(try router.receiveMultipartFromUser())
        #expect(received.frames.last == Array("status".utf8))
        #expect(received.user == "operator/friend")
        #expect(try router.receiveMultipart(dontWait: true) == nil)
        // A REQ's request arrives as [routing id, delimiter, body]: the user id is there too.
        let request = try ZMQSocket(clientContext, .req)
        defer { request.close() }
        try request.setCurveClient(keys: friend, serverKey: server.publicKey)
        try request.connect(endpoint)
        _ = try request.send("again")
        let asked = try #require(try router.receiveMultipartFromUser())
        #expect(asked.frames.count == 3 && asked.frames.last == Array("again".utf8))
        #expect(asked.user == "operator/friend")
        let seen = decisions.log.withLock { $0 }
        #expect(seen.contains { $0.user == nil && $0.key == CurveKeyPair.decode(stranger.publicKey) })
        #expect(seen.contains { $0.user == "operator/friend" })
    }

    @Test func subscribersAuthenticateTheServerAndTheServerThem() throws {
        let server = try CurveKeyPair.generate(), reader = try CurveKeyPair.generate()
        let readerKey = try #require(CurveKeyPair.decode(reader.publicKey))
        let context = try ZMQContext()
        let zap = try ZAPHandler(context: context) { $0.publicKey == readerKey ? .allow(user: "observer/r") : .deny(reason: "unknown key") }
        defer { zap.stop() }
        let pub = try ZMQSocket(context, .pub)
        let sub = try ZMQSocket(context, .sub)
        defer { pub.close(); sub.close() }
        try pub.setCurveServer(keys: server, domain: "net")
        let endpoint = try bindLoopback(pub)
        try sub.setCurveClient(keys: reader, serverKey: server.publicKey)
        try sub.subscribe("")
        try sub.connect(endpoint)
        let got = try publishUntilReceived(pub, sub, [Array("spikes".utf8)])
        #expect(got == [Array("spikes".utf8)])
    }

    @Test func malformedOrForeignMechanismRequestsAreRefusedWithoutAsking() {
        var asked = 0
        let decide: (ZAPRequest) -> ZAPDecision = { _ in asked += 1; return .allow(user: "x") }
        let id: [UInt8] = [7]
        let plain = ZAPHandler.reply(to: Self.request(id, "NULL"), decide)
        #expect(plain[2] == Array("400".utf8) && plain[1] == id)
        let short = ZAPHandler.reply(to: Array(Self.request(id, "CURVE").prefix(3)), decide)
        #expect(short[2] == Array("400".utf8))
        let badKey = ZAPHandler.reply(to: Self.request(id, "CURVE") + [[1, 2, 3]], decide)
        #expect(badKey[2] == Array("400".utf8))
        #expect(asked == 0)
        let good = ZAPHandler.reply(to: Self.request(id, "CURVE") + [[UInt8](repeating: 9, count: 32)], decide)
        #expect(good == [Self.bytes("1.0"), id, Self.bytes("200"), Self.bytes("OK"), Self.bytes("x"), []])
    }

    @Test func aSecondHandlerInOneContextIsRefused() throws {
        let context = try ZMQContext()
        let first = try ZAPHandler(context: context) { _ in .deny(reason: "no") }
        defer { first.stop() }
        #expect(throws: ZMQError.self) { _ = try ZAPHandler(context: context) { _ in .deny(reason: "no") } }
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    /// A ZAP request's frames up to the mechanism: version, id, domain, address, identity.
    static func request(_ id: [UInt8], _ mechanism: String) -> [[UInt8]] {
        [bytes("1.0"), id, bytes("net"), bytes("127.0.0.1"), [], bytes(mechanism)]
    }
}
