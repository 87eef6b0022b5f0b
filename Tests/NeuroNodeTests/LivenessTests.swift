import NeuroNode
import Testing

/// The liveness limits are ordered so the controller, which hears every pool, decides first
/// about a silent pool; the processes that also wait on it give up only after.
@Suite("Liveness limits")
struct LivenessTests {
    @Test(arguments: [100, 2000, 30_000])
    func theControllerDecidesFirst(peerTimeout: Int) {
        let l = Liveness(peerTimeoutMilliseconds: peerTimeout)
        #expect(l.poolSilent == UInt64(peerTimeout) * 1000)
        // The controller's own allowances grow with what a pool may be busy with.
        #expect(l.poolSilent < l.poolSilentDuringSnapshot && l.poolSilentDuringSnapshot < l.poolCapturing(realtime: false))
        #expect(l.poolCapturing(realtime: true) == l.poolSilentDuringSnapshot)
        #expect(l.rollbackAnswer > l.poolSilent)
        // Lockstep: a node waits for an upstream longer than the controller takes to decide
        // about it, also during a snapshot and while both are held at its cut.
        #expect(l.upstreamSilent(realtime: false, heldAtCut: false) > l.poolSilentDuringSnapshot)
        #expect(l.upstreamSilent(realtime: false, heldAtCut: true) > l.poolCapturing(realtime: false))
        // Recorders and injectors outwait the controller's decision too.
        #expect(l.recordedPoolSilent > l.poolSilentDuringSnapshot)
        #expect(l.fedNodeSilent > l.poolSilentDuringSnapshot)
        // A node does not give the controller up before the controller gives a snapshot up.
        #expect(l.controllerSilent(duringSnapshot: true) >= l.snapshotParts)
        #expect(l.controllerSilent(duringSnapshot: false) == l.poolSilent)
        // Real time decides nothing by waiting: a silent upstream is reported after one timeout.
        #expect(l.upstreamSilent(realtime: true, heldAtCut: true) == l.poolSilent)
    }
}
