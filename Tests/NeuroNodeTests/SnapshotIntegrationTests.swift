import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Snapshots across processes: a cut taken by `up` equals the one `run` takes, and a run
/// restored from either, in either placement, continues exactly as the uninterrupted run.
@Suite("Snapshots across processes", .serialized)
struct SnapshotIntegrationTests {
    typealias L = LockstepIntegrationTests

    static func folder(_ root: String, tick: Int) throws -> String {
        let all = SnapshotStore.list(root: root).filter { $0.manifest.tick == UInt64(tick) }
        return try #require(all.first?.path, "no snapshot at tick \(tick) in \(root)")
    }

    /// The raster lines of ticks at or after `tick` (a restored run writes only those).
    static func rasterTail(_ path: String, from tick: Int) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().filter { Int($0.split(separator: " ")[0])! >= tick }
    }

    /// Pairwise, the snapshots of `a` and `b` have the same manifest (but for the wall clock)
    /// and the same part bytes of every pool in `pools`.
    static func expectSameSnapshots(_ a: [(path: String, manifest: SnapshotManifest)], _ b: [(path: String, manifest: SnapshotManifest)],
                                    pools: [String]) throws {
        for (x, y) in zip(a, b) {
            var (mx, my) = (x.manifest, y.manifest)
            (mx.createdMilliseconds, my.createdMilliseconds) = (0, 0)
            #expect(mx == my, "the manifests of tick \(mx.tick) differ")
            for pool in pools {
                let px = try Data(contentsOf: URL(fileURLWithPath: "\(x.path)/\(pool).pool.z"))
                let py = try Data(contentsOf: URL(fileURLWithPath: "\(y.path)/\(pool).pool.z"))
                #expect(px == py, "\(pool)'s part of tick \(mx.tick) differs")
            }
        }
    }

    static func expectRestoresMatch(networkText: String, cut: Int, ticks: Int) throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try L.withPrivateEndpoints(networkText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: file)
        // Uninterrupted, each placement taking the snapshot on the way.
        for command in ["run", "up"] {
            let r = try L.neurobus([command, file, "--ticks", "\(ticks)", "--out", "\(dir)/\(command)", "--quiet", "--snapshot-at", "\(cut)"], log: "\(dir)/\(command).log")
            #expect(r.status == .exited(0), "\(r.output)")
        }
        let fromRun = try folder("\(dir)/run/snapshots", tick: cut), fromUp = try folder("\(dir)/up/snapshots", tick: cut)
        #expect(URL(fileURLWithPath: fromRun).lastPathComponent == URL(fileURLWithPath: fromUp).lastPathComponent, "the same cut has the same id")
        for pool in network.pools {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/up/node-snapshots/\(URL(fileURLWithPath: fromUp).lastPathComponent)/\(pool.name).pool.z"),
                    "node \(pool.name) kept no local copy")
        }
        // Every snapshot either placement kept (the cut, and any `[snapshots] every`): the same
        // ids, manifests (but for the wall clock) and part bytes.
        let runAll = SnapshotStore.list(root: "\(dir)/run/snapshots"), upAll = SnapshotStore.list(root: "\(dir)/up/snapshots")
        #expect(runAll.map(\.manifest.tick) == upAll.map(\.manifest.tick) && runAll.map(\.manifest.id) == upAll.map(\.manifest.id))
        try expectSameSnapshots(runAll, upAll, pools: network.pools.map(\.name))
        // Restored across placements: up from run's snapshot, run from up's.
        for (command, snapshot) in [("up", fromRun), ("run", fromUp)] {
            let out = "\(dir)/restored-\(command)"
            let r = try L.neurobus([command, file, "--ticks", "\(ticks)", "--out", out, "--quiet", "--restore", snapshot], log: "\(out).log")
            #expect(r.status == .exited(0), "\(r.output)")
            for pool in network.pools {
                let whole = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run/\(pool.name).pool"))
                #expect(try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(pool.name).pool")) == whole, "\(command) --restore: \(pool.name).pool differs")
                #expect(try rasterTail("\(out)/\(pool.name).raster", from: cut) == rasterTail("\(dir)/run/\(pool.name).raster", from: cut),
                        "\(command) --restore: \(pool.name).raster differs after tick \(cut)")
            }
        }
    }

    /// The three-pool network (STDP, rewards — the cut falls inside a reward window — and
    /// scheduled broadcasts after the cut).
    @Test func threePoolNetworkRestoresExactlyInBothPlacements() throws {
        try Self.expectRestoresMatch(networkText: NetworkDescription.threePoolFileText, cut: 1537, ticks: 4500)
    }

    /// Pairing and contest rewards: the manifests carry `reward_state` and `reward_random`
    /// (the same from both placements), pending pairing rewards are held by the pool at the
    /// cut, a contest window is open, and either placement restores the other's snapshot.
    @Test func rewardRulesRestoreExactlyInBothPlacements() throws {
        try Self.expectRestoresMatch(networkText: RewardScheduleTests.distalNetwork, cut: 1130, ticks: 2500)
    }

    /// The delay-1 loop: spikes in flight on both links at the cut.
    @Test func loopNetworkRestoresExactlyInBothPlacements() throws {
        try Self.expectRestoresMatch(networkText: NetworkDescription.loopExampleText, cut: 2001, ticks: 4000)
    }

    /// A Hodgkin–Huxley pool between integer LIF pools (`mixedExampleText`, its hh pool also
    /// driven by a Poisson stimulus from its generator) with `[snapshots] every = 750`: the
    /// parts of every snapshot are byte-identical from `run` and `up`, and a run restored from
    /// the one at tick 1500 — a scheduled acetylcholine broadcast and a reward's dopamine still
    /// held, spikes in flight on every projection into the hh pool — continues exactly, in
    /// either placement from the other's snapshot.
    @Test func hodgkinHuxleyNetworkRestoresExactlyInBothPlacements() throws {
        try Self.expectRestoresMatch(networkText: Self.hodgkinHuxleyNetworkText, cut: 1500, ticks: 3000)
    }

    /// `mixedExampleText` with a Poisson stimulus into the hh pool and periodic snapshots.
    static let hodgkinHuxleyNetworkText = NetworkDescription.mixedExampleText.replacingOccurrences(of: "drive = 1024\n", with: """
        drive = 1024

          [[pool.stimulus]]
          neurons = [16, 48]
          kind = "poisson"
          drive = 2048
          rate_hz = 40.0

        """) + "\n[snapshots]\nevery = 750\nkeep = 10\n"

    /// `[snapshots] every = 100, keep = 2` over 4550 ticks (45 snapshots): both placements
    /// keep the same last two, chained by parent — and so do the nodes' and the replicas' own
    /// copies of their parts.
    @Test func periodicSnapshotsAreKeptAndChained() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        let text = NetworkDescription.loopExampleText + "\n[snapshots]\nevery = 100\nkeep = 2\n"
        try L.withPrivateEndpoints(text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        for command in ["run", "up"] {
            let r = try L.neurobus([command, file, "--ticks", "4550", "--out", "\(dir)/\(command)", "--quiet"] + (command == "up" ? ["--replicas"] : []),
                                   log: "\(dir)/\(command).log")
            #expect(r.status == .exited(0), "\(r.output)")
        }
        let run = SnapshotStore.list(root: "\(dir)/run/snapshots"), up = SnapshotStore.list(root: "\(dir)/up/snapshots")
        #expect(run.map(\.manifest.tick) == [4400, 4500] && up.map(\.manifest.tick) == [4400, 4500], "run \(run.map(\.manifest.tick)), up \(up.map(\.manifest.tick))")
        #expect(run.map(\.manifest.id) == up.map(\.manifest.id))
        #expect(run.count == 2 && run[1].manifest.parent == run[0].manifest.id)
        let kept = up.map { URL(fileURLWithPath: $0.path).lastPathComponent }
        for copies in ["node-snapshots", "replica-snapshots"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/up/\(copies)").sorted()
            #expect(names == kept, "\(copies): \(names)")
        }
    }

    /// Part copies beyond the newest `keep` go, ordered by tick then id; other names stay.
    @Test func partCopiesArePrunedToTheNewest() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let names = ["tick-20-00000000000000aa", "tick-5-00000000000000ff", "tick-100-0000000000000001", "tick-20-0000000000000001", "notes", "tick-x-1"]
        for n in names { try FileManager.default.createDirectory(atPath: "\(dir)/\(n)", withIntermediateDirectories: true) }
        FileManager.default.createFile(atPath: "\(dir)/tick-5-00000000000000ff/motor.pool.z", contents: Data([1, 2, 3]))
        let removed = SnapshotStore.pruneCopies(root: dir, keep: 2).map { URL(fileURLWithPath: $0).lastPathComponent }
        #expect(removed == ["tick-5-00000000000000ff", "tick-20-0000000000000001"])
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(left == ["notes", "tick-100-0000000000000001", "tick-20-00000000000000aa", "tick-x-1"])
        #expect(SnapshotStore.pruneCopies(root: "\(dir)/absent", keep: 1).isEmpty)
    }
}
