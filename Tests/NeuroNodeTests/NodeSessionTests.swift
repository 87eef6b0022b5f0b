import Testing
import NeuroWire
@testable import NeuroNode
import NeuroNetwork
import NeuroEngine

/// Every transition of a node's standing with the controller, without sockets.
@Suite("Node session")
struct NodeSessionTests {
    static let hash: UInt64 = 0xABCD_0123_4567_89EF

    static func welcome(at tick: UInt64, epoch: UInt32 = 0, hash: UInt64 = hash, realtime: Bool = false) -> Welcome {
        Welcome(startTick: tick, epoch: epoch, mode: realtime ? .realtime : .lockstep, tickMicroseconds: 100, networkHash: hash)
    }

    /// A lockstep node welcomed at tick 0, READY and running with a permit up to tick 64.
    static func running() throws -> NodeSession {
        var s = NodeSession(realtime: false, promoted: false, networkHash: hash)
        _ = try s.welcome(welcome(at: 0), tick: 0)
        s.controllerHeartbeat(.starting)
        let ready = s.readyIfDue(upstreamsHeard: true, sourceHeard: true)
        #expect(ready)
        s.permit(Permit(until: 64, epoch: 0))
        s.clockHeard()
        #expect(s.phase == .running)
        return s
    }

    @Test func joiningIsWelcomedAtItsOwnTick() throws {
        var s = NodeSession(realtime: false, promoted: false, networkHash: Self.hash)
        #expect(s.phase == .joining && s.state == .starting && !s.welcomed && s.joining)
        let outcome = try s.welcome(Self.welcome(at: 0), tick: 0)
        #expect(outcome == .joined(catchUpTo: nil, awaitUpstreamMarkers: false))
        #expect(s.phase == .welcomed && s.state == .starting && s.welcomed && !s.readySent)
        #expect(!s.markerPending)
        #expect(!s.permits(tick: 0))
    }

    @Test func aWelcomeForAnotherNetworkOrTickIsRefused() throws {
        var s = NodeSession(realtime: false, promoted: false, networkHash: Self.hash)
        let wrongHash = #expect(throws: NodeError.self) { try s.welcome(Self.welcome(at: 0, hash: 1), tick: 0) }
        #expect("\(wrongHash.map { "\($0)" } ?? "")".contains("another network file"))
        let wrongTick = #expect(throws: NodeError.self) { try s.welcome(Self.welcome(at: 5), tick: 0) }
        #expect("\(wrongTick.map { "\($0)" } ?? "")".contains("starts at tick 5 but this pool is at tick 0"))
        #expect(s.phase == .joining)
        // A real-time node that is not a replica taking over does not skip ahead either.
        var realtime = NodeSession(realtime: true, promoted: false, networkHash: Self.hash)
        #expect(throws: NodeError.self) { try realtime.welcome(Self.welcome(at: 5, realtime: true), tick: 0) }
    }

    @Test func aReplicaJoiningARolledBackLockstepNetworkAwaitsMarkersAndSendsItsOwn() throws {
        var s = NodeSession(realtime: false, promoted: true, networkHash: Self.hash)
        let outcome = try s.welcome(Self.welcome(at: 300, epoch: 2), tick: 300)
        #expect(outcome == .joined(catchUpTo: nil, awaitUpstreamMarkers: true))
        #expect(s.epoch == 2 && s.markerPending)
        s.markerSent()
        #expect(!s.markerPending)
    }

    @Test func aRealTimeReplicaTakingOverCatchesUpToTheWelcomesTick() throws {
        var s = NodeSession(realtime: true, promoted: true, networkHash: Self.hash)
        let outcome = try s.welcome(Self.welcome(at: 900, realtime: true), tick: 500)
        #expect(outcome == .joined(catchUpTo: 900, awaitUpstreamMarkers: false))
        #expect(s.markerPending)
        // Welcomed at its own tick it runs on from there, still with a new stream.
        var atTick = NodeSession(realtime: true, promoted: true, networkHash: Self.hash)
        let outcome2 = try atTick.welcome(Self.welcome(at: 500, realtime: true), tick: 500)
        #expect(outcome2 == .joined(catchUpTo: nil, awaitUpstreamMarkers: false))
        #expect(atTick.markerPending)
    }

    @Test func readyIsDueOnlyWhenEverythingIsHeard() throws {
        var s = NodeSession(realtime: false, promoted: false, networkHash: Self.hash)
        s.controllerHeartbeat(.starting)
        let ready = s.readyIfDue(upstreamsHeard: true, sourceHeard: true)
        #expect(!ready) // not welcomed
        _ = try s.welcome(Self.welcome(at: 0), tick: 0)
        var unsubscribed = NodeSession(realtime: false, promoted: false, networkHash: Self.hash)
        _ = try unsubscribed.welcome(Self.welcome(at: 0), tick: 0)
        let ready2 = unsubscribed.readyIfDue(upstreamsHeard: true, sourceHeard: true)
        #expect(!ready2) // controller not heard on the SUB
        let ready3 = s.readyIfDue(upstreamsHeard: false, sourceHeard: true)
        #expect(!ready3)
        let ready4 = s.readyIfDue(upstreamsHeard: true, sourceHeard: false)
        #expect(!ready4)
        let ready5 = s.readyIfDue(upstreamsHeard: true, sourceHeard: true)
        #expect(ready5)
        #expect(s.phase == .ready && s.state == .ready && s.readySent)
        let ready6 = s.readyIfDue(upstreamsHeard: true, sourceHeard: true)
        #expect(!ready6) // once
        // Still joining while the controller has not started the network.
        #expect(s.joining)
        s.controllerHeartbeat(.running)
        #expect(!s.joining)
    }

    @Test func theClockTopicStartsAReadyNodeAndProvesTheSubscription() throws {
        var s = NodeSession(realtime: false, promoted: false, networkHash: Self.hash)
        s.clockHeard()
        #expect(s.phase == .joining && s.controllerSubscribed)
        _ = try s.welcome(Self.welcome(at: 0), tick: 0)
        s.clockHeard()
        #expect(s.phase == .welcomed)
        let ready = s.readyIfDue(upstreamsHeard: true, sourceHeard: true)
        #expect(ready)
        s.clockHeard()
        #expect(s.phase == .running && s.state == .running)
    }

    @Test func permitsMoveForwardInTheirOwnEpochOnly() throws {
        var s = try Self.running()
        #expect(s.permits(tick: 63) && !s.permits(tick: 64))
        s.permit(Permit(until: 32, epoch: 0))
        #expect(s.permitUntil == 64)
        s.permit(Permit(until: 128, epoch: 0))
        #expect(s.permits(tick: 127))
        _ = try s.welcome(Self.welcome(at: 40, epoch: 1), tick: 100)
        // An old epoch's permit moves nothing, and does not open the new epoch's broadcasts.
        s.permit(Permit(until: 500, epoch: 0))
        #expect(s.permitUntil == 40 && s.permitEpoch == 0 && !s.broadcastsCount)
    }

    @Test func aLaterEpochsWelcomeRollsBackAndJoinsAgain() throws {
        var s = try Self.running()
        s.controllerHeartbeat(.running)
        let outcome = try s.welcome(Self.welcome(at: 40, epoch: 1), tick: 100)
        #expect(outcome == .rollBack(tick: 40, epoch: 1))
        #expect(s.phase == .welcomed && s.state == .starting && s.epoch == 1)
        #expect(s.permitUntil == 40 && !s.permits(tick: 40))
        #expect(s.markerPending && s.controllerState == .starting && s.joining)
        // Broadcasts sent before the new epoch's first permit belong to the abandoned one.
        #expect(!s.broadcastsCount)
        s.permit(Permit(until: 40, epoch: 1))
        #expect(s.broadcastsCount)
        // READY again, then running in the new epoch.
        let ready = s.readyIfDue(upstreamsHeard: true, sourceHeard: true)
        #expect(ready)
        s.permit(Permit(until: 104, epoch: 1))
        s.clockHeard()
        #expect(s.phase == .running && s.permits(tick: 40))
        // A WELCOME of the same epoch again is refused.
        let again = #expect(throws: NodeError.self) { try s.welcome(Self.welcome(at: 40, epoch: 1), tick: 60) }
        #expect("\(again.map { "\($0)" } ?? "")".contains("a second WELCOME in epoch 1"))
    }

    @Test func stopAndFailureAreFinal() throws {
        var s = try Self.running()
        s.stop()
        #expect(s.phase == .stopped && s.state == .stopped && s.stopped)
        #expect(!s.permits(tick: 0))
        #expect(throws: NodeError.self) { try s.welcome(Self.welcome(at: 40, epoch: 1), tick: 64) }
        var f = try Self.running()
        f.fail()
        #expect(f.state == .failed && !f.permits(tick: 0))
    }

    @Test func aSnapshotRequestHoldsTheCutUntilThePartIsCaptured() throws {
        var s = try Self.running()
        let cut = SnapshotCut(snapshot: 9, parent: 0, tick: 40)
        let pending = try s.snapshotRequested(cut, tick: 30)
        #expect(pending && s.pendingCut == cut)
        s.cutCaptured()
        #expect(s.pendingCut == nil)
        // At the cut's own tick it is still due.
        let atTick = try s.snapshotRequested(SnapshotCut(snapshot: 10, parent: 0, tick: 50), tick: 50)
        #expect(atTick && s.pendingCut?.tick == 50)
        // A rollback abandons it.
        _ = try s.welcome(Self.welcome(at: 40, epoch: 1), tick: 50)
        #expect(s.pendingCut == nil)
    }

    @Test func aRequestBehindThePoolIsAnErrorInLockstepAndSkippedInRealTime() throws {
        var lockstep = try Self.running()
        let late = SnapshotCut(snapshot: 9, parent: 0, tick: 20)
        let error = #expect(throws: NodeError.self) { try lockstep.snapshotRequested(late, tick: 30) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("is at tick 20, but this pool is already at tick 30"))
        var realtime = NodeSession(realtime: true, promoted: false, networkHash: Self.hash)
        _ = try realtime.welcome(Self.welcome(at: 0, realtime: true), tick: 0)
        let skipped = try realtime.snapshotRequested(late, tick: 30)
        #expect(!skipped && realtime.pendingCut == nil)
    }
}
