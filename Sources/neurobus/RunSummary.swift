import NeuroNode
import NeuroNetwork
import NeuroEngine

/// Prints the per-population rates of a finished run below its pool table, for networks with
/// pools of populations (counted from the rasters in `directory`; nothing for shorthand pools).
func printPopulationRates(_ network: NetworkDescription, directory: OutputDirectory, rows: [PoolSummary], startTick: UInt64) {
    let end = rows.map(\.ticks).min() ?? 0
    let populations = PopulationSummary.read(directory: directory, network: network, ticks: end - min(startTick, end))
    guard !populations.isEmpty else { return }
    print(populationTable(populations, tickMicroseconds: network.tickMicroseconds), terminator: "")
}
