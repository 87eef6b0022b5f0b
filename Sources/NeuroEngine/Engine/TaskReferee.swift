import NeuroNetwork
/// The outcome of one trial of a `[task]`.
public struct TrialResult: Sendable, Equatable {
    /// Trial number from 0.
    public var trial: Int
    /// A training trial (reinforced) or a test trial.
    public var training: Bool
    /// The label shown (index into the task's labels).
    public var label: Int
    /// The right answer for it (index into the task's answers).
    public var expected: Int
    /// The answer whose readouts fired most in the decision window; nil when none fired or
    /// the most spikes were a tie.
    public var decision: Int?
    /// Spikes of each answer's readouts in the decision window.
    public var counts: [Int]
    /// The dopamine level broadcast for the trial; nil: none (test trials, or a wrong answer
    /// without `dopamine_wrong`).
    public var broadcast: UInt8?

    public init(trial: Int, training: Bool, label: Int, expected: Int, decision: Int?, counts: [Int], broadcast: UInt8?) {
        self.trial = trial
        self.training = training
        self.label = label
        self.expected = expected
        self.decision = decision
        self.counts = counts
        self.broadcast = broadcast
    }

    /// Whether the decision is the right answer.
    public var correct: Bool { decision == expected }
}

/// Counts a task's readout spikes trial by trial and decides each trial once every readout
/// pool has simulated its decision window: the pure core the reward schedule runs, the same
/// in `run` and in the controller.
struct TaskReferee: Sendable {
    let task: TaskSpec
    /// The readout pools, ascending, and the next tick each must deliver.
    let pools: [Int]
    var seen: [UInt64]
    /// Spikes per label of trials whose window has begun and that are not decided yet.
    var open: [Int: [Int]] = [:]
    /// The first trial not decided yet.
    var next = 0
    /// Decided trials not taken yet (`RewardSchedule.takeTrials`).
    var results: [TrialResult] = []
    /// The critic's r̄ (`TaskSpec.expectationTrials`), 1/65536.
    var expectation: Int

    init(task: TaskSpec) {
        self.task = task
        pools = task.readoutPools.sorted()
        seen = Array(repeating: 0, count: pools.count)
        expectation = task.initialExpectation
    }

    /// The referee at a snapshot's cut `tick`: every readout pool has delivered the ticks
    /// before it, every trial whose window ends by then is decided, and `counts` (empty, or
    /// one per label) are the spikes of the trial whose window is open across the cut;
    /// `expectation` is the critic's r̄ then.
    init(task: TaskSpec, restoredAt tick: UInt64, counts: [Int], expectation: Int?) {
        self.init(task: task)
        if let expectation { self.expectation = expectation }
        seen = Array(repeating: tick, count: pools.count)
        let to = UInt64(task.decideTo), period = UInt64(task.period)
        next = tick < to ? 0 : Int(min((tick - to) / period + 1, UInt64(task.trials)))
        if !counts.isEmpty, let k = openTrial(at: tick) { open[k] = counts }
    }

    /// The trial whose decision window has begun before `tick` and ends after it, if any.
    func openTrial(at tick: UInt64) -> Int? {
        guard tick > 0, let (k, offset) = task.trial(at: tick - 1), offset >= task.decideFrom,
              task.decisionEnd(ofTrial: k) > tick else { return nil }
        return k
    }

    /// The counts a snapshot at `cut` stores: the open trial's, or empty.
    func counts(cut: UInt64) -> [Int] {
        guard let k = openTrial(at: cut) else { return [] }
        return open[k] ?? Array(repeating: 0, count: task.answers.count)
    }

    /// The first tick some readout pool has not delivered.
    var horizon: UInt64 { seen.min() ?? .max }

    /// The earliest tick a reward still to be decided can fall on; nil when no training trial
    /// is left.
    var barrier: UInt64? {
        guard next < task.trainTrials else { return nil }
        let (tick, overflow) = task.decisionEnd(ofTrial: next).addingReportingOverflow(UInt64(task.lag))
        return overflow ? .max : tick
    }

    /// Feeds the spikes `pool` fired in `tick` (ticks of one pool in order) and decides every
    /// trial whose window all readout pools have now passed; returns those decisions as
    /// (decision tick, broadcast tick, level). O(readouts × spikes).
    mutating func observe(pool: Int, tick: UInt64, spikes: some Sequence<UInt16>) -> [(end: UInt64, tick: UInt64, level: UInt8?)] {
        guard let p = pools.firstIndex(of: pool), seen[p] == tick else { return [] }
        seen[p] = tick + 1
        if let (k, offset) = task.trial(at: tick), offset >= task.decideFrom, offset < task.decideTo {
            // In place: no copy of the counts per tick; the zeros are made once per trial.
            let answers = task.answers.count
            for r in task.readouts where r.pool == pool {
                var n = 0
                for id in spikes where r.neurons.contains(Int(id)) { n += 1 }
                open[k, default: Array(repeating: 0, count: answers)][r.answer] += n
            }
        }
        var decided: [(end: UInt64, tick: UInt64, level: UInt8?)] = []
        let reached = horizon
        while next < task.trials, task.decisionEnd(ofTrial: next) <= reached {
            decided.append(decide(next))
            next += 1
        }
        return decided
    }

    /// Decides trial `k` from its counts and records the result.
    private mutating func decide(_ k: Int) -> (end: UInt64, tick: UInt64, level: UInt8?) {
        let counts = open.removeValue(forKey: k) ?? Array(repeating: 0, count: task.answers.count)
        let most = counts.max() ?? 0
        let leaders = counts.indices.filter { counts[$0] == most }
        let decision = most > 0 && leaders.count == 1 ? leaders[0] : nil
        let label = task.label(ofTrial: k)
        let expected = task.answerOf[label]
        let training = task.isTraining(k)
        var level: UInt8?
        if training {
            let earned = task.reward == .contingent ? decision == expected : task.randomReward(ofTrial: k)
            if let n = task.expectationTrials {
                // The prediction error against r̄, then r̄ moves 1/n of the way to r.
                let r = earned ? 65536 : 0
                let base = TaskSpec.dopamineBaseline
                let error = (Int(task.dopamine) - base) * (r - expectation)
                let rounded = error >= 0 ? (error + 32768) >> 16 : -((-error + 32768) >> 16)
                level = UInt8(min(max(base + rounded, 0), 255))
                expectation += (r - expectation) / n
            } else {
                level = earned ? task.dopamine : task.dopamineWrong
            }
        }
        results.append(TrialResult(trial: k, training: training, label: label, expected: expected, decision: decision, counts: counts, broadcast: level))
        let end = task.decisionEnd(ofTrial: k)
        let (tick, overflow) = end.addingReportingOverflow(UInt64(task.lag))
        return (end, overflow ? .max : tick, level)
    }
}
