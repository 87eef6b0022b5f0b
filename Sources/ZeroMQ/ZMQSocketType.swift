import CZeroMQ

/// The ZeroMQ socket patterns this wrapper supports.
public enum ZMQSocketType: Sendable {
    case pub, sub, xpub, xsub, router, dealer, req, rep, pair, push, pull

    /// The `ZMQ_*` constant passed to `zmq_socket`.
    var cValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .pair: ZMQ_PAIR
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        }
    }
}
