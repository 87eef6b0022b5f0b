/// `[[reward]]` and `[[modulation]]`.
extension NetworkKeys {
    /// The keys of each reward kind (`NetworkKeys.reward` is their union).
    static let rewardKinds: [(kind: String, keys: [String])] = [
        ("count", ["kind", "pool", "neurons", "every", "min_spikes", "dopamine", "lag"]),
        ("contest", ["kind", "pool", "neurons", "versus", "every", "start", "window", "min_spikes", "dopamine", "dopamine_lost", "lag"]),
        ("pairing", ["kind", "pool", "pre", "post", "window", "delay", "dopamine"]),
    ]
}

extension NetworkParser {
    func rewards(_ top: NetworkFields, pools: [PoolSpec], names: [String: Int], networkSeed: UInt64) throws(NetworkFileError) -> [RewardRule] {
        var rules: [RewardRule] = []
        for (index, f) in try arrayOfTables(top, "reward", header: "[[reward]]").enumerated() {
            try checkKeys(f, allowed: NetworkKeys.reward)
            let kind = try string(f, "kind") ?? "count"
            guard let allowed = NetworkKeys.rewardKinds.first(where: { $0.kind == kind })?.keys else {
                throw fail(f.keyPath("kind"), "kind \"\(kind)\" is not a reward kind: expected \"count\", \"contest\" or \"pairing\"")
            }
            for (key, _) in f.entries where !allowed.contains(key) {
                let owners = NetworkKeys.rewardKinds.filter { $0.keys.contains(key) }.map { "kind = \"\($0.kind)\"" }
                throw fail(f.keyPath(key), "\(key) does not belong to kind = \"\(kind)\" (it is a key of \(owners.joined(separator: " and "))). Allowed keys: \(allowed.sorted().joined(separator: ", ")).")
            }
            let pool = try poolReference(f, "pool", names: names)
            switch kind {
            case "pairing":
                rules.append(try pairingReward(f, pool: pools[pool], seed: NetworkDescription.derivedRewardSeed(networkSeed: networkSeed, index: index)))
            case "contest":
                let neurons = try neuronRange(f, "neurons", pool: pools[pool].name, size: pools[pool].neurons, required: true)
                let versus = try neuronRange(f, "versus", pool: pools[pool].name, size: pools[pool].neurons, required: true)
                guard !neurons.overlaps(versus) else {
                    throw fail(f.keyPath("versus"), "versus [\(versus.lowerBound), \(versus.upperBound)) overlaps neurons [\(neurons.lowerBound), \(neurons.upperBound)): the two groups must be disjoint")
                }
                let window = try rewardWindow(f, neurons: neurons, contest: true)
                rules.append(RewardRule(pool: pool, dopamine: window.dopamine, kind: .contest(window.window, versus: versus),
                                        dopamineLost: try level(f, "dopamine_lost")))
            default:
                let neurons = try neuronRange(f, "neurons", pool: pools[pool].name, size: pools[pool].neurons)
                let window = try rewardWindow(f, neurons: neurons, contest: false)
                rules.append(RewardRule(pool: pool, dopamine: window.dopamine, kind: .count(window.window)))
            }
        }
        return rules
    }

    /// `every`, (contest: `start`, `window`), `min_spikes` (count: required; contest: default
    /// 1), `dopamine` and `lag` of a count or contest rule.
    private func rewardWindow(_ f: NetworkFields, neurons: Range<Int>, contest: Bool) throws(NetworkFileError) -> (window: RewardWindow, dopamine: UInt8) {
        let every = try required(f, "every", int(f, "every", in: 1 ... 1_000_000))
        var start = 0, window = every
        if contest {
            start = try int(f, "start") ?? 0
            guard (0 ..< every).contains(start) else {
                throw fail(f.keyPath("start"), "start = \(start) is out of range: expected 0...\(every - 1) (an offset inside the period every = \(every))")
            }
            window = try int(f, "window") ?? every - start
            guard (1 ... every - start).contains(window) else {
                throw fail(f.keyPath("window"), "window = \(window) with start = \(start) does not fit in every = \(every): expected 1...\(every - start)")
            }
        }
        let minSpikes = contest ? try int(f, "min_spikes", in: 1 ... Int.max) ?? 1
                                : try required(f, "min_spikes", int(f, "min_spikes", in: 1 ... Int.max))
        let dopamine = try required(f, "dopamine", level(f, "dopamine"))
        let lag = try int(f, "lag") ?? 1
        guard lag <= every else {
            throw fail(f.keyPath("lag"), "lag = \(lag) is greater than every = \(every): the reward must apply before the next window ends (expected 1...\(every))")
        }
        guard lag >= 1 else {
            throw fail(f.keyPath("lag"), "lag = \(lag) is out of range: expected 1...\(every)")
        }
        return (RewardWindow(neurons: neurons, every: every, start: start, window: window, minSpikes: minSpikes, lag: lag), dopamine)
    }

    /// `pre`, `post`, `window`, `delay` and `dopamine` of a pairing rule.
    private func pairingReward(_ f: NetworkFields, pool: PoolSpec, seed: UInt64) throws(NetworkFileError) -> RewardRule {
        func neuron(_ key: String) throws(NetworkFileError) -> Int {
            let i = try required(f, key, int(f, key))
            guard (0 ..< pool.neurons).contains(i) else {
                throw fail(f.keyPath(key), "\(key) = \(i) is not a neuron of pool \"\(pool.name)\" (\(pool.neurons) neurons): expected 0...\(pool.neurons - 1)")
            }
            return i
        }
        let pre = try neuron("pre")
        let post = try neuron("post")
        guard post != pre else {
            throw fail(f.keyPath("post"), "post = \(post) is the pre neuron: a pairing needs two different neurons")
        }
        let window = try required(f, "window", int(f, "window", in: 1 ... 1000))
        let (low, high) = try required(f, "delay", pair(f, "delay"))
        guard low <= high else {
            throw fail(f.keyPath("delay"), "delay = [\(low), \(high)] is reversed: expected [min, max] with min <= max")
        }
        guard low >= 1, high <= 1_000_000 else {
            throw fail(f.keyPath("delay"), "delay = [\(low), \(high)] is out of range: expected [min, max] ticks with 1 <= min <= max <= 1000000")
        }
        let dopamine = try required(f, "dopamine", level(f, "dopamine"))
        return RewardRule(pool: pool.index, dopamine: dopamine,
                          kind: .pairing(RewardPairing(pre: pre, post: post, window: window, delay: low ... high, seed: seed)))
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

extension NetworkDescription {
    /// Seed of the delay generator of reward rule `index` (0-based among all `[[reward]]`s):
    /// `splitmix64(networkSeed ^ 0x4000_0000_0000_0000 ^ (index + 1))`; bit 62 keeps it apart
    /// from every pool and projection seed of the same network.
    public static func derivedRewardSeed(networkSeed: UInt64, index: Int) -> UInt64 {
        splitmix64(networkSeed ^ 0x4000_0000_0000_0000 ^ UInt64(truncatingIfNeeded: index + 1))
    }
}
