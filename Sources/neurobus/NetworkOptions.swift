import Foundation
import ArgumentParser
import NeuroNode
import NeuroNetwork
import NeuroEngine

/// Loads the network file given on the command line, or the built-in default network;
/// `warn`: print the network's warnings (`NetworkDescription.warnings`) on stderr.
func loadNetwork(_ path: String?, warn: Bool = false) throws -> NetworkDescription {
    guard let path else { return NetworkDescription.builtInDefault() }
    let network: NetworkDescription
    do { network = try NetworkDescription.load(path: path) } catch { throw CommandFailure("\(error)") }
    if warn { for w in network.warnings { FileHandle.standardError.write(Data("warning: \(path): \(w)\n".utf8)) } }
    return network
}

/// `loadNetwork` for a command that runs as its own process on the bus (`up`, `node`,
/// `controller`, the live tools): refuses `inproc://` endpoints, which cannot reach another
/// process, up front instead of after a join timeout.
func loadBusNetwork(_ path: String?, warn: Bool = false) throws -> NetworkDescription {
    let network = try loadNetwork(path, warn: warn)
    if let problem = network.separateProcessesProblem { throw CommandFailure("\(path ?? "the built-in network"): \(problem)") }
    return network
}

/// Seconds since an arbitrary start, from the monotonic clock.
func monotonicSeconds() -> Double {
    Double(monotonicMicroseconds()) / 1e6
}

/// What `run` and `up` share: the network, how long, and where the files go.
struct RunOptions: ParsableArguments {
    @Argument(help: "Network file (TOML, docs/NETWORK-FORMAT.md). Default: the built-in network.")
    var network: String?

    @Option(name: .customLong("ticks"), help: "Ticks to run. Default: the whole task of a network with a [task], else 5000.")
    var requestedTicks: UInt64?

    @Option(help: "Output folder for rasters, final pools (and `up`'s logs); created if missing.")
    var out: String = "neurobus-out"

    @Flag(help: "No progress lines.")
    var quiet = false

    @Option(help: ArgumentHelp("Input of a [[source]]: SOURCE=FILE (CSV `tick,neuron` or .npy; see `neurobus inject`), or FILE alone when the network has one source. Repeat per source; lockstep needs one for every source.", valueName: "source=file"))
    var inject: [String] = []

    @Option(help: "Continue from the snapshot folder PATH (made by `ctl snapshot`, --snapshot-at or [snapshots]); --ticks is then the tick to stop at.")
    var restore: String?

    @Option(help: ArgumentHelp("Also take a snapshot of the state at tick T (before simulating it), into OUT/snapshots/. Repeatable.", valueName: "tick"))
    var snapshotAt: [UInt64] = []

    func validate() throws {
        if let ticks = requestedTicks, !(1 ... 1 << 40).contains(ticks) { throw ValidationError("--ticks \(ticks) is out of range 1…2^40") }
        if let bad = snapshotAt.first(where: { $0 == 0 || $0 > requestedTicks ?? .max }) {
            throw ValidationError("--snapshot-at \(bad) must lie in 1…--ticks (\(requestedTicks ?? 0))")
        }
    }

    /// The ticks to run: `--ticks`, else the whole task of a network with one, else 5000.
    func ticks(for network: NetworkDescription) throws -> UInt64 {
        let ticks = requestedTicks ?? network.task?.ticks ?? 5000
        if let bad = snapshotAt.first(where: { $0 > ticks }) { throw CommandFailure("--snapshot-at \(bad) is after the run's last tick (\(ticks))") }
        return ticks
    }

    /// Where and when snapshots are taken: the network's `[snapshots]` and `--snapshot-at`,
    /// into OUT/snapshots; nil when neither asks for any.
    func snapshotPlan(_ network: NetworkDescription) -> SnapshotPlan? {
        guard network.snapshotEvery != nil || !snapshotAt.isEmpty else { return nil }
        return SnapshotPlan(root: out + "/snapshots", every: network.snapshotEvery, at: Set(snapshotAt), keep: network.snapshotKeep)
    }

    /// Refuses --snapshot-at and --restore for a network whose snapshots cannot be taken.
    func checkSnapshots(_ network: NetworkDescription) throws {
        guard !snapshotAt.isEmpty || restore != nil, let blocker = network.snapshotBlocker else { return }
        throw CommandFailure("\(snapshotAt.isEmpty ? "--restore" : "--snapshot-at"): \(blocker)")
    }

    /// The snapshot to restore, loaded and checked against `network` (nil without --restore).
    func restored(_ network: NetworkDescription) throws -> LoadedSnapshot? {
        try checkSnapshots(network)
        guard let restore else { return nil }
        let ticks = try self.ticks(for: network)
        do {
            let snapshot = try LoadedSnapshot(path: restore, network: network)
            guard ticks > snapshot.manifest.tick else {
                throw CommandFailure("--restore \(restore): the snapshot is at tick \(snapshot.manifest.tick); --ticks \(ticks) (the tick to stop at) must be later")
            }
            return snapshot
        } catch let error as SnapshotError {
            throw CommandFailure("--restore \(restore): \(error)")
        }
    }

    /// The input file of each source given with `--inject`, checked against the network:
    /// known sources, none twice, and (lockstep) every source fed.
    func injections(_ network: NetworkDescription) throws -> [(source: SourceSpec, file: String)] {
        var result: [(source: SourceSpec, file: String)] = []
        for item in inject {
            let source: SourceSpec, file: String
            if let eq = item.firstIndex(of: "="), network.sources.contains(where: { $0.name == item[..<eq] }) {
                source = network.sources.first { $0.name == item[..<eq] }!
                file = String(item[item.index(after: eq)...])
            } else if item.contains("="), !network.sources.isEmpty, !item.hasPrefix("/"), !item.hasPrefix(".") {
                let name = item[..<item.firstIndex(of: "=")!]
                throw CommandFailure("--inject \(item): no source \"\(name)\" in the network; its sources are \(InjectCommand.names(network))")
            } else {
                guard network.sources.count == 1 else {
                    throw CommandFailure("--inject \(item): write SOURCE=FILE; the network has \(network.sources.count) sources (\(InjectCommand.names(network)))")
                }
                source = network.sources[0]
                file = item
            }
            guard !file.isEmpty else { throw CommandFailure("--inject \(item): no file after '='") }
            guard !result.contains(where: { $0.source.name == source.name }) else {
                throw CommandFailure("--inject: source \(source.name) is given twice")
            }
            result.append((source, file))
        }
        if network.mode == .lockstep {
            for s in network.sources where !result.contains(where: { $0.source.name == s.name }) {
                throw CommandFailure("source \(s.name) (into pool \(network.pools[s.pool].name)) needs input in lockstep: give --inject \(s.name)=FILE (an empty file for none)")
            }
        }
        return result
    }
}

/// The path of the running `neurobus` binary.
func selfExecutable() throws -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { throw CommandFailure("cannot find the neurobus executable (/proc/self/exe)") }
    return String(decoding: buffer[0 ..< n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Writes a line to standard error (progress and diagnostics; results go to standard output).
func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
