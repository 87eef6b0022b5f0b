import Testing
import NeuroWire
@testable import NeuroNode
import NeuroNetwork
import NeuroEngine

/// Every transition of the controller's run (phase, permit, target), without sockets.
@Suite("Run clock")
struct RunClockTests {
    @Test func aRunAskedForUpFrontStartsWhenEveryPoolIsReady() {
        var c = RunClock(startTick: 0, runTicks: 1000)
        #expect(c.phase == .starting && c.state == .starting && c.target == 1000)
        #expect(c.desiredPermit(networkTick: 0, window: 512, barrier: nil) == nil)
        let started = c.everyPoolReady()
        #expect(started)
        #expect(c.phase == .running && c.state == .running)
        let started2 = c.everyPoolReady()
        #expect(!started2) // once
    }

    @Test func withoutARunTheNetworkWaitsReadyForCtl() {
        var c = RunClock(startTick: 300, runTicks: nil)
        let started = c.everyPoolReady()
        #expect(started)
        #expect(c.phase == .ready && c.state == .ready && c.until == 300)
        #expect(c.desiredPermit(networkTick: 300, window: 512, barrier: nil) == nil)
        let applied = c.command(.run, argument: 100)
        #expect(applied)
        #expect(c.phase == .running && c.target == 400)
    }

    @Test func permitsFollowTheWindowTheTargetAndTheRewardBarrier() {
        var c = RunClock(startTick: 0, runTicks: 1000)
        _ = c.everyPoolReady()
        #expect(c.desiredPermit(networkTick: 0, window: 512, barrier: nil) == 512)
        #expect(c.desiredPermit(networkTick: 700, window: 512, barrier: nil) == 1000)
        #expect(c.desiredPermit(networkTick: 0, window: 512, barrier: 130) == 130)
        let granted = c.grant(upTo: 512)
        #expect(granted)
        #expect(c.until == 512)
        // Never backwards, never the same permit twice.
        let granted2 = c.grant(upTo: 512)
        let granted3 = c.grant(upTo: 100)
        #expect(!granted2 && !granted3)
        #expect(c.until == 512)
    }

    @Test func pauseStepResumeAndRunUntilStopped() {
        var c = RunClock(startTick: 0, runTicks: 1000)
        _ = c.everyPoolReady()
        _ = c.grant(upTo: 200)
        let applied = c.command(.pause, argument: 0)
        #expect(applied)
        #expect(c.phase == .paused && c.state == .paused)
        #expect(c.desiredPermit(networkTick: 200, window: 512, barrier: nil) == nil)
        let applied2 = c.command(.step, argument: 0)
        #expect(applied2)
        #expect(c.phase == .running && c.target == 201)
        let applied3 = c.command(.pause, argument: 0)
        let applied4 = c.command(.resume, argument: 0)
        #expect(applied3 && applied4)
        #expect(c.phase == .running && c.target == 201)
        let applied5 = c.command(.run, argument: 0)
        #expect(applied5)
        #expect(c.target == .max)
        // A run longer than the tick counter means until stopped.
        let applied6 = c.command(.run, argument: .max)
        #expect(applied6 && c.target == .max)
        // A pause of a network that is not running changes nothing.
        var ready = RunClock(startTick: 0, runTicks: nil)
        _ = ready.everyPoolReady()
        let applied7 = ready.command(.pause, argument: 0)
        #expect(applied7 && ready.phase == .ready)
    }

    @Test func reachingTheTargetPausesOrStops() {
        var paused = RunClock(startTick: 0, runTicks: 100)
        _ = paused.everyPoolReady()
        let reached = paused.reachedTarget(exitWhenDone: false)
        #expect(reached == .paused)
        #expect(paused.phase == .paused)
        let reached2 = paused.reachedTarget(exitWhenDone: false)
        #expect(reached2 == nil) // only while running
        var exiting = RunClock(startTick: 0, runTicks: 100)
        _ = exiting.everyPoolReady()
        let reached3 = exiting.reachedTarget(exitWhenDone: true)
        #expect(reached3 == .stop(reason: "run complete"))
        // A run until stopped has no target to reach.
        var open = RunClock(startTick: 0, runTicks: nil)
        _ = open.everyPoolReady()
        _ = open.command(.run, argument: 0)
        let reached4 = open.reachedTarget(exitWhenDone: true)
        #expect(reached4 == nil)
    }

    @Test func aLockstepStopEndsEveryPoolAtTheFurthestPermittedTick() {
        var c = RunClock(startTick: 0, runTicks: 10_000)
        _ = c.everyPoolReady()
        _ = c.grant(upTo: 812)
        let plan = c.stopAtCommonTick(reason: "ctl stop", realtime: false, networkTick: 700)
        #expect(plan == .atTick(812))
        #expect(c.phase == .running && c.target == 812 && c.stoppingAt == "ctl stop")
        // The end is fixed: run, step, pause, resume are ignored; a second stop is under way.
        let applied = c.command(.run, argument: 5000)
        let applied2 = c.command(.pause, argument: 0)
        #expect(!applied && !applied2)
        #expect(c.target == 812 && c.phase == .running)
        let plan2 = c.stopAtCommonTick(reason: "SIGTERM", realtime: false, networkTick: 800)
        #expect(plan2 == .underWay)
        #expect(c.desiredPermit(networkTick: 800, window: 512, barrier: nil) == 812)
        let reached = c.reachedTarget(exitWhenDone: false)
        #expect(reached == .stop(reason: "ctl stop, every pool at tick 812"))
        let stopping = c.beginStopping()
        #expect(stopping)
        #expect(c.phase == .stopping && c.state == .stopping && c.isEnding)
        let stopping2 = c.beginStopping()
        #expect(!stopping2)
        c.finish()
        #expect(c.phase == .done && c.state == .stopped)
    }

    @Test func aStopWhileJoiningOrInRealTimeIsImmediate() {
        var joining = RunClock(startTick: 0, runTicks: 100)
        let plan = joining.stopAtCommonTick(reason: "ctl stop", realtime: false, networkTick: 0)
        #expect(plan == .now)
        var realtime = RunClock(startTick: 0, runTicks: 100)
        _ = realtime.everyPoolReady()
        let plan2 = realtime.stopAtCommonTick(reason: "ctl stop", realtime: true, networkTick: 50)
        #expect(plan2 == .now)
        #expect(realtime.stoppingAt == nil)
        _ = realtime.beginStopping()
        let plan3 = realtime.stopAtCommonTick(reason: "again", realtime: false, networkTick: 50)
        #expect(plan3 == .now)
    }

    @Test func aRollbackRejoinsAtTheSnapshotTick() {
        var c = RunClock(startTick: 0, runTicks: 1000)
        _ = c.everyPoolReady()
        _ = c.grant(upTo: 600)
        c.rollBack(to: 400)
        #expect(c.phase == .starting && c.until == 400 && c.target == 1000)
        #expect(c.desiredPermit(networkTick: 400, window: 512, barrier: nil) == nil)
        let started = c.everyPoolReady()
        #expect(started && c.phase == .running)
        let granted = c.grant(upTo: 900)
        #expect(granted && c.until == 900)
    }
}
