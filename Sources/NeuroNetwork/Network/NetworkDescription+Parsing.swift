import NeuroPool
import NeuroWire

extension NetworkDescription {
    /// Parses and validates a network file's bytes. `file` names it in errors (a path, or
    /// `"<built-in>"`). Every rule of docs/NETWORK-FORMAT.md is checked here, in the order given
    /// there, and the first problem is thrown.
    public static func parse(_ bytes: [UInt8], file: String) throws(NetworkFileError) -> NetworkDescription {
        let text = try NetworkText.decode(bytes, file: file)
        let root: NetworkTOMLNode
        do throws(NetworkTOMLNode.SyntaxError) {
            root = try NetworkTOMLNode.parse(text)
        } catch {
            throw NetworkFileError(file: file, line: error.line,
                                   message: "TOML syntax error at column \(error.column): \(error.message)")
        }
        let parser = NetworkParser(file: file, locator: NetworkSourceLocator(text: text))
        return try parser.network(root, bytes: bytes)
    }
}

/// Keys allowed in each table.
enum NetworkKeys {
    static let top = ["network", "controller", "pool", "projection", "generator", "source", "reward", "modulation", "snapshots",
                      "multimeter", "weight_recorder", "security", "task"]
    static let network = ["name", "format", "seed", "mode", "tick_us", "spike_encoding"]
    static let controller = ["control", "publish"]
    static let pool = ["name", "neurons", "model", "density", "out_degree", "profile", "inhibitory_profile", "seed",
                       "endpoint", "stdp", "max_delay", "weight_shift", "homeostasis_step",
                       "homeostasis_target", "excitatory_weight", "inhibitory_weight", "stimulus", "population", "tau_dopamine", "hh_calcium", "hh_atp", "hh_nmda", "hh_receptor_kinetics", "hh_modulators"]
    static let population = ["name", "size", "kind", "tau_m", "v_rest", "v_threshold", "v_reset", "v_min", "t_ref",
                             "i_e", "c_m", "v_init", "synapse", "tau_syn_ex", "tau_syn_in", "homeostasis_hz", "homeostasis_step"]
    static let ruleProjection = ["from", "from_neurons", "to", "to_neurons", "rule", "p", "indegree", "outdegree", "n", "file",
                                 "allow_autapses", "allow_multapses", "weight", "inhibitory_weight", "delay", "synapse", "seed"] + stdp
    /// The learning rule's keys of a `synapse = "stdp"` projection.
    static let stdp = ["a_plus", "a_minus", "tau_plus", "tau_minus", "tau_elig", "learning_rate", "w_min", "w_max"]
    static let generator = ["kind", "to", "rate_hz", "weight", "amplitude", "drive", "file", "start", "stop", "period", "during"]
    static let multimeter = ["to", "neurons", "interval", "record"]
    static let weightRecorder = ["projection", "interval"]
    static let stimulus = ["neurons", "kind", "drive", "rate_hz", "start", "stop"]
    static let projection = ["from", "from_neurons", "to", "to_neurons", "out_degree", "density",
                             "weight", "delay", "seed"]
    static let snapshots = ["every", "keep"]
    static let security = ["curve", "keys"]
    static let source = ["name", "pool", "neurons", "drive", "endpoint"]
    static let reward = ["kind", "pool", "neurons", "versus", "every", "start", "window", "min_spikes", "dopamine", "dopamine_lost", "lag",
                         "pre", "post", "delay"]
    static let modulation = ["at", "dopamine", "cortisol", "acetylcholine"]
}

extension NetworkParser {
    /// Most pools a network may have (pool ids above it are reserved by the wire protocol).
    static let maxPools = 0xEFFF

    /// The whole description, sections in file-format order.
    func network(_ root: NetworkTOMLNode, bytes: [UInt8]) throws(NetworkFileError) -> NetworkDescription {
        let top = try table(root, path: "", header: "the top level")
        try checkKeys(top, allowed: NetworkKeys.top)

        guard let networkNode = top["network"] else { throw fail("network", "missing required table [network]") }
        let net = try table(networkNode, path: "network", header: "[network]")
        try checkKeys(net, allowed: NetworkKeys.network)
        let name = try self.name(net, "name")
        let seed = try required(net, "seed", uint64(net, "seed"))
        let mode = try self.mode(net)
        let tick = try int(net, "tick_us", in: 1 ... 1_000_000) ?? 1000
        let format = try int(net, "format", in: 1 ... 2) ?? 1
        let spikeEncoding = try self.spikeEncoding(net)

        guard let controllerNode = top["controller"] else { throw fail("controller", "missing required table [controller]") }
        let ctl = try table(controllerNode, path: "controller", header: "[controller]")
        try checkKeys(ctl, allowed: NetworkKeys.controller)
        var endpoints = EndpointRegistry()
        let control = try endpoint(ctl, "control")
        try endpoints.add(control, key: ctl.keyPath("control"), parser: self)
        let publish = try endpoint(ctl, "publish")
        try endpoints.add(publish, key: ctl.keyPath("publish"), parser: self)

        let poolTables = try arrayOfTables(top, "pool", header: "[[pool]]")
        guard !poolTables.isEmpty else { throw fail("pool", "the network has no pools: add at least one [[pool]]") }
        guard poolTables.count <= Self.maxPools else {
            throw fail("pool", "\(poolTables.count) pools is more than the \(Self.maxPools) (0xEFFF) a network may have")
        }
        var pools: [PoolSpec] = []
        var poolIndex: [String: Int] = [:]
        for (i, f) in poolTables.enumerated() {
            let spec = f.has("population")
                ? try populationPool(f, index: i, networkSeed: seed, tickMicroseconds: tick, format: format,
                                     names: &poolIndex, endpoints: &endpoints)
                : try pool(f, index: i, networkSeed: seed, tickMicroseconds: tick,
                           names: &poolIndex, endpoints: &endpoints)
            pools.append(spec)
        }

        let projections = try self.projections(top, pools: pools, names: poolIndex, networkSeed: seed,
                                               tickMicroseconds: tick, format: format)
        // Data files (connection lists, spike trains) are part of the network: their hashes
        // are folded into the network's, so processes reading other files refuse each other.
        var dataHashes: [UInt64] = projections.compactMap {
            if case .list(let l)? = $0.physical?.pairing { return l.fileHash } else { return nil }
        }
        let task = try self.task(top, pools: pools, names: poolIndex, networkSeed: seed, tickMicroseconds: tick)
        try generators(top, pools: &pools, names: poolIndex, tickMicroseconds: tick, format: format, task: task, dataHashes: &dataHashes)
        let sources = try self.sources(top, pools: pools, names: poolIndex, endpoints: &endpoints)
        let rewards = try self.rewards(top, pools: pools, names: poolIndex, networkSeed: seed)
        let modulations = try self.modulations(top)

        var description = NetworkDescription(
            name: name, seed: seed, mode: mode, tickMicroseconds: UInt32(tick), spikeEncoding: spikeEncoding,
            controller: ControllerEndpoints(control: control, publish: publish),
            pools: pools, projections: projections, rewards: rewards, modulations: modulations,
            file: file, hash: NetworkDescription.fnv1a64(bytes + dataHashes.flatMap { h in (0 ..< 8).map { UInt8(truncatingIfNeeded: h >> (8 * $0)) } }),
            bytes: bytes)
        description.sources = sources
        description.format = format
        description.task = task
        (description.multimeters, description.weightRecorders) = try monitors(top, pools: pools, projections: projections,
                                                                              names: poolIndex, tickMicroseconds: tick, format: format)
        if let node = top["snapshots"] {
            let f = try table(node, path: "snapshots", header: "[snapshots]")
            try checkKeys(f, allowed: NetworkKeys.snapshots)
            let every: Int = try required(f, "every", int(f, "every", in: 1 ... Int.max))
            description.snapshotEvery = UInt64(every)
            description.snapshotKeep = try int(f, "keep", in: 1 ... 1_000_000) ?? 3
            if let blocker = description.snapshotBlocker { throw fail(f.path, "\(blocker): remove [snapshots]") }
        }
        if let node = top["security"] {
            let f = try table(node, path: "security", header: "[security]")
            try checkKeys(f, allowed: NetworkKeys.security)
            description.curve = try bool(f, "curve") ?? true
            if let keys = try string(f, "keys") {
                guard !keys.isEmpty, keys.utf8.count <= 4096, !keys.utf8.contains(0) else {
                    throw fail(f.keyPath("keys"), "keys must name a folder (1…4096 bytes)")
                }
                guard description.curve else { throw fail(f.keyPath("keys"), "keys is given but curve = false turns authentication off: remove one") }
                let folder = file.lastIndex(of: "/").map { String(file[..<$0]) }
                description.keyDirectory = keys.hasPrefix("/") || folder == nil ? keys : "\(folder!)/\(keys)"
            }
        }
        return description
    }

    private func spikeEncoding(_ f: NetworkFields) throws(NetworkFileError) -> SpikeEncodingPolicy {
        guard let text = try string(f, "spike_encoding") else { return .fast }
        guard let policy = SpikeEncodingPolicy(rawValue: text) else {
            throw fail(f.keyPath("spike_encoding"), "spike_encoding \"\(text)\" is not an encoding policy: expected \"fast\" or \"compact\"")
        }
        return policy
    }

    private func mode(_ f: NetworkFields) throws(NetworkFileError) -> NetworkMode {
        guard let text = try string(f, "mode") else { return .lockstep }
        guard let mode = NetworkMode(rawValue: text) else {
            throw fail(f.keyPath("mode"), "mode \"\(text)\" is not a mode: expected \"lockstep\" or \"realtime\"")
        }
        return mode
    }

    /// Pool names already seen, for "unknown pool" messages.
    static func known(_ names: [String: Int]) -> String {
        names.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", ")
    }

    /// Resolves a required pool-name key (`from`, `to`, `pool`) to a pool index.
    func poolReference(_ f: NetworkFields, _ key: String, names: [String: Int]) throws(NetworkFileError) -> Int {
        let name = try required(f, key, string(f, key))
        guard let index = names[name] else {
            throw fail(f.keyPath(key), "unknown pool \"\(name)\" in \(key); known pools: \(Self.known(names))")
        }
        return index
    }
}

/// Endpoints seen so far, to reject the same address used twice.
struct EndpointRegistry {
    private var seen: [String: String] = [:]  // identity → key path

    mutating func add(_ endpoint: String, key: String, parser: NetworkParser) throws(NetworkFileError) {
        let identity = NetworkParser.endpointIdentity(endpoint)
        if let other = seen[identity] {
            throw parser.fail(key, "endpoint \"\(endpoint)\" is already used by \(other): \(key) and \(other) must differ")
        }
        seen[identity] = key
    }
}
