import NeuroPool
import NeuroNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files a run leaves behind, the same for `neurobus run` and `neurobus up`:
/// `network.toml` (the exact network file), and per pool `POOL.raster` and `POOL.pool`.
public struct OutputDirectory: Sendable {
    public let path: String

    /// Creates the directory (and its parents) if needed.
    public init(_ path: String) throws(NodeError) {
        self.path = path
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            built += "/\(part)"
            if mkdir(built, 0o755) != 0, errno != EEXIST {
                throw .io("cannot create directory \(built): \(String(cString: strerror(errno)))")
            }
        }
    }

    public func rasterPath(_ pool: String) -> String { "\(path)/\(pool).raster" }
    public func poolPath(_ pool: String) -> String { "\(path)/\(pool).pool" }
    public var networkPath: String { "\(path)/network.toml" }

    /// Writes the network file's exact bytes (atomically), `populations.csv` (which neurons of
    /// each pool are which population and kind), and beside them a copy of each data file the
    /// network names by a relative path, so processes reading `OUT/network.toml` find them.
    public func writeNetwork(_ network: NetworkDescription) throws(NodeError) {
        do { try AtomicFile.write(network.bytes, to: networkPath) } catch { throw .poolFile(error) }
        do { try AtomicFile.write(Array(Self.populationTable(network).utf8), to: "\(path)/populations.csv") } catch { throw .poolFile(error) }
        for data in Set(network.dataFiles) where !data.hasPrefix("/") {
            let from = NetworkDescription.resolve(dataFile: data, networkFile: network.file)
            let to = "\(path)/\(data)"
            guard from != to else { continue }
            var folder = path
            for part in data.split(separator: "/").dropLast() {
                folder += "/\(part)"
                _ = try OutputDirectory(folder)
            }
            do { try AtomicFile.write(try AtomicFile.read(from), to: to) } catch { throw .poolFile(error) }
        }
    }

    /// `pool,population,kind,start,end` rows: each population's neurons `[start, end)`; a
    /// shorthand pool's neurons as runs of one kind, named `excitatory` / `inhibitory`.
    public static func populationTable(_ network: NetworkDescription) -> String {
        var out = "pool,population,kind,start,end\n"
        for (index, pool) in network.pools.enumerated() {
            if pool.populations.isEmpty {
                let kinds = network.inhibitoryNeurons(ofPool: index)
                var start = 0
                while start < kinds.count {
                    var end = start
                    while end < kinds.count, kinds[end] == kinds[start] { end += 1 }
                    let kind = kinds[start] ? "inhibitory" : "excitatory"
                    out += "\(pool.name),\(kind),\(kind),\(start),\(end)\n"
                    start = end
                }
            } else {
                for (range, p) in pool.populationRanges {
                    out += "\(pool.name),\(p.name),\(p.inhibitory ? "inhibitory" : "excitatory"),\(range.lowerBound),\(range.upperBound)\n"
                }
            }
        }
        return out
    }

    /// Saves a driven pool's final file (atomically): `.pool`, or a Hodgkin–Huxley pool's file.
    public func savePool(of driver: PoolDriver) throws(NodeError) {
        do { try AtomicFile.write(driver.finalFileBytes(), to: poolPath(driver.spec.name)) } catch { throw .poolFile(error) }
    }
}

/// One pool's line in a run's summary.
public struct PoolSummary: Sendable, Equatable {
    public var name: String
    public var neurons: Int
    public var ticks: UInt64
    public var spikes: UInt64
    public var synapses: Int
    public var packetsOut: UInt64 = 0
    public var bytesOut: UInt64 = 0

    public init(name: String, neurons: Int, ticks: UInt64, spikes: UInt64, synapses: Int) {
        self.name = name
        self.neurons = neurons
        self.ticks = ticks
        self.spikes = spikes
        self.synapses = synapses
    }

    /// Mean firing rate in Hz for ticks of `tickMicroseconds`.
    public func rateHz(tickMicroseconds: UInt32) -> Double {
        meanRateHz(spikes: spikes, neurons: neurons, ticks: ticks, tickMicroseconds: tickMicroseconds)
    }
}

/// Spikes per neuron per second over `ticks` ticks of `tickMicroseconds` (0 without neurons or ticks).
func meanRateHz(spikes: UInt64, neurons: Int, ticks: UInt64, tickMicroseconds: UInt32) -> Double {
    guard ticks > 0, neurons > 0 else { return 0 }
    return Double(spikes) / Double(neurons) / (Double(ticks) * Double(tickMicroseconds) / 1e6)
}

/// Renders summary rows as an aligned text table.
public func summaryTable(_ rows: [PoolSummary], tickMicroseconds: UInt32, seconds: Double, showTraffic: Bool, startTick: UInt64 = 0) -> String {
    var header = ["pool", "neurons", "ticks", "spikes", "rate Hz", "synapses"]
    if showTraffic { header += ["packets", "bytes"] }
    var table = [header]
    for r in rows {
        var line = [r.name, "\(r.neurons)", "\(r.ticks)", "\(r.spikes)", formatFixed(r.rateHz(tickMicroseconds: tickMicroseconds), 1), "\(r.synapses)"]
        if showTraffic { line += ["\(r.packetsOut)", "\(r.bytesOut)"] }
        table.append(line)
    }
    var out = alignedTable(table)
    // A restored run simulated only the ticks after its snapshot.
    let ticks = (rows.map(\.ticks).min() ?? 0) - min(startTick, rows.map(\.ticks).min() ?? 0)
    if seconds > 0 {
        let rtf = Double(ticks) * Double(tickMicroseconds) / 1e6 / seconds
        let from = startTick > 0 ? " (from the snapshot at tick \(startTick))" : ""
        out += "\(ticks) ticks\(from) in \(formatFixed(seconds, 2)) s: \(formatFixed(Double(ticks) / seconds, 0)) ticks/s, real-time factor \(formatFixed(rtf, 2))\n"
    }
    return out
}

/// `value` with `digits` decimals, without Foundation.
public func formatFixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0 ..< digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = UInt64(scaled / scale)
    let frac = UInt64(scaled - Double(whole) * scale)
    var text = "\(whole)"
    if digits > 0 {
        let f = String(frac)
        text += "." + String(repeating: "0", count: digits - f.count) + f
    }
    return (value < 0 && scaled != 0 ? "-" : "") + text
}
