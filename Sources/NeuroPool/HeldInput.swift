/// Input a pool has been sent but not yet consumed, held outside its arrays: what a network
/// snapshot must keep besides the pool itself (`.pool` version 3, protocol/POOL-FORMAT.md §15).
///
/// - `broadcasts`: neuromodulator levels scheduled for ticks at or after `tickCount`, in the
///   order they will apply.
/// - `afferentSpikes[p]`: for afferent projection `p` (the pool's `afferents` order), the
///   source's spikes of the ticks not delivered yet — ticks `tickCount − lag … tickCount − 1`
///   (those after the pool's start), ascending; a spike of source tick s reaches this pool only
///   before tick s + lag, so these are the spikes still on their way.
public struct HeldInput: Sendable, Equatable {
    /// One scheduled broadcast; nil levels are at baseline for that application.
    public struct Broadcast: Sendable, Equatable {
        public var tick: UInt64
        public var dopamine: UInt8?
        public var cortisol: UInt8?
        public var acetylcholine: UInt8?

        public init(tick: UInt64, dopamine: UInt8? = nil, cortisol: UInt8? = nil, acetylcholine: UInt8? = nil) {
            self.tick = tick
            self.dopamine = dopamine
            self.cortisol = cortisol
            self.acetylcholine = acetylcholine
        }
    }

    /// The spikes a source pool fired in one tick (ids ascending, unique, below its size).
    public struct SourceTick: Sendable, Equatable {
        public var tick: UInt64
        public var ids: [UInt16]

        public init(tick: UInt64, ids: [UInt16]) {
            self.tick = tick
            self.ids = ids
        }
    }

    public var broadcasts: [Broadcast]
    public var afferentSpikes: [[SourceTick]]

    public init(broadcasts: [Broadcast] = [], afferentSpikes: [[SourceTick]] = []) {
        self.broadcasts = broadcasts
        self.afferentSpikes = afferentSpikes
    }
}

extension NeuronPool {
    /// The held-input section: u32 broadcast count, each (u64 tick, u8 presence mask — bit 0
    /// dopamine, 1 cortisol, 2 acetylcholine — u8 × 3 levels, 0 where absent); u32 projection
    /// count (= afferent count), each (u32 tick count, each (u64 tick, u32 spike count, u16 ids)).
    func encodedHeld(_ held: HeldInput) -> [UInt8] {
        var w = ByteWriter(capacity: 64 + held.broadcasts.count * 12 + held.afferentSpikes.reduce(0) { $0 + $1.reduce(12) { $0 + 12 + $1.ids.count * 2 } })
        w.write(UInt32(held.broadcasts.count))
        for b in held.broadcasts {
            w.write(b.tick)
            let mask = (b.dopamine == nil ? 0 : 1) | (b.cortisol == nil ? 0 : 2) | (b.acetylcholine == nil ? 0 : 4)
            w.write(UInt8(mask))
            w.write(b.dopamine ?? 0); w.write(b.cortisol ?? 0); w.write(b.acetylcholine ?? 0)
        }
        w.write(UInt32(held.afferentSpikes.count))
        for ticks in held.afferentSpikes {
            w.write(UInt32(ticks.count))
            for t in ticks {
                w.write(t.tick)
                w.write(UInt32(t.ids.count))
                w.write(array: ContiguousArray(t.ids))
            }
        }
        return w.bytes
    }

    /// Reads and checks the held-input section of a pool at tick `tickCount` with `afferents`:
    /// broadcasts at or after `tickCount`, in tick order, absent levels zero; one list per
    /// projection, ticks ascending within `tickCount − lag … tickCount − 1`, ids ascending and
    /// below the source's size.
    static func decodeHeld(_ r: inout ByteReader<PoolFileError>, tickCount: UInt64, afferents: [AfferentProjection]) throws(PoolFileError) -> HeldInput {
        var held = HeldInput()
        let broadcastCount = Int(try r.read(UInt32.self, "held"))
        try r.need(broadcastCount * 12, "held.broadcasts")
        for k in 0 ..< broadcastCount {
            let tick = try r.read(UInt64.self, "held.broadcasts")
            let mask = try r.read(UInt8.self, "held.broadcasts")
            let levels = (try r.read(UInt8.self, "held.broadcasts"), try r.read(UInt8.self, "held.broadcasts"), try r.read(UInt8.self, "held.broadcasts"))
            let at = "held.broadcasts[\(k)]"
            guard tick >= tickCount else { throw .invalid(field: at, detail: "tick \(tick) is before the pool's tick \(tickCount)") }
            if let last = held.broadcasts.last, tick < last.tick { throw .invalid(field: at, detail: "tick \(tick) comes after tick \(last.tick)") }
            guard mask & ~7 == 0, mask & 1 != 0 || levels.0 == 0, mask & 2 != 0 || levels.1 == 0, mask & 4 != 0 || levels.2 == 0 else {
                throw .invalid(field: at, detail: "presence mask 0x\(String(mask, radix: 16)) does not match its levels")
            }
            held.broadcasts.append(HeldInput.Broadcast(tick: tick, dopamine: mask & 1 != 0 ? levels.0 : nil,
                                                       cortisol: mask & 2 != 0 ? levels.1 : nil, acetylcholine: mask & 4 != 0 ? levels.2 : nil))
        }
        let projections = Int(try r.read(UInt32.self, "held"))
        guard projections == afferents.count else {
            throw .invalid(field: "held.projections", detail: "\(projections) lists for \(afferents.count) afferent projections")
        }
        for (p, a) in afferents.enumerated() {
            let count = Int(try r.read(UInt32.self, "held.afferents[\(p)]"))
            guard count <= a.lag else { throw .invalid(field: "held.afferents[\(p)]", detail: "\(count) ticks held, the lag is \(a.lag)") }
            var ticks: [HeldInput.SourceTick] = []
            for k in 0 ..< count {
                let at = "held.afferents[\(p)][\(k)]"
                let tick = try r.read(UInt64.self, at)
                guard tick < tickCount, tickCount - tick <= UInt64(a.lag) else {
                    throw .invalid(field: at, detail: "tick \(tick) is not among the \(a.lag) ticks before tick \(tickCount)")
                }
                if let last = ticks.last, tick <= last.tick { throw .invalid(field: at, detail: "tick \(tick) is not after tick \(last.tick)") }
                let n = Int(try r.read(UInt32.self, at))
                guard n <= a.sourceCount else { throw .invalid(field: at, detail: "\(n) spikes from a source of \(a.sourceCount) neurons") }
                let ids = try r.read(array: UInt16.self, count: n, at)
                for i in 0 ..< n where Int(ids[i]) >= a.sourceCount || (i > 0 && ids[i] <= ids[i - 1]) {
                    throw .invalid(field: "\(at).ids[\(i)]", detail: "\(ids[i]) is out of range or out of order")
                }
                ticks.append(HeldInput.SourceTick(tick: tick, ids: Array(ids)))
            }
            held.afferentSpikes.append(ticks)
        }
        return held
    }
}
