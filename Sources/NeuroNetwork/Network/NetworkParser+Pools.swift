import NeuroBio
import NeuroPool

/// `[[pool]]` and `[[pool.stimulus]]`.
extension NetworkParser {
    /// One pool, its config overrides validated through `PoolConfig.validate()`.
    func pool(_ f: NetworkFields, index: Int, networkSeed: UInt64, tickMicroseconds: Int,
              names: inout [String: Int], endpoints: inout EndpointRegistry) throws(NetworkFileError) -> PoolSpec {
        try checkKeys(f, allowed: NetworkKeys.pool)
        let name = try self.name(f, "name")
        if let other = names[name] {
            throw fail(f.keyPath("name"), "duplicate pool name \"\(name)\": pool[\(other)].name has it already")
        }
        names[name] = index
        let neurons = try required(f, "neurons", int(f, "neurons", in: 1 ... 65536))
        let connectivity = try self.connectivity(f, maxOutDegree: neurons - 1,
                                                 limit: "at most neurons - 1 = \(neurons - 1)")
        // Checked before anything is built: 65,536 neurons with 65,535 synapses each would be
        // 34 GB, and building them would exhaust memory instead of saying so.
        let expected: Double = switch connectivity {
        case .outDegree(let k): Double(neurons) * Double(k)
        case .density(let p): Double(neurons) * Double(neurons - 1) * p
        }
        guard expected <= Double(Self.maxSynapsesPerProjection) else {
            let key = f.has("out_degree") ? "out_degree" : "density"
            throw fail(f.keyPath(key), "\(neurons) neurons would have about \(Int(expected)) synapses (\(Int(expected * 8 / 1e9)) GB), more than the \(Self.maxSynapsesPerProjection) (2^28) a pool's own synapses may have")
        }
        var config = PoolConfig()
        config.excitatoryProfile = try profile(f, "profile", default: .regularSpiking)
        config.inhibitoryProfile = try profile(f, "inhibitory_profile", default: .fastSpiking)
        config.seed = try uint64(f, "seed") ?? NetworkDescription.derivedPoolSeed(networkSeed: networkSeed, index: index)
        let model = try self.model(f, tickMicroseconds: tickMicroseconds)
        let endpoint = try self.endpoint(f, "endpoint")
        try endpoints.add(endpoint, key: f.keyPath("endpoint"), parser: self)
        try applyOverrides(f, to: &config)
        if let ticks = try dopamineTau(f, tickMicroseconds: tickMicroseconds) { config.dopamineTau = ticks }

        let stimulusTables = try arrayOfTables(f, "stimulus", header: "[[pool.stimulus]]")
        var stimuli: [StimulusSpec] = []
        for s in stimulusTables {
            stimuli.append(try stimulus(s, pool: name, size: neurons, tickMicroseconds: tickMicroseconds))
        }
        var spec = PoolSpec(name: name, index: index, neurons: neurons, connectivity: connectivity,
                            config: config, endpoint: endpoint, stimuli: stimuli)
        spec.model = model
        spec.hhFeatures = try hhFeatures(f, model: model)
        return spec
    }

    /// The keys that switch a Hodgkin–Huxley pool's biological features, in file-format order.
    static let hhFeatureKeys: [(key: String, feature: HHFeatures)] = [
        ("hh_calcium", .calcium), ("hh_atp", .atp), ("hh_nmda", .nmda),
        ("hh_receptor_kinetics", .receptorKinetics), ("hh_modulators", .modulators),
    ]

    /// `hh_calcium = true|false`, `hh_atp`, … (`hhFeatureKeys`): every feature is on unless its
    /// key is false. Only `model = "hh"` pools take these keys; a value that is not a boolean
    /// is an error naming the key and the value.
    private func hhFeatures(_ f: NetworkFields, model: PoolModel) throws(NetworkFileError) -> HHFeatures {
        var features = HHFeatures.all
        for (key, feature) in Self.hhFeatureKeys {
            guard let on = try bool(f, key) else { continue }
            guard model == .hh else {
                throw fail(f.keyPath(key), "\(key) = \(on) sets a Hodgkin–Huxley feature, but this pool has model = \"\(model.rawValue)\": give it model = \"hh\" or remove the key")
            }
            if on { features.insert(feature) } else { features.remove(feature) }
        }
        return features
    }

    /// `model = "lif"` (default: NeuroPool's integer LIF) or `"hh"` (NeuroBio's Hodgkin–Huxley
    /// neurons with the same connectivity; the tick must be a whole number of its 25 µs steps).
    private func model(_ f: NetworkFields, tickMicroseconds: Int) throws(NetworkFileError) -> PoolModel {
        guard let text = try string(f, "model") else { return .lif }
        guard let model = PoolModel(rawValue: text) else {
            throw fail(f.keyPath("model"), "model \"\(text)\" is not a neuron model: expected \"lif\" or \"hh\"")
        }
        if model == .hh, tickMicroseconds % 25 != 0 {
            throw fail(f.keyPath("model"), "model = \"hh\" integrates in steps of 25 µs, but [network] tick_us = \(tickMicroseconds) is not a multiple of 25")
        }
        return model
    }

    /// TOML key of each `PoolConfig` field a file may override.
    static let overrideKeys: [String: String] = [
        "stdp": "stdp", "maxDelay": "max_delay", "weightShift": "weight_shift",
        "homeostasisStep": "homeostasis_step", "homeostasisTarget": "homeostasis_target",
        "excitatoryWeight": "excitatory_weight", "inhibitoryWeight": "inhibitory_weight",
    ]

    /// Applies `stdp`, `max_delay`, … to `config`, then runs `PoolConfig.validate()` and turns a
    /// `PoolError` into an error naming the file's key.
    private func applyOverrides(_ f: NetworkFields, to config: inout PoolConfig) throws(NetworkFileError) {
        if let v = try bool(f, "stdp") { config.stdp = v }
        if let v = try int(f, "max_delay") { config.maxDelay = v }
        if let v = try int(f, "weight_shift") { config.weightShift = v }
        if let v = try int(f, "homeostasis_step") { config.homeostasisStep = v }
        if let v = try int(f, "homeostasis_target") { config.homeostasisTarget = v }
        for key in ["excitatory_weight", "inhibitory_weight"] {
            guard let (low, high) = try pair(f, key) else { continue }
            guard low <= high else {
                throw fail(f.keyPath(key), "\(key) [\(low), \(high)] is reversed: expected [low, high] with low <= high")
            }
            if key == "excitatory_weight" { config.excitatoryWeight = low ... high } else { config.inhibitoryWeight = low ... high }
        }
        do throws(PoolError) {
            try config.validate()
        } catch {
            guard case .invalidConfig(let field, let value, let expected) = error else {
                throw fail(f.path, "invalid pool configuration: \(error)")
            }
            let key = Self.overrideKeys[field] ?? field
            throw fail(f.keyPath(key), "\(key) = \(value) is invalid: expected \(expected)")
        }
    }

    /// One `[[pool.stimulus]]` of a pool of `size` neurons.
    private func stimulus(_ f: NetworkFields, pool: String, size: Int,
                          tickMicroseconds: Int) throws(NetworkFileError) -> StimulusSpec {
        try checkKeys(f, allowed: NetworkKeys.stimulus)
        let neurons = try neuronRange(f, "neurons", pool: pool, size: size, required: true)
        let kindName = try required(f, "kind", string(f, "kind"))
        guard kindName == "constant" || kindName == "poisson" else {
            throw fail(f.keyPath("kind"), "kind \"\(kindName)\" is not a stimulus kind: expected \"constant\" or \"poisson\"")
        }
        let drive = try required(f, "drive", int(f, "drive", in: Int(Int16.min) ... Int(Int16.max)))
        guard drive != 0 else {
            throw fail(f.keyPath("drive"), "drive = 0 does nothing: expected a non-zero Q8.8 mV value in -32768...32767")
        }
        let kind: StimulusKind
        if kindName == "poisson" {
            kind = .poisson(chance: try poissonChance(f, tickMicroseconds: tickMicroseconds))
        } else {
            guard !f.has("rate_hz") else {
                throw fail(f.keyPath("rate_hz"), "rate_hz applies only to kind = \"poisson\", not \"constant\"")
            }
            kind = .constant
        }
        let start = try uint64(f, "start") ?? 0
        let stop = try uint64(f, "stop")
        if let stop, stop <= start {
            throw fail(f.keyPath("stop"), "stop = \(stop) must be greater than start = \(start)")
        }
        return StimulusSpec(neurons: neurons, kind: kind, drive: Int16(drive), start: start, stop: stop)
    }

    /// Per-tick event probability in units of 2^-32, rounded down: p = rate_hz × tick_us / 10^6.
    private func poissonChance(_ f: NetworkFields, tickMicroseconds: Int) throws(NetworkFileError) -> UInt32 {
        let rate = try required(f, "rate_hz", double(f, "rate_hz"))
        guard rate.isFinite, rate > 0 else {
            throw fail(f.keyPath("rate_hz"), "rate_hz = \(rate) is out of range: expected a finite number > 0")
        }
        let p = rate * Double(tickMicroseconds) / 1e6
        guard p <= 1 else {
            let most = 1e6 / Double(tickMicroseconds)
            throw fail(f.keyPath("rate_hz"), "rate_hz = \(rate) with tick_us = \(tickMicroseconds) gives a per-tick probability of \(p) > 1: expected rate_hz <= \(most)")
        }
        return UInt32(min(p * 4_294_967_296, 4_294_967_295))
    }
}
