import NeuroNetwork
import NeuroEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Placing a network on hosts: rewriting a network file's endpoints for a list of hosts (so one
/// description serves loopback, network namespaces and clusters), and turning an endpoint that
/// names its host into an address this host can bind.
///
/// **Host assignment.** The roles that bind an endpoint take the hosts in order, wrapping
/// around: the controller (both `control` and `publish`) gets the first host, pool 0 the
/// second, pool 1 the third, … — pool `i` gets `hosts[(i + 1) % hosts.count]`. A `[[source]]`
/// goes on the host of the pool it feeds (its injector runs beside that pool). Each endpoint
/// keeps its port; with a base port `P` they are renumbered instead: control `P`, publish
/// `P + 1`, pool `i` `P + 2 + i`, source `j` `P + 2 + pools + j`.
public enum NetworkEndpoints {
    /// One endpoint the rewrite placed.
    public struct Assignment: Sendable, Equatable {
        /// Key path in the file: `controller.control`, `pool[1].endpoint`, `source[0].endpoint`.
        public var key: String
        /// What binds it: `controller`, the pool's name or the source's name.
        public var role: String
        /// The host it was placed on, as given.
        public var host: String
        public var old: String
        public var new: String
    }

    /// Why a rewrite was refused; each case names the bad host, key or value.
    public enum RewriteError: Error, Sendable, Equatable, CustomStringConvertible {
        case noHosts
        case badHost(position: Int, host: String, problem: String)
        case noPort(key: String, value: String)
        case portOutOfRange(key: String, port: Int)
        case collision(first: String, second: String, endpoint: String)
        case valueNotFound(key: String, value: String)
        case revalidation(String)

        public var description: String {
            switch self {
            case .noHosts:
                "no hosts given: expected a comma-separated list such as ctl.example,node1.example,node2.example"
            case .badHost(let position, let host, let problem):
                "host \(position) (\"\(host)\"): \(problem)"
            case .noPort(let key, let value):
                "\(key) = \"\(value)\" is not a tcp endpoint, so it has no port to keep: give a base port (--base-port P) to number every endpoint"
            case .portOutOfRange(let key, let port):
                "\(key) would get port \(port), beyond 65535: give a lower base port"
            case .collision(let first, let second, let endpoint):
                "\(first) and \(second) would both bind \(endpoint): give them distinct ports in the file, or a base port (--base-port P)"
            case .valueNotFound(let key, let value):
                "cannot find the value \"\(value)\" of \(key) in the file's text (written with escapes, or on another line than its key?); write it as a plain string on its key's line"
            case .revalidation(let message):
                "the rewritten file does not validate: \(message)"
            }
        }
    }

    /// The result of a rewrite: the new file text, its parse (by the real network parser) and
    /// what went where.
    public struct Rewrite: Sendable {
        public var text: String
        public var network: NetworkDescription
        public var assignments: [Assignment]
    }

    /// The hosts of a comma-separated list (spaces around entries ignored), each checked:
    /// not empty, no port, no wildcard, and a valid endpoint host (letters, digits, `.`, `-`,
    /// `_`, or an IPv6 address, bracketed or not). IPv6 addresses come back bracketed.
    public static func hosts(_ list: String) throws(RewriteError) -> [String] {
        let items = list.split(separator: ",", omittingEmptySubsequences: false).map { trimmed($0) }
        guard items.contains(where: { !$0.isEmpty }) else { throw .noHosts }
        var result: [String] = []
        for (k, item) in items.enumerated() {
            result.append(try host(item, position: k + 1))
        }
        return result
    }

    /// One host of the list at 1-based `position`, checked and normalised (see `hosts`).
    public static func host(_ item: String, position: Int) throws(RewriteError) -> String {
        func bad(_ problem: String) -> RewriteError { .badHost(position: position, host: item, problem: problem) }
        guard !item.isEmpty else { throw bad("empty (two commas in a row, or a comma at an end?)") }
        var host = item
        let colons = item.filter { $0 == ":" }.count
        if !item.hasPrefix("["), colons == 1 {
            throw bad("a host carries no port (ports come from the file, or from --base-port)")
        }
        if !item.hasPrefix("["), colons >= 2 { host = "[\(item)]" }
        if host.hasPrefix("["), let close = host.firstIndex(of: "]"), host.index(after: close) != host.endIndex {
            throw bad("a host carries no port (ports come from the file, or from --base-port)")
        }
        if ["*", "0.0.0.0", "[::]", "[0:0:0:0:0:0:0:0]"].contains(host) {
            throw bad("a wildcard address is not an address other hosts can connect to; give this host's address or name")
        }
        if let problem = NetworkParser.endpointProblem("tcp://\(host):1") { throw bad(problem) }
        return host
    }

    /// `network`'s file with every endpoint placed on `hosts` (see the type's comment), the text
    /// otherwise unchanged (comments, order, layout), re-validated by the network parser as
    /// `file`: the result must parse, and differ from `network` in nothing but endpoints.
    /// `ports`, when given, holds one port per endpoint in slot order (control, publish, the
    /// pools', the sources'), e.g. free ports the kernel chose (`freeLoopbackPorts`).
    public static func rewrite(_ network: NetworkDescription, hosts: [String], basePort: Int? = nil, ports: [Int]? = nil,
                               file: String = "<rewritten>") throws(RewriteError) -> Rewrite {
        guard !hosts.isEmpty else { throw .noHosts }
        var checked: [String] = []
        for (k, h) in hosts.enumerated() { checked.append(try host(h, position: k + 1)) }
        if let basePort, !(1 ... 65535).contains(basePort) { throw .portOutOfRange(key: "the base port", port: basePort) }

        // (key, role, old endpoint, host index, port offset from the base)
        var slots: [(key: String, role: String, old: String, host: Int, offset: Int)] = [
            ("controller.control", "controller", network.controller.control, 0, 0),
            ("controller.publish", "controller", network.controller.publish, 0, 1),
        ]
        for pool in network.pools {
            slots.append(("pool[\(pool.index)].endpoint", pool.name, pool.endpoint, (pool.index + 1) % checked.count, 2 + pool.index))
        }
        for source in network.sources {
            slots.append(("source[\(source.index)].endpoint", source.name, source.endpoint,
                          (source.pool + 1) % checked.count, 2 + network.pools.count + source.index))
        }
        var assignments: [Assignment] = []
        var taken: [String: String] = [:]
        if let ports, ports.count != slots.count { throw .portOutOfRange(key: "the list of \(slots.count) ports", port: ports.count) }
        for (k, slot) in slots.enumerated() {
            let port: Int
            if let ports {
                port = ports[k]
            } else if let basePort {
                port = basePort + slot.offset
            } else {
                guard let kept = tcpPort(slot.old) else { throw .noPort(key: slot.key, value: slot.old) }
                port = kept
            }
            guard port <= 65535 else { throw .portOutOfRange(key: slot.key, port: port) }
            let endpoint = "tcp://\(checked[slot.host]):\(port)"
            let label = slot.key.hasPrefix("controller") ? slot.key : "\(slot.key) (\(slot.role))"
            if let other = taken[endpoint.lowercased()] { throw .collision(first: other, second: label, endpoint: endpoint) }
            taken[endpoint.lowercased()] = label
            assignments.append(Assignment(key: slot.key, role: slot.role, host: hosts[slot.host], old: slot.old, new: endpoint))
        }

        let text = String(decoding: network.bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let locator = NetworkSourceLocator(text: text)
        for a in assignments {
            guard let line = locator.line(for: a.key), line >= 1, line <= lines.count,
                  let replaced = replacingValue(a.old, with: a.new, in: lines[line - 1])
            else { throw .valueNotFound(key: a.key, value: a.old) }
            lines[line - 1] = replaced
        }
        let newText = lines.joined(separator: "\n")

        let parsed: NetworkDescription
        do throws(NetworkFileError) {
            parsed = try NetworkDescription.parse(Array(newText.utf8), file: file)
        } catch { throw .revalidation("\(error)") }
        var expected = network
        expected.controller = ControllerEndpoints(control: assignments[0].new, publish: assignments[1].new)
        for k in expected.pools.indices { expected.pools[k].endpoint = assignments[2 + k].new }
        for k in expected.sources.indices { expected.sources[k].endpoint = assignments[2 + network.pools.count + k].new }
        expected.file = parsed.file
        expected.bytes = parsed.bytes
        expected.hash = parsed.hash
        guard parsed == expected else {
            throw .revalidation("it parses, but differs from the original in more than its endpoints")
        }
        return Rewrite(text: newText, network: parsed, assignments: assignments)
    }

    /// Every endpoint of `network` in `rewrite`'s slot order: control, publish, the pools',
    /// the sources'.
    public static func endpoints(_ network: NetworkDescription) -> [String] {
        [network.controller.control, network.controller.publish] + network.pools.map(\.endpoint) + network.sources.map(\.endpoint)
    }

    /// `count` distinct TCP ports on 127.0.0.1 that were free a moment ago, below the
    /// kernel's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`): a connection's
    /// own source port always comes from that range, so a node connecting before its peer has
    /// bound can never meet itself there and take the port. Candidates are tried from a place
    /// that depends on the process id; each found is held until all are, then released.
    public static func freeLoopbackPorts(_ count: Int) throws(NodeError) -> [Int] {
        let low = 10_000
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { Int($0) } ?? 32768
        let high = max(min(range, 65536), low + 1)
        var fds: [Int32] = []
        defer { for fd in fds { close(fd) } }
        var ports: [Int] = []
        let span = high - low
        let start = Int(getpid()) &* 7919 % span
        for k in 0 ..< span where ports.count < count {
            let port = low + (start + k) % span
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw .io("cannot open a socket to find a free port: \(String(cString: strerror(errno)))") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if bound { fds.append(fd); ports.append(port) } else { close(fd) }
        }
        guard ports.count == count else { throw .io("found only \(ports.count) of \(count) free ports in \(low)…\(high - 1) on 127.0.0.1") }
        return ports
    }

    /// The port of a `tcp://host:port` endpoint, or nil for other transports.
    public static func tcpPort(_ endpoint: String) -> Int? {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return nil }
        return Int(endpoint[endpoint.index(after: colon)...])
    }

    /// The address to bind for `endpoint`. libzmq binds only numeric addresses, interface names
    /// and `*`, never a DNS name, so `tcp://NAME:PORT` — a name such as a Kubernetes pod's DNS
    /// name, a compose service or an `/etc/hosts` entry — is resolved here (IPv4) to the
    /// address it names, which must be one of this host's. Numeric hosts, interface names and
    /// other transports are returned unchanged.
    public static func bindAddress(_ endpoint: String) throws(NodeError) -> String {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return endpoint }
        let host = String(endpoint[endpoint.index(endpoint.startIndex, offsetBy: 6) ..< colon])
        let port = endpoint[endpoint.index(after: colon)...]
        if host.hasPrefix("[") || host == "*" || isIPv4Literal(host) || if_nametoindex(host) != 0 { return endpoint }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let first = list else {
            let reason = rc == 0 ? "no address" : String(cString: gai_strerror(rc))
            throw .failed("cannot bind \(endpoint): host \(host) does not resolve to an IPv4 address (\(reason))")
        }
        defer { freeaddrinfo(list) }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        let ok = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
            var address = sin.pointee.sin_addr
            return inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil
        }
        guard ok else { throw .failed("cannot bind \(endpoint): host \(host) resolved to an address that cannot be printed") }
        let numeric = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "tcp://\(numeric):\(port)"
    }

    static func isIPv4Literal(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }

    /// `line` with the first TOML string holding exactly `old` (basic `"…"` or literal `'…'`)
    /// replaced by `new` (which needs no escapes), or nil when it is not there.
    static func replacingValue(_ old: String, with new: String, in line: String) -> String? {
        for quote in ["\"", "'"] {
            let needle = quote + old + quote
            guard let range = line.firstRange(of: needle) else { continue }
            var result = line
            result.replaceSubrange(range, with: quote + new + quote)
            return result
        }
        return nil
    }

    private static func trimmed(_ s: Substring) -> String {
        String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension NetworkDescription {
    /// Every endpoint a process binds, with its key: the controller's two, each pool's and
    /// each source's.
    public var boundEndpoints: [(key: String, endpoint: String)] {
        [("controller.control", controller.control), ("controller.publish", controller.publish)]
            + pools.enumerated().map { ("pool[\($0.offset)].endpoint", $0.element.endpoint) }
            + sources.enumerated().map { ("source[\($0.offset)].endpoint", $0.element.endpoint) }
    }

    /// Why the network cannot run as separate processes (`up`, `node`, `controller`), or nil:
    /// an `inproc://` endpoint joins the threads of one process only.
    public var separateProcessesProblem: String? {
        guard let (key, endpoint) = boundEndpoints.first(where: { $0.endpoint.hasPrefix("inproc://") }) else { return nil }
        return "\(key) = \"\(endpoint)\": an inproc endpoint joins the threads of one process, but the controller, the nodes and the live tools are separate processes; use tcp:// or ipc:// (`neurobus run` needs no sockets at all)"
    }
}
