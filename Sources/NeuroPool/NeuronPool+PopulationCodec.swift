/// The population section of a version-4 `.pool` file (protocol/POOL-FORMAT.md): the ring's
/// slot count (u16), the population count (u16), then per population its name (u8 length +
/// UTF-8), start and count (u32 each), inhibitory (u8), refractory ticks (u8), exponential
/// synapses (u8), a zero byte, and decay, drive, threshold, reset, floor, homeostatic fall and
/// rise, rest, and the excitatory and inhibitory synaptic decays (i32 each).
extension NeuronPool {
    func encodedPopulations(_ table: PopulationTable) -> [UInt8] {
        var w = ByteWriter(capacity: 4 + table.populations.count * 110)
        w.write(UInt16(delays.slotCount))
        w.write(UInt16(table.populations.count))
        for p in table.populations {
            let name = Array(p.name.utf8)
            w.write(UInt8(name.count))
            w.write(name)
            w.write(UInt32(p.start)); w.write(UInt32(p.count))
            w.write(UInt8(p.inhibitory ? 1 : 0)); w.write(p.refractory); w.write(UInt8(p.exponential ? 1 : 0)); w.write(UInt8(0))
            for v in [p.decay, p.drive, p.threshold, p.reset, p.floor, p.homeostasisFall, p.homeostasisRise, p.rest,
                      p.synapseDecayExcitatory, p.synapseDecayInhibitory] { w.write(v) }
        }
        return w.bytes
    }

    /// Reads and checks the population section; returns the table and the ring's slot count.
    static func decodePopulations(_ r: inout ByteReader<PoolFileError>, neurons n: Int) throws(PoolFileError) -> (PopulationTable, Int) {
        let slots = Int(try r.read(UInt16.self, "populations"))
        guard slots >= DelayBuffer.slots, slots <= DelayBuffer.maxSlots, slots & (slots - 1) == 0 else {
            throw .invalid(field: "populations.slots", detail: "\(slots) is not a power of two in \(DelayBuffer.slots)...\(DelayBuffer.maxSlots)")
        }
        let count = Int(try r.read(UInt16.self, "populations"))
        guard (1 ... PopulationTable.maxPopulations).contains(count) else {
            throw .invalid(field: "populations.count", detail: "\(count) is outside 1...\(PopulationTable.maxPopulations)")
        }
        var entries: [PopulationTable.Population] = []
        for k in 0 ..< count {
            let field = "populations[\(k)]"
            let length = Int(try r.read(UInt8.self, field))
            guard let name = String(validating: try r.readBytes(length, field), as: UTF8.self) else {
                throw .invalid(field: "\(field).name", detail: "not valid UTF-8")
            }
            let start = Int(try r.read(UInt32.self, field))
            let size = Int(try r.read(UInt32.self, field))
            let inhibitory = try r.read(UInt8.self, field)
            let refractory = try r.read(UInt8.self, field)
            let exponential = try r.read(UInt8.self, field)
            guard inhibitory <= 1, exponential <= 1, try r.read(UInt8.self, field) == 0 else {
                throw .invalid(field: field, detail: "inhibitory and exponential must be 0 or 1 and the reserved byte zero")
            }
            var v: [Int32] = []
            for _ in 0 ..< 10 { v.append(try r.read(Int32.self, field)) }
            var population = PopulationTable.Population(
                name: name, start: start, count: size, inhibitory: inhibitory == 1, decay: v[0], drive: v[1],
                threshold: v[2], reset: v[3], floor: v[4], refractory: refractory,
                homeostasisFall: v[5], homeostasisRise: v[6], rest: v[7])
            population.exponential = exponential == 1
            population.synapseDecayExcitatory = v[8]
            population.synapseDecayInhibitory = v[9]
            entries.append(population)
        }
        do {
            return (try PopulationTable(entries, neurons: n), slots)
        } catch {
            throw .invalid(field: "populations", detail: error.description)
        }
    }
}
