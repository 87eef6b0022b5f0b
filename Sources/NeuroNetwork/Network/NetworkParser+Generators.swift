import NeuroModel
import NeuroPool

/// Format 2 `[[generator]]`s: Poisson, dc and spike-train input in physical units.
extension NetworkParser {
    /// All `[[generator]]` tables, attached to their pools.
    func generators(_ top: NetworkFields, pools: inout [PoolSpec], names: [String: Int], tickMicroseconds: Int, format: Int,
                    task: TaskSpec?, dataHashes: inout [UInt64]) throws(NetworkFileError) {
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
            for (key, ms) in [("start", startMs), ("stop", stopMs ?? 0)] where ms / dt > 1e15 {
                throw fail(f.keyPath(key), "\(key) = \(ms) ms is out of range: expected at most 10^15 ticks (\(1e15 * dt) ms)")
            }
            let start = UInt64((startMs / dt).rounded()), stop = stopMs.map { UInt64(($0 / dt).rounded()) }
            let gate = try trialGate(f, task: task)
            let count = pools[pool].generators.count
            defer { for g in count ..< pools[pool].generators.count { pools[pool].generators[g].gate = gate } }
            let unit = Double(PopulationTable.unitsPerMillivolt)
            switch kind {
            case "poisson":
                for key in ["amplitude", "drive"] where f.has(key) { throw fail(f.keyPath(key), "\(key) belongs to kind = \"dc\"") }
                if f.has("period") { throw fail(f.keyPath("period"), "period belongs to kind = \"spike_train\"") }
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
                if let gate, let late = events.last, late.0 >= UInt64(gate.task.stimulusTicks) {
                    throw fail(f.keyPath("file"), "\(path) has an event at \(Double(late.0) * dt) ms: with during, times count from each trial's start and must fall within trial_ms = \(Double(gate.task.stimulusTicks) * dt) ms")
                }
                if gate != nil, f.has("period") { throw fail(f.keyPath("period"), "period and during do not go together: with during the train starts again at every trial of its labels") }
                var period: UInt64?
                if let ms = try double(f, "period") {
                    let ticks = (ms / dt).rounded()
                    guard ms > 0, ticks >= 1, ticks < 1e15 else {
                        throw fail(f.keyPath("period"), "period = \(ms) ms is out of range: expected at least one tick (\(dt) ms)")
                    }
                    if let last = events.last, last.0 >= UInt64(ticks) {
                        throw fail(f.keyPath("period"), "\(path) has an event at \(Double(last.0) * dt) ms, not before period = \(ms) ms")
                    }
                    period = UInt64(ticks)
                }
                for part in parts {
                    let mine = events.filter { part.neurons.contains(Int($0.1)) }
                    var generator = GeneratorSpec(pool: pool, neurons: part.neurons, kind: .spikeTrain(ticks: mine.map(\.0), neurons: mine.map(\.1)),
                                                  weight: part.units, requestedMillivolts: part.millivolts, start: start, stop: stop)
                    generator.file = path
                    generator.period = period
                    generator.viaSynapses = part.viaSynapses
                    pools[pool].generators.append(generator)
                }
                dataHashes.append(table.hash)
            case "dc":
                for key in ["rate_hz", "weight"] where f.has(key) { throw fail(f.keyPath(key), "\(key) belongs to kind = \"poisson\"") }
                if f.has("period") { throw fail(f.keyPath("period"), "period belongs to kind = \"spike_train\"") }
                // One population: the current's effect per tick depends on its tau_m and c_m.
                let covered = pools[pool].populations(overlapping: neurons)
                guard covered.count == 1, covered[0].neurons == neurons else {
                    throw fail(f.keyPath("to"), "a dc generator drives one population (its tau_m and c_m turn the current into mV): address POOL.POPULATION")
                }
                let p = covered[0].population.parameters
                let perTick: Double
                switch (try double(f, "amplitude"), try double(f, "drive")) {
                case (let pA?, nil): perTick = p.millivoltsPerTick(picoamperes: pA, tickMicroseconds: UInt32(tickMicroseconds))
                case (nil, let mVPerMs?): perTick = p.millivoltsPerTick(picoamperes: mVPerMs * p.cM, tickMicroseconds: UInt32(tickMicroseconds))
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

    /// A generator's weight per population it covers: mV into delta synapses, pA into
    /// exponential ones (turned into the stored mV per tick by the population's P21); the
    /// covered populations must share one synapse model.
    func weightParts(_ f: NetworkFields, weight: Double, pool: PoolSpec, neurons: Range<Int>,
                     tickMicroseconds: Int) throws(NetworkFileError) -> [(neurons: Range<Int>, units: Int32, millivolts: Double, viaSynapses: Bool)] {
        var parts: [(neurons: Range<Int>, units: Int32, millivolts: Double, viaSynapses: Bool)] = []
        var models = Set<Bool>()
        for (overlap, p) in pool.populations(overlapping: neurons) {
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
