import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

/// Multi-host runs proven across network namespaces: `deploy/netns/run.sh` puts the controller
/// and every pool of the three-pool network on its own namespace ("host"), joined by veth pairs
/// and a bridge in a namespace of its own, and checks lockstep equality with `neurobus run`,
/// a snapshot restored on loopback, and a 2 s link outage in lockstep and in real time.
/// It needs root and working `ip netns`; otherwise the test records why it skipped.
@Suite("Deployment across network namespaces", .serialized)
struct NetnsDeployTests {
    /// deploy/netns/run.sh of this checkout.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/netns/run.sh").path
    }

    /// Why the namespaces cannot be made here, or nil when they can.
    static func skipReason() -> String? {
        guard getuid() == 0 else { return "not root (uid \(getuid())): network namespaces need root" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip")
            || FileManager.default.isExecutableFile(atPath: "/usr/bin/ip") else { return "no ip command (iproute2)" }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["ip", "netns", "list"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch { return "cannot run ip netns list: \(error)" }
        probe.waitUntilExit()
        return probe.terminationStatus == 0 ? nil : "ip netns list fails (status \(probe.terminationStatus))"
    }

    @Test func threePoolNetworkAcrossNamespaces() throws {
        if let reason = Self.skipReason() {
            print("NetnsDeployTests skipped: \(reason)")
            return
        }
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, output) = try LockstepIntegrationTests.neurobusScript(
            Self.script, ["--neurobus", try LockstepIntegrationTests.executable()], log: "\(dir)/netns.log", timeoutSeconds: 180)
        if let skipped = output.split(separator: "\n").first(where: { $0.hasPrefix("SKIP:") }) {
            print("NetnsDeployTests skipped: \(skipped)")
            return
        }
        #expect(status == .exited(0), "\(output)")
        for check in ["ok lockstep:", "ok snapshot:", "ok outage:", "ok realtime:", "PASS:"] {
            #expect(output.contains(check), "deploy/netns/run.sh did not report \(check)\n\(output)")
        }
        print(output.split(separator: "\n").filter { $0.hasPrefix("ok ") }.joined(separator: "\n"))
        // Nothing of the run is left: no namespace and no host file of its own.
        let listing = Process()
        listing.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        listing.arguments = ["ip", "netns", "list"]
        let pipe = Pipe()
        listing.standardOutput = pipe
        try listing.run()
        let names = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        listing.waitUntilExit()
        let prefix = output.split(separator: "\n").first { $0.hasPrefix("namespaces: ") }?.split(separator: " ").dropFirst().first.map { String($0.dropLast(3)) }
        if let prefix {
            #expect(!names.contains(prefix), "namespaces of the run are left: \(names)")
            #expect(!FileManager.default.fileExists(atPath: "/etc/netns/\(prefix)-ctl"), "/etc/netns/\(prefix)-ctl is left")
        } else {
            Issue.record("the script did not name its namespaces\n\(output)")
        }
    }
}

extension LockstepIntegrationTests {
    /// Runs `bash SCRIPT ARGS…` (output to `log`), returning its status and output.
    static func neurobusScript(_ script: String, _ arguments: [String], log: String, timeoutSeconds: Double) throws -> (status: ChildProcess.Status, output: String) {
        let child = try ChildProcess(label: "script", executable: "/bin/bash", arguments: [script] + arguments, logPath: log)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while child.poll() == nil {
            if Date() > deadline {
                child.kill(SIGTERM)
                Issue.record("\(script) did not finish within \(timeoutSeconds) s")
                break
            }
            usleep(50_000)
        }
        var status = child.poll()
        for _ in 0 ..< 100 where status == nil {
            usleep(50_000)
            status = child.poll()
        }
        return (status ?? .signalled(SIGTERM), (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
