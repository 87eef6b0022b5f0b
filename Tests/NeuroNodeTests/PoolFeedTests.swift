import Testing
import NeuroWire
@testable import NeuroNode
import NeuroNetwork
import NeuroEngine

/// The one way every subscriber (node, recorder, controller) follows a pool's stream: without
/// sockets, message by message.
@Suite("Pool feed")
struct PoolFeedTests {
    static func marker(epoch: UInt32, tick: UInt64, sequence: UInt32 = 0) -> WireEnvelope {
        WireEnvelope(source: 1, sequence: sequence, message: .snapshotMarker(SnapshotCut(snapshot: 7, parent: UInt64(epoch), tick: tick)))
    }

    static func beat(_ state: NodeState, sequence: UInt32, tick: UInt64 = 0) -> WireEnvelope {
        WireEnvelope(source: 1, sequence: sequence, message: .heartbeat(Heartbeat(state: state, tick: tick, uptimeMicroseconds: 0)))
    }

    /// A feed that has taken batches 0…9 of 8 ticks each (ticks 0..<80), last at µs 90.
    static func following(realtime: Bool = false) throws -> PoolFeed {
        var feed = PoolFeed(name: "motor", nextTick: 0)
        for s in UInt32(0) ..< 10 {
            _ = try feed.acceptBatch(sequence: s, firstTick: UInt64(s) * 8, tickCount: 8, realtime: realtime, now: UInt64(s) * 10)
        }
        return feed
    }

    @Test func topicsAndAnInOrderStream() throws {
        var feed = try Self.following()
        #expect(feed.spikeTopic == Array("spk/motor/".utf8))
        #expect(feed.heartbeatTopic == Array("hb/motor/".utf8))
        #expect(feed.nextTick == 80)
        #expect(feed.lastHeard == 90)
        #expect(feed.silence(at: 250) == 160)
        let batch = try feed.acceptBatch(sequence: 10, firstTick: 80, tickCount: 8, realtime: false, now: 300)
        #expect(batch == .take(silentFrom: nil, takenOver: false))
        #expect(feed.nextTick == 88)
    }

    @Test func aLateJoinerTakesTheStreamWhereverItIs() throws {
        var feed = PoolFeed(name: "motor")
        #expect(feed.silence(at: 5) == nil)
        let batch = try feed.acceptBatch(sequence: 41, firstTick: 328, tickCount: 8, realtime: false, now: 1)
        #expect(batch == .take(silentFrom: nil, takenOver: false))
        #expect(feed.nextTick == 336)
    }

    @Test func lockstepFailsOnALostBatchOrATickGap() throws {
        var lost = try Self.following()
        let lostError = #expect(throws: NodeError.self) {
            try lost.acceptBatch(sequence: 12, firstTick: 96, tickCount: 8, realtime: false, now: 300)
        }
        guard case .sequenceGap(let stream, let count)? = lostError else { Issue.record("not a sequence gap: \(String(describing: lostError))"); return }
        #expect(stream == "spk/motor/" && count == 2)
        var gap = try Self.following()
        let gapError = #expect(throws: NodeError.self) {
            try gap.acceptBatch(sequence: 10, firstTick: 81, tickCount: 8, realtime: false, now: 300)
        }
        guard case .tickGap(_, let expected, let found)? = gapError else { Issue.record("not a tick gap: \(String(describing: gapError))"); return }
        #expect(expected == 80 && found == 81)
    }

    @Test func realTimeCountsLostBatchesAndTheirTicksAsSilent() throws {
        var feed = try Self.following(realtime: true)
        let batch = try feed.acceptBatch(sequence: 12, firstTick: 96, tickCount: 8, realtime: true, now: 300)
        #expect(batch == .take(silentFrom: 80, takenOver: false))
        #expect(feed.lostBatches == 2)
        #expect(feed.nextTick == 104)
        // An in-order batch overtaken on the way (its ticks already held) is late: not taken
        // twice, but the pool was heard.
        let batch2 = try feed.acceptBatch(sequence: 13, firstTick: 100, tickCount: 8, realtime: true, now: 310)
        #expect(batch2 == .late)
        #expect(feed.nextTick == 104 && feed.lastHeard == 310)
    }

    @Test func duplicatesAndStaleBatchesAreDropped() throws {
        var feed = try Self.following()
        let batch = try feed.acceptBatch(sequence: 9, firstTick: 72, tickCount: 8, realtime: false, now: 300)
        #expect(batch == .drop)
        #expect(feed.lastHeard == 90)
        var realtime = try Self.following(realtime: true)
        let batch2 = try realtime.acceptBatch(sequence: 3, firstTick: 24, tickCount: 8, realtime: true, now: 300)
        #expect(batch2 == .drop)
    }

    @Test func afterARollbackOnlyTheMarkerOfTheNewEpochRestartsTheStream() throws {
        var feed = try Self.following()
        feed.rollBack(to: 40)
        #expect(feed.awaitingMarker)
        #expect(feed.lastHeard == nil)
        // The abandoned epoch's batches and heartbeats of a running pool do not count.
        let batch = try feed.acceptBatch(sequence: 10, firstTick: 80, tickCount: 8, realtime: false, now: 100)
        #expect(batch == .drop)
        let beat = feed.acceptHeartbeat(Self.beat(.running, sequence: 20), now: 100)
        #expect(beat == nil)
        #expect(feed.lastHeard == nil)
        // A heartbeat of the pool starting again does (it is the pool as it is now).
        let beat2 = feed.acceptHeartbeat(Self.beat(.ready, sequence: 0), now: 110)
        #expect(beat2?.state == .ready)
        #expect(feed.lastHeard == 110)
        // A marker of another epoch means nothing; the new epoch's restarts the count.
        let resumption = feed.acceptMarker(Self.marker(epoch: 0, tick: 40, sequence: 0), epoch: 1, realtime: false, now: 120)
        #expect(resumption == nil)
        #expect(feed.awaitingMarker)
        let resumption2 = feed.acceptMarker(Self.marker(epoch: 1, tick: 40, sequence: 0), epoch: 1, realtime: false, now: 130)
        #expect(resumption2 == .newEpoch(tick: 40))
        #expect(!feed.awaitingMarker)
        let batch2 = try feed.acceptBatch(sequence: 1, firstTick: 40, tickCount: 8, realtime: false, now: 140)
        #expect(batch2 == .take(silentFrom: nil, takenOver: false))
        #expect(feed.nextTick == 48)
    }

    @Test func joiningARolledBackNetworkWaitsForTheMarkerWithoutForgettingWhatWasHeard() throws {
        var feed = PoolFeed(name: "motor", nextTick: 40)
        let beat = feed.acceptHeartbeat(Self.beat(.ready, sequence: 3), now: 10)
        #expect(beat != nil)
        feed.awaitMarker()
        #expect(feed.lastHeard == 10)
        let batch = try feed.acceptBatch(sequence: 4, firstTick: 40, tickCount: 8, realtime: false, now: 20)
        #expect(batch == .drop)
    }

    @Test func realTimeFollowsAReplicasMarkerUnawaited() throws {
        var feed = try Self.following(realtime: true)
        let resumption = feed.acceptMarker(Self.marker(epoch: 0, tick: 200, sequence: 0), epoch: 0, realtime: true, now: 150)
        #expect(resumption == .takenOver(tick: 200))
        #expect(feed.lastHeard == 150)
        // The replica's stream counts from its marker; the ticks it skipped read as silent.
        let batch = try feed.acceptBatch(sequence: 1, firstTick: 200, tickCount: 1, realtime: true, now: 160)
        #expect(batch == .take(silentFrom: 80, takenOver: false))
        // Lockstep takes no unawaited marker.
        var lockstep = try Self.following()
        let resumption2 = lockstep.acceptMarker(Self.marker(epoch: 0, tick: 200), epoch: 0, realtime: false, now: 150)
        #expect(resumption2 == nil)
    }

    @Test func realTimeFollowsAReplicaWhoseMarkerWasMissed() throws {
        // Node and recorder: a restarted sequence with new ticks is the replica's stream.
        var feed = try Self.following(realtime: true)
        _ = feed.acceptHeartbeat(Self.beat(.running, sequence: 50), now: 95)
        let batch = try feed.acceptBatch(sequence: 2, firstTick: 200, tickCount: 1, realtime: true, now: 160)
        #expect(batch == .take(silentFrom: 80, takenOver: true))
        let batch2 = try feed.acceptBatch(sequence: 3, firstTick: 201, tickCount: 1, realtime: true, now: 161)
        #expect(batch2 == .take(silentFrom: nil, takenOver: false))
        // Its heartbeats count from its own sequence, not the dead primary's.
        _ = feed.acceptHeartbeat(Self.beat(.running, sequence: 4), now: 162)
        #expect(feed.lostHeartbeats == 0)
    }

    @Test func theControllerLetsAJoinedReplicasFirstBatchStandInForItsMarker() throws {
        var feed = try Self.following(realtime: true)
        feed.awaitNewPublisher()
        #expect(feed.lastHeard == 90)
        // Before the replica has joined: nothing of the pool's stream counts.
        let batch = try feed.acceptBatch(sequence: 10, firstTick: 80, tickCount: 1, realtime: true, now: 100)
        #expect(batch == .drop)
        feed.restartStream(at: 300)
        // Joined: a batch of the old primary (old ticks) is dropped; the replica's first is taken.
        let batch2 = try feed.acceptBatch(sequence: 11, firstTick: 81, tickCount: 1, realtime: true, now: 110, markerMissable: true)
        #expect(batch2 == .drop)
        let batch3 = try feed.acceptBatch(sequence: 1, firstTick: 300, tickCount: 1, realtime: true, now: 120, markerMissable: true)
        #expect(batch3 == .take(silentFrom: nil, takenOver: true))
        #expect(!feed.awaitingMarker)
        #expect(feed.nextTick == 301)
    }

    @Test func heartbeatsCountTheirOwnLosses() throws {
        var feed = PoolFeed(name: "motor")
        _ = feed.acceptHeartbeat(Self.beat(.running, sequence: 0), now: 1)
        let beat = feed.acceptHeartbeat(Self.beat(.failed, sequence: 3, tick: 77), now: 2)
        #expect(beat?.state == .failed)
        #expect(beat?.tick == 77)
        #expect(feed.lostHeartbeats == 2)
        // A caller's own rule overrides the epoch rule (the controller's, while rolling back).
        let overridden = feed.acceptHeartbeat(Self.beat(.running, sequence: 4), now: 3, counts: false)
        #expect(overridden == nil)
        #expect(feed.lastHeard == 2)
    }
}
