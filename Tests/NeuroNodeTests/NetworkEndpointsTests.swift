import Foundation
import NeuroNode
import Testing

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
        let network = NetworkDescription.builtInDefault()
        let r = try E.rewrite(network, hosts: ["ctl.example", "10.0.0.2", "n3"])
        #expect(r.network.controller.control == "tcp://ctl.example:27100")
        #expect(r.network.controller.publish == "tcp://ctl.example:27101")
        // pool i gets host (i + 1) mod 3: sensory → 10.0.0.2, association → n3, motor wraps to ctl.example.
        #expect(r.network.pools.map(\.endpoint) == ["tcp://10.0.0.2:27110", "tcp://n3:27111", "tcp://ctl.example:27112"])
        #expect(r.assignments.map(\.role) == ["controller", "controller", "sensory", "association", "motor"])
        // Only the five endpoint lines changed; comments and layout are kept.
        let changed = Self.changedLines(NetworkDescription.defaultFileText, r.text)
        #expect(changed.count == 5)
        #expect(r.text.contains("control = \"tcp://ctl.example:27100\"   # controller's ROUTER socket"))
        // The text is exactly what the real parser reads back.
        let reparsed = try Self.parse(r.text)
        #expect(reparsed.pools.map(\.endpoint) == r.network.pools.map(\.endpoint))
        #expect(reparsed.projections == network.projections && reparsed.rewards == network.rewards && reparsed.pools.map(\.config) == network.pools.map(\.config))
        #expect(reparsed.hash != network.hash)
    }

    @Test func loopbackRewriteOfTheDefaultIsTheDefault() throws {
        let r = try E.rewrite(NetworkDescription.builtInDefault(), hosts: ["127.0.0.1"])
        #expect(r.text == NetworkDescription.defaultFileText)
    }

    @Test func twoHostsCycle() throws {
        let r = try E.rewrite(NetworkDescription.builtInDefault(), hosts: E.hosts(" a , b "))
        #expect(r.network.controller.control == "tcp://a:27100")
        #expect(r.network.pools.map(\.endpoint) == ["tcp://b:27110", "tcp://a:27111", "tcp://b:27112"])
    }

    @Test func sourceGoesWithItsPool() throws {
        let text = NetworkDescription.defaultFileText + """

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
        let text = NetworkDescription.defaultFileText.replacingOccurrences(of: "tcp://127.0.0.1:", with: "ipc:///tmp/nb-")
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
        let text = NetworkDescription.defaultFileText
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
        let text = NetworkDescription.defaultFileText.replacingOccurrences(
            of: "endpoint = \"tcp://127.0.0.1:27111\"", with: "endpoint = \"\"\"\ntcp://127.0.0.1:27111\"\"\"")
        let network = try Self.parse(text)
        #expect(network.pools[1].endpoint == "tcp://127.0.0.1:27111")
        #expect(throws: E.RewriteError.valueNotFound(key: "pool[1].endpoint", value: "tcp://127.0.0.1:27111")) {
            try E.rewrite(network, hosts: ["a", "b"])
        }
    }

    @Test func literalStringsAndInlineTablesAreRewritten() throws {
        // An inline table is a top-level key, so it goes before the first table header.
        let text = "controller = { control = 'tcp://127.0.0.1:27100', publish = \"tcp://127.0.0.1:27101\" }\n" + NetworkDescription.defaultFileText
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
