import Foundation
import Synchronization

/// One authentication request from libzmq (ZeroMQ RFC 27, ZAP): a client connecting to a
/// CURVE server socket of this context.
public struct ZAPRequest: Sendable, Equatable {
    /// The server socket's ZAP domain (`setCurveServer(keys:domain:)`).
    public var domain: String
    /// The client's address, e.g. `"127.0.0.1"`.
    public var address: String
    /// The security mechanism, `"CURVE"` (anything else is refused before the decision).
    public var mechanism: String
    /// The client's 32-byte public key.
    public var publicKey: [UInt8]

    public init(domain: String, address: String, mechanism: String, publicKey: [UInt8]) {
        self.domain = domain
        self.address = address
        self.mechanism = mechanism
        self.publicKey = publicKey
    }
}

/// The answer to a `ZAPRequest`.
public enum ZAPDecision: Sendable, Equatable {
    /// Admit the client; `user` becomes the `"User-Id"` property of every frame it sends.
    case allow(user: String)
    /// Refuse the connection; `reason` goes back to libzmq as the status text.
    case deny(reason: String)
}

/// The ZAP handler of one context: a dedicated thread with a REP socket on
/// `inproc://zeromq.zap.01` that answers every CURVE handshake with `decide`.
///
/// Start it before binding a CURVE server socket, stop it after closing them. While it runs,
/// handshakes complete only when `decide` allows them. ZAP fails open — a context without a
/// handler admits every CURVE client when libzmq lacks the draft option that enforces the
/// domain — so a handler runs for as long as the context has server sockets. Blocking waits happen
/// on the handler's own thread, never on Swift's concurrency pool; each wait is bounded
/// (`pollMilliseconds`), so `stop()` returns within about that time.
public final class ZAPHandler: Sendable {
    /// The endpoint libzmq sends ZAP requests to (RFC 27).
    public static let endpoint = "inproc://zeromq.zap.01"
    /// Longest one wait of the handler thread, in milliseconds.
    public static let pollMilliseconds: Int32 = 100

    private let state = State()

    /// Starts the handler thread for `context`. Returns once its socket is bound; throws when
    /// it cannot bind (e.g. another handler already serves this context).
    public init(context: ZMQContext, decide: @escaping @Sendable (ZAPRequest) -> ZAPDecision) throws(ZMQError) {
        let bound = DispatchSemaphore(value: 0)
        let state = self.state
        let thread = Thread {
            defer { state.finished.signal() }
            let socket: ZMQSocket
            do throws(ZMQError) { socket = try ZMQSocket(context, .rep) } catch {
                state.failure.withLock { $0 = error }
                bound.signal()
                return
            }
            do throws(ZMQError) {
                try socket.setLinger(milliseconds: 0)
                try socket.setReceiveTimeout(milliseconds: Self.pollMilliseconds)
                try socket.bind(Self.endpoint)
            } catch {
                socket.close()
                state.failure.withLock { $0 = error }
                bound.signal()
                return
            }
            bound.signal()
            defer { socket.close() }
            while state.running.load(ordering: .acquiring) {
                let frames: [[UInt8]]?
                do { frames = try socket.receiveMultipart() } catch { return }
                guard let frames else { continue }
                do { _ = try socket.sendMultipart(Self.reply(to: frames, decide)) } catch { return }
            }
        }
        thread.name = "zap"
        thread.start()
        bound.wait()
        if let error = state.failure.withLock({ $0 }) {
            state.finished.wait()
            state.stopped.store(true, ordering: .releasing)
            throw error
        }
    }

    /// Stops the handler thread and waits for it (at most about `pollMilliseconds`). Idempotent.
    public func stop() {
        state.running.store(false, ordering: .releasing)
        if state.stopped.exchange(true, ordering: .acquiringAndReleasing) { return }
        state.finished.wait()
    }

    deinit { stop() }

    /// What the handler thread and its owner share.
    private final class State: Sendable {
        let running = Atomic<Bool>(true)
        let stopped = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
        /// The thread's start-up failure, if any.
        let failure = Mutex<ZMQError?>(nil)
    }

    /// The reply frames to one request (RFC 27): version, request id, status code, status
    /// text, user id, metadata. A malformed request is answered 400 without asking `decide`.
    static func reply(to frames: [[UInt8]], _ decide: (ZAPRequest) -> ZAPDecision) -> [[UInt8]] {
        let requestID = frames.count > 1 ? frames[1] : []
        func answer(_ code: String, _ text: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else { return answer("400", "malformed ZAP request") }
        func text(_ i: Int) -> String { String(decoding: frames[i], as: UTF8.self) }
        let mechanism = text(5)
        guard mechanism == "CURVE", frames.count == 7, frames[6].count == 32 else {
            return answer("400", "mechanism \(mechanism) is not accepted: CURVE only")
        }
        // Frame 4 is the *server's* routing id (libzmq sends its own), so it says nothing about
        // the client and is not passed on.
        let request = ZAPRequest(domain: text(2), address: text(3), mechanism: mechanism, publicKey: frames[6])
        switch decide(request) {
        case .allow(let user): return answer("200", "OK", user: user)
        case .deny(let reason): return answer("400", reason)
        }
    }
}
