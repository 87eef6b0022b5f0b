import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Snapshots that do not fit are refused with their specific error, and nothing on disk is
/// touched; a snapshot write that fails midway leaves the previous snapshot intact.
@Suite("Snapshot refusals", .serialized)
struct SnapshotRefusalTests {
    /// A scratch folder with a snapshot of the three-pool network at tick 300 (taken by the
    /// single-process run, in-process).
    static func makeSnapshot() throws -> (dir: String, snapshot: String, network: NetworkDescription) {
        let dir = try LockstepIntegrationTests.scratch()
        let network = NetworkDescription.builtInThreePool()
        _ = try LocalRun.run(network: network, ticks: 300, out: nil, snapshots: SnapshotPlan(root: "\(dir)/snaps", at: [150, 300]))
        let all = SnapshotStore.list(root: "\(dir)/snaps")
        return (dir, try #require(all.last?.path), network)
    }

    static func expectRefused(_ path: String, _ network: NetworkDescription, _ check: (SnapshotError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try LoadedSnapshot(path: path, network: network)
            Issue.record("restored a bad snapshot", sourceLocation: sourceLocation)
        } catch {
            #expect(check(error), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func eachKindOfBadSnapshotGetsItsOwnError() throws {
        let (dir, snapshot, network) = try Self.makeSnapshot()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try LoadedSnapshot(path: snapshot, network: network).manifest.tick == 300)
        func copy(_ name: String) throws -> String {
            let to = "\(dir)/\(name)"
            try FileManager.default.copyItem(atPath: snapshot, toPath: to)
            return to
        }
        // A flipped byte in a part: its CRC.
        let corrupt = try copy("corrupt")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: "\(corrupt)/motor.pool.z"))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: "\(corrupt)/motor.pool.z"))
        Self.expectRefused(corrupt, network) { if case .corruptPart(let pool, _, let d) = $0 { pool == "motor" && d.contains("CRC-32") } else { false } }
        // A truncated part: its size.
        let truncated = try copy("truncated")
        try bytes.prefix(100).write(to: URL(fileURLWithPath: "\(truncated)/motor.pool.z"))
        Self.expectRefused(truncated, network) { if case .corruptPart(_, _, let d) = $0 { d.contains("100 bytes, the manifest says") } else { false } }
        // A missing part.
        let missing = try copy("missing")
        try FileManager.default.removeItem(atPath: "\(missing)/association.pool.z")
        Self.expectRefused(missing, network) { if case .missingPart(let pool, _) = $0 { pool == "association" } else { false } }
        // Another network (the loop example).
        Self.expectRefused(snapshot, NetworkDescription.builtInLoopExample()) { if case .networkMismatch = $0 { true } else { false } }
        // A newer format.
        let newer = try copy("newer")
        let manifest = try String(contentsOfFile: "\(newer)/manifest.toml", encoding: .utf8)
        try manifest.replacingOccurrences(of: "format = 1", with: "format = 9").write(toFile: "\(newer)/manifest.toml", atomically: true, encoding: .utf8)
        Self.expectRefused(newer, network) { $0 == .newerFormat(file: "\(newer)/manifest.toml", found: 9, supported: 1) }
        // No snapshot at all.
        Self.expectRefused("\(dir)/nothing", network) { $0 == .notFound("\(dir)/nothing") }
        // A plain pool file in place of a part (its CRC fixed in the manifest): no held input.
        let plain = try copy("plain")
        var pool = try SnapshotStore.loadPart(snapshot, manifest: SnapshotStore.manifest(at: snapshot), pool: "motor")
        pool.held = nil
        let part = SnapshotPart(pool: pool)
        try Data(part.bytes).write(to: URL(fileURLWithPath: "\(plain)/motor.pool.z"))
        var m = try SnapshotStore.manifest(at: plain)
        m.parts[2] = SnapshotManifest.Part(pool: "motor", file: "motor.pool.z", bytes: part.bytes.count, rawBytes: part.rawBytes, crc32: part.crc32)
        try m.rendered().write(toFile: "\(plain)/manifest.toml", atomically: true, encoding: .utf8)
        Self.expectRefused(plain, network) { if case .badPart(let p, let d) = $0 { p == "motor" && d.contains("no held input") } else { false } }
    }

    /// `run --restore` with a corrupt snapshot fails before writing anything: the output
    /// folder's earlier files are untouched.
    @Test func aRefusedRestoreOverwritesNothing() throws {
        let (dir, snapshot, _) = try Self.makeSnapshot()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: "\(snapshot)/sensory.pool.z"))
        bytes[10] ^= 1
        try bytes.write(to: URL(fileURLWithPath: "\(snapshot)/sensory.pool.z"))
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: true)
        let earlier = Data("earlier results".utf8)
        for name in ["sensory.pool", "sensory.raster"] { try earlier.write(to: URL(fileURLWithPath: "\(dir)/out/\(name)")) }
        try NetworkDescription.threePoolFileText.write(toFile: "\(dir)/net.toml", atomically: true, encoding: .utf8)
        let r = try LockstepIntegrationTests.neurobus(["run", "\(dir)/net.toml", "--ticks", "600", "--out", "\(dir)/out", "--restore", snapshot], log: "\(dir)/run.log")
        #expect(r.status == .exited(1) && r.output.contains("sensory's part") && r.output.contains("CRC-32"), "\(r.output)")
        for name in ["sensory.pool", "sensory.raster"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/out/\(name)")) == earlier, "\(name) was overwritten")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out/motor.pool"))
    }

    /// A crash while writing a snapshot leaves a `.partial-…` folder: it is never listed or
    /// restored, the previous snapshot is intact, and the next write clears it away. A write
    /// that fails midway leaves no snapshot under the final name.
    @Test func aCrashMidWriteLeavesThePreviousSnapshotIntact() throws {
        let (dir, snapshot, network) = try Self.makeSnapshot()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = "\(dir)/snaps"
        let before = SnapshotStore.list(root: root).map(\.path)
        // What a kill -9 in the middle of a write leaves behind.
        let partial = "\(root)/.partial-00000000000000aa-999999"
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        try Data("half a part".utf8).write(to: URL(fileURLWithPath: "\(partial)/motor.pool.z"))
        #expect(SnapshotStore.list(root: root).map(\.path) == before)
        #expect(try LoadedSnapshot(path: snapshot, network: network).manifest.tick == 300)
        // A write whose folder cannot be made (a file is in the way) fails and leaves no snapshot.
        let loaded = try LoadedSnapshot(path: snapshot, network: network)
        var manifest = loaded.manifest
        manifest.id = 0xAA
        manifest.tick = 900
        try Data().write(to: URL(fileURLWithPath: "\(root)/.partial-00000000000000aa-\(getpid())"))
        #expect(throws: SnapshotError.self) { try SnapshotStore.write(root: root, manifest: manifest, parts: loaded.pools.map { SnapshotPart(pool: $0) }) }
        #expect(SnapshotStore.list(root: root).map(\.path) == before)
        try FileManager.default.removeItem(atPath: "\(root)/.partial-00000000000000aa-\(getpid())")
        // Pruning (after every complete write) removes the crash's leftovers.
        SnapshotStore.prune(root: root, keep: 10)
        #expect(!FileManager.default.fileExists(atPath: partial))
        #expect(SnapshotStore.list(root: root).map(\.path) == before)
    }
}
