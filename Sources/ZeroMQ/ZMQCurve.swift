import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CURVE key pair (Curve25519), both halves as 40-character Z85 text (ZeroMQ RFC 32).
///
/// The public key identifies a peer and may be shown to anyone; the secret key proves it and
/// must stay with its owner.
public struct CurveKeyPair: Sendable, Equatable {
    /// Z85 text of the 32-byte public key.
    public let publicKey: String
    /// Z85 text of the 32-byte secret key.
    public let secretKey: String

    /// A new random key pair (`zmq_curve_keypair`). Fails with `ENOTSUP` when libzmq was built
    /// without CURVE.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        if zmq_curve_keypair(&publicKey, &secretKey) != 0 { throw ZMQError.last("zmq_curve_keypair") }
        return CurveKeyPair(publicKey: Self.string(publicKey), secretKey: Self.string(secretKey))
    }

    /// The pair of `secretKey` (Z85), its public half derived (`zmq_curve_public`); nil when
    /// the text is not a 40-character Z85 key.
    public init?(secretKey: String) {
        guard Self.isKey(secretKey) else { return nil }
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else { return nil }
        self.init(publicKey: Self.string(publicKey), secretKey: secretKey)
    }

    private init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Whether `text` is a 40-character Z85 encoding of 32 bytes.
    public static func isKey(_ text: String) -> Bool {
        decode(text) != nil
    }

    /// The 32 bytes of a Z85 key, or nil when `text` is not one.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&bytes, text) == nil ? nil : bytes
    }

    /// The Z85 text of 32 key bytes.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        return zmq_z85_encode(&text, bytes, 32) == nil ? nil : string(text)
    }

    private static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

// CURVE on a socket. A server (the side that binds) holds its secret key and asks the
// context's ZAP handler (`ZAPHandler`) about every client.
// A client names the server's public key before each `connect`: the options in force at
// connect time apply to that connection, so one SUB can reach several servers.
extension ZMQSocket {
    /// Makes this socket a CURVE server with `keys`' secret key, authenticating clients through
    /// the ZAP handler under `domain`. Set before `bind`.
    public func setCurveServer(keys: CurveKeyPair, domain: String) throws(ZMQError) {
        try setInt32(ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER")
        try setBytes(ZMQ_CURVE_SECRETKEY, Array(keys.secretKey.utf8), "ZMQ_CURVE_SECRETKEY")
        try setBytes(ZMQ_ZAP_DOMAIN, Array(domain.utf8), "ZMQ_ZAP_DOMAIN")
        // ZMQ_ZAP_ENFORCE_DOMAIN (93) is a draft option: libzmq built without drafts refuses
        // it with EINVAL, and then a server whose context has no ZAP handler admits every
        // client. `ZAPHandler` is therefore started before any server socket binds.
        do { try setInt32(93, 1, "ZMQ_ZAP_ENFORCE_DOMAIN") } catch where error.code == EINVAL {}
    }

    /// Makes this socket a CURVE client with `keys`, for the server whose public key is
    /// `serverKey` (Z85). Applies to the connections made after the call.
    public func setCurveClient(keys: CurveKeyPair, serverKey: String) throws(ZMQError) {
        try setBytes(ZMQ_CURVE_SERVERKEY, Array(serverKey.utf8), "ZMQ_CURVE_SERVERKEY")
        try setBytes(ZMQ_CURVE_PUBLICKEY, Array(keys.publicKey.utf8), "ZMQ_CURVE_PUBLICKEY")
        try setBytes(ZMQ_CURVE_SECRETKEY, Array(keys.secretKey.utf8), "ZMQ_CURVE_SECRETKEY")
    }
}

extension ZMQMessage {
    /// A metadata property of a received frame (`zmq_msg_gets`), e.g. `"User-Id"` (the user id
    /// the ZAP handler gave the sending peer) or `"Peer-Address"`; nil when absent.
    public func property(_ name: String) -> String? {
        guard let value = zmq_msg_gets(storage, name) else { return nil }
        return String(cString: value)
    }
}
