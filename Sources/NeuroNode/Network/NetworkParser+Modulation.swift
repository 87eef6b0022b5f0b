/// `[[reward]]` and `[[modulation]]`.
extension NetworkParser {
    func rewards(_ top: NetworkFields, pools: [PoolSpec], names: [String: Int]) throws(NetworkFileError) -> [RewardRule] {
        var rules: [RewardRule] = []
        for f in try arrayOfTables(top, "reward", header: "[[reward]]") {
            try checkKeys(f, allowed: NetworkKeys.reward)
            let pool = try poolReference(f, "pool", names: names)
            let neurons = try neuronRange(f, "neurons", pool: pools[pool].name, size: pools[pool].neurons)
            let every = try required(f, "every", int(f, "every", in: 1 ... 1_000_000))
            let minSpikes = try required(f, "min_spikes", int(f, "min_spikes", in: 1 ... Int.max))
            let dopamine = try required(f, "dopamine", level(f, "dopamine"))
            let lag = try int(f, "lag") ?? 1
            guard lag <= every else {
                throw fail(f.keyPath("lag"), "lag = \(lag) is greater than every = \(every): the reward must apply before the next window ends (expected 1...\(every))")
            }
            guard lag >= 1 else {
                throw fail(f.keyPath("lag"), "lag = \(lag) is out of range: expected 1...\(every)")
            }
            rules.append(RewardRule(pool: pool, neurons: neurons, every: every, minSpikes: minSpikes,
                                    dopamine: dopamine, lag: lag))
        }
        return rules
    }

    /// Scheduled broadcasts, stably sorted by tick.
    func modulations(_ top: NetworkFields) throws(NetworkFileError) -> [ScheduledModulation] {
        var list: [ScheduledModulation] = []
        for f in try arrayOfTables(top, "modulation", header: "[[modulation]]") {
            try checkKeys(f, allowed: NetworkKeys.modulation)
            let tick = try required(f, "at", uint64(f, "at"))
            let m = ScheduledModulation(tick: tick, dopamine: try level(f, "dopamine"),
                                        cortisol: try level(f, "cortisol"),
                                        acetylcholine: try level(f, "acetylcholine"))
            guard m.dopamine != nil || m.cortisol != nil || m.acetylcholine != nil else {
                throw fail(f.path, "a [[modulation]] needs at least one of dopamine, cortisol or acetylcholine")
            }
            list.append(m)
        }
        return list.enumerated()
            .sorted { $0.element.tick != $1.element.tick ? $0.element.tick < $1.element.tick : $0.offset < $1.offset }
            .map(\.element)
    }
}
