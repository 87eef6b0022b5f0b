import Testing
@testable import NeuroNode
import NeuroNetwork
import NeuroEngine

/// How every receiver of a pool's spike stream (node, recorder, controller) reads a batch's
/// sequence number, including a real-time replica whose takeover marker it missed.
@Suite("Spike batch order")
struct BatchOrderTests {
    /// A stream that has seen sequences 0…499 and expects tick 1000 next.
    static func following() -> SequenceCheck {
        var check = SequenceCheck()
        for s in UInt32(0) ..< 500 { _ = check.accept(s) }
        return check
    }

    @Test func inOrderAndSkippedBatches() {
        var check = Self.following()
        #expect(EpochMarker.order(500, firstTick: 1000, expectedTick: 1000, realtime: false, check: &check) == .next(lost: 0))
        #expect(EpochMarker.order(503, firstTick: 1004, expectedTick: 1001, realtime: true, check: &check) == .next(lost: 2))
    }

    @Test func aReplicasRestartedStreamIsFollowedInRealTimeOnly() {
        // The replica counts from 0 again, its ticks new: its marker was missed.
        var realtime = Self.following()
        #expect(EpochMarker.order(0, firstTick: 1200, expectedTick: 1000, realtime: true, check: &realtime) == .takenOver)
        // From there its stream is in order.
        #expect(EpochMarker.order(1, firstTick: 1201, expectedTick: 1201, realtime: true, check: &realtime) == .next(lost: 0))
        // Lockstep never guesses: only a marker restarts a stream.
        var lockstep = Self.following()
        #expect(EpochMarker.order(0, firstTick: 1200, expectedTick: 1000, realtime: false, check: &lockstep) == .old)
        #expect(EpochMarker.order(500, firstTick: 1000, expectedTick: 1000, realtime: false, check: &lockstep) == .next(lost: 0))
    }

    @Test func aStaleBatchIsDropped() {
        // An old sequence with old ticks: a duplicate or a batch of the dead primary.
        var check = Self.following()
        #expect(EpochMarker.order(400, firstTick: 900, expectedTick: 1000, realtime: true, check: &check) == .old)
        #expect(EpochMarker.order(500, firstTick: 1000, expectedTick: 1000, realtime: true, check: &check) == .next(lost: 0))
    }
}
