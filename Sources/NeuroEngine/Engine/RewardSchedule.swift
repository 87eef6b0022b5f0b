import NeuroPool
import NeuroNetwork

/// Turns the activity of rewarded pools into dopamine broadcasts, identically in a
/// single-process run and in the controller.
///
/// A count or contest rule counts the spikes of its neurons in the window of each period
/// (`RewardWindow`); when the window ending at tick `E` is decided (its last tick seen), a
/// reward is broadcast for tick `E + lag`. A pairing rule decides at tick `t + 1` for a post
/// spike at `t` that pairs with an earlier pre spike, and broadcasts for `t + d`.
/// Decisions are released in the canonical order (decision tick, rule index) and only once
/// every rule has seen all ticks before that decision tick, so the broadcasts reach the pools
/// in the same order however the pools' progress interleaves. Two broadcasts for one tick
/// stay two broadcasts, applied one after the other in that order.
public struct RewardSchedule: Sendable {
    private struct RuleState: Sendable {
        var rule: RewardRule
        /// Count and contest: the spikes of `neurons` counted in the current window.
        var count = 0
        /// Contest: the spikes of `versus` counted in the current window.
        var versusCount = 0
        /// Pairing: the latest tick the pre neuron fired in, if any.
        var lastPre: UInt64?
        /// Pairing: the delay generator.
        var random = PoolRandom(seed: 0)
        /// Ticks of the rule's pool consumed so far (the next expected tick).
        var seen: UInt64 = 0

        init(rule: RewardRule) {
            self.rule = rule
            if case .pairing(let p) = rule.kind { random = PoolRandom(seed: p.seed) }
        }
    }

    private var rules: [RuleState]
    /// The task's referee (`[task]`); its decisions rank after every rule's.
    private var referee: TaskReferee?
    /// Decisions not released yet: (decision tick, rule, broadcast tick, reward?).
    /// `level`: what to broadcast, nil for nothing. The task's decisions carry rule index
    /// `rules.count`.
    private var decided: [(end: UInt64, rule: Int, tick: UInt64, level: UInt8?)] = []

    public init(rules: [RewardRule], task: TaskSpec? = nil) {
        self.rules = rules.map { RuleState(rule: $0) }
        referee = task.map(TaskReferee.init(task:))
    }

    /// A schedule restored at tick `tick` (a snapshot's cut, where every rule has seen every
    /// tick before it and released every decision up to it), with each rule's spikes counted
    /// so far in its current window (count rules only).
    public init(rules: [RewardRule], restoredAt tick: UInt64, counts: [Int]) throws(NodeError) {
        try self.init(rules: rules, task: nil, restoredAt: tick, state: RewardScheduleState(counts: counts))
    }

    /// A schedule restored at tick `tick` from the state `state(cut:)` gave there (a
    /// manifest's `reward_counts`, `reward_state`, `reward_random`), checked first.
    public init(rules: [RewardRule], task: TaskSpec? = nil, restoredAt tick: UInt64, state: RewardScheduleState) throws(NodeError) {
        do throws(SnapshotError) { try Self.check(state, rules: rules, task: task, tick: tick) } catch { throw .failed("\(error)") }
        referee = task.map { TaskReferee(task: $0, restoredAt: tick, counts: state.task, expectation: state.taskExpectation) }
        var restored: [RuleState] = []
        var words = state.random[...]
        for (r, rule) in rules.enumerated() {
            var s = RuleState(rule: rule)
            s.seen = tick
            switch rule.kind {
            case .count:
                s.count = state.counts[r]
            case .contest:
                s.count = state.counts[r]
                s.versusCount = state.values[r]
            case .pairing:
                if state.values[r] > 0 { s.lastPre = UInt64(state.values[r] - 1) }
                let w = Array(words.prefix(4))
                words = words.dropFirst(4)
                s.random = PoolRandom(state: (w[0], w[1], w[2], w[3]))
            }
            restored.append(s)
        }
        self.rules = restored
    }

    /// Per rule, the spikes counted in its current window (group A of a contest; 0 for a
    /// pairing rule).
    public var counts: [Int] { rules.map(\.count) }

    /// The state a snapshot at `cut` stores (`SnapshotManifest`): taken where every rule has
    /// seen every tick before `cut` and every decision has been released, which lockstep
    /// guarantees. (Real time takes it where the schedule stands; a pre spike at or after
    /// the cut is left out.)
    public func state(cut: UInt64) -> RewardScheduleState {
        var state = RewardScheduleState(counts: counts)
        state.task = referee?.counts(cut: cut) ?? []
        if let r = referee, r.task.expectationTrials != nil { state.taskExpectation = r.expectation }
        guard rules.contains(where: { if case .count = $0.rule.kind { false } else { true } }) else { return state }
        for s in rules {
            switch s.rule.kind {
            case .count:
                state.values.append(0)
            case .contest:
                state.values.append(s.versusCount)
            case .pairing:
                if let pre = s.lastPre, pre < cut, pre < UInt64(Int.max) { state.values.append(Int(pre) + 1) } else { state.values.append(0) }
                let w = s.random.state
                state.random += [w.0, w.1, w.2, w.3]
            }
        }
        return state
    }

    /// The first tick some rule (or the task) has not seen yet.
    public var horizon: UInt64 { min(rules.map(\.seen).min() ?? .max, referee?.horizon ?? .max) }

    /// Whether there are no rules and no task.
    public var isEmpty: Bool { rules.isEmpty && referee == nil }

    /// Pools whose spikes the schedule needs.
    public var pools: Set<Int> { Set(rules.map(\.rule.pool)).union(referee?.task.readoutPools ?? []) }

    /// The task's first trial not decided yet (nil without a task).
    public var nextTrial: Int? { referee?.next }

    /// The task's trials decided since the last call, in trial order.
    public mutating func takeTrials() -> [TrialResult] {
        guard referee != nil, !referee!.results.isEmpty else { return [] }
        defer { referee!.results.removeAll(keepingCapacity: true) }
        return referee!.results
    }

    /// Feeds the spikes `pool` fired in `tick`; ticks of one pool must come in order.
    /// O(rules × spikes).
    public mutating func observe(pool: Int, tick: UInt64, spikes: some Sequence<UInt16>) {
        if referee != nil {
            for d in referee!.observe(pool: pool, tick: tick, spikes: spikes) { decided.append((d.end, rules.count, d.tick, d.level)) }
        }
        for r in rules.indices where rules[r].rule.pool == pool && rules[r].seen == tick {
            rules[r].seen = tick + 1
            switch rules[r].rule.kind {
            case .count(let w):
                observe(r, window: w, versus: nil, tick: tick, spikes: spikes)
            case .contest(let w, let versus):
                observe(r, window: w, versus: versus, tick: tick, spikes: spikes)
            case .pairing(let p):
                observe(r, pairing: p, tick: tick, spikes: spikes)
            }
        }
    }

    private mutating func observe(_ r: Int, window w: RewardWindow, versus: Range<Int>?, tick: UInt64, spikes: some Sequence<UInt16>) {
        let every = UInt64(w.every)
        let phase = tick % every
        guard phase >= UInt64(w.start), phase < UInt64(w.start + w.window) else { return }
        for id in spikes {
            if w.neurons.contains(Int(id)) {
                rules[r].count += 1
            } else if let versus, versus.contains(Int(id)) {
                rules[r].versusCount += 1
            }
        }
        // The window's last tick: decide it.
        guard phase == UInt64(w.start + w.window - 1) else { return }
        let end = tick + 1
        let earned = rules[r].count >= w.minSpikes && (versus == nil || rules[r].count > rules[r].versusCount)
        let lost = versus != nil && rules[r].versusCount > rules[r].count
        let level = earned ? rules[r].rule.dopamine : lost ? rules[r].rule.dopamineLost : nil
        decided.append((end, r, Self.sum(end, w.lag), level))
        rules[r].count = 0
        rules[r].versusCount = 0
    }

    private mutating func observe(_ r: Int, pairing p: RewardPairing, tick: UInt64, spikes: some Sequence<UInt16>) {
        var pre = false, post = false
        for id in spikes {
            if Int(id) == p.pre { pre = true } else if Int(id) == p.post { post = true }
        }
        // The latest pre spike of an earlier tick, 1…window ticks before.
        if post, let last = rules[r].lastPre, last < tick, tick - last <= UInt64(p.window) {
            let span = UInt64(p.delay.upperBound - p.delay.lowerBound) + 1
            let d = UInt64(p.delay.lowerBound) + rules[r].random.uniform(below: span)
            decided.append((tick + 1, r, Self.sum(tick, Int(d)), rules[r].rule.dopamine))
        }
        if pre { rules[r].lastPre = tick }
    }

    /// `tick + ticks`, saturating (a restored tick may be anything a manifest holds).
    private static func sum(_ tick: UInt64, _ ticks: Int) -> UInt64 {
        let (s, overflow) = tick.addingReportingOverflow(UInt64(ticks))
        return overflow ? .max : s
    }

    /// Broadcasts that may be released now, in canonical order, each with its tick.
    /// `distal`: a pairing rule's reward, whose tick lies a delay ahead (real time stamps it
    /// for that tick instead of applying it on arrival).
    public mutating func release() -> [(tick: UInt64, levels: ModulatorLevels, distal: Bool)] {
        guard !decided.isEmpty else { return [] }
        let horizon = self.horizon
        decided.sort { ($0.end, $0.rule) < ($1.end, $1.rule) }
        var out: [(tick: UInt64, levels: ModulatorLevels, distal: Bool)] = []
        while let first = decided.first, first.end <= horizon {
            decided.removeFirst()
            guard let level = first.level else { continue }
            let distal = if first.rule < rules.count, case .pairing = rules[first.rule].rule.kind { true } else { false }
            out.append((first.tick, ModulatorLevels(dopamine: level), distal))
        }
        return out
    }

    /// The first tick no pool may simulate until `release()` has said what happens before it:
    /// the earliest broadcast tick a decision not released yet, or one still to come, can
    /// have — for a count or contest rule the broadcast tick of its next window, for a
    /// pairing rule `seen + delay.min`. Nil without rules.
    public var barrier: UInt64? {
        var barrier: UInt64?
        for s in rules {
            let tick: UInt64
            switch s.rule.kind {
            case .count(let w), .contest(let w, _):
                // Window ends are k·every + start + window, k ≥ 0; the next one after `seen`.
                let every = UInt64(w.every), offset = UInt64(w.start + w.window)
                let k = s.seen < offset ? 0 : (s.seen - offset) / every + 1
                let (product, overflow) = k.multipliedReportingOverflow(by: every)
                tick = overflow ? .max : Self.sum(Self.sum(product, Int(offset)), w.lag)
            case .pairing(let p):
                tick = Self.sum(s.seen, p.delay.lowerBound)
            }
            barrier = min(barrier ?? tick, tick)
        }
        if let tick = referee?.barrier { barrier = min(barrier ?? tick, tick) }
        for d in decided { barrier = min(barrier ?? d.tick, d.tick) }
        return barrier
    }

    // MARK: Snapshot state

    /// Checks `state` against `rules` at a cut at `tick` before anything uses it: list lengths
    /// and every value bounded (each error names the manifest key).
    public static func check(_ state: RewardScheduleState, rules: [RewardRule], task: TaskSpec? = nil, tick: UInt64) throws(SnapshotError) {
        if let e = state.taskExpectation {
            guard task?.expectationTrials != nil else {
                throw .badRewardState(key: "task_expectation", detail: "is given but the network's [task] has no expectation_trials")
            }
            guard (0 ... 65536).contains(e) else { throw .badRewardState(key: "task_expectation", detail: "= \(e) is out of range 0...65536") }
        } else if task?.expectationTrials != nil {
            throw .badRewardState(key: "task_expectation", detail: "is missing: the network's [task] has expectation_trials, whose state it holds")
        }
        if !state.task.isEmpty {
            guard let task else { throw .badRewardState(key: "task_counts", detail: "is given but the network has no [task]") }
            guard state.task.count == task.answers.count else {
                throw .badRewardState(key: "task_counts", detail: "has \(state.task.count) entries for the task's \(task.answers.count) answers")
            }
            for (l, count) in state.task.enumerated() {
                let neurons = task.readouts.filter { $0.answer == l }.reduce(0) { $0 + $1.neurons.count }
                let (most, overflow) = neurons.multipliedReportingOverflow(by: task.decideTo - task.decideFrom)
                guard count >= 0, overflow || count <= most else {
                    throw .badRewardState(key: "task_counts[\(l)]", detail: "= \(count) is not a spike count answer \(task.answers[l])'s readouts can reach in one decision window (0...\(most))")
                }
            }
        }
        guard state.counts.count == rules.count else {
            throw .badRewardState(key: "reward_counts", detail: "has \(state.counts.count) entries for \(rules.count) reward rule(s)")
        }
        let needsValues = rules.firstIndex { if case .count = $0.kind { false } else { true } }
        if state.values.isEmpty, let r = needsValues {
            throw .badRewardState(key: "reward_state", detail: "is missing: reward rule \(r) is a \(rules[r].kind.name) rule, whose state it holds")
        }
        guard state.values.isEmpty || state.values.count == rules.count else {
            throw .badRewardState(key: "reward_state", detail: "has \(state.values.count) entries for \(rules.count) reward rule(s)")
        }
        let pairings = rules.filter { if case .pairing = $0.kind { true } else { false } }.count
        guard state.random.count == 4 * pairings else {
            throw .badRewardState(key: "reward_random", detail: "has \(state.random.count) words for \(pairings) pairing rule(s) (4 each)")
        }
        var word = 0
        for (r, rule) in rules.enumerated() {
            let count = state.counts[r], value = state.values.isEmpty ? 0 : state.values[r]
            guard count >= 0 else { throw .badRewardState(key: "reward_counts[\(r)]", detail: "= \(count) is negative") }
            guard value >= 0 else { throw .badRewardState(key: "reward_state[\(r)]", detail: "= \(value) is negative") }
            /// Most spikes `neurons` can fire in `window` ticks.
            func most(_ neurons: Range<Int>, _ window: Int) -> Int {
                let (m, overflow) = neurons.count.multipliedReportingOverflow(by: window)
                return overflow ? .max : m
            }
            func bounded(_ key: String, _ v: Int, _ neurons: Range<Int>, _ window: Int, _ what: String) throws(SnapshotError) {
                guard v <= most(neurons, window) else {
                    throw .badRewardState(key: "\(key)[\(r)]", detail: "= \(v) is more than \(what) [\(neurons.lowerBound), \(neurons.upperBound)) of reward rule \(r) can fire in its window (\(window) ticks × \(neurons.count) neurons)")
                }
            }
            switch rule.kind {
            case .count(let w):
                try bounded("reward_counts", count, w.neurons, w.window, "neurons")
                guard value == 0 else { throw .badRewardState(key: "reward_state[\(r)]", detail: "= \(value) for a count rule: expected 0") }
            case .contest(let w, let versus):
                try bounded("reward_counts", count, w.neurons, w.window, "neurons")
                try bounded("reward_state", value, versus, w.window, "versus")
            case .pairing:
                guard count == 0 else { throw .badRewardState(key: "reward_counts[\(r)]", detail: "= \(count) for a pairing rule: expected 0") }
                guard UInt64(value) <= tick else {
                    throw .badRewardState(key: "reward_state[\(r)]", detail: "= \(value) puts the last pre spike at tick \(value - 1), not before the snapshot's tick \(tick)")
                }
                guard state.random[word ..< word + 4].contains(where: { $0 != 0 }) else {
                    throw .badRewardState(key: "reward_random[\(word)...\(word + 3)]", detail: "are all zero, not a generator state (reward rule \(r))")
                }
                word += 4
            }
        }
    }
}

/// The reward schedule's state at a snapshot's cut, as `manifest.toml` stores it.
public struct RewardScheduleState: Sendable, Equatable {
    /// `reward_counts`, one per rule: spikes of `neurons` counted in the current window
    /// (count and contest rules), 0 for a pairing rule.
    public var counts: [Int]
    /// `reward_state`, one per rule, or empty when every rule is a count rule: 0 for a count
    /// rule, the spikes of `versus` counted in the current window for a contest rule, and
    /// for a pairing rule the tick of its latest pre spike plus one (0: none yet).
    public var values: [Int]
    /// `reward_random`: the four xoshiro256** state words of each pairing rule's delay
    /// generator, in rule order.
    public var random: [UInt64]
    /// `task_counts`: the spikes per label of the task's trial whose decision window is open
    /// across the cut; empty when none is (or the network has no task).
    public var task: [Int]
    /// `task_expectation`: the task's critic r̄ in 1/65536 (only with `expectation_trials`).
    public var taskExpectation: Int?

    public init(counts: [Int], values: [Int] = [], random: [UInt64] = [], task: [Int] = [], taskExpectation: Int? = nil) {
        self.counts = counts
        self.values = values
        self.random = random
        self.task = task
        self.taskExpectation = taskExpectation
    }
}

extension RewardKind {
    /// The `kind` spelling: "count", "contest" or "pairing".
    public var name: String {
        switch self {
        case .count: "count"
        case .contest: "contest"
        case .pairing: "pairing"
        }
    }
}
