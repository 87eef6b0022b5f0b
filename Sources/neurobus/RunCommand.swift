import ArgumentParser
import NeuroNode
import NeuroNetwork
import NeuroEngine

/// `neurobus run`: the whole network in this process, no sockets.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a network with every pool in this process (no sockets): the lockstep reference.",
        discussion: """
        Builds every pool of the network file (or the built-in default network: a two-class \
        task, input → left and right, learned by reward; `neurobus network default` prints it) \
        and runs them tick by tick. \
        A distributed run of the same network with `neurobus up` gives byte-identical output files: \
        OUT/network.toml, and per pool OUT/POOL.raster (text: `TICK ID ID …` per tick with spikes) \
        and OUT/POOL.pool (final state, protocol/POOL-FORMAT.md).
        """
    )

    @OptionGroup var options: RunOptions

    func run() throws {
        let quiet = options.quiet
        let description = try loadNetwork(options.network, warn: !options.quiet)
        let ticks = try options.ticks(for: description)
        var schedules: [InjectionSchedule] = []
        for (source, file) in try options.injections(description) {
            do {
                let events = try SpikeEventFile.readAll(file)
                schedules.append(try InjectionSchedule(source: source, events: events, file: file))
            } catch {
                throw CommandFailure("--inject \(source.name)=\(file): \(error)")
            }
        }
        let restore = try options.restored(description)
        let directory = try OutputDirectory(options.out)
        let start = monotonicSeconds()
        let every = max(1, min(ticks / 10, 10_000))
        var score = TaskScore()
        let rows = try LocalRun.run(network: description, ticks: ticks, out: directory, injections: schedules,
                                    snapshots: options.snapshotPlan(description), restore: restore,
                                    onSnapshot: { folder in if !quiet { printError("snapshot \(folder)") } },
                                    progressEvery: every, progress: { done in
            guard !quiet else { return }
            let elapsed = monotonicSeconds() - start
            let task = description.task == nil ? "" : "  \(score.summary)"
            printError("tick \(done)/\(ticks)  \(formatFixed(Double(done) / max(elapsed, 1e-9), 0)) ticks/s\(task)")
        }, onTrials: { score.add($0) })
        let seconds = monotonicSeconds() - start
        print("network \(description.name) (\(description.file)), \(description.pools.count) pools, one process")
        print(summaryTable(rows, tickMicroseconds: description.tickMicroseconds, seconds: seconds, showTraffic: false, startTick: restore?.manifest.tick ?? 0), terminator: "")
        printPopulationRates(description, directory: directory, rows: rows, startTick: restore?.manifest.tick ?? 0)
        if description.task != nil { print("task: \(score.summary)") }
        let trials = description.task == nil ? "" : ", trials.csv"
        print("output: \(directory.path)/ (network.toml\(trials), \(rows.map { "\($0.name).raster, \($0.name).pool" }.joined(separator: ", ")))")
    }
}
