import ArgumentParser
import Foundation
import NeuroNode
import NeuroPool
import NeuroNetwork
import NeuroEngine

/// `neurobus network`: network files — export the built-in one, place one on hosts, check one.
struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Network files: export the built-in network, rewrite endpoints for hosts, check a file.",
        subcommands: [Default.self, Endpoints.self, Check.self]
    )

    /// Writes `text` to `path` atomically (temporary file beside it, then rename), or to
    /// standard output (no path, or `-`). A symbolic link is followed (the file it points to
    /// is replaced, not the link); anything but a regular file (a device, a FIFO, a folder)
    /// is refused, since renaming over it would replace it.
    static func emit(_ text: String, to path: String?) throws {
        guard let path, path != "-" else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        var target = path
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                throw CommandFailure("cannot write \(path): it is a symbolic link to a missing file")
            }
            target = String(cString: resolved)
            free(resolved)
        }
        if stat(target, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            throw CommandFailure("cannot write \(path): \(target) is not a regular file (write to standard output and redirect instead)")
        }
        do { try AtomicFile.write(Array(text.utf8), to: target) } catch { throw CommandFailure("cannot write \(path): \(error)") }
    }

    struct Default: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the built-in default network file (the one `up` and `run` use without FILE).",
            discussion: "Start from it when there is no network file yet: `neurobus network default -o net.toml`.")
        @Option(name: [.short, .customLong("output")], help: "Write it to this file (atomically) instead of standard output.")
        var output: String?
        func run() throws { try NetworkCommand.emit(NetworkDescription.defaultFileText, to: output) }
    }

    struct Endpoints: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite a network file's endpoints for a list of hosts.",
            discussion: """
            Hosts are taken in order, wrapping around: the controller (control and publish) gets \
            the first host, pool 0 the second, pool 1 the third, and so on — pool i gets host \
            (i + 1) mod H. A [[source]] goes on the host of the pool it feeds. Every endpoint keeps \
            its port, or with --base-port P: control P, publish P+1, pool i P+2+i, source j \
            P+2+pools+j. Only endpoints change (comments and layout stay); the result is checked \
            by the network parser before it is written. The placement is printed on standard error.
            """)
        @Argument(help: "Network file to rewrite (none yet? `neurobus network default -o FILE` writes the built-in one).")
        var file: String
        @Option(help: "Comma-separated hosts (names or addresses, no ports), e.g. 10.0.0.1,10.0.0.2,10.0.0.3.")
        var hosts: String
        @Option(help: "Renumber every endpoint from this port instead of keeping the file's ports.")
        var basePort: Int?
        @Option(name: [.short, .customLong("output")], help: "Write the result to this file (atomically; may be FILE itself) instead of standard output.")
        var output: String?

        func run() throws {
            let network = try loadNetwork(file)
            let rewrite: NetworkEndpoints.Rewrite
            do {
                let list = try NetworkEndpoints.hosts(hosts)
                rewrite = try NetworkEndpoints.rewrite(network, hosts: list, basePort: basePort, file: output ?? "<output>")
            } catch {
                throw CommandFailure("--hosts \(hosts): \(error)")
            }
            try NetworkCommand.emit(rewrite.text, to: output)
            for a in rewrite.assignments {
                printError("\(a.key.padding(20)) \(a.role.padding(14)) \(a.new)")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a network file, print its placement, and build it to report what it becomes.",
            discussion: """
            Prints the hash, the controller's endpoints and each pool's endpoint and lookahead, \
            then builds every pool as a node would (buildPool, one pool at a time: as long as \
            building the network takes) and prints per pool its neurons and kinds — per \
            population its neuron range and each quantized constant (tau_m, v_threshold, \
            v_reset, t_ref, i_e) beside the requested one with the relative error — its synapses \
            and the bytes it will hold (neurons × bytes per neuron, synapses × 8, row pointers, \
            delay ring slots × N × 4, afferent projections); per projection its rule, the \
            synapses the rule promises and those built, the weights requested beside the PSP \
            they are stored as (with the relative error and the shift) and the delays in ticks; \
            per generator or stimulus its rate or current and weight. --json prints all of it \
            as one JSON object instead.
            """)
        @Argument(help: "Network file.")
        var file: String
        @Flag(help: "Print the report as JSON (pools, populations, projections, generators, memory) instead of text.")
        var json = false

        func run() throws {
            let network = try loadNetwork(file)
            let report: NetworkReport
            do { report = try NetworkReport(network) } catch { throw CommandFailure("\(network.file): building the network failed: \(error)") }
            if json {
                print(try JSONOutput.string(report, nonFinite: true))
                return
            }
            print("\(network.file): network \(network.name), \(network.mode.rawValue), hash \(hex(network.hash))")
            print("controller   control \(network.controller.control)  publish \(network.controller.publish)")
            for pool in network.pools {
                let lag = network.outgoingLag(of: pool.index).map { "lookahead \($0)" } ?? "no outgoing projection"
                print("pool \(pool.name.padding(12)) \(pool.endpoint)  (\(pool.neurons) neurons, \(lag))")
            }
            for source in network.sources {
                print("source \(source.name.padding(10)) \(source.endpoint)  (into \(network.pools[source.pool].name))")
            }
            print(CheckText.render(report), terminator: "")
            if let problem = network.separateProcessesProblem { print("warning: \(problem); `up`, `node` and `controller` refuse this file") }
        }
    }
}

/// The text of `network check`'s report: no blank lines, and no line whose first word is
/// `pool`, `controller` or `source` (scripts read those placement lines).
enum CheckText {
    static func render(_ r: NetworkReport) -> String {
        var out: [String] = []
        out.append("built every pool with buildPool (format \(r.format), tick \(r.tickMicroseconds) us): \(r.synapses) synapses, \(bytes(r.bytes)) in all")
        for p in r.pools {
            let kinds = p.populations.isEmpty ? "; kinds drawn per neuron from the seed" : ""
            let model = p.model == "hh" ? ", model hh (memory of the LIF connectivity it is built from)" : ""
            out.append("\(p.name): \(p.neurons) neurons (\(p.excitatory) excitatory, \(p.inhibitory) inhibitory\(kinds)), \(p.synapses) synapses, \(bytes(p.memory.totalBytes))\(model)")
            for q in p.populations {
                let synapse = q.synapse == "exp" ? ", exponential synapses (weights in pA)" : ""
                out.append("  population \(q.name) neurons [\(q.neurons.start), \(q.neurons.end)): \(q.neurons.count) \(q.kind)\(synapse)")
                for v in q.parameters { out.append("    " + quantity(v, width: 12)) }
            }
            if let own = p.recurrent { out += projection(own, indent: "  ") }
            let m = p.memory
            out.append("  memory neurons \(p.neurons) x \(m.bytesPerNeuron) B = \(m.neuronBytes) B, own synapses \(m.synapseBytes / 8) x 8 B = \(m.synapseBytes) B, "
                + "row pointers \(m.rowPointerBytes) B, delay ring \(m.delaySlots) slots x \(p.neurons)\(m.delayChannels > 1 ? " x \(m.delayChannels) channels" : "") x 4 B = \(m.delayRingBytes) B, "
                + "afferents \(m.afferentBytes) B; total \(bytes(m.totalBytes))")
        }
        for p in r.projections { out += projection(p, indent: "") }
        if let t = r.task {
            let reward = t.reward == "random"
                ? "at random (probability \(number(t.randomRewardProbability ?? 0))), whatever the answer"
                : "dopamine \(t.dopamine) for a right answer" + (t.dopamineWrong.map { ", \($0) for a wrong one" } ?? "")
            let critic = t.expectationTrials.map { ", as the prediction error against a mean over about \($0) trials" } ?? ""
            let answers = t.answers.map { a in " (answers " + zip(t.labels, a).map { "\($0) → \($1)" }.joined(separator: ", ") + ")" } ?? ""
            out.append("task labels \(t.labels.joined(separator: ", "))\(answers): \(t.trainTrials) training + \(t.testTrials) test trials of \(number(t.trialMs)) ms stimulus + \(number(t.gapMs)) ms gap (\(t.ticks) ticks)")
            out.append("  decided by the readout with the most spikes in \(number(t.decideFromMs))…\(number(t.decideToMs)) ms; training reward \(number(t.rewardLagMs)) ms later: \(reward)\(critic); test trials broadcast nothing")
            for o in t.readouts { out.append("  readout \(o.answer): \(o.target) [\(o.neurons.start), \(o.neurons.end))") }
        }
        for (k, g) in r.generators.enumerated() {
            var what: [String] = []
            if let rate = g.rateHz { what.append("\(number(rate)) Hz (\(number(g.eventsPerTick ?? 0)) events per tick)") }
            if let pA = g.amplitudePicoamperes { what.append("\(number(pA)) pA") }
            if let events = g.events { what.append("\(events) events from \(g.file ?? "a file")" + (g.periodTicks.map { ", repeating every \($0) ticks" } ?? "")) }
            let unit = g.kind == "dc" || g.kind == "stimulus_constant" ? " per tick" : " per event"
            var active = g.stopTick.map { "active ticks \(g.startTick)..<\($0)" } ?? (g.startTick > 0 ? "active from tick \(g.startTick)" : "always active")
            if let labels = g.during { active = (active == "always active" ? "" : active + ", ") + "during the stimulus of \(labels.joined(separator: ", ")) trials" }
            out.append("generator \(k) \(g.kind) -> \(place(g.target, g.neurons)): " + (what.isEmpty ? "" : what.joined(separator: ", ") + ", ")
                + quantity(g.weight, width: 0) + unit + ", " + active)
        }
        for w in r.warnings { out.append("warning: \(w)") }
        return out.map { $0 + "\n" }.joined()
    }

    /// A label with its neuron range, unless the label is a range already.
    static func place(_ label: String, _ n: NetworkReport.Neurons) -> String {
        label.hasSuffix(")") ? label : "\(label) [\(n.start), \(n.end))"
    }

    static func projection(_ p: NetworkReport.Projection, indent: String) -> [String] {
        let head = p.index.map { "projection \($0) \(place(p.from, p.fromNeurons)) -> \(place(p.to, p.toNeurons))" } ?? "own synapses"
        let rule = p.parameter.isEmpty ? p.rule : p.parameter.hasPrefix(p.rule) ? p.parameter : "\(p.rule) (\(p.parameter))"
        let promise = p.rule == "list" ? "the file lists \(number(p.expectedSynapses))"
            : p.exact ? "the rule promises \(number(p.expectedSynapses))" : "expected \(number(p.expectedSynapses)) on average"
        var lines = ["\(indent)\(head) \(rule): builds \(p.synapses) synapses (\(promise))"]
        for w in p.weights {
            let built = w.builtMean.map { "; built mean \(number($0)) \(w.psp.unit) over \(w.synapses) synapses" } ?? "; no synapses built"
            if let range = w.rangeMillivolts {
                lines.append("\(indent)  weight \(w.sources) \(w.requested) << \(w.shift) Q8.8 mV = \(number(range[0]))...\(number(range[1])) mV, exact\(built)")
            } else {
                let requested = w.requested == number(w.psp.requested) || w.requested == "\(w.psp.requested)" ? "" : " \(w.requested), mean"
                let perTick = w.psp.unit == "pA" ? " (x \(number(w.millivoltsPerUnit)) mV per tick per pA)" : ""
                lines.append("\(indent)  weight \(w.sources)\(requested) \(quantity(w.psp, width: 0, name: false)), stored \(w.stored) << \(w.shift)\(perTick)\(built)")
            }
        }
        let ticks = p.delayTicks.count == 2 ? (p.delayTicks[0] == p.delayTicks[1] ? "\(p.delayTicks[0]) ticks" : "\(p.delayTicks[0])...\(p.delayTicks[1]) ticks") : "none built"
        let delay = p.physical ? "delay \(p.delay) -> \(ticks)" : "delay \(p.delay), built \(ticks)"
        lines.append("\(indent)  \(delay)" + (p.index != nil ? " (lag \(p.lagTicks))" : "") + (p.plastic ? ", plastic (STDP)" : ", static")
            + "; memory \(bytes(p.bytes))")
        return lines
    }

    /// `name  requested unit -> actual unit (error x %)`.
    static func quantity(_ q: NetworkReport.Quantity, width: Int, name: Bool = true) -> String {
        let label = name ? q.name + String(repeating: " ", count: max(1, width - q.name.count)) : ""
        return "\(label)\(number(q.requested)) \(q.unit) -> \(number(q.actual)) \(q.unit) (error \(percent(q.relativeError)))"
    }

    /// Up to 7 significant digits, no exponent for ordinary values.
    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return "\(Int(x))" }
        return String(format: "%.7g", x)
    }

    static func percent(_ e: Double) -> String {
        if e == 0 { return "0 %" }
        if !e.isFinite { return "infinite" }
        return String(format: "%.2g %%", e * 100)
    }

    static func bytes(_ n: Int) -> String {
        n < 1 << 20 ? "\(n) B" : "\(n) B (\(String(format: "%.1f", Double(n) / Double(1 << 20))) MiB)"
    }
}

extension String {
    /// Left-aligned in a column of `width` characters.
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
