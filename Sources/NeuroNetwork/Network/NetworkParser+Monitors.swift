import NeuroModel
import NeuroPool

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
                    for (_, p) in pools[pool].populations(overlapping: neurons) {
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
