/// Turns the activity of rewarded pools into dopamine broadcasts, identically in a
/// single-process run and in the controller.
///
/// Rule `r` counts the spikes of its neurons in windows `[k·every, (k+1)·every)`; when window
/// k ends at tick `E = (k+1)·every` with at least `minSpikes` spikes, dopamine is broadcast for
/// tick `E + lag`. Decisions are released in the canonical order (window end, rule index) and
/// only once every rule has seen all ticks before that window end, so the broadcasts reach
/// the pools in the same order however the pools' progress interleaves.
public struct RewardSchedule: Sendable {
    private struct RuleState: Sendable {
        var rule: RewardRule
        var count = 0
        /// Ticks of the rule's pool consumed so far (the next expected tick).
        var seen: UInt64 = 0
    }

    private var rules: [RuleState]
    /// Decided windows not released yet: (window end, rule, broadcast tick, reward?).
    private var decided: [(end: UInt64, rule: Int, tick: UInt64, reward: Bool)] = []

    public init(rules: [RewardRule]) {
        self.rules = rules.map { RuleState(rule: $0) }
    }

    /// A schedule restored at tick `tick` (a snapshot's cut, where every rule has seen every
    /// tick before it and released every window ending at or before it), with each rule's
    /// spikes counted so far in its current window.
    public init(rules: [RewardRule], restoredAt tick: UInt64, counts: [Int]) throws(NodeError) {
        guard counts.count == rules.count else {
            throw .failed("the snapshot has \(counts.count) reward count(s) for \(rules.count) reward rule(s)")
        }
        self.rules = zip(rules, counts).map { RuleState(rule: $0, count: $1, seen: tick) }
    }

    /// Per rule, the spikes counted in its current window (a snapshot's controller state).
    public var counts: [Int] { rules.map(\.count) }

    /// The first tick some rule has not seen yet.
    public var horizon: UInt64 { rules.map(\.seen).min() ?? .max }

    /// Whether there are no rules.
    public var isEmpty: Bool { rules.isEmpty }

    /// Pools whose spikes the schedule needs.
    public var pools: Set<Int> { Set(rules.map(\.rule.pool)) }

    /// Feeds the spikes `pool` fired in `tick`; ticks of one pool must come in order.
    /// O(rules × spikes).
    public mutating func observe(pool: Int, tick: UInt64, spikes: some Sequence<UInt16>) {
        for r in rules.indices where rules[r].rule.pool == pool && rules[r].seen == tick {
            let range = rules[r].rule.neurons
            for id in spikes where range.contains(Int(id)) { rules[r].count += 1 }
            rules[r].seen = tick + 1
            let every = UInt64(rules[r].rule.every)
            if rules[r].seen % every == 0 {
                let end = rules[r].seen
                decided.append((end, r, end + UInt64(rules[r].rule.lag), rules[r].count >= rules[r].rule.minSpikes))
                rules[r].count = 0
            }
        }
    }

    /// Broadcasts that may be released now, in canonical order, each with its tick.
    public mutating func release() -> [(tick: UInt64, levels: ModulatorLevels)] {
        guard !decided.isEmpty else { return [] }
        let horizon = rules.map(\.seen).min() ?? 0
        decided.sort { ($0.end, $0.rule) < ($1.end, $1.rule) }
        var out: [(tick: UInt64, levels: ModulatorLevels)] = []
        while let first = decided.first, first.end <= horizon {
            decided.removeFirst()
            if first.reward { out.append((first.tick, ModulatorLevels(dopamine: rules[first.rule].rule.dopamine))) }
        }
        return out
    }

    /// The first tick no pool may simulate until `release()` has said what happens before it:
    /// the broadcast tick of the earliest window not released yet. Nil without rules.
    public var barrier: UInt64? {
        var barrier: UInt64?
        for r in rules.indices {
            let every = UInt64(rules[r].rule.every)
            let nextEnd = (rules[r].seen / every + 1) * every
            let tick = nextEnd + UInt64(rules[r].rule.lag)
            barrier = min(barrier ?? tick, tick)
        }
        for d in decided { barrier = min(barrier ?? d.tick, d.tick) }
        return barrier
    }
}
