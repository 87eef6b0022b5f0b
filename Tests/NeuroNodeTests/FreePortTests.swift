import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

/// `up` on the built-in network binds free ports, so runs side by side on one machine never
/// meet, and each writes the ports it used; a file's own endpoints are kept unless asked.
@Suite("Free ports for up", .serialized)
struct FreePortTests {
    typealias L = LockstepIntegrationTests

    @Test func twoDefaultRunsSideBySideEachMatchRun() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let executable = try L.executable()
        let runs = try (1 ... 2).map { k in
            try ChildProcess(label: "up \(k)", executable: executable, arguments: ["up", "--ticks", "400", "--out", "\(dir)/up\(k)", "--quiet"],
                             logPath: "\(dir)/up\(k).log")
        }
        defer { for r in runs { r.killAndReap() } }
        let reference = try L.neurobus(["run", "--ticks", "400", "--out", "\(dir)/run", "--quiet"], log: "\(dir)/run.log")
        #expect(reference.status == .exited(0))
        for _ in 0 ..< 6000 where runs.contains(where: { $0.poll() == nil }) { usleep(20_000) }
        var endpoints: [[String]] = []
        for (k, r) in runs.enumerated() {
            #expect(r.poll() == .exited(0), "\((try? String(contentsOfFile: r.logPath, encoding: .utf8)) ?? "")")
            let used = try NetworkDescription.load(path: "\(dir)/up\(k + 1)/network.toml")
            endpoints.append([used.controller.control, used.controller.publish] + used.pools.map(\.endpoint))
            for p in used.pools {
                for ext in ["raster", "pool"] {
                    #expect(FileManager.default.contents(atPath: "\(dir)/run/\(p.name).\(ext)") == FileManager.default.contents(atPath: "\(dir)/up\(k + 1)/\(p.name).\(ext)"),
                            "\(p.name).\(ext) of run \(k + 1)")
                }
            }
        }
        let builtIn = NetworkDescription.builtInThreePool()
        #expect(Set(endpoints[0]).isDisjoint(with: endpoints[1]))
        #expect(!endpoints[0].contains(builtIn.controller.control))
    }

    @Test func freePortsNeedLoopbackEndpoints() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try L.withPrivateEndpoints(NetworkDescription.loopExampleText, in: dir).write(toFile: "\(dir)/n.toml", atomically: true, encoding: .utf8)
        let r = try L.neurobus(["up", "\(dir)/n.toml", "--ports", "free", "--ticks", "10", "--out", "\(dir)/up"], log: "\(dir)/up.log", timeoutSeconds: 30)
        #expect(r.status == .exited(1) && r.output.contains("--ports free: endpoint ipc://") && r.output.contains("--ports file"), "\(r.output)")
    }

    /// Free ports lie below the ephemeral range, where no connection's own source port can be.
    @Test func freePortsAreDistinctAndBelowTheEphemeralRange() throws {
        let low = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
        let ports = try NetworkEndpoints.freeLoopbackPorts(20)
        #expect(Set(ports).count == 20)
        #expect(ports.allSatisfy { $0 >= 10_000 && $0 < low }, "\(ports)")
    }
}
