import NeuroPool
import NeuroNetwork

/// The multimeters and weight recorders of one pool, writing `OUT/POOL.multimeter-K.npy`
/// (rows: time in ms at the end of the tick, then each neuron's V_m in mV) and
/// `OUT/POOL.weights-K.npy` (rows: time, then each synapse's weight — PSP in mV, or current
/// in pA into exponential synapses — in the order of
/// `OUT/POOL.weights-K.synapses.npy`, rows of source, target, delay in ticks). A sample is
/// taken after tick t when (t + 1) is a multiple of the interval, so `run` and `up` write
/// the same bytes, and a rollback to tick T keeps exactly the samples before T.
public final class PoolMonitors {
    struct Meter {
        var spec: MultimeterSpec
        /// pA per state unit (2^−24 mV per tick) of each recorded neuron's excitatory and
        /// inhibitory synaptic state: 1 / (2^24 · P21).
        var perUnit: [(excitatory: Double, inhibitory: Double)]
        var writer: SampleWriter
    }
    struct Recorder {
        var spec: WeightRecorderSpec
        var afferent: Int
        var shift: [Int]
        /// mV per weight unit of each synapse's target: 1, or P21 for exponential synapses
        /// (whose weights are recorded as currents, pA).
        var factor: [Double]
        /// Each recorded synapse's source, target and delay, to find it again after plasticity
        /// removed or added synapses.
        var identity: [(source: Int, target: UInt16, delay: UInt8)]
        var writer: SampleWriter
    }
    private var meters: [Meter] = []
    private var recorders: [Recorder] = []
    private var row: [Double] = []
    private let tickMilliseconds: Double

    /// Whether the pool has anything to record.
    public var isEmpty: Bool { meters.isEmpty && recorders.isEmpty }

    /// Opens the files for pool `pool` of `network`, built as `driver`; with `resumingAt`, the
    /// temporary files of an interrupted run are kept up to that tick.
    public init(network: NetworkDescription, pool: Int, driver: PoolDriver, directory: String, resumingAt tick: UInt64? = nil) throws(NodeError) {
        tickMilliseconds = Double(network.tickMicroseconds) / 1000
        let name = network.pools[pool].name
        // `UInt64.max` (a real-time takeover): keep every row the files hold.
        func rows(_ interval: Int) -> Int? { tick.map { $0 == .max ? Int.max : Int($0 / UInt64(interval)) } }
        for m in network.multimeters where m.pool == pool {
            let perUnit = m.neurons.map { i -> (excitatory: Double, inhibitory: Double) in
                guard let p = network.population(ofPool: pool, neuron: i), p.parameters.exponentialSynapses else { return (0, 0) }
                let scale = Double(PopulationTable.unitsPerMillivolt) * 256
                return (1 / (scale * p.parameters.weightFactor(inhibitory: false, tickMicroseconds: network.tickMicroseconds)),
                        1 / (scale * p.parameters.weightFactor(inhibitory: true, tickMicroseconds: network.tickMicroseconds)))
            }
            meters.append(Meter(spec: m, perUnit: perUnit,
                                writer: try SampleWriter(path: "\(directory)/\(name).multimeter-\(m.index).npy",
                                                         columns: 1 + m.neurons.count * m.quantities.count, resumingAtRow: rows(m.interval))))
        }
        let into = network.projections(into: pool)
        for r in network.weightRecorders {
            guard let afferent = into.firstIndex(where: { $0.index == r.projection }) else { continue }
            let projection = driver.pool.afferents[afferent]
            var synapses: [Int64] = []
            for j in 0 ..< projection.sourceCount {
                for s in projection.row(j) {
                    synapses += [Int64(j), Int64(projection.synapses[s].target), Int64(projection.synapses[s].delay)]
                }
            }
            try SampleWriter.writeIntegers(synapses, columns: 3, path: "\(directory)/\(name).weights-\(r.index).synapses.npy")
            let factors = projection.synapses.map { s -> Double in
                guard let p = network.population(ofPool: pool, neuron: Int(s.target)) else { return 1 }
                return p.parameters.weightFactor(inhibitory: s.weight < 0, tickMicroseconds: network.tickMicroseconds)
            }
            var identity: [(source: Int, target: UInt16, delay: UInt8)] = []
            for j in 0 ..< projection.sourceCount {
                for k in projection.row(j) { identity.append((j, projection.synapses[k].target, projection.synapses[k].delay)) }
            }
            recorders.append(Recorder(spec: r, afferent: afferent, shift: projection.synapses.map { Int($0.shift) }, factor: factors, identity: identity,
                                      writer: try SampleWriter(path: "\(directory)/\(name).weights-\(r.index).npy",
                                                               columns: 1 + projection.count, resumingAtRow: rows(r.interval))))
        }
    }

    /// Samples what is due after tick `tick` of `pool`. O(recorded neurons + synapses) when due.
    public func sample(tick: UInt64, pool: NeuronPool) throws(NodeError) {
        let time = Double(tick + 1) * tickMilliseconds
        for m in meters where (tick + 1) % UInt64(m.spec.interval) == 0 {
            row.removeAll(keepingCapacity: true)
            row.append(time)
            for quantity in m.spec.quantities {
                switch quantity {
                case .membrane:
                    if let table = pool.populations {
                        var p = table.population(of: m.spec.neurons.lowerBound)
                        for i in m.spec.neurons {
                            while i >= table.populations[p].range.upperBound { p += 1 }
                            let v = Int64(pool.neurons.potential(i)) + Int64(table.populations[p].rest)
                            row.append(Double(v) / Double(PopulationTable.unitsPerMillivolt))
                        }
                    } else {
                        for i in m.spec.neurons { row.append(Double(pool.neurons.membrane[i]) / 256) }
                    }
                case .excitatoryCurrent:
                    for (k, i) in m.spec.neurons.enumerated() { row.append(Double(pool.neurons.synapticExcitatory[i]) * m.perUnit[k].excitatory) }
                case .inhibitoryCurrent:
                    for (k, i) in m.spec.neurons.enumerated() { row.append(Double(pool.neurons.synapticInhibitory[i]) * m.perUnit[k].inhibitory) }
                }
            }
            try row.withUnsafeBufferPointer { (b) throws(NodeError) in try m.writer.append(b) }
        }
        for r in recorders where (tick + 1) % UInt64(r.spec.interval) == 0 {
            let projection = pool.afferents[r.afferent]
            row.removeAll(keepingCapacity: true)
            row.append(time)
            // The whole weight units (the fraction plasticity accumulates is not part of the PSP).
            func psp(_ s: Synapse, _ k: Int) -> Double { pool.millivolts(fineWeight: Int(s.weight) << 8, shift: r.shift[k]) / r.factor[k] }
            if projection.count == r.identity.count {
                for (k, s) in projection.synapses.enumerated() { row.append(psp(s, k)) }
            } else {
                // Pruning removed synapses (or synaptogenesis added some): rows keep their order,
                // so each recorded synapse is found by a forward scan of its source's row; one
                // no longer there reads NaN, new ones are not recorded.
                var k = 0
                while k < r.identity.count {
                    let source = r.identity[k].source
                    var at = Int(projection.rowPtr[source])
                    let end = Int(projection.rowPtr[source + 1])
                    while k < r.identity.count, r.identity[k].source == source {
                        let (_, target, delay) = r.identity[k]
                        var found = at
                        while found < end, projection.synapses[found].target != target || projection.synapses[found].delay != delay { found += 1 }
                        if found < end {
                            row.append(psp(projection.synapses[found], k))
                            at = found + 1
                        } else {
                            row.append(.nan)
                        }
                        k += 1
                    }
                }
            }
            try row.withUnsafeBufferPointer { (b) throws(NodeError) in try r.writer.append(b) }
        }
    }

    /// Drops the samples of ticks ≥ `tick` (a rollback to a snapshot at `tick`).
    public func truncate(fromTick tick: UInt64) throws(NodeError) {
        for m in meters { try m.writer.truncate(toRows: Int(tick / UInt64(m.spec.interval))) }
        for r in recorders { try r.writer.truncate(toRows: Int(tick / UInt64(r.spec.interval))) }
    }

    /// Syncs every file (at a snapshot).
    public func sync() throws(NodeError) {
        for m in meters { try m.writer.sync() }
        for r in recorders { try r.writer.sync() }
    }

    /// Finishes every file.
    public func finish() throws(NodeError) {
        for m in meters { try m.writer.finish() }
        for r in recorders { try r.writer.finish() }
    }
}

extension SampleWriter {
    /// Writes `values` (row-major, `columns` per row) as an `<i8` `.npy` file, atomically.
    static func writeIntegers(_ values: [Int64], columns: Int, path: String) throws(NodeError) {
        var bytes = NPYHeader.encode(descr: "<i8", rows: values.count / columns, columns: columns)
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        do { try AtomicFile.write(bytes, to: path) } catch { throw .io("cannot write \(path): \(error)") }
    }
}
