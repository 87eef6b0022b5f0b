/// Every liveness limit of the bus runtime, in one place: how long each process lets a peer be
/// silent before it acts, as multiples of the one peer timeout (`--peer-timeout`, 2 s by
/// default). The multiples are ordered so the right process decides first: in lockstep the
/// controller, which hears every pool, decides whether a silent pool fails over or stops the
/// run; the nodes, recorders and injectors that also wait for it give up only when that
/// decision never comes. `LivenessTests` asserts the ordering.
public struct Liveness: Sendable, Equatable {
    /// The peer timeout, µs.
    public let peer: UInt64

    public init(peerTimeoutMilliseconds: Int) {
        peer = UInt64(max(peerTimeoutMilliseconds, 0)) * 1000
    }

    // MARK: The controller

    /// A pool silent this long is failed over (lockstep) or reported dead (real time).
    public var poolSilent: UInt64 { peer }
    /// While a snapshot is taken and just after: the heartbeats the controller did not read
    /// while it checked a part against the cut (~1 s per 30 MB part) and wrote the folder.
    public var poolSilentDuringSnapshot: UInt64 { 5 * peer / 2 }
    /// A pool at a snapshot's cut without its part in is capturing and compressing it (~3 s
    /// for a 65,536 × 100 pool): busy, not dead. Real time gives it no more than any pool
    /// during a snapshot, since the others run on.
    public func poolCapturing(realtime: Bool) -> UInt64 { realtime ? poolSilentDuringSnapshot : 10 * peer }
    /// A snapshot whose parts have not all come by then is abandoned.
    public var snapshotParts: UInt64 { 10 * peer }
    /// After a lockstep rollback, a pool that has not answered by then is replaced by its replica.
    public var rollbackAnswer: UInt64 { 2 * peer }
    /// A recorder that said HELLO must say READY within this, or it is dropped (lockstep
    /// grants no permit while one is joining).
    public var recorderReady: UInt64 { 5 * peer }

    // MARK: A node

    /// The controller silent this long stops a node; while a snapshot is under way (the
    /// controller checking parts, this node held at the cut) it is busy, not gone.
    public func controllerSilent(duringSnapshot: Bool) -> UInt64 { duringSnapshot ? 10 * peer : peer }
    /// An upstream pool silent this long stops a lockstep node (4 peer timeouts; 12 while
    /// this node is held at a snapshot's cut, beyond the controller's `poolCapturing`); in
    /// real time it is reported and its input read as silent after one.
    public func upstreamSilent(realtime: Bool, heldAtCut: Bool) -> UInt64 {
        realtime ? peer : (heldAtCut ? 12 : 4) * peer
    }
    /// A source (`neurobus inject`) silent this long before it ended.
    public var sourceSilent: UInt64 { peer }

    // MARK: Live I/O

    /// A recorder stops when a pool it records is silent this long (a failover is decided
    /// by the controller after `poolSilent` and ends well within).
    public var recordedPoolSilent: UInt64 { 3 * peer }
    /// An injector stops when the node it feeds is silent this long, as a node waits for
    /// an upstream.
    public var fedNodeSilent: UInt64 { 4 * peer }
}
