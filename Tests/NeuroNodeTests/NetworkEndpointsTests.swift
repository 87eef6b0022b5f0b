import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

/// `NetworkEndpoints`: placing a network file on hosts, and bind addresses for named hosts.
@Suite("Network endpoints for hosts")
struct NetworkEndpointsTests {
    typealias E = NetworkEndpoints

    static func parse(_ text: String) throws -> NetworkDescription {
        try NetworkDescription.parse(Array(text.utf8), file: "test.toml")
    }

    /// Lines of `a` and `b` that differ (same line count required).
    static func changedLines(_ a: String, _ b: String) -> [Int] {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false), y = b.split(separator: "\n", omittingEmptySubsequences: false)
        guard x.count == y.count else { return [-1] }
        return x.indices.filter { x[$0] != y[$0] }
    }

    @Test func threeHostsFollowTheAssignmentRule() throws {
        let network = NetworkDescription.builtInThreePool()
        let r = try E.rewrite(network, hosts: ["ctl.example", "10.0.0.2", "n3"])
        #expect(r.network.controller.control == "tcp://ctl.example:27100")
        #expect(r.network.controller.publish == "tcp://ctl.example:27101")
        // pool i gets host (i + 1) mod 3: sensory → 10.0.0.2, association → n3, motor wraps to ctl.example.
        #expect(r.network.pools.map(\.endpoint) == ["tcp://10.0.0.2:27110", "tcp://n3:27111", "tcp://ctl.example:27112"])
        #expect(r.assignments.map(\.role) == ["controller", "controller", "sensory", "association", "motor"])
        // Only the five endpoint lines changed; comments and layout are kept.
        let changed = Self.changedLines(NetworkDescription.threePoolFileText, r.text)
        #expect(changed.count == 5)
        #expect(r.text.contains("control = \"tcp://ctl.example:27100\"   # controller's ROUTER socket"))
        // The text is exactly what the real parser reads back.
        let reparsed = try Self.parse(r.text)
        #expect(reparsed.pools.map(\.endpoint) == r.network.pools.map(\.endpoint))
        #expect(reparsed.projections == network.projections && reparsed.rewards == network.rewards && reparsed.pools.map(\.config) == network.pools.map(\.config))
        #expect(reparsed.hash != network.hash)
    }

    @Test func loopbackRewriteOfABuiltInNetworkIsTheSameFile() throws {
        for network in [NetworkDescription.builtInDefault(), NetworkDescription.builtInThreePool()] {
            let r = try E.rewrite(network, hosts: ["127.0.0.1"])
            #expect(r.text == String(decoding: network.bytes, as: UTF8.self))
        }
    }

    @Test func twoHostsCycle() throws {
        let r = try E.rewrite(NetworkDescription.builtInThreePool(), hosts: E.hosts(" a , b "))
        #expect(r.network.controller.control == "tcp://a:27100")
        #expect(r.network.pools.map(\.endpoint) == ["tcp://b:27110", "tcp://a:27111", "tcp://b:27112"])
    }

    @Test func sourceGoesWithItsPool() throws {
        let text = NetworkDescription.threePoolFileText + """

            [[source]]
            name = "touch"
            pool = "association"
            drive = 4096
            endpoint = "tcp://127.0.0.1:27130"
            """
        let r = try E.rewrite(try Self.parse(text), hosts: ["h0", "h1", "h2", "h3"])
        #expect(r.network.pools[1].endpoint == "tcp://h2:27111")
        #expect(r.network.sources[0].endpoint == "tcp://h2:27130")
    }

    @Test func ipcEndpointsNeedABasePort() throws {
        let text = NetworkDescription.threePoolFileText.replacingOccurrences(of: "tcp://127.0.0.1:", with: "ipc:///tmp/nb-")
        let network = try Self.parse(text)
        #expect(throws: E.RewriteError.noPort(key: "controller.control", value: "ipc:///tmp/nb-27100")) {
            try E.rewrite(network, hosts: ["a"])
        }
        let r = try E.rewrite(network, hosts: ["a", "b"], basePort: 31000)
        #expect(r.network.controller.control == "tcp://a:31000" && r.network.controller.publish == "tcp://a:31001")
        #expect(r.network.pools.map(\.endpoint) == ["tcp://b:31002", "tcp://a:31003", "tcp://b:31004"])
        #expect(throws: E.RewriteError.portOutOfRange(key: "pool[1].endpoint", port: 65536)) {
            try E.rewrite(network, hosts: ["a"], basePort: 65533)
        }
    }

    @Test func sharedPortsOnOneHostCollide() throws {
        // A cluster file: every pool on its own host at the same port.
        let text = NetworkDescription.threePoolFileText
            .replacingOccurrences(of: "tcp://127.0.0.1:27110", with: "tcp://h1:27110")
            .replacingOccurrences(of: "tcp://127.0.0.1:27111", with: "tcp://h2:27110")
            .replacingOccurrences(of: "tcp://127.0.0.1:27112", with: "tcp://h3:27110")
        let network = try Self.parse(text)
        #expect(throws: E.RewriteError.collision(first: "pool[0].endpoint (sensory)", second: "pool[1].endpoint (association)", endpoint: "tcp://solo:27110")) {
            try E.rewrite(network, hosts: ["solo"])
        }
        // Four hosts: every pool has its own, so the shared port is fine.
        let r = try E.rewrite(network, hosts: ["c", "p1", "p2", "p3"])
        #expect(r.network.pools.map(\.endpoint) == ["tcp://p1:27110", "tcp://p2:27110", "tcp://p3:27110"])
    }

    @Test func badHostsAreNamed() {
        #expect(throws: E.RewriteError.noHosts) { try E.hosts(" , ") }
        #expect(throws: E.RewriteError.badHost(position: 2, host: "", problem: "empty (two commas in a row, or a comma at an end?)")) { try E.hosts("a,,b") }
        #expect(throws: E.RewriteError.badHost(position: 1, host: "a:27100", problem: "a host carries no port (ports come from the file, or from --base-port)")) { try E.hosts("a:27100") }
        #expect(throws: E.RewriteError.badHost(position: 1, host: "[::1]:5", problem: "a host carries no port (ports come from the file, or from --base-port)")) { try E.hosts("[::1]:5") }
        #expect(throws: E.RewriteError.self) { try E.hosts("a,0.0.0.0") }
        #expect(throws: E.RewriteError.badHost(position: 3, host: "c d", problem: "host may hold only letters, digits, '.', '-' and '_'")) { try E.hosts("a,b,c d") }
        #expect((try? E.hosts("fe80::1,[::1],n.example")) == ["[fe80::1]", "[::1]", "n.example"])
        let error = E.RewriteError.badHost(position: 2, host: "b!", problem: "x")
        #expect("\(error)" == "host 2 (\"b!\"): x")
    }

    @Test func valuesOnOtherLinesThanTheirKeyAreReported() throws {
        // Valid TOML, but the endpoint is not on its key's line: refused rather than guessed.
        let text = NetworkDescription.threePoolFileText.replacingOccurrences(
            of: "endpoint = \"tcp://127.0.0.1:27111\"", with: "endpoint = \"\"\"\ntcp://127.0.0.1:27111\"\"\"")
        let network = try Self.parse(text)
        #expect(network.pools[1].endpoint == "tcp://127.0.0.1:27111")
        #expect(throws: E.RewriteError.valueNotFound(key: "pool[1].endpoint", value: "tcp://127.0.0.1:27111")) {
            try E.rewrite(network, hosts: ["a", "b"])
        }
    }

    @Test func literalStringsAndInlineTablesAreRewritten() throws {
        // An inline table is a top-level key, so it goes before the first table header.
        let text = "controller = { control = 'tcp://127.0.0.1:27100', publish = \"tcp://127.0.0.1:27101\" }\n" + NetworkDescription.threePoolFileText
            .replacingOccurrences(of: "[controller]\ncontrol = \"tcp://127.0.0.1:27100\"   # controller's ROUTER socket (requests from nodes)\npublish = \"tcp://127.0.0.1:27101\"   # controller's PUB socket (ticks, modulation, commands)",
                                  with: "")
        let network = try Self.parse(text)
        #expect(!text.contains("[controller]"))
        let r = try E.rewrite(network, hosts: ["x", "y"])
        #expect(r.text.contains("controller = { control = 'tcp://x:27100', publish = \"tcp://x:27101\" }"))
    }

    @Test func namedHostsResolveForBinding() throws {
        #expect(try E.bindAddress("tcp://localhost:27100") == "tcp://127.0.0.1:27100")
        #expect(try E.bindAddress("tcp://10.1.2.3:5") == "tcp://10.1.2.3:5")
        #expect(try E.bindAddress("tcp://[::1]:5") == "tcp://[::1]:5")
        #expect(try E.bindAddress("tcp://lo:5") == "tcp://lo:5")
        #expect(try E.bindAddress("ipc:///tmp/x") == "ipc:///tmp/x")
        do {
            _ = try E.bindAddress("tcp://no-such-host.invalid:27100")
            Issue.record("an unresolvable host must not bind")
        } catch {
            #expect("\(error)".contains("cannot bind tcp://no-such-host.invalid:27100: host no-such-host.invalid does not resolve"), "\(error)")
        }
    }
}

/// The `neurobus network` command itself: files written atomically, in place, through
/// symbolic links, never over a non-regular file; bad hosts named, exit status 1.
@Suite("neurobus network command", .serialized)
struct NetworkCommandTests {
    typealias L = LockstepIntegrationTests

    @Test func defaultEndpointsAndRefusals() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/net.toml"
        var r = try L.neurobus(["network", "default", "-o", file], log: "\(dir)/1.log")
        #expect(r.status == .exited(0), "\(r.output)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == NetworkDescription.defaultFileText)

        // In place: the input is read whole before the rewrite replaces it.
        r = try L.neurobus(["network", "endpoints", file, "--hosts", "c.example,p1.example,p2.example", "-o", file], log: "\(dir)/2.log")
        #expect(r.status == .exited(0), "\(r.output)")
        let placed = try NetworkDescription.load(path: file)
        #expect(placed.controller.publish == "tcp://c.example:27101")
        #expect(placed.pools.map(\.endpoint) == ["tcp://p1.example:27110", "tcp://p2.example:27111", "tcp://c.example:27112"])
        #expect(r.output.contains("pool[2].endpoint     right          tcp://c.example:27112"), "\(r.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".tmp-") }, "a temporary file was left")

        r = try L.neurobus(["network", "endpoints", file, "--hosts", "a,,b"], log: "\(dir)/3.log")
        #expect(r.status == .exited(1))
        #expect(r.output.contains("--hosts a,,b: host 2 (\"\"): empty"), "\(r.output)")

        // Through a symbolic link: the file it points to is replaced, the link stays.
        let link = "\(dir)/link.toml"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        r = try L.neurobus(["network", "endpoints", file, "--hosts", "127.0.0.1", "-o", link], log: "\(dir)/4.log")
        #expect(r.status == .exited(0), "\(r.output)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == file)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == NetworkDescription.defaultFileText)

        // Never over something that is not a regular file.
        let fifo = "\(dir)/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        r = try L.neurobus(["network", "default", "-o", fifo], log: "\(dir)/5.log")
        #expect(r.status == .exited(1))
        #expect(r.output.contains("is not a regular file"), "\(r.output)")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the FIFO was replaced")

        r = try L.neurobus(["network", "check", file], log: "\(dir)/6.log")
        #expect(r.status == .exited(0) && r.output.contains("pool right        tcp://127.0.0.1:27112  (40 neurons, lookahead 1)"), "\(r.output)")
    }
}
