import NeuroModel
import NeuroPool

/// Format 2: `[[pool.population]]`, projections with connection rules and `[[generator]]`,
/// all in physical units.
extension NetworkParser {
    /// Most synapses one rule projection may build.
    static let maxSynapsesPerProjection = 1 << 28

    /// Keys of a shorthand pool that a pool of populations sets per population or not at all.
    static let shorthandPoolKeys = ["neurons", "density", "out_degree", "profile", "inhibitory_profile", "model",
                                    "max_delay", "weight_shift", "homeostasis_step", "homeostasis_target",
                                    "excitatory_weight", "inhibitory_weight", "stimulus"] + hhFeatureKeys.map(\.key)

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
        config.homeostasisStep = 0
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
        var start = 0
        for p in pool.populations {
            if p.name == parts[1] { return (index, start ..< start + p.size) }
            start += p.size
        }
        let known = pool.populations.map { $0.name }.joined(separator: ", ")
        throw fail(f.keyPath(key), "pool \(poolName) has no population \"\(parts[1])\"" + (known.isEmpty ? " (it is a shorthand pool)" : "; its populations: \(known)"))
    }

    /// A rule projection: its spec with `physical` set and `delay` the quantized tick range.
    func ruleProjection(_ f: NetworkFields, index i: Int, pools: [PoolSpec], names: [String: Int], networkSeed: UInt64,
                        tickMicroseconds: Int, format: Int, kinds: (Int) -> [Bool]) throws(NetworkFileError) -> ProjectionSpec {
        try checkKeys(f, allowed: NetworkKeys.ruleProjection)
        guard format >= 2 else { throw fail(f.keyPath("rule"), "connection rules need the physical-unit format: add format = 2 to [network]") }
        let (from, fromAll) = try populationReference(f, "from", pools: pools, names: names)
        let (to, toAll) = try populationReference(f, "to", pools: pools, names: names)
        guard !pools[to].populations.isEmpty else {
            throw fail(f.keyPath("to"), "a rule projection's weights are in mV, so its target must be a pool of [[pool.population]]; \(pools[to].name) is a shorthand pool")
        }
        let fromNeurons = f.has("from_neurons") ? try narrowed(f, "from_neurons", within: fromAll, pool: pools[from]) : fromAll
        let toNeurons = f.has("to_neurons") ? try narrowed(f, "to_neurons", within: toAll, pool: pools[to]) : toAll
        var targetModels = Set<Bool>()
        var first = 0
        for p in pools[to].populations {
            if max(first, toNeurons.lowerBound) < min(first + p.size, toNeurons.upperBound) { targetModels.insert(p.parameters.exponentialSynapses) }
            first += p.size
        }
        guard targetModels.count <= 1 else {
            throw fail(f.keyPath("to"), "the targets mix delta and exponential synapses, whose weights are in different units (mV, pA): give one projection per kind")
        }
        let unitName = targetModels.first == true ? "pA" : "mV"
        let ruleName = try required(f, "rule", string(f, "rule"))
        var list: ConnectionList?
        let rule: ConnectionRule
        switch ruleName {
        case "list":
            list = try connectionList(f, sources: fromNeurons.count, targets: toNeurons.count)
            rule = .allToAll
        case "pairwise_bernoulli":
            let p = try required(f, "p", double(f, "p"))
            guard p.isFinite, (0 ... 1).contains(p) else { throw fail(f.keyPath("p"), "p = \(p) is out of range: expected a probability in 0...1") }
            rule = .pairwiseBernoulli(p: p)
        case "fixed_indegree": rule = .fixedIndegree(try required(f, "indegree", int(f, "indegree", in: 0 ... 65536)))
        case "fixed_outdegree": rule = .fixedOutdegree(try required(f, "outdegree", int(f, "outdegree", in: 0 ... 65536)))
        case "fixed_total_number": rule = .fixedTotalNumber(try required(f, "n", int(f, "n", in: 0 ... Int(Int32.max))))
        case "one_to_one":
            guard fromNeurons.count == toNeurons.count else {
                throw fail(f.keyPath("rule"), "one_to_one needs as many sources as targets: from has \(fromNeurons.count), to has \(toNeurons.count)")
            }
            rule = .oneToOne
        case "all_to_all": rule = .allToAll
        default:
            throw fail(f.keyPath("rule"), "unknown rule \"\(ruleName)\": expected pairwise_bernoulli, fixed_indegree, fixed_outdegree, fixed_total_number, one_to_one, all_to_all or list")
        }
        // Bounded before anything is built: at 16 bytes per connection while building, 2^28
        // synapses take 4 GiB.
        let (m, k) = (Double(fromNeurons.count), Double(toNeurons.count))
        let expected: Double = switch rule {
        case .pairwiseBernoulli(let p): p * m * k
        case .fixedIndegree(let n): Double(n) * k
        case .fixedOutdegree(let n): Double(n) * m
        case .fixedTotalNumber(let n): Double(n)
        case .oneToOne: m
        case .allToAll: list == nil ? m * k : Double(list!.sources.count)
        }
        guard expected <= Double(Self.maxSynapsesPerProjection) else {
            throw fail(f.keyPath("rule"), "\(ruleName) would make about \(Int(expected)) synapses, more than the \(Self.maxSynapsesPerProjection) (2^28) one projection may have")
        }
        for (key, needed) in [("p", "pairwise_bernoulli"), ("indegree", "fixed_indegree"), ("outdegree", "fixed_outdegree"), ("n", "fixed_total_number"), ("file", "list")]
        where f.has(key) && ruleName != needed {
            throw fail(f.keyPath(key), "\(key) belongs to rule \(needed), not \(ruleName)")
        }
        let sourceKinds = kinds(from)[fromNeurons]
        let hasExcitatory = sourceKinds.contains(false), hasInhibitory = sourceKinds.contains(true)
        var excitatory: ValueDistribution?
        var inhibitory: ValueDistribution?
        if let weights = list?.weights {
            // The list gives each weight; the scales fit the largest of each kind.
            if f.has("weight") || f.has("inhibitory_weight") {
                throw fail(f.keyPath(f.has("weight") ? "weight" : "inhibitory_weight"), "the connection list gives each weight; remove the key")
            }
            for (k, w) in weights.enumerated() {
                let negative = sourceKinds[sourceKinds.startIndex + Int(list!.sources[k])]
                guard negative ? w < 0 : w > 0, abs(w) <= 100 else {
                    throw fail(f.keyPath("file"), "connection \(k) has weight \(w) mV: expected \(negative ? "< 0 (an inhibitory source)" : "> 0 (an excitatory source)") within ±100 mV")
                }
                if negative {
                    inhibitory = .constant(min(inhibitory?.mean ?? 0, w))
                } else {
                    excitatory = .constant(max(excitatory?.mean ?? 0, w))
                }
            }
        } else {
            let weight = try required(f, "weight", distribution(f, "weight"))
            let inhibitoryWeight = try distribution(f, "inhibitory_weight")
            if hasExcitatory && hasInhibitory {
                guard let inhibitoryWeight else {
                    throw fail(f.keyPath("weight"), "the sources mix excitatory and inhibitory neurons: give weight (> 0, mV) for the excitatory ones and inhibitory_weight (< 0) for the inhibitory ones")
                }
                excitatory = weight
                inhibitory = inhibitoryWeight
            } else if inhibitoryWeight != nil {
                throw fail(f.keyPath("inhibitory_weight"), "inhibitory_weight is only for sources that mix both kinds; these are all \(hasInhibitory ? "inhibitory" : "excitatory")")
            } else if hasInhibitory {
                inhibitory = weight
            } else {
                excitatory = weight
            }
            if let excitatory, !(excitatory.mean > 0) {
                throw fail(f.keyPath("weight"), "weight of excitatory sources must be positive (Dale's law), found mean \(excitatory.mean) mV")
            }
            if let inhibitory, !(inhibitory.mean < 0) {
                let key = hasExcitatory ? "inhibitory_weight" : "weight"
                throw fail(f.keyPath(key), "\(key) of inhibitory sources must be negative (Dale's law), found mean \(inhibitory.mean) mV")
            }
        }
        for w in [excitatory, inhibitory].compactMap({ $0 }) where abs(w.mean) > (unitName == "mV" ? 100 : 1e6) {
            throw fail(f.keyPath("weight"), "a weight of \(w.mean) \(unitName) is out of range: expected |weight| <= \(unitName == "mV" ? "100 mV" : "10^6 pA")")
        }
        let dt = Double(tickMicroseconds) / 1000
        let delay: ValueDistribution
        var ticks: ClosedRange<Int>
        if let delays = list?.delays {
            if f.has("delay") { throw fail(f.keyPath("delay"), "the connection list gives each delay; remove delay") }
            guard let low = delays.min(), let high = delays.max() else { throw fail(f.keyPath("file"), "the connection list is empty") }
            delay = .constant(low)
            ticks = RuleProjection.tickRange(.uniform(low: low, high: high), tickMilliseconds: dt)
        } else {
            delay = try required(f, "delay", distribution(f, "delay"))
            ticks = RuleProjection.tickRange(delay, tickMilliseconds: dt)
        }
        guard ticks.upperBound <= 255 else {
            throw fail(f.keyPath("delay"), "delay reaches \(ticks.upperBound) ticks of \(dt) ms: expected at most 255 ticks")
        }
        let synapse = try string(f, "synapse") ?? "static"
        guard synapse == "static" || synapse == "stdp" else {
            throw fail(f.keyPath("synapse"), "synapse \"\(synapse)\" is not a synapse model: expected \"static\" or \"stdp\"")
        }
        if synapse == "stdp", !pools[to].config.stdp {
            throw fail(f.keyPath("synapse"), "synapse = \"stdp\" needs stdp = true on pool \(pools[to].name)")
        }
        let seed = try uint64(f, "seed") ?? NetworkDescription.derivedProjectionSeed(networkSeed: networkSeed, index: i)
        var spec = ProjectionSpec(index: i, from: from, fromNeurons: fromNeurons, to: to, toNeurons: toNeurons,
                                  connectivity: .outDegree(0), weight: 1 ... 1, delay: ticks, seed: seed)
        spec.physical = RuleProjection(pairing: list.map { .list($0) } ?? .rule(rule), allowAutapses: try bool(f, "allow_autapses") ?? true,
                                       allowMultapses: try bool(f, "allow_multapses") ?? true,
                                       excitatoryWeight: excitatory, inhibitoryWeight: inhibitory, delay: delay,
                                       plastic: synapse == "stdp")
        return spec
    }

    /// The file of a `rule = "list"` projection: rows of source, target (indices within the
    /// addressed neurons), and optionally weight (mV) and delay (ms).
    private func connectionList(_ f: NetworkFields, sources: Int, targets: Int) throws(NetworkFileError) -> ConnectionList {
        let (path, table) = try dataTable(f, "file")
        guard (2 ... 4).contains(table.columns) else {
            throw fail(f.keyPath("file"), "\(path) has \(table.columns) columns: expected source, target[, weight[, delay]]")
        }
        var list = ConnectionList(sources: [], targets: [], weights: table.columns >= 3 ? [] : nil, delays: table.columns == 4 ? [] : nil,
                                  fileHash: table.hash)
        list.file = path
        for r in 0 ..< table.rows {
            let row = table.values[r * table.columns ..< (r + 1) * table.columns].map { $0 }
            guard row[0] == row[0].rounded(), row[0] >= 0, row[0] < Double(sources), row[1] == row[1].rounded(), row[1] >= 0, row[1] < Double(targets) else {
                throw fail(f.keyPath("file"), "\(path) row \(r): source \(row[0]) and target \(row[1]) must be whole numbers within the \(sources) sources and \(targets) targets")
            }
            list.sources.append(Int32(row[0]))
            list.targets.append(Int32(row[1]))
            if table.columns >= 3 { list.weights!.append(row[2]) }
            if table.columns == 4 {
                guard row[3] > 0 else { throw fail(f.keyPath("file"), "\(path) row \(r): delay \(row[3]) ms must be positive") }
                list.delays!.append(row[3])
            }
        }
        return list
    }

    /// The data file at `key`, relative to the network file's folder unless absolute: its
    /// path as written and its numbers (with the FNV-1a hash of its bytes).
    func dataTable(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> (String, NumericTable) {
        let path = try required(f, key, string(f, key))
        guard !path.isEmpty, !path.split(separator: "/").contains("..") else {
            throw fail(f.keyPath(key), "\(key) \"\(path)\": give a path inside the network file's folder (no '..') or an absolute one")
        }
        let resolved = path.hasPrefix("/") ? path : (baseDirectory.map { "\($0)/\(path)" } ?? path)
        do { return (path, try NumericTable.read(resolved)) } catch { throw fail(f.keyPath(key), error.message) }
    }

    /// The folder relative data paths start from: the network file's, or none for a
    /// built-in or in-memory file (the working directory).
    var baseDirectory: String? {
        guard file.contains("/"), !file.hasPrefix("<") else { return nil }
        return String(file[..<file.lastIndex(of: "/")!])
    }

    private func narrowed(_ f: NetworkFields, _ key: String, within all: Range<Int>, pool: PoolSpec) throws(NetworkFileError) -> Range<Int> {
        let r = try neuronRange(f, key, pool: pool.name, size: pool.neurons)
        guard r.lowerBound >= all.lowerBound, r.upperBound <= all.upperBound else {
            throw fail(f.keyPath(key), "\(key) [\(r.lowerBound), \(r.upperBound)) is outside the neurons addressed, [\(all.lowerBound), \(all.upperBound))")
        }
        return r
    }

    /// All `[[generator]]` tables, attached to their pools.
    func generators(_ top: NetworkFields, pools: inout [PoolSpec], names: [String: Int], tickMicroseconds: Int, format: Int,
                    dataHashes: inout [UInt64]) throws(NetworkFileError) {
        let tables = try arrayOfTables(top, "generator", header: "[[generator]]")
        guard !tables.isEmpty else { return }
        guard format >= 2 else { throw fail("generator", "[[generator]] needs the physical-unit format: add format = 2 to [network]") }
        let dt = Double(tickMicroseconds) / 1000
        for f in tables {
            try checkKeys(f, allowed: NetworkKeys.generator)
            let (pool, neurons) = try populationReference(f, "to", pools: pools, names: names)
            guard !pools[pool].populations.isEmpty else {
                throw fail(f.keyPath("to"), "a generator's weights are in mV, so its target must be a pool of [[pool.population]]; \(pools[pool].name) is a shorthand pool")
            }
            let kind = try required(f, "kind", string(f, "kind"))
            let startMs = try double(f, "start") ?? 0
            let stopMs = try double(f, "stop")
            guard startMs.isFinite, startMs >= 0 else { throw fail(f.keyPath("start"), "start = \(startMs) ms is out of range: expected 0 or more") }
            if let stopMs, !(stopMs.isFinite && stopMs > startMs) {
                throw fail(f.keyPath("stop"), "stop = \(stopMs) ms must be later than start = \(startMs) ms")
            }
            let start = UInt64((startMs / dt).rounded()), stop = stopMs.map { UInt64(($0 / dt).rounded()) }
            let unit = Double(PopulationTable.unitsPerMillivolt)
            switch kind {
            case "poisson":
                for key in ["amplitude", "drive"] where f.has(key) { throw fail(f.keyPath(key), "\(key) belongs to kind = \"dc\"") }
                let rate = try required(f, "rate_hz", double(f, "rate_hz"))
                let mean = rate * dt / 1000
                guard rate.isFinite, rate > 0, mean <= 1000 else {
                    throw fail(f.keyPath("rate_hz"), "rate_hz = \(rate) is out of range: expected above 0 and at most 1000 events per tick (\(1000 / dt * 1000) Hz)")
                }
                let weight = try required(f, "weight", double(f, "weight"))
                let sampler: PoissonSampler
                do throws(ModelError) { sampler = try PoissonSampler(mean: mean) } catch { throw fail(f.keyPath("rate_hz"), error.description) }
                for part in try weightParts(f, weight: weight, pool: pools[pool], neurons: neurons, tickMicroseconds: tickMicroseconds) {
                    var g = GeneratorSpec(pool: pool, neurons: part.neurons, kind: .poisson(rateHz: rate, sampler: sampler),
                                          weight: part.units, requestedMillivolts: part.millivolts, start: start, stop: stop)
                    g.viaSynapses = part.viaSynapses
                    pools[pool].generators.append(g)
                }
            case "spike_train":
                for key in ["amplitude", "drive", "rate_hz"] where f.has(key) { throw fail(f.keyPath(key), "\(key) does not belong to kind = \"spike_train\"") }
                let weight = try required(f, "weight", double(f, "weight"))
                let parts = try weightParts(f, weight: weight, pool: pools[pool], neurons: neurons, tickMicroseconds: tickMicroseconds)
                let (path, table) = try dataTable(f, "file")
                guard table.columns == 2 else { throw fail(f.keyPath("file"), "\(path) has \(table.columns) columns: expected time (ms), neuron") }
                var events: [(UInt64, Int32)] = []
                for r in 0 ..< table.rows {
                    let (ms, n) = (table.values[2 * r], table.values[2 * r + 1])
                    guard ms >= 0, ms / dt < 1e15, n == n.rounded(), n >= 0, n < Double(neurons.count) else {
                        throw fail(f.keyPath("file"), "\(path) row \(r): time \(ms) ms must be 0 or more and neuron \(n) a whole number within the \(neurons.count) neurons addressed")
                    }
                    events.append((UInt64((ms / dt).rounded()), Int32(neurons.lowerBound) + Int32(n)))
                }
                events.sort { $0 < $1 }
                for part in parts {
                    let mine = events.filter { part.neurons.contains(Int($0.1)) }
                    var generator = GeneratorSpec(pool: pool, neurons: part.neurons, kind: .spikeTrain(ticks: mine.map(\.0), neurons: mine.map(\.1)),
                                                  weight: part.units, requestedMillivolts: part.millivolts, start: start, stop: stop)
                    generator.file = path
                    generator.viaSynapses = part.viaSynapses
                    pools[pool].generators.append(generator)
                }
                dataHashes.append(table.hash)
            case "dc":
                for key in ["rate_hz", "weight"] where f.has(key) { throw fail(f.keyPath(key), "\(key) belongs to kind = \"poisson\"") }
                // One population: the current's effect per tick depends on its tau_m and c_m.
                let target = pools[pool].populations.indices.first { p in
                    let start = pools[pool].populations[..<p].reduce(0) { $0 + $1.size }
                    return neurons.lowerBound >= start && neurons.upperBound <= start + pools[pool].populations[p].size
                }
                guard let target else {
                    throw fail(f.keyPath("to"), "a dc generator drives one population (its tau_m and c_m turn the current into mV): address POOL.POPULATION")
                }
                let p = pools[pool].populations[target].parameters
                let perTick: Double
                switch (try double(f, "amplitude"), try double(f, "drive")) {
                case (let pA?, nil): perTick = pA / p.cM * p.tauM * (1 - Self.exp(-dt / p.tauM))
                case (nil, let mVPerMs?): perTick = mVPerMs * p.tauM * (1 - Self.exp(-dt / p.tauM))
                default: throw fail(f.path, "a dc generator takes exactly one of amplitude (pA) or drive (mV/ms)")
                }
                let units = (perTick * unit).rounded()
                guard perTick.isFinite, abs(perTick) <= 100, units != 0 else {
                    throw fail(f.path, "the dc input comes to \(perTick) mV per tick: expected a non-zero step within ±100 mV")
                }
                pools[pool].generators.append(GeneratorSpec(pool: pool, neurons: neurons, kind: .dc, weight: Int32(units),
                                                            requestedMillivolts: perTick, start: start, stop: stop))
            default:
                throw fail(f.keyPath("kind"), "kind \"\(kind)\" is not a generator: expected \"poisson\", \"dc\" or \"spike_train\"")
            }
        }
    }

    static func exp(_ x: Double) -> Double { NeuronParameters.exponential(x) }

    /// A generator's weight per population it covers: mV into delta synapses, pA into
    /// exponential ones (turned into the stored mV per tick by the population's P21); the
    /// covered populations must share one synapse model.
    func weightParts(_ f: NetworkFields, weight: Double, pool: PoolSpec, neurons: Range<Int>,
                     tickMicroseconds: Int) throws(NetworkFileError) -> [(neurons: Range<Int>, units: Int32, millivolts: Double, viaSynapses: Bool)] {
        var parts: [(neurons: Range<Int>, units: Int32, millivolts: Double, viaSynapses: Bool)] = []
        var start = 0
        var models = Set<Bool>()
        for p in pool.populations {
            defer { start += p.size }
            let overlap = max(start, neurons.lowerBound) ..< min(start + p.size, neurons.upperBound)
            guard !overlap.isEmpty else { continue }
            let exponential = p.parameters.exponentialSynapses
            models.insert(exponential)
            let mV = weight * p.parameters.weightFactor(inhibitory: weight < 0, tickMicroseconds: UInt32(tickMicroseconds))
            let units = (mV * Double(PopulationTable.unitsPerMillivolt)).rounded()
            let unitName = exponential ? "pA" : "mV"
            guard weight.isFinite, weight != 0, abs(mV) <= 100, units != 0 else {
                throw fail(f.keyPath("weight"), "weight = \(weight) \(unitName) is out of range for population \(p.name): expected a non-zero input whose step stays within ±100 mV")
            }
            parts.append((overlap, Int32(units), mV, exponential))
        }
        guard models.count <= 1 else {
            throw fail(f.keyPath("to"), "the generator's targets mix delta and exponential synapses, whose weights are in different units (mV, pA): give one generator per kind")
        }
        return parts
    }
}

extension RuleProjection {
    /// The quantized delays, in ticks, a delay distribution can give: rounded, at least 1.
    public static func tickRange(_ delay: ValueDistribution, tickMilliseconds dt: Double) -> ClosedRange<Int> {
        func ticks(_ ms: Double) -> Int { max(1, Int(min((ms / dt).rounded(), 1e6))) }
        switch delay {
        case .constant(let d): return ticks(d) ... ticks(d)
        case .uniform(let low, let high): return ticks(low) ... ticks(high)
        case .normal(let mean, let sd): return ticks(mean - 5 * sd) ... ticks(mean + 5 * sd)
        }
    }

    /// The ticks of one drawn delay: rounded, clipped to `range`.
    public static func ticks(_ ms: Double, tickMilliseconds dt: Double, range: ClosedRange<Int>) -> Int {
        min(max(Int(max(min((ms / dt).rounded(), 1e6), -1e6)), range.lowerBound), range.upperBound)
    }
}

extension NetworkParser {
    /// `[[multimeter]]` and `[[weight_recorder]]`.
    func monitors(_ top: NetworkFields, pools: [PoolSpec], projections: [ProjectionSpec], names: [String: Int],
                  tickMicroseconds: Int, format: Int) throws(NetworkFileError) -> ([MultimeterSpec], [WeightRecorderSpec]) {
        let meters = try arrayOfTables(top, "multimeter", header: "[[multimeter]]")
        let recorders = try arrayOfTables(top, "weight_recorder", header: "[[weight_recorder]]")
        if format < 2, let first = meters.first ?? recorders.first {
            throw fail(first.path, "\(first.header) needs the physical-unit format: add format = 2 to [network]")
        }
        let dt = Double(tickMicroseconds) / 1000
        func interval(_ f: NetworkFields) throws(NetworkFileError) -> Int {
            let ms = try required(f, "interval", double(f, "interval"))
            let ticks = (ms / dt).rounded()
            guard ms.isFinite, ticks >= 1, ticks <= 1e9 else {
                throw fail(f.keyPath("interval"), "interval = \(ms) ms is out of range: expected at least one tick (\(dt) ms)")
            }
            return Int(ticks)
        }
        var meterSpecs: [MultimeterSpec] = []
        for (k, f) in meters.enumerated() {
            try checkKeys(f, allowed: NetworkKeys.multimeter)
            let (pool, all) = try populationReference(f, "to", pools: pools, names: names)
            guard pools[pool].model == .lif else { throw fail(f.keyPath("to"), "a multimeter records integer LIF pools; \(pools[pool].name) has model = \"hh\"") }
            var neurons = all
            if f.has("neurons") {
                neurons = try neuronRange(f, "neurons", pool: pools[pool].name, size: pools[pool].neurons)
                guard neurons.lowerBound >= all.lowerBound, neurons.upperBound <= all.upperBound else {
                    throw fail(f.keyPath("neurons"), "neurons [\(neurons.lowerBound), \(neurons.upperBound)) is outside the neurons addressed, [\(all.lowerBound), \(all.upperBound))")
                }
            }
            var quantities: [MultimeterSpec.Quantity] = [.membrane]
            if let node = f["record"] {
                let names = MultimeterSpec.Quantity.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                guard case .array(let items) = node, !items.isEmpty else { throw wrongType(f, "record", "a non-empty array of \(names)", node) }
                quantities = []
                for item in items {
                    guard case .string(let text) = item, let q = MultimeterSpec.Quantity(rawValue: text), !quantities.contains(q) else {
                        throw fail(f.keyPath("record"), "record holds \(item.summary): expected each of \(names) at most once")
                    }
                    quantities.append(q)
                }
                if quantities.contains(where: { $0 != .membrane }) {
                    var first = 0
                    for p in pools[pool].populations {
                        defer { first += p.size }
                        guard max(first, neurons.lowerBound) < min(first + p.size, neurons.upperBound) else { continue }
                        guard p.parameters.exponentialSynapses else {
                            throw fail(f.keyPath("record"), "I_syn_ex and I_syn_in are the currents of exponential synapses; population \(p.name) has delta synapses")
                        }
                    }
                    guard !pools[pool].populations.isEmpty else {
                        throw fail(f.keyPath("record"), "I_syn_ex and I_syn_in are the currents of exponential synapses; \(pools[pool].name) is a shorthand pool")
                    }
                }
            }
            meterSpecs.append(MultimeterSpec(index: k, pool: pool, neurons: neurons, interval: try interval(f), quantities: quantities))
        }
        var recorderSpecs: [WeightRecorderSpec] = []
        for (k, f) in recorders.enumerated() {
            try checkKeys(f, allowed: NetworkKeys.weightRecorder)
            let p = try required(f, "projection", int(f, "projection", in: 0 ... max(projections.count - 1, 0)))
            guard p < projections.count else { throw fail(f.keyPath("projection"), "projection = \(p): the network has no projections") }
            guard pools[projections[p].to].model == .lif else {
                throw fail(f.keyPath("projection"), "projection \(p) ends in a Hodgkin–Huxley pool, whose weights are not recorded")
            }
            recorderSpecs.append(WeightRecorderSpec(index: k, projection: p, interval: try interval(f)))
        }
        return (meterSpecs, recorderSpecs)
    }
}
