import NeuroNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One population's line in a run's summary: its spikes over the run, from the raster.
public struct PopulationSummary: Sendable, Equatable {
    /// `POOL.POPULATION`.
    public var name: String
    public var neurons: Int
    public var spikes: UInt64
    /// Ticks the spikes were counted over.
    public var ticks: UInt64

    public init(name: String, neurons: Int, spikes: UInt64, ticks: UInt64) {
        self.name = name
        self.neurons = neurons
        self.spikes = spikes
        self.ticks = ticks
    }

    /// Mean firing rate in Hz for ticks of `tickMicroseconds`.
    public func rateHz(tickMicroseconds: UInt32) -> Double {
        meanRateHz(spikes: spikes, neurons: neurons, ticks: ticks, tickMicroseconds: tickMicroseconds)
    }
}

extension PopulationSummary {
    /// The populations of every pool of populations in `network`, counted from the finished
    /// rasters in `directory` (`POOL.raster`, lines `TICK ID ID …`) over `ticks` ticks. A pool
    /// whose raster is missing or unreadable is left out. O(raster bytes), read in 64 KiB blocks.
    public static func read(directory: OutputDirectory, network: NetworkDescription, ticks: UInt64) -> [PopulationSummary] {
        var rows: [PopulationSummary] = []
        for pool in network.pools where !pool.populations.isEmpty {
            guard let counts = spikeCounts(raster: directory.rasterPath(pool.name), neurons: pool.neurons) else { continue }
            for (range, population) in pool.populationRanges {
                let spikes = counts[range].reduce(UInt64(0), +)
                rows.append(PopulationSummary(name: "\(pool.name).\(population.name)", neurons: range.count, spikes: spikes, ticks: ticks))
            }
        }
        return rows
    }

    /// Spikes per neuron in a raster file of a pool of `neurons` neurons; nil when the file
    /// cannot be read or names a neuron outside the pool. Comment lines (`#`) are skipped; the
    /// first number of a line is its tick.
    public static func spikeCounts(raster path: String, neurons: Int) -> [UInt64]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var counts = [UInt64](repeating: 0, count: neurons)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var value = 0, digits = 0, field = 0
        var comment = false, valid = true
        while valid {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n >= 0 else { return nil }
            if n == 0 { break }
            for k in 0 ..< n {
                let byte = buffer[k]
                if comment { if byte == UInt8(ascii: "\n") { comment = false }; continue }
                switch byte {
                case UInt8(ascii: "0") ... UInt8(ascii: "9"):
                    // Bounded: no neuron id or tick of a valid raster has this many digits.
                    guard digits < 18 else { valid = false; break }
                    value = value * 10 + Int(byte - UInt8(ascii: "0"))
                    digits += 1
                case UInt8(ascii: "#") where field == 0 && digits == 0:
                    comment = true
                default:
                    if digits > 0 {
                        if field > 0 {
                            guard value < neurons else { valid = false; break }
                            counts[value] += 1
                        }
                        field += 1
                    }
                    value = 0
                    digits = 0
                    if byte == UInt8(ascii: "\n") { field = 0 }
                }
                if !valid { break }
            }
        }
        if valid, digits > 0, field > 0 {
            guard value < neurons else { return nil }
            counts[value] += 1
        }
        return valid ? counts : nil
    }
}

/// Renders population rows as an aligned text table (`population`, `neurons`, `spikes`, `rate Hz`).
public func populationTable(_ rows: [PopulationSummary], tickMicroseconds: UInt32) -> String {
    let table = [["population", "neurons", "spikes", "rate Hz"]]
        + rows.map { [$0.name, "\($0.neurons)", "\($0.spikes)", formatFixed($0.rateHz(tickMicroseconds: tickMicroseconds), 1)] }
    return alignedTable(table)
}

/// `table` (a header row, then data rows) with columns padded to their widest cell, the first
/// left-aligned and the others right-aligned, and a rule of dashes under the header.
func alignedTable(_ table: [[String]]) -> String {
    guard let header = table.first else { return "" }
    let widths = header.indices.map { c in table.map { $0[c].count }.max() ?? 0 }
    var out = ""
    for (i, line) in table.enumerated() {
        out += line.indices.map { c in
            let cell = line[c]
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return c == 0 ? cell + pad : pad + cell
        }.joined(separator: "  ") + "\n"
        if i == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
    }
    return out
}
