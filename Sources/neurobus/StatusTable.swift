import NeuroNode
import NeuroWire
import NeuroNetwork
import NeuroEngine

/// The table `neurobus ctl status` prints.
enum StatusTable {
    /// Renders `reply`; with `previous` (the reply before and the seconds since), adds spikes/s
    /// and rate (Hz per neuron) from the change between the two.
    static func render(_ reply: StatusReply, previous: (StatusReply, Double)?) -> String {
        let text = "network \(reply.state.name) at tick \(reply.tick)\n"
        let maxTick = reply.rows.map(\.tick).max() ?? 0
        var table = [["pool", "state", "alive", "tick", "lag", "spikes", "spikes/s", "rate Hz", "late", "lost",
                      "packets in", "bytes in", "packets out", "bytes out", "hb age ms"]]
        for r in reply.rows {
            var perSecond = "-", rate = "-"
            if let (before, seconds) = previous, seconds > 0, let old = before.rows.first(where: { $0.pool == r.pool }),
               r.counters.spikes >= old.counters.spikes {
                let sps = Double(r.counters.spikes - old.counters.spikes) / seconds
                perSecond = formatFixed(sps, 0)
                rate = formatFixed(sps / Double(max(r.neuronCount, 1)), 1)
            }
            table.append([r.name, r.state.name, r.alive ? "yes" : "DEAD", "\(r.tick)", "\(maxTick - r.tick)", "\(r.counters.spikes)",
                          perSecond, rate, "\(r.counters.late)", "\(r.counters.lost)", "\(r.counters.packetsIn)", "\(r.counters.bytesIn)",
                          "\(r.counters.packetsOut)", "\(r.counters.bytesOut)",
                          r.heartbeatAgeMilliseconds == UInt32.max ? "never" : "\(r.heartbeatAgeMilliseconds)"])
        }
        return text + renderTable(table)
    }
}

/// Left-aligned first column, right-aligned others, two spaces apart.
func renderTable(_ table: [[String]]) -> String {
    let widths = table[0].indices.map { c in table.map { $0[c].count }.max() ?? 0 }
    var text = ""
    for line in table {
        text += line.indices.map { c in
            let pad = String(repeating: " ", count: widths[c] - line[c].count)
            return c == 0 ? line[c] + pad : pad + line[c]
        }.joined(separator: "  ") + "\n"
    }
    return text
}
