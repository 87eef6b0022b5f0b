import NeuroModel
import NeuroPool

/// Format 2 `[[projection]]`s with a `rule`: NEST's connection rules, lists from data files,
/// weights in mV or pA, delays in ms.
extension NetworkParser {
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
        let targetModels = Set(pools[to].populations(overlapping: toNeurons).map(\.population.parameters.exponentialSynapses))
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
                let bound = unitName == "mV" ? 100.0 : 1e6
                guard negative ? w < 0 : w > 0, abs(w) <= bound else {
                    throw fail(f.keyPath("file"), "connection \(k) has weight \(w) \(unitName): expected \(negative ? "< 0 (an inhibitory source)" : "> 0 (an excitatory source)") within ±\(Int(bound)) \(unitName)")
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
            let positive: Bool = switch delay {
            case .constant(let d): d > 0
            case .uniform(let low, _): low > 0
            case .normal(let mean, let sd): mean > 0 && sd <= 1e9
            }
            guard positive else {
                throw fail(f.keyPath("delay"), "delay must be positive (ms): a constant above 0, a uniform range starting above 0, or a normal with a positive mean")
            }
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
        let stdp = synapse == "stdp" ? try stdpParameters(f) : nil
        if synapse != "stdp", let key = NetworkKeys.stdp.first(where: { f.has($0) }) {
            throw fail(f.keyPath(key), "\(key) is a learning-rule key: it needs synapse = \"stdp\"")
        }
        let seed = try uint64(f, "seed") ?? NetworkDescription.derivedProjectionSeed(networkSeed: networkSeed, index: i)
        var spec = ProjectionSpec(index: i, from: from, fromNeurons: fromNeurons, to: to, toNeurons: toNeurons,
                                  connectivity: .outDegree(0), weight: 1 ... 1, delay: ticks, seed: seed)
        spec.physical = RuleProjection(pairing: list.map { .list($0) } ?? .rule(rule), allowAutapses: try bool(f, "allow_autapses") ?? true,
                                       allowMultapses: try bool(f, "allow_multapses") ?? true,
                                       excitatoryWeight: excitatory, inhibitoryWeight: inhibitory, delay: delay,
                                       stdp: stdp)
        return spec
    }

    /// The learning rule of a `synapse = "stdp"` projection: defaults where a key is absent.
    private func stdpParameters(_ f: NetworkFields) throws(NetworkFileError) -> STDPParameters {
        var p = STDPParameters()
        if let v = try double(f, "a_plus") { p.aPlus = v }
        if let v = try double(f, "a_minus") { p.aMinus = v }
        if let v = try double(f, "tau_plus") { p.tauPlus = v }
        if let v = try double(f, "tau_minus") { p.tauMinus = v }
        if let v = try double(f, "tau_elig") { p.tauElig = v }
        if let v = try double(f, "learning_rate") { p.learningRate = v }
        if let v = try double(f, "w_min") { p.wMin = v }
        if let v = try double(f, "w_max") { p.wMax = v }
        if let (field, expected) = p.problem() {
            let value: Double? = switch field {
            case "a_plus": p.aPlus
            case "a_minus": p.aMinus
            case "tau_plus": p.tauPlus
            case "tau_minus": p.tauMinus
            case "tau_elig": p.tauElig
            case "learning_rate": p.learningRate
            case "w_min": p.wMin
            default: p.wMax
            }
            throw fail(f.keyPath(field), "\(field) = \(value.map { "\($0)" } ?? "?") is out of range: expected \(expected)")
        }
        return p
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
        let resolved = NetworkDescription.resolve(dataFile: path, networkFile: file)
        do { return (path, try NumericTable.read(resolved)) } catch { throw fail(f.keyPath(key), error.message) }
    }

    private func narrowed(_ f: NetworkFields, _ key: String, within all: Range<Int>, pool: PoolSpec) throws(NetworkFileError) -> Range<Int> {
        let r = try neuronRange(f, key, pool: pool.name, size: pool.neurons)
        guard r.lowerBound >= all.lowerBound, r.upperBound <= all.upperBound else {
            throw fail(f.keyPath(key), "\(key) [\(r.lowerBound), \(r.upperBound)) is outside the neurons addressed, [\(all.lowerBound), \(all.upperBound))")
        }
        return r
    }
}

extension RuleProjection {
    /// The quantized delays, in ticks, a delay distribution can give: rounded, at least 1.
    public static func tickRange(_ delay: ValueDistribution, tickMilliseconds dt: Double) -> ClosedRange<Int> {
        func ticks(_ ms: Double) -> Int { max(1, Int(min(max((ms / dt).rounded(), -1e6), 1e6))) }
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
