import NeuroPool

/// Value rules shared by several sections: names, endpoints, neuron ranges, connectivity,
/// profiles.
extension NetworkParser {
    /// Longest network or pool name, in bytes.
    static let maxNameBytes = 64

    /// A required name: ASCII letters, digits, `_`, `-`, `.`; 1…64 bytes.
    func name(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> String {
        let name = try required(f, key, string(f, key))
        let bytes = Array(name.utf8)
        guard (1 ... Self.maxNameBytes).contains(bytes.count) else {
            throw fail(f.keyPath(key), "\(key) \"\(Self.shortened(name))\" has \(bytes.count) bytes: expected 1...\(Self.maxNameBytes)")
        }
        if let bad = bytes.first(where: { !Self.isNameByte($0) }) {
            let shown = bad < 0x80 ? "'\(Character(Unicode.Scalar(bad)))'" : "a non-ASCII byte"
            throw fail(f.keyPath(key), "\(key) \"\(name)\" contains \(shown): use only letters, digits, '_', '-' and '.'")
        }
        return name
    }

    /// `text` as an error message shows it: whole up to 80 bytes, else its first 60 characters
    /// and how long it is.
    static func shortened(_ text: String) -> String {
        guard text.utf8.count > 80 else { return text }
        return "\(text.prefix(60))… (\(text.utf8.count) bytes)"
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    /// A required ZeroMQ endpoint: `tcp://host:port` (port 1…65535), `ipc://path` or `inproc://name`.
    func endpoint(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> String {
        let endpoint = try required(f, key, string(f, key))
        if let problem = Self.endpointProblem(endpoint) {
            throw fail(f.keyPath(key), "endpoint \"\(Self.shortened(endpoint))\" is invalid (\(problem)): expected tcp://host:port with port 1...65535, ipc://path or inproc://name")
        }
        return endpoint
    }

    /// Why `endpoint` is not acceptable, or nil if it is.
    package static func endpointProblem(_ endpoint: String) -> String? {
        let bytes = Array(endpoint.utf8)
        func rest(after prefix: String) -> ArraySlice<UInt8>? {
            let p = Array(prefix.utf8)
            return bytes.starts(with: p) ? bytes[p.count...] : nil
        }
        if let address = rest(after: "tcp://") {
            guard let colon = address.lastIndex(of: UInt8(ascii: ":")) else { return "no port" }
            let host = address[..<colon], port = address[(colon + 1)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let n = Int(String(decoding: port, as: UTF8.self)), (1 ... 65535).contains(n)
            else { return "port must be a number in 1...65535" }
            guard !host.isEmpty else { return "no host" }
            if host.first == UInt8(ascii: "[") {
                let inner = host.dropFirst().dropLast()
                guard host.last == UInt8(ascii: "]"), !inner.isEmpty,
                      inner.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
                else { return "bad IPv6 host" }
                return nil
            }
            guard host.count <= 253, host.allSatisfy({ isHostByte($0) }) else {
                return "host may hold only letters, digits, '.', '-' and '_'"
            }
            return nil
        }
        if let path = rest(after: "ipc://") {
            guard !path.isEmpty else { return "empty path" }
            guard path.count <= 107 else { return "path longer than 107 bytes" }
            return nil
        }
        if let name = rest(after: "inproc://") {
            return name.isEmpty ? "empty name" : nil
        }
        return "unknown transport"
    }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    private static func isHostByte(_ b: UInt8) -> Bool {
        isNameByte(b)
    }

    /// The form two endpoints are compared in for duplicates: for tcp, the host without case
    /// (`localhost` is `127.0.0.1`) and the port as a number (`:05000` is `:5000`), so one
    /// port is not accepted twice under two spellings.
    static func endpointIdentity(_ endpoint: String) -> String {
        guard endpoint.hasPrefix("tcp://") else { return endpoint }
        let rest = endpoint.dropFirst(6).lowercased()
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]) else { return "tcp://" + rest }
        let host = rest[..<colon]
        return "tcp://\(host == "localhost" ? "127.0.0.1" : String(host)):\(port)"
    }

    /// A half-open neuron range `[start, end)` at `key` within a pool of `size` neurons; the whole
    /// pool when the key is absent and `required` is false.
    func neuronRange(_ f: NetworkFields, _ key: String, pool: String, size: Int,
                     required isRequired: Bool = false) throws(NetworkFileError) -> Range<Int> {
        guard let (start, end) = try pair(f, key) else {
            if isRequired { throw missing(f, key) }
            return 0 ..< size
        }
        guard start < end else {
            throw fail(f.keyPath(key), "\(key) [\(start), \(end)) is empty or reversed: expected [start, end) with start < end within pool '\(pool)' of \(size) neurons")
        }
        guard start >= 0, end <= size else {
            throw fail(f.keyPath(key), "\(key) [\(start), \(end)) reaches beyond pool '\(pool)' of \(size) neurons: expected a range within [0, \(size))")
        }
        return start ..< end
    }

    /// Exactly one of `density` (0…1) or `out_degree` (0…`maxOutDegree`).
    func connectivity(_ f: NetworkFields, maxOutDegree: Int, limit: String) throws(NetworkFileError) -> Connectivity {
        switch (f.has("density"), f.has("out_degree")) {
        case (true, true):
            throw fail(f.keyPath("out_degree"), "both density and out_degree are given: use exactly one")
        case (false, false):
            throw fail(f.path, "exactly one of density or out_degree is required, found neither")
        case (true, false):
            let d = try required(f, "density", double(f, "density"))
            guard d.isFinite, (0 ... 1).contains(d) else {
                throw fail(f.keyPath("density"), "density = \(d) is out of range: expected a number in 0...1")
            }
            return .density(d)
        case (false, true):
            let k = try required(f, "out_degree", int(f, "out_degree"))
            guard (0 ... maxOutDegree).contains(k) else {
                throw fail(f.keyPath("out_degree"), "out_degree = \(k) is out of range: expected 0...\(maxOutDegree) (\(limit))")
            }
            return .outDegree(k)
        }
    }

    /// A neuron profile by its `NeuronProfile.name` spelling.
    func profile(_ f: NetworkFields, _ key: String, default value: NeuronProfile) throws(NetworkFileError) -> NeuronProfile {
        guard let name = try string(f, key) else { return value }
        guard let profile = NeuronProfile.allCases.first(where: { $0.name == name }) else {
            let known = NeuronProfile.allCases.map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw fail(f.keyPath(key), "unknown profile \"\(name)\": expected one of \(known)")
        }
        return profile
    }

    /// An inclusive `[low, high]` range with `bounds.lowerBound <= low <= high <= bounds.upperBound`.
    func inclusiveRange(_ f: NetworkFields, _ key: String, within bounds: ClosedRange<Int>,
                        _ low: Int, _ high: Int) throws(NetworkFileError) -> ClosedRange<Int> {
        guard low <= high, bounds.contains(low), bounds.contains(high) else {
            throw fail(f.keyPath(key), "\(key) [\(low), \(high)] is out of range: expected [low, high] with \(bounds.lowerBound) <= low <= high <= \(bounds.upperBound)")
        }
        return low ... high
    }
}

extension NetworkDescription {
    /// SplitMix64's output function applied to `x`: a bijection on UInt64 that scatters nearby inputs.
    public static func splitmix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Seed of pool `index` (0-based) when the file gives none:
    /// `splitmix64(networkSeed ^ (index + 1))`.
    public static func derivedPoolSeed(networkSeed: UInt64, index: Int) -> UInt64 {
        splitmix64(networkSeed ^ UInt64(truncatingIfNeeded: index + 1))
    }

    /// Seed of projection `index` (0-based) when the file gives none:
    /// `splitmix64(networkSeed ^ 0x8000_0000_0000_0000 ^ (index + 1))`; the top bit keeps it
    /// apart from every pool seed of the same network.
    public static func derivedProjectionSeed(networkSeed: UInt64, index: Int) -> UInt64 {
        splitmix64(networkSeed ^ 0x8000_0000_0000_0000 ^ UInt64(truncatingIfNeeded: index + 1))
    }
}
