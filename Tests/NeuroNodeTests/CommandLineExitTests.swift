import Foundation
import Testing
import NeuroNetwork
import NeuroEngine

/// The README's exit codes: 64 for a bad command line (a value out of range included), named
/// in the message; 1 for bad files.
@Suite("Command-line exit codes")
struct CommandLineExitTests {
    @Test(arguments: [
        (["--neurons", "70000", "--out-degree", "10"], "--neurons 70000 is out of range 1…65536"),
        (["--neurons", "100", "--density", "1.5"], "--density 1.5 is out of range 0…1"),
        (["--neurons", "100", "--out-degree", "100"], "--out-degree 100 is out of range 0…99"),
        (["--neurons", "100", "--out-degree", "10", "--max-delay", "9"], "--max-delay 9 is out of range 1…8 ticks"),
    ])
    func poolCreateRefusesValuesOutOfRange(arguments: [String], message: String) throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try LockstepIntegrationTests.neurobus(["pool", "create"] + arguments + ["--output", "\(dir)/p.pool"], log: "\(dir)/log")
        #expect(result.status == .exited(64) && result.output.contains(message), "\(result.status): \(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/p.pool"))
    }

    /// `inproc://` cannot join separate processes: `up` and `node` refuse it at once, naming
    /// the key, instead of waiting out the join timeout.
    @Test func inprocEndpointsAreRefusedBySeparateProcesses() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = "[network]\nname = \"t\"\nseed = 1\n[controller]\ncontrol = \"inproc://c\"\npublish = \"inproc://p\"\n"
            + "[[pool]]\nname = \"a\"\nneurons = 10\nout_degree = 0\nendpoint = \"inproc://a\"\n"
        try text.write(toFile: "\(dir)/n.toml", atomically: true, encoding: .utf8)
        for arguments in [["up", "\(dir)/n.toml", "--out", "\(dir)/out", "--quiet"], ["node", "--network", "\(dir)/n.toml", "--pool", "a"]] {
            let result = try LockstepIntegrationTests.neurobus(arguments, log: "\(dir)/log", timeoutSeconds: 30)
            #expect(result.status == .exited(1) && result.output.contains("controller.control = \"inproc://c\": an inproc endpoint"), "\(result.status): \(result.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    /// A bad input file makes its source fail, which stops its pool, which stops the
    /// controller: `up` names the source, where the cascade began, with its error.
    @Test func upNamesTheRootCauseOfACascade() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try LockstepIntegrationTests.withPrivateEndpoints(LiveIOTests.defaultWithSource, in: dir).write(toFile: "\(dir)/n.toml", atomically: true, encoding: .utf8)
        try "tick,neuron\n10,5\n".write(toFile: "\(dir)/bad.csv", atomically: true, encoding: .utf8)
        let result = try LockstepIntegrationTests.neurobus(["up", "\(dir)/n.toml", "--ticks", "3000", "--out", "\(dir)/out", "--quiet", "--inject", "touch=\(dir)/bad.csv"],
                                                           log: "\(dir)/log", timeoutSeconds: 60)
        #expect(result.status == .exited(1), "\(result.output)")
        #expect(result.output.contains("Error: source touch failed") && result.output.contains("outside source touch's neurons [128, 256)"), "\(result.output)")
    }

    @Test func badFilesExitOne() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try LockstepIntegrationTests.neurobus(["network", "check", dir], log: "\(dir)/log")
        #expect(result.status == .exited(1) && result.output.contains("not a regular file"), "\(result.status): \(result.output)")
    }
}
