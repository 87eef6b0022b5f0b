import Foundation
import NeuroNode
import NeuroPool
import NeuroWire
import Testing
import NeuroNetwork
import NeuroEngine

@Suite("Real-time pacing and streams")
struct RealtimeUnitTests {
    @Test func dueTimesAreAbsoluteAndLatenessIsMeasured() {
        var pacer = RealtimePacer(tickMicroseconds: 1000)
        pacer.start(tick: 10, now: 5_000)
        #expect(pacer.due(10) == 5_000 && pacer.due(11) == 6_000 && pacer.due(110) == 105_000)
        // Lateness 0, 300, 1000 (not an overrun: exactly one tick), 1001 (overrun), 4000.
        pacer.record(tick: 10, now: 4_900)
        pacer.record(tick: 11, now: 6_300)
        pacer.record(tick: 12, now: 8_000)
        pacer.record(tick: 13, now: 9_001)
        pacer.record(tick: 14, now: 13_000)
        pacer.ended(now: 15_000)
        #expect(pacer.ticks == 5 && pacer.overruns == 2 && pacer.worstLateness == 4000)
        // 5 ticks = 5 ms simulated, 10 ms of wall time from tick 10's due time to the end.
        #expect(pacer.summary.hasSuffix("wall 0.010 s for 0.005 s simulated (+100.000 %)"), "\(pacer.summary)")
        #expect(pacer.lateness(percentile: 0.5) == 1000)
        #expect(pacer.lateness(percentile: 0.2) == 0)
        #expect(pacer.lateness(percentile: 0.99) == 4000)
    }

    @Test func latenessBeyondTenMillisecondsReadsAsTenThousand() {
        var pacer = RealtimePacer(tickMicroseconds: 1000)
        pacer.start(tick: 0, now: 0)
        pacer.record(tick: 0, now: 50_000)
        #expect(pacer.lateness(percentile: 0.5) == 10_000 && pacer.worstLateness == 50_000 && pacer.overruns == 1)
    }

    static func batch(_ first: UInt64, _ ticks: [[UInt16]]) -> SpikeBatch {
        var b = SpikeBatch(firstTick: first, neuronCount: 16)
        for t in ticks { b.appendTick(t) }
        return b
    }

    @Test func lockstepStreamsRefuseGaps() throws {
        var stream = SpikeStream(name: "a", neuronCount: 16)
        try stream.append(Self.batch(0, [[1], [2]]))
        #expect(throws: NodeError.self) { try stream.append(Self.batch(3, [[3]])) }
        #expect(throws: NodeError.self) { try stream.withSpikes(tick: 2) { _ in () } }
    }

    @Test func realtimeStreamsTakeGapsDropOverlapsAndReadMissingTicksAsSilent() throws {
        var stream = SpikeStream(name: "a", neuronCount: 16)
        #expect(try stream.append(Self.batch(0, [[1], [2]]), gapsAllowed: true))
        #expect(try stream.append(Self.batch(4, [[5, 7]]), gapsAllowed: true))
        #expect(try !stream.append(Self.batch(3, [[9]]), gapsAllowed: true))
        let held = try stream.withSpikes(tick: 4, missingIsSilent: true) { Array($0) }
        let lost = try stream.withSpikes(tick: 2, missingIsSilent: true) { Array($0) }
        let ahead = try stream.withSpikes(tick: 9, missingIsSilent: true) { Array($0) }
        #expect(held == [5, 7] && lost.isEmpty && ahead.isEmpty)
        #expect(stream.nextTick == 5)
    }
}

/// Real-time runs of real processes. Timing is not asserted here (that is BENCHMARKS.md);
/// these check that paced runs complete, report their pacing, and survive a dead node.
@Suite("Real-time runs across processes", .serialized)
struct RealtimeIntegrationTests {
    static func realtime(_ text: String) -> String {
        text.replacingOccurrences(of: #"mode = "lockstep""#, with: #"mode = "realtime""#)
    }

    @Test func pacedLoopRunsToTheEndAndReportsItsPacing() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        let text = Self.realtime(NetworkDescription.loopExampleText)
        #expect(text.contains(#"mode = "realtime""#))
        try LockstepIntegrationTests.withPrivateEndpoints(text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let started = Date()
        let (status, output) = try LockstepIntegrationTests.neurobus(["up", file, "--ticks", "1500", "--out", "\(dir)/up", "--quiet"], log: "\(dir)/up.log")
        #expect(status == .exited(0), "\(output)")
        // 1500 ticks of 1 ms cannot finish sooner than 1.5 s: the nodes were paced.
        #expect(Date().timeIntervalSince(started) >= 1.5)
        for pool in ["left", "right"] {
            let loaded = try NeuronPool.load(from: "\(dir)/up/\(pool).pool")
            #expect(loaded.tickCount == 1500)
            let log = try String(contentsOfFile: "\(dir)/up/logs/\(pool).log", encoding: .utf8)
            #expect(log.contains("real time: 1500 ticks paced at 1000 µs"), "\(log)")
        }
        #expect(output.contains("left: late batches") && output.contains("right: late batches"), "\(output)")
    }

    /// Real time: a killed node is declared dead by the controller within the timeout, the
    /// other pools run to the end, and `up` exits non-zero naming it.
    @Test func killedNodeIsReportedDeadAndTheRestRunOn() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try LockstepIntegrationTests.withPrivateEndpoints(Self.realtime(NetworkDescription.threePoolFileText), in: dir)
            .write(toFile: file, atomically: true, encoding: .utf8)
        // Killed mid-run: once the controller has started the run. Meanwhile `ctl status`
        // must come to show motor dead (not alive) while the others run on.
        let network = try NetworkDescription.load(path: file)
        var killed: Date?  // the first call comes right after the kill
        var deadAfter: Double?
        var lastQuery = Date.distantPast
        let status = try LockstepIntegrationTests.upKillingPool("motor", file: file, ticks: 5000, dir: dir, waitSeconds: 30,
                                                                whenLog: "controller", contains: "running to tick") {
            if killed == nil { killed = Date() }
            guard deadAfter == nil, Date().timeIntervalSince(lastQuery) > 0.2 else { return }
            lastQuery = Date()
            guard let reply = try? ControlClient(endpoint: network.controller.control, timeoutMilliseconds: 500, security: LockstepIntegrationTests.operatorSecurity(dir)).request(.statusRequest),
                  case .statusReply(let s) = reply, let motor = s.rows.first(where: { $0.name == "motor" }) else { return }
            if !motor.alive, s.rows.filter({ $0.name != "motor" }).allSatisfy(\.alive) { deadAfter = Date().timeIntervalSince(killed!) }
        }
        let output = (try? String(contentsOfFile: "\(dir)/up.log", encoding: .utf8)) ?? ""
        let controllerLog = (try? String(contentsOfFile: "\(dir)/up/logs/controller.log", encoding: .utf8)) ?? ""
        #expect(status == .exited(1), "up: \(output)\ncontroller: \(controllerLog)")
        #expect(output.contains("pool motor died") && output.contains("the other pools ran to the end"), "\(output)")
        #expect(controllerLog.contains("pool motor is dead"), "\(controllerLog)")
        // The peer timeout is 2 s; a status poll every 0.2 s sees it shortly after.
        #expect(deadAfter != nil && deadAfter! < 4, "ctl status showed motor dead after \(deadAfter.map { "\($0) s" } ?? "never")")
        for pool in ["sensory", "association"] {
            #expect(try NeuronPool.load(from: "\(dir)/up/\(pool).pool").tickCount == 5000)
        }
        #expect(LockstepIntegrationTests.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }
}
