import NeuroWire
import NeuroNetwork
import NeuroEngine

extension Injector {
    /// What a lockstep injector keeps to serve a failover: the batches it sent since the
    /// third-newest snapshot cut (a rollback goes to the last complete snapshot or the one
    /// before, and nodes keep three parts), and the rollback seen on `clk/` but not yet served.
    struct Replay {
        struct Rollback {
            let epoch: UInt32
            let tick: UInt64
            /// The node has been heard standing at `tick` since the rollback (it cannot pass it
            /// without this injector's input).
            var nodeThere = false
        }

        private(set) var sent: [SpikeBatch] = []
        private(set) var cuts: [UInt64] = []
        private(set) var epoch: UInt32 = 0
        var pending: Rollback?
        var cutsSeen: Bool { !cuts.isEmpty }

        /// A message on the controller's `clk/`: a snapshot request (a new cut to keep from),
        /// or a permit of a newer epoch (a rollback to its tick).
        mutating func observe(_ message: WireMessage) {
            switch message {
            case .snapshotRequest(let cut):
                if cuts.last != cut.tick { cuts.append(cut.tick) }
                if cuts.count > 3 { cuts.removeFirst(cuts.count - 3) }
                prune()
            case .permit(let permit) where permit.epoch > epoch:
                epoch = permit.epoch
                // The rollback permit stands at the snapshot's tick; the cuts after it are gone.
                pending = Rollback(epoch: permit.epoch, tick: permit.until)
                cuts.removeAll { $0 > permit.until }
            default:
                break
            }
        }

        /// Keeps a sent batch.
        mutating func keep(_ batch: SpikeBatch) {
            sent.append(batch)
            prune()
        }

        /// Drops batches that end at or before the oldest cut a rollback can reach.
        private mutating func prune() {
            guard cuts.count >= 3 else { return }
            let oldest = cuts[cuts.count - 3]
            let gone = sent.prefix { $0.firstTick + UInt64($0.tickCount) <= oldest }.count
            if gone > 0 { sent.removeFirst(gone) }
        }

        /// The kept ticks from `tick` on, as batches (the first cut to start at `tick`).
        func batches(from tick: UInt64) throws(NodeError) -> [SpikeBatch] {
            if let first = sent.first, first.firstTick > tick {
                throw .failed("cannot resend the input from tick \(tick): only ticks from \(first.firstTick) on are kept")
            }
            var out: [SpikeBatch] = []
            for b in sent where b.firstTick + UInt64(b.tickCount) > tick {
                guard b.firstTick < tick else { out.append(b); continue }
                var part = SpikeBatch(firstTick: tick, neuronCount: b.neuronCount)
                for i in Int(tick - b.firstTick) ..< b.tickCount { part.appendTick(b.spikes(inTick: i)) }
                out.append(part)
            }
            return out
        }
    }
}
