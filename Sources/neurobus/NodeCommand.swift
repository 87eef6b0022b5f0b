import ArgumentParser
import Logging
import NeuroNode
import NeuroNetwork
import NeuroEngine

/// `neurobus node`: one pool of a network, in this process.
struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one pool of a network as a node (one process per pool).",
        discussion: """
        Binds the pool's endpoint from the network file, connects to its upstream pools and the \
        controller, joins (HELLO/WELCOME/READY) and simulates in lockstep as the controller \
        permits. On `ctl stop` it writes OUT/POOL.raster and OUT/POOL.pool and exits 0; on any \
        failure (lost messages, a silent peer, a refused join) it exits 1 with the reason.
        """
    )

    @Option(help: "Network file (TOML, docs/NETWORK-FORMAT.md).")
    var network: String

    @Option(help: "Name of the pool to run.")
    var pool: String

    @Option(help: "Output folder for the raster and the final pool (nothing is written without it).")
    var out: String?

    @Option(help: "Declare a peer lost after this many milliseconds of silence (lockstep: the run stops; real time: its input counts as missing and the run goes on).")
    var peerTimeout: Int = 2000

    @Option(help: "Give up joining after this many milliseconds without a WELCOME.")
    var joinTimeout: Int = 30_000

    @Option(help: "Start from this snapshot folder (this pool's part and tick); the controller and every node must get the same one.")
    var restore: String?

    @Flag(help: "Run as a replica of the pool: follow every complete snapshot of it, and take the pool over from the last one when the controller promotes it after the primary dies (lockstep: the network rolls back, result unchanged; real time: it restarts ahead of the network, the gap reported).")
    var replica = false

    @Option(help: "Keep a local copy of each snapshot part this node sends under this folder.")
    var snapshots: String?

    @Option(help: ArgumentHelp("Reach upstream pool (or source) NAME at ENDPOINT instead of its endpoint in the network file (NAT, port forwarding, relays). Repeatable.", valueName: "name=endpoint"))
    var connect: [String] = []

    @Flag(help: "Exit when the parent process exits (used by `neurobus up`).")
    var exitWithParent = false

    @Option(help: "Bind this node (its simulation and its ZeroMQ I/O thread) to CPU N; `neurobus up` gives each node a core of its own when there are enough.")
    var cpu: Int?

    @OptionGroup var keys: KeyOptions

    func run() throws {
        let description = try loadBusNetwork(network)
        var overrides: [String: String] = [:]
        for item in connect {
            guard let eq = item.firstIndex(of: "=") else { throw CommandFailure("--connect \(item): expected NAME=ENDPOINT") }
            let name = String(item[..<eq]), endpoint = String(item[item.index(after: eq)...])
            guard description.pools.contains(where: { $0.name == name }) || description.sources.contains(where: { $0.name == name }) else {
                throw CommandFailure("--connect \(item): no pool or source \"\(name)\" in \(network)")
            }
            if let problem = NetworkDescription.endpointProblem(endpoint) { throw CommandFailure("--connect \(item): endpoint \"\(endpoint)\" is invalid (\(problem))") }
            overrides[name] = endpoint
        }
        guard let index = description.pools.firstIndex(where: { $0.name == pool }) else {
            throw CommandFailure("pool \"\(pool)\" is not in \(network); its pools are \(description.pools.map(\.name).joined(separator: ", "))")
        }
        Signals.install(exitWithParent: exitWithParent)
        // Before the first socket: libzmq's I/O thread inherits the binding.
        if let cpu {
            do { try CPUAffinity.pin(toCPU: cpu) } catch { throw CommandFailure("--cpu: \(error)") }
        }
        var options = NodeOptions(network: description, pool: index, out: try out.map { try OutputDirectory($0) })
        options.peerTimeoutMilliseconds = peerTimeout
        options.joinTimeoutMilliseconds = joinTimeout
        options.connect = overrides
        options.restore = restore
        options.snapshotRoot = snapshots
        // A replica holds its pool's key: promoted, it serves the pool's endpoint as the pool.
        options.security = try keys.security(description, as: BusPrincipal(.node, pool))
        let logger = makeLogger(replica ? "replica/\(pool)" : "node/\(pool)")
        if let cpu { logger.info("bound to CPU \(cpu)") }
        do {
            if replica {
                guard restore == nil else { throw CommandFailure("a replica starts from the snapshots the controller streams to it: no --restore") }
                let follower = try ReplicaRuntime(options: options, logger: logger)
                guard let promotion = try follower.follow(shouldStop: { Signals.stopRequested }) else { return }
                options.promotion = promotion
                options.identity = follower.identity
            }
            let node = try NodeRuntime(options: options, logger: logger)
            try node.run { Signals.stopRequested }
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("\(replica ? "replica" : "node") \(pool): \(error)")
        }
    }
}

/// `neurobus controller`: runs a network's nodes in lockstep.
struct ControllerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run the controller of a network (admits nodes, drives the lockstep clock, broadcasts modulators).",
        discussion: """
        Binds the controller's control (ROUTER) and publish (PUB) endpoints from the network file \
        and waits until every pool's node has joined and confirmed its subscriptions. Then it runs \
        `--run-ticks` ticks, or waits for `neurobus ctl run|step|pause|resume|modulate|status|stop`.
        """
    )

    @Option(help: "Network file (TOML, docs/NETWORK-FORMAT.md).")
    var network: String

    @Option(help: "Run this many ticks as soon as every pool is ready.")
    var runTicks: UInt64?

    @Flag(help: "Stop the nodes and exit when the run reaches its target.")
    var exitWhenDone = false

    @Option(help: "Most ticks the fastest pool may lead the slowest (bounds every queue).")
    var window: UInt64 = 512

    @Option(help: "Declare a pool dead after this many milliseconds of silence (lockstep: the run stops naming it; real time: reported in status and logs, the run goes on).")
    var peerTimeout: Int = 2000

    @Option(help: "Recorders that must join before the run starts (`neurobus up --record` uses 1).")
    var recorders = 0

    @Option(help: "Folder of complete snapshots (the controller is the snapshot store).")
    var snapshots = "snapshots"

    @Option(help: ArgumentHelp("Take a snapshot of the state at tick T. Repeatable (besides the network's [snapshots] every).", valueName: "tick"))
    var snapshotAt: [UInt64] = []

    @Option(help: "Start from this snapshot folder; every node must get the same --restore.")
    var restore: String?

    @Option(help: "Write the [task]'s trials to this CSV file as they are decided (`neurobus up` uses OUT/trials.csv).")
    var trials: String?

    @Flag(help: "Exit when the parent process exits (used by `neurobus up`).")
    var exitWithParent = false

    @OptionGroup var keys: KeyOptions

    func validate() throws {
        guard recorders >= 0 else { throw ValidationError("--recorders must not be negative") }
        guard window >= 1 else { throw ValidationError("--window must be at least 1") }
    }

    func run() throws {
        let description = try loadBusNetwork(network)
        Signals.install(exitWithParent: exitWithParent)
        var options = ControllerOptions(network: description)
        options.runTicks = runTicks
        options.exitWhenDone = exitWhenDone
        options.window = window
        options.peerTimeoutMilliseconds = peerTimeout
        options.recorders = recorders
        options.snapshotRoot = snapshots
        options.snapshotAt = Set(snapshotAt)
        options.trialsPath = trials
        options.security = try keys.security(description, as: BusPrincipal(.controller))
        if let restore {
            do {
                let manifest = try SnapshotStore.manifest(at: restore)
                try SnapshotStore.check(manifest, path: restore, against: description)
                options.restore = manifest
            } catch { throw CommandFailure("controller: --restore \(restore): \(error)") }
        }
        do {
            let controller = try Controller(options: options, logger: makeLogger("controller"))
            try controller.run { Signals.stopRequested }
        } catch {
            throw CommandFailure("controller: \(error)")
        }
    }
}

/// A logger writing to standard error (swift-log's stream handler), level from NEUROBUS_LOG.
func makeLogger(_ label: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    let level = getenv("NEUROBUS_LOG").map { String(cString: $0) } ?? "info"
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
