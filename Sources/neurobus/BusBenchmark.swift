import Foundation
import ArgumentParser
import NeuroNode
import NeuroWire
import NeuroNetwork
import NeuroEngine

/// `neurobus bench bus`: spike batches between two processes through the node's own
/// transport path (topic + encode + CRC in one frame on a PUB; SUB receive, CRC check, decode,
/// sequence check and stream bookkeeping), to compare with raw libzmq at the same size.
struct BusBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus",
        abstract: "Spike-batch throughput between two processes over the NeuroBus transport.",
        discussion: """
        Starts a subscriber process and publishes --messages spike batches of --spikes spikes \
        each (one tick of a 65,536-neuron pool, in the --encoding policy) to it. Prints the message-frame \
        size (topic, header + payload, topic length: one ZeroMQ frame) and the receiver's messages/s and MB/s. \
        Compare with Tests/Benchmarks/zmq_pubsub_thr.c at the same size (BENCHMARKS.md).
        """
    )

    @Option(help: "Endpoint to use (default: a free port on 127.0.0.1 below the ephemeral range, so a connect cannot meet itself).") var endpoint: String?
    @Option(help: "Spikes per batch.") var spikes = 100
    @Option(help: "Batches to send.") var messages = 1_000_000
    @Option(help: "Ticks per batch (the spikes are spread over them).") var ticksPerBatch = 1
    @Option(help: "Spike-set encoding policy: fast (cheapest, the nodes' default) or compact (smallest).") var encoding = "fast"
    @Flag(help: "Authenticate and encrypt with CURVE, as a network's bus does (keys made for the run).") var curve = false
    @Option(help: ArgumentHelp("Internal: the process role.", visibility: .hidden)) var role: String?
    @Option(help: ArgumentHelp("Internal: the key directory with --curve.", visibility: .hidden)) var keys: String?

    static let publisherKey = BusPrincipal(.node, "bench"), subscriberKey = BusPrincipal(.observer)

    /// This process's CURVE identity with --curve.
    func security(_ principal: BusPrincipal) throws -> BusSecurity? {
        guard curve else { return nil }
        guard let keys else { throw CommandFailure("--curve needs the key directory") }
        return try KeyOptions.load(keys, as: principal)
    }

    func validate() throws {
        guard (0 ... 65536).contains(spikes) else { throw ValidationError("--spikes \(spikes) is outside 0…65536") }
        guard messages >= 10 else { throw ValidationError("--messages must be at least 10") }
        guard ["compact", "fast"].contains(encoding) else { throw ValidationError("--encoding must be compact or fast, not \(encoding)") }
        guard (1 ... 1024).contains(ticksPerBatch) else { throw ValidationError("--ticks-per-batch is outside 1…1024") }
    }

    /// The batches: seeded, spread over the pool, sorted per tick.
    func batch(_ k: Int) -> SpikeBatch {
        var state = UInt64(k) &* 0x9E37_79B9_7F4A_7C15 | 1
        var b = SpikeBatch(firstTick: UInt64(k * ticksPerBatch), neuronCount: 65536)
        for t in 0 ..< ticksPerBatch {
            var ids = Set<UInt16>()
            let n = spikes / ticksPerBatch + (t < spikes % ticksPerBatch ? 1 : 0)
            while ids.count < n {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                ids.insert(UInt16(truncatingIfNeeded: state))
            }
            b.appendTick(ids.sorted())
        }
        return b
    }

    func run() throws {
        switch role {
        case "sub": try subscriber()
        case "pub": try publisher()
        default:
            let exe = try selfExecutable()
            var me = self
            let endpoint = try endpoint ?? "tcp://127.0.0.1:\(NetworkEndpoints.freeLoopbackPorts(1)[0])"
            me.endpoint = endpoint
            var args = ["bench", "bus", "--endpoint", endpoint, "--spikes", "\(spikes)", "--messages", "\(messages)", "--ticks-per-batch", "\(ticksPerBatch)", "--encoding", encoding]
            if curve {
                let dir = "/tmp/neurobus-bench-bus-keys-\(getpid())"
                try KeyDirectory.generate(at: dir, principals: [Self.publisherKey, Self.subscriberKey], replace: true)
                args += ["--curve", "--keys", dir]
                me.keys = dir
            }
            defer { if let dir = me.keys { try? FileManager.default.removeItem(atPath: dir) } }
            let sub = try ChildProcess(label: "subscriber", executable: exe, arguments: args + ["--role", "sub"], logPath: "/tmp/neurobus-bench-bus-\(getpid()).log")
            defer { unlink(sub.logPath) }
            do { try me.publisher() } catch { sub.kill(SIGKILL); throw error }
            while sub.poll() == nil { usleep(10_000) }
            print(sub.logTail(lines: 3))
            guard sub.poll()?.succeeded == true else { throw CommandFailure("subscriber failed: \(sub.poll()!)") }
        }
    }

    func publisher() throws {
        guard let endpoint else { throw CommandFailure("no endpoint") }
        try BusThroughput.publish(at: endpoint, batches: (0 ..< 64).map { batch($0) }, messages: messages, ticksPerBatch: ticksPerBatch,
                                  policy: encoding == "fast" ? .fast : .compact, security: try security(Self.publisherKey), log: makeLogger("bench"))
    }

    func subscriber() throws {
        guard let endpoint else { throw CommandFailure("no endpoint") }
        let r = try BusThroughput.receive(from: endpoint, messages: messages, server: Self.publisherKey, security: try security(Self.subscriberKey))
        let size = Double(r.bytes) / Double(r.messages)
        print("neurobus bus: message \(formatFixed(size, 1)) B (topic + frame + 1), \(spikes) spikes/batch, \(r.messages) msgs: "
              + "\(formatFixed(Double(r.messages - 1) / r.seconds, 0)) msgs/s, \(formatFixed(Double(r.bytes) / r.seconds / 1e6, 1)) MB/s, "
              + "\(formatFixed(Double(r.spikes) / r.seconds / 1e6, 2)) M spikes/s")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
