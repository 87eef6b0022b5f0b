import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

/// `neurobus diverge --network`: the scenario's pool from a network file.
@Suite("diverge with a network file")
struct DivergeCommandTests {
    typealias L = LockstepIntegrationTests

    @Test func thePoolComesFromTheFileAndBadNamesAreRefused() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/mixed.toml"
        try NetworkDescription.mixedExampleText.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try L.neurobus(["diverge", "--network", file, "--no-fit", "--no-importance", "--ticks", "300", "--json"], log: "\(dir)/d.log")
        #expect(run.status == .exited(0), "\(run.output)")
        // The hh pool of the file (48 neurons) replaced the scenario's 100.
        #expect(run.output.contains("pool cortex of ") && run.output.contains("(hh in the file): 48 HH neurons"), "\(run.output)")
        let named = try L.neurobus(["diverge", "--network", file, "--pool", "motor", "--no-fit", "--no-importance", "--ticks", "100", "--json"], log: "\(dir)/m.log")
        #expect(named.status == .exited(0) && named.output.contains("pool motor of ") && named.output.contains("(lif in the file): 64 HH neurons"), "\(named.output)")
        let bad = try L.neurobus(["diverge", "--network", file, "--pool", "nope"], log: "\(dir)/b.log")
        #expect(bad.status == .exited(1) && bad.output.contains("--pool nope: no such pool"), "\(bad.output)")
        let lone = try L.neurobus(["diverge", "--pool", "cortex"], log: "\(dir)/p.log")
        #expect(lone.status != .exited(0) && lone.output.contains("--pool needs --network FILE"), "\(lone.output)")
    }
}
