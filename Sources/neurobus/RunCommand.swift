import ArgumentParser
import NeuroNode

/// `neurobus run`: the whole network in this process, no sockets.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a network with every pool in this process (no sockets): the lockstep reference.",
        discussion: """
        Builds every pool of the network file (or the built-in default network: sensory → \
        association ⇄ motor with a dopamine reward for motor activity) and runs them tick by tick. \
        A distributed run of the same network with `neurobus up` gives byte-identical output files: \
        OUT/network.toml, and per pool OUT/POOL.raster (text: `TICK ID ID …` per tick with spikes) \
        and OUT/POOL.pool (final state, protocol/POOL-FORMAT.md).
        """
    )

    @Argument(help: "Network file (TOML, docs/NETWORK-FORMAT.md). Default: the built-in network.")
    var network: String?

    @Option(help: "Ticks to run.")
    var ticks: UInt64 = 5000

    @Option(help: "Output folder for rasters and final pools (created if missing).")
    var out: String = "neurobus-out"

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        guard ticks >= 1, ticks <= 1 << 40 else { throw ValidationError("--ticks \(ticks) is out of range 1…2^40") }
    }

    func run() throws {
        let description = try loadNetwork(network)
        let directory = try OutputDirectory(out)
        let start = monotonicSeconds()
        let every = max(1, min(ticks / 10, 10_000))
        let rows = try LocalRun.run(network: description, ticks: ticks, out: directory, progressEvery: every) { done in
            guard !quiet else { return }
            let elapsed = monotonicSeconds() - start
            printError("tick \(done)/\(ticks)  \(formatFixed(Double(done) / max(elapsed, 1e-9), 0)) ticks/s")
        }
        let seconds = monotonicSeconds() - start
        print("network \(description.name) (\(description.file)), \(description.pools.count) pools, one process")
        print(summaryTable(rows, tickMicroseconds: description.tickMicroseconds, seconds: seconds, showTraffic: false), terminator: "")
        print("output: \(directory.path)/ (network.toml, \(rows.map { "\($0.name).raster, \($0.name).pool" }.joined(separator: ", ")))")
    }
}
