import NeuroPool

/// A task of labelled trials (`[task]`): each trial shows one label's stimulus for
/// `stimulusTicks`, then a gap of `gapTicks`; the readout population with the most spikes in
/// the decision window is the network's answer, and in the training trials a reward follows
/// the answer. The schedule is a pure function of the tick, so every process that holds the
/// network (each pool's node, the controller, `run`) computes the same trials.
public struct TaskSpec: Sendable, Equatable {
    /// How training trials are reinforced.
    public enum Reward: String, Sendable, Equatable, CaseIterable {
        /// `dopamine` when the answer is right, `dopamineWrong` (if any) when it is wrong or
        /// no readout fired.
        case contingent
        /// The control: `dopamine` with probability `randomPermille / 1000` and
        /// `dopamineWrong` otherwise, drawn per trial whatever the answer.
        case random
    }

    /// One readout population: its spikes in the decision window vote for `answer`.
    public struct Readout: Sendable, Equatable {
        /// Index into `answers`.
        public var answer: Int
        /// Pool index and the neurons counted (half-open, within the pool).
        public var pool: Int
        public var neurons: Range<Int>

        public init(answer: Int, pool: Int, neurons: Range<Int>) {
            self.answer = answer
            self.pool = pool
            self.neurons = neurons
        }
    }

    /// The labels, 2…16 distinct names.
    public var labels: [String]
    /// Ticks a trial's stimulus lasts (its generators with `during` are on), ≥ 1.
    public var stimulusTicks: Int
    /// Ticks between one trial's stimulus and the next one's, ≥ 0.
    public var gapTicks: Int
    /// Training trials (rewarded), then test trials (no modulator is broadcast).
    public var trainTrials: Int
    public var testTrials: Int
    /// Seed of the presentation order and of the random control's draws.
    public var seed: UInt64
    /// The decision window, ticks from the trial's start: `decideFrom ..< decideTo`.
    public var decideFrom: Int
    public var decideTo: Int
    /// Ticks from the window's end to the reward, 1…`period`.
    public var lag: Int
    /// Dopamine level for a right answer, 0…255.
    public var dopamine: UInt8
    /// Level for a wrong answer (below the baseline: a dip); nil: nothing.
    public var dopamineWrong: UInt8?
    public var reward: Reward
    /// The random control's chance of `dopamine`, per mille (0…1000).
    public var randomPermille: Int
    /// At least one readout per answer.
    public var readouts: [Readout]
    /// The answers the readouts vote for (`answers`; by default the labels themselves) and
    /// the right one for each label (`answerOf[label]`): XOR's four input cases share two
    /// answers.
    public var answers: [String]
    public var answerOf: [Int]
    /// With an expectation (a critic), the broadcast is the reward prediction error: the
    /// level is `128 + (dopamine − 128)·(r − r̄)`, r = 1 for a reward and 0 otherwise, r̄ the
    /// mean of r over about this many past training trials (exponentially weighted). Reward
    /// that always comes then teaches nothing, as in Frémaux et al. (2010). Nil: the levels
    /// as given.
    public var expectationTrials: Int?

    public init(labels: [String], stimulusTicks: Int, gapTicks: Int, trainTrials: Int, testTrials: Int, seed: UInt64,
                decideFrom: Int, decideTo: Int, lag: Int, dopamine: UInt8, dopamineWrong: UInt8?, reward: Reward,
                randomPermille: Int, readouts: [Readout]) {
        self.labels = labels
        self.stimulusTicks = stimulusTicks
        self.gapTicks = gapTicks
        self.trainTrials = trainTrials
        self.testTrials = testTrials
        self.seed = seed
        self.decideFrom = decideFrom
        self.decideTo = decideTo
        self.lag = lag
        self.dopamine = dopamine
        self.dopamineWrong = dopamineWrong
        self.reward = reward
        self.randomPermille = randomPermille
        self.readouts = readouts
        answers = labels
        answerOf = Array(labels.indices)
    }

    /// The dopamine baseline every pool of a network file has.
    public static let dopamineBaseline = 128
    /// r̄ at the start, 1/65536: the chance of a reward for a network that has learned
    /// nothing — a right guess (1/answers), or the random control's probability.
    public var initialExpectation: Int { reward == .random ? randomPermille * 65536 / 1000 : 65536 / answers.count }

    /// Ticks from one trial's start to the next one's.
    public var period: Int { stimulusTicks + gapTicks }
    /// Training and test trials.
    public var trials: Int { trainTrials + testTrials }
    /// Ticks the whole task takes.
    public var ticks: UInt64 { UInt64(trials) * UInt64(period) }
    /// The pools holding readouts.
    public var readoutPools: Set<Int> { Set(readouts.map(\.pool)) }

    /// The trial tick `tick` falls in and its offset from the trial's start; nil after the
    /// last trial. O(1).
    @inline(__always)
    public func trial(at tick: UInt64) -> (trial: Int, offset: Int)? {
        guard tick < ticks else { return nil }
        let p = UInt64(period)
        return (Int(tick / p), Int(tick % p))
    }

    /// The label trial `k` shows. Trials come in blocks of `labels.count`, each block a
    /// permutation of the labels drawn from (`seed`, block): every label is shown equally
    /// often, in an order nothing in the network can predict. O(labels), no allocation.
    public func label(ofTrial k: Int) -> Int {
        let n = labels.count
        var random = PoolRandom(seed: Self.mix(seed, UInt64(k / n), 0x7461_736B_6F72_6465))
        // On the stack: generators ask this every tick.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { order in
            for i in 0 ..< n { order[i] = i }
            for i in stride(from: n - 1, to: 0, by: -1) {
                order.swapAt(i, Int(random.uniform(below: UInt64(i + 1))))
            }
            return order[k % n]
        }
    }

    /// Whether trial `k` is a training trial (rewarded).
    public func isTraining(_ k: Int) -> Bool { k < trainTrials }

    /// The random control's draw for trial `k`: whether it gets `dopamine`.
    public func randomReward(ofTrial k: Int) -> Bool {
        var random = PoolRandom(seed: Self.mix(seed, UInt64(k), 0x7261_6E64_6F6D_7277))
        return random.uniform(below: 1000) < UInt64(randomPermille)
    }

    /// The tick trial `k`'s decision window ends at (exclusive): its decision is made when
    /// every readout pool has simulated the ticks before it.
    public func decisionEnd(ofTrial k: Int) -> UInt64 { UInt64(k) * UInt64(period) + UInt64(decideTo) }

    /// A 64-bit mix of a seed and two words: splitmix64's output function over
    /// `seed + a·γ + b` (`splitmix64` adds the one γ itself).
    static func mix(_ seed: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 {
        NetworkDescription.splitmix64(seed &+ (a &- 1) &* 0x9E37_79B9_7F4A_7C15 &+ b)
    }
}

/// Restricts a generator to the stimulus of some labels' trials (`during` in `[[generator]]`).
public struct TrialGate: Sendable, Equatable {
    /// The task's schedule (a copy: a generator needs nothing else of it).
    public var task: TaskSpec
    /// Bit `l` set: on during trials showing label `l`.
    public var labels: UInt32

    public init(task: TaskSpec, labels: UInt32) {
        self.task = task
        self.labels = labels
    }

    /// The offset into the current trial when `tick` falls in the stimulus of a trial this
    /// gate opens for, else nil. O(labels).
    public func offset(at tick: UInt64) -> Int? {
        guard let (k, offset) = task.trial(at: tick), offset < task.stimulusTicks,
              labels & (1 << UInt32(task.label(ofTrial: k))) != 0 else { return nil }
        return offset
    }
}
