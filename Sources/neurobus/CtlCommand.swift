#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import NeuroNode
import NeuroWire
import NeuroNetwork
import NeuroEngine

/// `neurobus ctl`: talks to a running controller.
struct CtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Control a running network through its controller.",
        subcommands: [Run.self, Pause.self, Resume.self, Step.self, Modulate.self, Status.self, Snapshot.self, Mode.self, Stop.self]
    )

    struct Target: ParsableArguments {
        @Option(help: "Network file; the controller's control endpoint is read from it.")
        var network: String?

        @Option(help: "The controller's control endpoint (instead of --network), e.g. tcp://127.0.0.1:27100.")
        var control: String?

        @Option(help: "Milliseconds to wait for the controller's reply.")
        var timeout: Int = 5000

        @OptionGroup var keys: KeyOptions

        @Option(name: .customLong("as"), help: ArgumentHelp("The key to act with: operator[/NAME] (may change the run) or observer[/NAME] (status only).", valueName: "principal"))
        var principalName = "operator"

        func validate() throws {
            guard (network == nil) != (control == nil) else { throw ValidationError("give exactly one of --network FILE or --control ENDPOINT") }
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        }

        /// Sends `message`. With `--network`, the controller is first asked whether it runs
        /// that network (its hash), and a controller running another one is refused.
        /// `checkNetwork: false` skips the check (a repeated request after a checked one).
        func request(_ message: WireMessage, checkNetwork: Bool = true) throws -> WireMessage {
            let description = try network.map { try loadNetwork($0) }
            let endpoint = control ?? description!.controller.control
            let who = try principal(principalName)
            // With --control alone there is no network file to say whether the bus is
            // authenticated: --keys says it is.
            let security = try description.map { try keys.security($0, as: who) } ?? keys.keys.map { try KeyOptions.load($0, as: who) }
            do {
                let client = try ControlClient(endpoint: endpoint, timeoutMilliseconds: timeout, security: security)
                if let description, checkNetwork { try client.checkNetwork(description) }
                return try client.request(message)
            } catch {
                throw CommandFailure("controller at \(endpoint): \(error)")
            }
        }

        func command(_ verb: CommandVerb, _ argument: UInt64 = 0) throws {
            let reply = try request(.command(Command(verb: verb, argument: argument)))
            guard case .commandReply(let r) = reply else { throw CommandFailure("unexpected reply \(reply.kind)") }
            print("\(r.state.name) at tick \(r.tick): \(r.message)")
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run N more ticks (0: until stopped).")
        @OptionGroup var target: Target
        @Option(help: "Ticks to run; 0 runs until stopped.") var ticks: UInt64 = 0
        func run() throws { try target.command(.run, ticks) }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop granting ticks (pools finish the ticks already permitted).")
        @OptionGroup var target: Target
        func run() throws { try target.command(.pause) }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused run.")
        @OptionGroup var target: Target
        func run() throws { try target.command(.resume) }
    }

    struct Step: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run N ticks beyond those already permitted, then pause.")
        @OptionGroup var target: Target
        @Argument(help: "Ticks to step (default 1).") var ticks: UInt64 = 1
        func validate() throws { guard ticks >= 1 else { throw ValidationError("step needs at least 1 tick") } }
        func run() throws { try target.command(.step, ticks) }
    }

    struct Modulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Broadcast neuromodulator levels (0…255) to every pool.",
            discussion: "Without --at-tick the controller stamps the earliest tick no pool has been permitted yet, so every pool applies it at the same tick.")
        @OptionGroup var target: Target
        @Option(help: "Dopamine level 0…255 (baseline 128): rewards eligible synapses.") var dopamine: UInt8?
        @Option(help: "Cortisol level 0…255 (baseline 30): punishes eligible synapses.") var cortisol: UInt8?
        @Option(help: "Acetylcholine level 0…255 (≥ 140 opens synaptogenesis).") var acetylcholine: UInt8?
        @Option(help: "Tick before which to apply it (must not be permitted yet).") var atTick: UInt64?

        func validate() throws {
            guard dopamine != nil || cortisol != nil || acetylcholine != nil else {
                throw ValidationError("give at least one of --dopamine, --cortisol, --acetylcholine")
            }
        }

        func run() throws {
            let levels = ModulatorLevels(dopamine: dopamine, cortisol: cortisol, acetylcholine: acetylcholine)
            let message = Modulators(tick: atTick ?? 0, mode: atTick == nil ? .onArrival : .atTick, levels: levels.wireLevels)
            let reply = try target.request(.modulators(message))
            guard case .modulators(let stamped) = reply else { throw CommandFailure("unexpected reply \(reply.kind)") }
            print("\(levels.summary) broadcast for tick \(stamped.tick)")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per pool: state, alive, tick, lag, spikes, rate, packets, bytes, late, lost, heartbeat age; and a [task]'s progress.",
            discussion: "With --watch the table is redrawn every --interval ms (in place on a terminal) until Ctrl-C; spikes/s and rate (Hz per neuron) come from the change between two redraws. A network with a [task] adds a line: trials decided of all, and the accuracy of the training and test trials so far. --json prints one object: the status reply's body (protocol/SPEC.md §9) and, with a task, its progress under \"task\".")
        @OptionGroup var target: Target
        @Flag(help: "Print the status (and the task's progress) as one JSON object.") var json = false
        @Flag(help: "Keep redrawing the table (Ctrl-C ends).") var watch = false
        @Option(help: "Milliseconds between redraws with --watch.") var interval: Int = 1000

        func validate() throws {
            guard interval >= 50, interval <= 3_600_000 else { throw ValidationError("--interval \(interval) is out of range 50…3600000 ms") }
            guard !(json && watch) else { throw ValidationError("--json prints one status: it does not go with --watch") }
        }

        func run() throws {
            guard watch else {
                let reply = try fetch()
                let task = try fetchTask()
                if json {
                    var body = WireMessage.statusReply(reply).jsonBody
                    if let task, case .object(var fields) = body {
                        fields["task"] = WireMessage.taskReply(task).jsonBody
                        body = .object(fields)
                    }
                    print(body.rendered(), terminator: "")
                    return
                }
                print(StatusTable.render(reply, previous: nil), terminator: "")
                if let task { print(Self.taskLine(task)) }
                return
            }
            Signals.install()
            let terminal = isatty(1) == 1
            var previous: (reply: StatusReply, at: Double)?
            while !Signals.stopRequested {
                // The network is checked on the first redraw only.
                let reply = try fetch(checkNetwork: previous == nil)
                let now = monotonicSeconds()
                let text = StatusTable.render(reply, previous: previous.map { ($0.reply, now - $0.at) })
                // On a terminal: home, draw, clear what the last table left below.
                print(terminal ? "\u{1B}[H\u{1B}[2J" + text : text, terminator: terminal ? "" : "\n")
                fflush(nil)
                previous = (reply, now)
                var left = interval
                while left > 0, !Signals.stopRequested {
                    usleep(UInt32(min(left, 100)) * 1000)
                    left -= 100
                }
            }
        }

        /// The task's progress, when the network file names a task (nil otherwise, or with
        /// --control alone: then nothing says whether there is one).
        func fetchTask() throws -> TaskProgress? {
            guard let file = target.network, try loadNetwork(file).task != nil else { return nil }
            let reply = try target.request(.taskRequest, checkNetwork: false)
            guard case .taskReply(let t) = reply else { throw CommandFailure("unexpected reply \(reply.kind)") }
            return t
        }

        /// `task: 412 of 900 trials decided; train 88.1 % (412 trials), test —`.
        static func taskLine(_ t: TaskProgress) -> String {
            func share(_ right: UInt32, _ of: UInt32) -> String {
                of == 0 ? "—" : "\(formatFixed(100 * Double(right) / Double(of), 1)) % (\(of) trials)"
            }
            return "task: \(t.decided) of \(t.trials) trials decided; train \(share(t.trainCorrect, t.trainTrials)), test \(share(t.testCorrect, t.testTrials))"
        }

        func fetch(checkNetwork: Bool = true) throws -> StatusReply {
            let reply = try target.request(.statusRequest, checkNetwork: checkNetwork)
            guard case .statusReply(let s) = reply else { throw CommandFailure("unexpected reply \(reply.kind)") }
            return s
        }
    }

    struct Snapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a consistent snapshot of the whole network.",
            discussion: """
            Lockstep: every pool stops at the cut tick T (the state after ticks 0…T-1), captures its pool \
            with the spikes still in flight and the broadcasts not yet applied, and streams it to the \
            controller, which verifies every part and writes SNAPSHOTS/tick-T-ID/ atomically. The run \
            then goes on. Real time: nobody stops; each pool captures its part when it reaches T and \
            streams it while it keeps pace (T at least 250 ms ahead of the pools). Restore with \
            `neurobus up|run FILE --restore SNAPSHOTS/tick-T-ID`.
            """)
        @OptionGroup var target: Target
        @Option(help: "Cut tick (lockstep: not permitted yet; real time: at least 250 ms ahead). Default: the earliest such tick.") var atTick: UInt64?

        func run() throws {
            let reply = try target.request(.snapshotRequest(SnapshotCut(snapshot: 1, parent: 0, tick: atTick ?? .max)))
            if case .error(let e) = reply { throw CommandFailure("controller refused: \(e.message)") }
            guard case .snapshotRequest(let cut) = reply else { throw CommandFailure("unexpected reply \(reply.kind)") }
            print("snapshot \(hex(cut.snapshot)) at tick \(cut.tick) started (parent \(hex(cut.parent))); the controller's log says when it is complete")
        }
    }

    /// Switching a running network between paced and lockstep is refused: lockstep needs every
    /// upstream batch of every tick, which a real-time history does not have (late batches were
    /// dropped), and nodes paced on their own clocks cannot agree on a switch tick without the
    /// very barrier lockstep is. The safe path is stop, then start with the other mode.
    struct Mode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch a running network between lockstep and realtime: refused, with the safe path.",
            discussion: "A running network keeps the mode of its network file. To change it: `neurobus ctl stop`, set mode = \"lockstep\" or \"realtime\" in [network], and start it again.")
        @OptionGroup var target: Target
        @Argument(help: "lockstep or realtime.") var mode: String

        func validate() throws {
            guard NetworkMode(rawValue: mode) != nil else { throw ValidationError("mode \"\(mode)\" is not a mode: expected lockstep or realtime") }
        }

        func run() throws {
            // Ask the controller first, so the answer is about the network that is running.
            guard case .statusReply(let s) = try target.request(.statusRequest) else { throw CommandFailure("unexpected reply from the controller") }
            throw CommandFailure("""
                refused: the network (\(s.state.name) at tick \(s.tick)) cannot switch to \(mode) while it runs — lockstep needs every \
                upstream batch of every tick, which a real-time run does not keep, and paced nodes cannot agree on a switch tick. \
                Safe path: `neurobus ctl stop`, set mode = "\(mode)" in [network] of the network file, and start the network again.
                """)
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop every node (they save their outputs) and the controller.")
        @OptionGroup var target: Target
        func run() throws { try target.command(.stop) }
    }
}
