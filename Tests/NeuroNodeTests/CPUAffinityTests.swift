import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

private typealias L = LockstepIntegrationTests

/// Binding nodes to cores: which core each pool gets, the node's `--cpu`, and `up --pin`.
@Suite("CPU binding")
struct CPUAffinityTests {
    @Test func eachPoolGetsACoreOfItsOwnOrNoneIsBound() {
        #expect(CPUAffinity.assignment(pools: 2, cpus: [0, 1]) == [0, 1])
        #expect(CPUAffinity.assignment(pools: 2, cpus: [2, 5, 7]) == [2, 5])
        // Fewer cores than pools: two busy nodes on one core would wait for each other.
        #expect(CPUAffinity.assignment(pools: 3, cpus: [0, 1]) == nil)
        #expect(CPUAffinity.assignment(pools: 0, cpus: [0, 1]) == nil)
    }

    @Test func cpuListsReadLikeTaskset() {
        #expect(CPUAffinity.describe([0, 1, 2, 3, 6]) == "0-3,6")
        #expect(CPUAffinity.describe([4]) == "4")
        #expect(CPUAffinity.describe([0, 2, 3]) == "0,2-3")
        #expect(CPUAffinity.describe([]) == "none")
    }

    @Test func thisProcessMayRunSomewhere() {
        let cpus = CPUAffinity.allowed()
        #expect(!cpus.isEmpty && cpus == cpus.sorted() && cpus.allSatisfy { $0 >= 0 })
    }

    /// A core the process may not use is refused before anything starts, naming it and the
    /// ones it may use.
    @Test func aNodeRefusesACoreItMayNotUse() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try L.withPrivateEndpoints(NetworkDescription.loopExampleText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let bad = (CPUAffinity.allowed().max() ?? 0) + 1
        let (status, output) = try L.neurobus(["node", "--network", file, "--pool", "left", "--cpu", "\(bad)"], log: "\(dir)/node.log", timeoutSeconds: 30)
        #expect(status == .exited(1))
        #expect(output.contains("cannot pin to CPU \(bad)") && output.contains("may run on CPUs \(CPUAffinity.describe(CPUAffinity.allowed()))"), "\(output)")
    }

    /// `up` binds each node to a core of its own when there are enough (the replicas to their
    /// pool's), and none with `--pin never`; the results are the same either way.
    @Test func upBindsNodesWhenThereAreCoresEnough() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try L.withPrivateEndpoints(NetworkDescription.loopExampleText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let cpus = CPUAffinity.allowed()
        for pin in ["auto", "never"] {
            let (status, output) = try L.neurobus(["up", file, "--ticks", "300", "--out", "\(dir)/\(pin)", "--quiet", "--pin", pin], log: "\(dir)/\(pin).log")
            #expect(status == .exited(0), "\(output)")
            let logs = ["left", "right"].map { (try? String(contentsOfFile: "\(dir)/\(pin)/logs/\($0).log", encoding: .utf8)) ?? "" }
            if pin == "auto", cpus.count >= 2 {
                #expect(logs[0].contains("bound to CPU \(cpus[0])") && logs[1].contains("bound to CPU \(cpus[1])"), "\(logs)")
            } else {
                #expect(logs.allSatisfy { !$0.contains("bound to CPU") }, "\(logs)")
            }
        }
        for name in ["left.raster", "left.pool", "right.raster", "right.pool"] {
            #expect(FileManager.default.contents(atPath: "\(dir)/auto/\(name)") == FileManager.default.contents(atPath: "\(dir)/never/\(name)"), "\(name)")
        }
    }
}
