import ArgumentParser
import NeuroNode
import NeuroPool
import NeuroNetwork
import NeuroEngine

extension SpikeFileFormat: ExpressibleByArgument {}

/// `neurobus inject`: streams a spike file into a pool through the bus.
struct InjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inject",
        abstract: "Stream external spikes (CSV `tick,neuron` or .npy) into a pool through its [[source]].",
        discussion: """
        The network file declares the source ([[source]]: name, pool, neurons, drive, endpoint). \
        The injector binds the source's endpoint; the pool's node connects to it. Input: CSV lines \
        `tick,neuron` (optional header `tick,neuron`, `#` comments) or a NumPy .npy array of shape \
        (n, 2) with rows [tick, neuron] (what `neurobus record` writes); ticks must not decrease, \
        neuron ids are the pool's and must lie within the source's neurons. Each spike adds the \
        source's drive to that neuron's input in its tick. Lockstep: the spikes are part of the \
        deterministic schedule — the pool waits for them, and this command ends once the pool \
        has simulated the last input tick (with snapshots in the network file: once the pool \
        stops, since a failover may roll it back and the input is then resent from the \
        snapshot's tick). Real time: each tick is sent when the wall clock \
        (from the pool's subscription) reaches it and applies on arrival. `--from -` reads \
        standard input as it comes.
        """
    )

    @Option(help: "Network file (TOML, docs/NETWORK-FORMAT.md).")
    var network: String

    @Option(help: "The pool to inject into (the pool's [[source]] is used).")
    var pool: String?

    @Option(help: "The [[source]] to inject as (instead of --pool).")
    var source: String?

    @Option(name: .customLong("from"), help: "Spike file (.csv or .npy), or - for standard input.")
    var input: String

    @Option(help: "Input format when the file name does not say: csv or npy.")
    var format: SpikeFileFormat?

    @Option(help: "Give up after this many milliseconds of silence from the pool.")
    var peerTimeout: Int = 2000

    @Option(help: "Start the stream at this tick, skipping earlier input (a run restored from a snapshot at that tick).")
    var startTick: UInt64 = 0

    @Flag(help: "No progress lines.")
    var quiet = false

    @Flag(help: "Exit when the parent process exits (used by `neurobus up`).")
    var exitWithParent = false

    @OptionGroup var keys: KeyOptions

    func validate() throws {
        guard (pool == nil) != (source == nil) else { throw ValidationError("give exactly one of --pool NAME or --source NAME") }
        guard peerTimeout > 0 else { throw ValidationError("--peer-timeout must be positive") }
    }

    func run() throws {
        let description = try loadBusNetwork(network)
        let index: Int
        if let source {
            guard let i = description.sources.firstIndex(where: { $0.name == source }) else {
                throw CommandFailure("source \"\(source)\" is not in \(network); its sources are \(Self.names(description))")
            }
            index = i
        } else {
            guard let p = description.pools.firstIndex(where: { $0.name == pool }) else {
                throw CommandFailure("pool \"\(pool!)\" is not in \(network); its pools are \(description.pools.map(\.name).joined(separator: ", "))")
            }
            guard let s = description.source(into: p) else {
                throw CommandFailure("pool \(pool!) has no [[source]] in \(network): declare one (name, pool, drive, endpoint) to inject into it; sources: \(Self.names(description))")
            }
            index = s.index
        }
        Signals.install(exitWithParent: exitWithParent)
        var options = InjectorOptions(network: description, source: index, input: input, format: format)
        options.peerTimeoutMilliseconds = peerTimeout
        options.startTick = startTick
        options.security = try keys.security(description, as: BusPrincipal(.source, description.sources[index].name))
        let quiet = self.quiet
        do {
            let injector = try Injector(options: options, logger: makeLogger("inject/\(description.sources[index].name)"))
            let summary = try injector.run(shouldStop: { Signals.stopRequested }) { sent, nodeTick in
                if !quiet { printError("sent through tick \(sent), pool at tick \(nodeTick)") }
            }
            print("source \(description.sources[index].name): \(summary.spikes) spikes in \(summary.messages) messages (\(summary.bytes) bytes)\(description.mode == .lockstep ? ", ticks 0..<\(summary.endTick)" : "")")
        } catch {
            throw CommandFailure("inject: \(error)")
        }
    }

    static func names(_ d: NetworkDescription) -> String {
        d.sources.isEmpty ? "(none)" : d.sources.map(\.name).joined(separator: ", ")
    }
}

/// `neurobus record`: writes the spikes of some pools to .npy or CSV files.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record the spikes of running pools to NumPy .npy or CSV files, without perturbing the run.",
        discussion: """
        Subscribes to the chosen pools like any peer and joins the controller as a recorder, so \
        a recorder started before the run starts misses no tick (the controller holds the \
        lockstep clock while a recorder joins). Writes OUT/POOL.npy — an int64 array of shape \
        (n, 2), rows [tick, neuron]: `a = numpy.load("OUT/motor.npy"); ticks, ids = a[:, 0], a[:, 1]` \
        — or OUT/POOL.csv (`tick,neuron`). Ends when the pools stop (or at --ticks); the files \
        appear complete or not at all. Lockstep: a lost message fails the recording (exit 1); \
        real time: losses are counted and reported.
        """
    )

    @Option(help: "Network file (TOML, docs/NETWORK-FORMAT.md).")
    var network: String

    @Option(help: "Comma-separated pools to record (default: all).")
    var pools: String?

    @Option(name: [.customShort("o"), .customLong("out")], help: "Output folder; created if missing.")
    var out: String

    @Option(help: "npy or csv.")
    var format: SpikeFileFormat = .npy

    @Option(help: "Stop after the ticks before this one (default: until the pools stop).")
    var ticks: UInt64?

    @Option(help: "This recorder's name on the controller (unique among running recorders).")
    var name: String?

    @Option(help: "Give up joining after this many milliseconds without the controller's WELCOME.")
    var joinTimeout: Int = 30_000

    @Option(help: "Fail after this many milliseconds of silence from a recorded pool.")
    var peerTimeout: Int = 2000

    @Flag(help: "Exit when the parent process exits (used by `neurobus up`).")
    var exitWithParent = false

    @OptionGroup var keys: KeyOptions

    @Option(name: .customLong("as"), help: ArgumentHelp("The key to record with: observer[/NAME] or operator[/NAME].", valueName: "principal"))
    var principalName = "observer"

    func validate() throws {
        guard joinTimeout > 0, peerTimeout > 0 else { throw ValidationError("--join-timeout and --peer-timeout must be positive") }
        if let name, name.isEmpty || name.utf8.count > 64 || !name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }) {
            throw ValidationError("--name \"\(name)\" must be 1…64 printable ASCII characters without spaces or '/'")
        }
    }

    func run() throws {
        let description = try loadBusNetwork(network)
        let security = try keys.security(description, as: try principal(principalName))
        var indices: [Int] = []
        if let pools {
            for name in pools.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard let i = description.pools.firstIndex(where: { $0.name == name }) else {
                    throw CommandFailure("--pools: pool \"\(name)\" is not in \(network); its pools are \(description.pools.map(\.name).joined(separator: ", "))")
                }
                if !indices.contains(i) { indices.append(i) }
            }
        } else {
            indices = Array(description.pools.indices)
        }
        let directory = try OutputDirectory(out)
        // Which neuron is which population and kind, beside the recordings.
        do { try AtomicFile.write(Array(OutputDirectory.populationTable(description).utf8), to: "\(directory.path)/populations.csv") } catch {
            throw CommandFailure("record: cannot write \(directory.path)/populations.csv: \(error)")
        }
        Signals.install(exitWithParent: exitWithParent)
        var options = RecorderOptions(network: description, pools: indices.sorted(), out: directory.path, format: format,
                                      name: name ?? "rec-\(getpid())")
        options.untilTick = ticks
        options.joinTimeoutMilliseconds = joinTimeout
        options.peerTimeoutMilliseconds = peerTimeout
        options.security = security
        do {
            let recorder = try Recorder(options: options, logger: makeLogger("record"))
            let recorded = try recorder.run { Signals.stopRequested }
            for r in recorded {
                print("\(r.name): \(r.spikes) spikes, ticks \(r.firstTick)..<\(r.endTick)\(r.lost > 0 ? ", \(r.lost) message(s) lost" : "") -> \(r.path)")
            }
        } catch {
            throw CommandFailure("record: \(error)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
