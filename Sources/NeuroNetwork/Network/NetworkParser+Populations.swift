import NeuroModel
import NeuroPool

/// Format 2: pools of `[[pool.population]]` in physical units, the distributions their values
/// and projections' take, and `POOL.POPULATION` references.
extension NetworkParser {
    /// Most synapses one rule projection may build.
    static let maxSynapsesPerProjection = 1 << 28

    /// Keys of a shorthand pool that a pool of populations sets per population or not at all.
    static let shorthandPoolKeys = ["neurons", "density", "out_degree", "profile", "inhibitory_profile", "model",
                                    "max_delay", "weight_shift", "homeostasis_step", "homeostasis_target",
                                    "excitatory_weight", "inhibitory_weight", "stimulus"] + hhFeatureKeys.map(\.key)

    /// A pool's `tau_dopamine` (ms) in ticks, or nil when absent: the time constant with which
    /// its dopamine and cortisol levels relax to baseline.
    func dopamineTau(_ f: NetworkFields, tickMicroseconds: Int) throws(NetworkFileError) -> Int? {
        guard let ms = try double(f, "tau_dopamine") else { return nil }
        let ticks = (ms * 1000 / Double(tickMicroseconds)).rounded()
        guard ms > 0, ticks <= 100_000_000 else {
            throw fail(f.keyPath("tau_dopamine"), "tau_dopamine = \(ms) is out of range: expected 0 < tau_dopamine <= \(100_000_000 / 1000 * tickMicroseconds) ms")
        }
        return max(1, Int(ticks))
    }

    /// A pool of populations (its `[[pool.population]]` tables), in neuron order.
    func populationPool(_ f: NetworkFields, index: Int, networkSeed: UInt64, tickMicroseconds: Int, format: Int,
                        names: inout [String: Int], endpoints: inout EndpointRegistry) throws(NetworkFileError) -> PoolSpec {
        try checkKeys(f, allowed: NetworkKeys.pool)
        guard format >= 2 else {
            throw fail(f.keyPath("population"), "[[pool.population]] needs the physical-unit format: add format = 2 to [network]")
        }
        if let key = Self.shorthandPoolKeys.first(where: { f.has($0) }) {
            throw fail(f.keyPath(key), "\(key) is a key of shorthand pools; a pool of [[pool.population]] sets its neurons per population")
        }
        let name = try self.name(f, "name")
        if let other = names[name] {
            throw fail(f.keyPath("name"), "duplicate pool name \"\(name)\": pool[\(other)].name has it already")
        }
        names[name] = index
        var config = PoolConfig()
        config.seed = try uint64(f, "seed") ?? NetworkDescription.derivedPoolSeed(networkSeed: networkSeed, index: index)
        config.stdp = try bool(f, "stdp") ?? false
        config.dopamineTau = try dopamineTau(f, tickMicroseconds: tickMicroseconds) ?? max(1, Int((200_000 / Double(tickMicroseconds)).rounded()))
        config.homeostasisStep = 0
        // Synaptogenesis draws shorthand weights (Q8.8 with a pool-wide shift): not for a pool
        // whose synapses carry their projection's scale.
        config.acetylcholineGate = 256
        let endpoint = try self.endpoint(f, "endpoint")
        try endpoints.add(endpoint, key: f.keyPath("endpoint"), parser: self)
        var populations: [PopulationSpec] = []
        var seen: [String: Int] = [:]
        for (k, p) in try arrayOfTables(f, "population", header: "[[pool.population]]").enumerated() {
            let spec = try population(p, tickMicroseconds: tickMicroseconds)
            if let other = seen[spec.name] {
                throw fail(p.keyPath("name"), "duplicate population name \"\(spec.name)\": \(f.path).population[\(other)].name has it already")
            }
            seen[spec.name] = k
            populations.append(spec)
        }
        guard populations.count <= PopulationTable.maxPopulations else {
            throw fail(f.keyPath("population"), "\(populations.count) populations is more than the \(PopulationTable.maxPopulations) a pool holds")
        }
        let neurons = populations.reduce(0) { $0 + $1.size }
        guard neurons <= 65536 else {
            throw fail(f.keyPath("population"), "the populations hold \(neurons) neurons, more than the 65536 a pool holds")
        }
        var spec = PoolSpec(name: name, index: index, neurons: neurons, connectivity: .outDegree(0),
                            config: config, endpoint: endpoint)
        spec.populations = populations
        return spec
    }

    private func population(_ f: NetworkFields, tickMicroseconds: Int) throws(NetworkFileError) -> PopulationSpec {
        try checkKeys(f, allowed: NetworkKeys.population)
        let name = try self.name(f, "name")
        let size = try required(f, "size", int(f, "size", in: 1 ... 65536))
        let kind = try required(f, "kind", string(f, "kind"))
        guard kind == "excitatory" || kind == "inhibitory" else {
            throw fail(f.keyPath("kind"), "kind \"\(kind)\" is not a population kind: expected \"excitatory\" or \"inhibitory\"")
        }
        var p = NeuronParameters()
        if let v = try double(f, "tau_m") { p.tauM = v }
        if let v = try double(f, "v_rest") { p.vRest = v }
        if let v = try double(f, "v_threshold") { p.vThreshold = v }
        if let v = try double(f, "v_reset") { p.vReset = v }
        if let v = try double(f, "v_min") { p.vMin = v }
        if let v = try double(f, "t_ref") { p.tRef = v }
        if let v = try double(f, "i_e") { p.iE = v }
        if let v = try double(f, "c_m") { p.cM = v }
        if let v = try distribution(f, "v_init") { p.vInit = v } else { p.vInit = .constant(p.vRest) }
        if let model = try string(f, "synapse") {
            guard model == "delta" || model == "exp" else {
                throw fail(f.keyPath("synapse"), "synapse \"\(model)\" is not a synapse model: expected \"delta\" (iaf_psc_delta) or \"exp\" (iaf_psc_exp)")
            }
            p.exponentialSynapses = model == "exp"
        }
        for key in ["tau_syn_ex", "tau_syn_in"] where f.has(key) && !p.exponentialSynapses {
            throw fail(f.keyPath(key), "\(key) needs synapse = \"exp\"")
        }
        if let v = try double(f, "tau_syn_ex") { p.tauSynEx = v }
        if let v = try double(f, "tau_syn_in") { p.tauSynIn = v }
        if let v = try double(f, "homeostasis_hz") { p.homeostasisHz = v }
        if let v = try double(f, "homeostasis_step") {
            guard f.has("homeostasis_hz") else { throw fail(f.keyPath("homeostasis_step"), "homeostasis_step needs homeostasis_hz (the target rate)") }
            p.homeostasisStep = v
        }
        do throws(ModelError) {
            try p.validate(prefix: f.path + ".", tickMicroseconds: UInt32(tickMicroseconds))
        } catch {
            guard case .invalidParameter(let key, _, _) = error else { throw fail(f.path, error.description) }
            throw fail(key, error.description)
        }
        return PopulationSpec(name: name, size: size, inhibitory: kind == "inhibitory", parameters: p)
    }

    /// A number (constant), or `{ uniform = [low, high] }`, or `{ normal = [mean, sd] }`.
    func distribution(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> ValueDistribution? {
        guard let node = f[key] else { return nil }
        let expected = "a number, { uniform = [low, high] } or { normal = [mean, sd] }"
        let value: ValueDistribution
        switch node {
        case .float(let d): value = .constant(d)
        case .integer(let i): value = .constant(Double(i))
        case .table(let entries):
            guard entries.count == 1, case .array(let items) = entries[0].value, items.count == 2,
                  let a = Self.number(items[0]), let b = Self.number(items[1]) else {
                throw wrongType(f, key, expected, node)
            }
            switch entries[0].key {
            case "uniform": value = .uniform(low: a, high: b)
            case "normal": value = .normal(mean: a, sd: b)
            default: throw fail(f.keyPath(key), "unknown distribution '\(entries[0].key)': expected \(expected)")
            }
        default: throw wrongType(f, key, expected, node)
        }
        do throws(ModelError) { try value.validate(name: f.keyPath(key)) } catch { throw fail(f.keyPath(key), error.description) }
        return value
    }

    static func number(_ node: NetworkTOMLNode) -> Double? {
        switch node {
        case .float(let d): d.isFinite ? d : nil
        case .integer(let i): Double(i)
        default: nil
        }
    }

    /// `POOL` or `POOL.POPULATION`: the pool index and the neurons addressed.
    func populationReference(_ f: NetworkFields, _ key: String, pools: [PoolSpec], names: [String: Int]) throws(NetworkFileError) -> (Int, Range<Int>) {
        let text = try required(f, key, string(f, key))
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let poolName = names[text] != nil ? text : parts[0]
        guard let index = names[poolName] else {
            throw fail(f.keyPath(key), "unknown pool \"\(poolName)\" in \(key); known pools: \(Self.known(names))")
        }
        let pool = pools[index]
        if poolName == text { return (index, 0 ..< pool.neurons) }
        if let p = pool.populationRanges.first(where: { $0.population.name == parts[1] }) { return (index, p.neurons) }
        let known = pool.populations.map { $0.name }.joined(separator: ", ")
        throw fail(f.keyPath(key), "pool \(poolName) has no population \"\(parts[1])\"" + (known.isEmpty ? " (it is a shorthand pool)" : "; its populations: \(known)"))
    }
}
