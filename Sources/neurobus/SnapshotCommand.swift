import ArgumentParser
import NeuroNode
import NeuroPool
import NeuroNetwork
import NeuroEngine

/// `neurobus snapshot`: the history of a network's snapshots, and what learning changed.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "List, show and compare network snapshots (version control for neural state).",
        subcommands: [List.self, Show.self, Diff.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The complete snapshots under a folder, oldest first, with their parents.")
        @Argument(help: "A snapshot store folder (e.g. neurobus-out/snapshots).") var folder: String

        func run() throws {
            let all = SnapshotStore.list(root: folder)
            guard !all.isEmpty else { throw CommandFailure("no complete snapshot under \(folder)") }
            var table = [["id", "parent", "tick", "network", "pools", "bytes", "raw bytes", "folder"]]
            for (path, m) in all {
                table.append([m.idText, m.parent == 0 ? "-" : hex(m.parent), "\(m.tick)", m.network, "\(m.parts.count)",
                              "\(m.parts.reduce(0) { $0 + $1.bytes })", "\(m.parts.reduce(0) { $0 + $1.rawBytes })", path])
            }
            print(renderTable(table), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A snapshot's manifest and, per pool, its statistics (every part is verified).",
            discussion: "Below the table, one line per pool of populations: each population's name, neuron range [start, end) and kind.")
        @Argument(help: "A snapshot folder.") var snapshot: String

        func run() throws {
            let m = try SnapshotCommand.manifest(snapshot)
            print("snapshot \(m.idText) of network \(m.network) (hash \(hex(m.networkHash))) at tick \(m.tick); parent \(m.parent == 0 ? "none" : hex(m.parent)); reward counts \(m.rewardCounts)\(m.rewardState.isEmpty ? "" : "; reward state \(m.rewardState)")")
            var table = [["pool", "neurons", "synapses", "spikes", "mean |w|", "threshold mV", "thermal", "held broadcasts", "bytes", "raw bytes"]]
            var populations: [String] = []
            for part in m.parts {
                let loaded = try SnapshotCommand.load(snapshot, m, part.pool)
                let pool = loaded.pool, s = pool.stats()
                let held = "\(pool.held?.broadcasts.count ?? 0)"
                if let hh = loaded.hh {
                    // A Hodgkin–Huxley pool: its own spikes; no integer threshold, no maturity.
                    table.append(["\(part.pool) (hh)", "\(hh.neuronCount)", "\(PoolSummary(hh).synapses)", "\(hh.totalSpikes)",
                                  formatFixed(s.meanWeightMagnitude, 2), "-", "-", held, "\(part.bytes)", "\(part.rawBytes)"])
                    continue
                }
                table.append([part.pool, "\(s.neurons)", "\(s.synapses + pool.afferentSynapseCount)", "\(s.spikes)", formatFixed(s.meanWeightMagnitude, 2),
                              formatFixed(s.meanThresholdMV, 2), "\(s.thermal)", held, "\(part.bytes)", "\(part.rawBytes)"])
                if let table = pool.populations {
                    populations.append("\(part.pool): populations " + table.populations.map {
                        "\($0.name) [\($0.start), \($0.start + $0.count)) \($0.inhibitory ? "inhibitory" : "excitatory")"
                    }.joined(separator: ", "))
                }
            }
            print(renderTable(table), terminator: "")
            for line in populations { print(line) }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What learning changed between two snapshots of the same network, per pool.",
            discussion: "Synapses are matched by source and target: created, pruned, kept with their weight changed; thermal transitions of kept synapses (H hot, W warm, C cool, F frozen); neurons whose homeostatic threshold moved.")
        @Argument(help: "The earlier snapshot folder.") var a: String
        @Argument(help: "The later snapshot folder.") var b: String

        func run() throws {
            let ma = try SnapshotCommand.manifest(a), mb = try SnapshotCommand.manifest(b)
            guard ma.networkHash == mb.networkHash else {
                throw CommandFailure("\(a) and \(b) are snapshots of different network files (hash \(hex(ma.networkHash)) vs \(hex(mb.networkHash)))")
            }
            print("snapshot \(ma.idText) (tick \(ma.tick)) → \(mb.idText) (tick \(mb.tick)), network \(ma.network)")
            var table = [["pool", "kept", "created", "pruned", "weights changed", "mean |Δw|", "thermal transitions", "thresholds moved", "mean Δθ mV", "max |Δθ| mV"]]
            var transitions: [String] = []
            for part in ma.parts {
                // A Hodgkin–Huxley pool does not learn: its companions' synapses are compared (unchanged).
                let pa = try SnapshotCommand.load(a, ma, part.pool).pool, pb = try SnapshotCommand.load(b, mb, part.pool).pool
                let d: PoolDiff
                do { d = try PoolDiff(from: pa, to: pb) } catch { throw CommandFailure("pool \(part.pool): \(error)") }
                table.append([part.pool, "\(d.kept)", "\(d.created)", "\(d.pruned)", "\(d.weightsChanged)",
                              d.weightsChanged == 0 ? "0" : formatFixed(Double(d.totalWeightChange) / Double(d.weightsChanged), 2),
                              "\(d.thermalTransitions)", "\(d.thresholdsShifted)", formatFixed(d.meanThresholdShift / 256, 3),
                              formatFixed(Double(d.largestThresholdShift) / 256, 3)])
                let names = ["H", "W", "C", "F"]
                var moves: [String] = []
                for i in 0 ..< 4 { for j in 0 ..< 4 where i != j && d.thermal[i][j] > 0 { moves.append("\(names[i])→\(names[j]) \(d.thermal[i][j])") } }
                if !moves.isEmpty { transitions.append("\(part.pool): " + moves.joined(separator: ", ")) }
            }
            print(renderTable(table), terminator: "")
            for line in transitions { print(line) }
        }
    }

    static func manifest(_ path: String) throws -> SnapshotManifest {
        do { return try SnapshotStore.manifest(at: path) } catch { throw CommandFailure("\(error)") }
    }

    static func load(_ path: String, _ m: SnapshotManifest, _ pool: String) throws -> SnapshotPool {
        do { return try SnapshotStore.loadPart(path, manifest: m, pool: pool) } catch { throw CommandFailure("\(error)") }
    }
}
