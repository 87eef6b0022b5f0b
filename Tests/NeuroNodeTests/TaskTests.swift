import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// `[task]`: the schedule, the referee's decisions and reinforcement, its errors, and a run
/// of the discrimination example's network.
@Suite("Tasks of labelled trials")
struct TaskTests {
    /// The discrimination example with its task rewritten by `edits` (key = value lines of
    /// `[task]` replaced or added).
    static func discrimination(_ edits: [String: String] = [:], projection: [String: String] = [:]) throws -> String {
        try example("discrimination", edits, projection: projection)
    }

    /// `examples/NAME.toml` with `edits` to its `[task]` and `projection` keys replaced.
    static func example(_ name: String, _ edits: [String: String] = [:], projection: [String: String] = [:]) throws -> String {
        var text = try String(contentsOf: LearningExperimentTests.root.appendingPathComponent("examples/\(name).toml"), encoding: .utf8)
        for (key, value) in edits {
            if let range = text.range(of: "\n\(key) = [^\n]*", options: .regularExpression) {
                text.replaceSubrange(range, with: "\n\(key) = \(value)")
            } else {
                text = text.replacingOccurrences(of: "[task]", with: "[task]\n\(key) = \(value)")
            }
        }
        for (key, value) in projection {
            text = text.replacingOccurrences(of: "\n\(key) = [^\n]*", with: "\n\(key) = \(value)", options: .regularExpression)
        }
        return text
    }

    static func parse(_ text: String) throws(NetworkFileError) -> NetworkDescription {
        try NetworkDescription.parse(Array(text.utf8), file: "task.toml")
    }

    /// The key path of the error parsing `text` gives; nil when it parses.
    static func errorKey(_ text: String) -> String?? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return .some(error.key)
        }
    }

    static func task(labels: Int = 2, train: Int = 6, test: Int = 4, reward: TaskSpec.Reward = .contingent,
                     expectation: Int? = nil, readouts: [TaskSpec.Readout]? = nil) -> TaskSpec {
        var t = TaskSpec(labels: (0 ..< labels).map { "L\($0)" }, stimulusTicks: 10, gapTicks: 5, trainTrials: train, testTrials: test,
                         seed: 9, decideFrom: 2, decideTo: 12, lag: 3, dopamine: 200, dopamineWrong: 60, reward: reward,
                         randomPermille: 500, readouts: readouts ?? (0 ..< labels).map { TaskSpec.Readout(answer: $0, pool: $0, neurons: 0 ..< 4) })
        if let expectation {
            t.expectationTrials = expectation
            t.dopamineWrong = nil
        }
        return t
    }

    // MARK: Schedule

    @Test func everyBlockShowsEachLabelOnceInASeededOrder() {
        for labels in [2, 3, 5] {
            let t = Self.task(labels: labels, train: 60, test: 0)
            var orders: Set<[Int]> = []
            for block in 0 ..< 20 {
                let order = (0 ..< labels).map { t.label(ofTrial: block * labels + $0) }
                #expect(order.sorted() == Array(0 ..< labels), "block \(block): \(order)")
                orders.insert(order)
            }
            #expect(orders.count > 1, "every block of \(labels) labels came in the same order")
        }
        var other = Self.task(train: 60, test: 0)
        other.seed = 10
        let a = (0 ..< 60).map { Self.task(train: 60, test: 0).label(ofTrial: $0) }
        #expect(a == (0 ..< 60).map { Self.task(train: 60, test: 0).label(ofTrial: $0) })
        #expect(a != (0 ..< 60).map { other.label(ofTrial: $0) })
    }

    @Test func ticksMapToTrialsAndTheGateOpensOnlyForItsLabels() {
        let t = Self.task()
        #expect(t.ticks == 150)
        #expect(t.trial(at: 0)! == (0, 0))
        #expect(t.trial(at: 14)! == (0, 14))
        #expect(t.trial(at: 15)! == (1, 0))
        #expect(t.trial(at: 149)! == (9, 14))
        #expect(t.trial(at: 150) == nil)
        let gate = TrialGate(task: t, labels: 1 << 1)
        for tick in UInt64(0) ..< 160 {
            let open = t.trial(at: tick).map { $0.offset < 10 && t.label(ofTrial: $0.trial) == 1 } ?? false
            #expect((gate.offset(at: tick) != nil) == open, "tick \(tick)")
        }
    }

    // MARK: Referee

    /// Feeds `spikes(pool, tick)` for every tick of the task, pool 1 a few ticks behind pool
    /// 0, and returns the broadcasts released (tick, level) and the trials.
    static func referee(_ t: TaskSpec, spikes: (Int, UInt64) -> [UInt16]) -> (broadcasts: [(UInt64, UInt8)], trials: [TrialResult]) {
        var schedule = RewardSchedule(rules: [], task: t)
        var out: [(UInt64, UInt8)] = []
        var trials: [TrialResult] = []
        for tick in 0 ..< t.ticks + 4 {
            schedule.observe(pool: 0, tick: tick, spikes: spikes(0, tick))
            if tick >= 4 { schedule.observe(pool: 1, tick: tick - 4, spikes: spikes(1, tick - 4)) }
            for b in schedule.release() { out.append((b.tick, b.levels.dopamine!)) }
            trials += schedule.takeTrials()
        }
        return (out, trials)
    }

    @Test func eachTrialIsDecidedByTheMostReadoutSpikesInItsWindow() {
        let t = Self.task()
        // Pool k's readout fires 1 spike per tick when trial k… shows label k, except trial 3,
        // where both fire equally (a tie), and spikes outside the window never count.
        let (broadcasts, trials) = Self.referee(t) { pool, tick in
            guard let (k, offset) = t.trial(at: tick) else { return [] }
            if offset < t.decideFrom || offset >= t.decideTo { return [0, 1, 2, 3] }
            if k == 3 { return [0] }
            return t.label(ofTrial: k) == pool ? [0, 1] : (k == 5 ? [0, 1, 2] : [])
        }
        #expect(trials.map(\.trial) == Array(0 ..< 10))
        for r in trials {
            let window = t.decideTo - t.decideFrom
            switch r.trial {
            case 3: #expect(r.decision == nil && r.counts == [window, window])
            case 5: #expect(r.decision == 1 - r.label, "trial 5 is answered wrong")
            default: #expect(r.decision == r.label && r.counts[r.label] == 2 * window && r.counts[1 - r.label] == 0)
            }
            #expect(r.training == (r.trial < 6))
        }
        // Training trials only, each at its window's end + lag: right 200, wrong (or tie) 60.
        let expected = trials.filter(\.training).map { r in (UInt64(r.trial * t.period + t.decideTo + t.lag), r.correct ? UInt8(200) : 60) }
        #expect(broadcasts.map(\.0) == expected.map(\.0))
        #expect(broadcasts.map(\.1) == expected.map(\.1))
    }

    @Test func withAnExpectationTheBroadcastIsThePredictionError() {
        let t = Self.task(train: 8, test: 0, expectation: 4)
        // Always right: r̄ climbs from 1/2 toward 1 and the pulse shrinks toward baseline.
        let (broadcasts, _) = Self.referee(t) { pool, tick in
            guard let (k, _) = t.trial(at: tick) else { return [] }
            return t.label(ofTrial: k) == pool ? [0] : []
        }
        var expectation = 65536 / 2
        var levels: [UInt8] = []
        for _ in 0 ..< 8 {
            let error = 72 * (65536 - expectation)
            levels.append(UInt8(128 + (error + 32768) >> 16))
            expectation += (65536 - expectation) / 4
        }
        #expect(broadcasts.map(\.1) == levels)
        #expect(levels.first == 164 && levels.last! < 140)
    }

    @Test func theRandomControlRewardsWhateverTheAnswer() {
        let t = Self.task(train: 200, test: 0, reward: .random)
        let (broadcasts, trials) = Self.referee(t) { _, _ in [] }
        #expect(trials.allSatisfy { $0.decision == nil })
        let rewarded = broadcasts.filter { $0.1 == 200 }.count
        #expect(broadcasts.count == 200)
        #expect((70 ... 130).contains(rewarded), "\(rewarded) of 200 at probability 0.5")
        #expect(rewarded == (0 ..< 200).filter { t.randomReward(ofTrial: $0) }.count)
    }

    @Test func aRestoredRefereeContinuesAsIfUninterrupted() throws {
        let t = Self.task(train: 10, test: 2, expectation: 3)
        func spikes(_ pool: Int, _ tick: UInt64) -> [UInt16] { (tick * 7 + UInt64(pool) * 3) % 5 < 2 ? [0, 1] : [2] }
        func run(from start: UInt64, _ schedule: inout RewardSchedule) -> [UInt8] {
            var levels: [UInt8] = []
            for tick in start ..< t.ticks {
                schedule.observe(pool: 0, tick: tick, spikes: spikes(0, tick))
                schedule.observe(pool: 1, tick: tick, spikes: spikes(1, tick))
                levels += schedule.release().map { $0.levels.dopamine! }
            }
            return levels
        }
        var whole = RewardSchedule(rules: [], task: t)
        let all = run(from: 0, &whole)
        for cut in [UInt64(20), 33, 44, 61] {
            var first = RewardSchedule(rules: [], task: t)
            var before: [UInt8] = []
            for tick in 0 ..< cut {
                first.observe(pool: 0, tick: tick, spikes: spikes(0, tick))
                first.observe(pool: 1, tick: tick, spikes: spikes(1, tick))
                before += first.release().map { $0.levels.dopamine! }
            }
            let state = first.state(cut: cut)
            #expect(state.taskExpectation != nil)
            var second = try RewardSchedule(rules: [], task: t, restoredAt: cut, state: state)
            #expect(before + run(from: cut, &second) == all, "cut at \(cut)")
        }
        // A manifest's task state is checked before use.
        var bad = whole.state(cut: 20)
        bad.task = [1, 2, 3]
        #expect(throws: SnapshotError.self) { try RewardSchedule.check(bad, rules: [], task: t, tick: 20) }
        bad.task = []
        bad.taskExpectation = nil
        #expect(throws: SnapshotError.self) { try RewardSchedule.check(bad, rules: [], task: t, tick: 20) }
    }

    // MARK: Errors

    @Test(arguments: [
        ("labels = [\"A\"]", "task.labels"),
        ("labels = [\"A\", \"A\"]", "task.labels"),
        ("decide_to_ms = 600.0", "task.decide_to_ms"),
        ("reward_lag_ms = 900.0", "task.reward_lag_ms"),
        ("reward = \"sometimes\"", "task.reward"),
        ("dopamine_wrong = 60", "task.dopamine_wrong"),
        ("random_reward_probability = 0.5", "task.random_reward_probability"),
        ("train_trials = 0\ntest_trials = 0", "task"),
    ])
    func badTaskKeysAreNamed(edit: String, key: String) throws {
        let parts = edit.split(separator: "\n").map { $0.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) } }
        let text = try Self.discrimination(Dictionary(uniqueKeysWithValues: parts.map { ($0[0], $0[1]) }))
        #expect(Self.errorKey(text) == .some(key), "\(edit)")
    }

    @Test func readoutsAndGatesAreChecked() throws {
        let base = try Self.discrimination()
        let cases: [(String, String, String)] = [
            ("label = \"B\"\n  population = \"right.E\"", "label = \"C\"\n  population = \"right.E\"", "task.readout[1].label"),
            ("label = \"B\"\n  population = \"right.E\"", "label = \"A\"\n  population = \"right.E\"", "task"),
            ("label = \"B\"\n  population = \"right.E\"", "label = \"B\"\n  population = \"left.E\"", "task.readout[1].population"),
            ("during = \"A\"", "during = \"C\"", "generator[2].during"),
            ("during = \"A\"", "during = []", "generator[2].during"),
        ]
        for (from, to, key) in cases {
            #expect(base.contains(from))
            #expect(Self.errorKey(base.replacingOccurrences(of: from, with: to)) == .some(key), "\(to)")
        }
        let withoutTask = base.replacingOccurrences(of: "[task]", with: "[not_a_task]")
        #expect(throws: NetworkFileError.self) { try Self.parse(withoutTask) }
    }

    @Test func answersGroupLabels() throws {
        let xor = try Self.example("xor")
        let path = LearningExperimentTests.root.appendingPathComponent("examples/xor.toml").path
        let network = try NetworkDescription.parse(Array(xor.utf8), file: path)
        let task = try #require(network.task)
        #expect(task.answers == ["off", "on"])
        #expect(task.answerOf == [0, 1, 1, 0])
        #expect(task.initialExpectation == 32768)
        func key(_ text: String) -> String?? {
            do { _ = try NetworkDescription.parse(Array(text.utf8), file: path); return nil } catch { return .some(error.key) }
        }
        #expect(key(xor.replacingOccurrences(of: "answer = \"on\"", with: "label = \"on\"")) == .some("task.readout[0].label"))
        #expect(key(xor.replacingOccurrences(of: "answer = \"on\"", with: "answer = \"maybe\"")) == .some("task.readout[0].answer"))
        #expect(key(xor.replacingOccurrences(of: "answers = [\"off\", \"on\", \"on\", \"off\"]", with: "answers = [\"off\", \"on\"]")) == .some("task.answers"))
        #expect(key(xor.replacingOccurrences(of: "answers = [\"off\", \"on\", \"on\", \"off\"]", with: "answers = [\"on\", \"on\", \"on\", \"on\"]")) == .some("task.answers"))
        // A spike train gated by labels counts from each trial's start: no period, no event
        // past the stimulus.
        #expect(key(xor.replacingOccurrences(of: "file = \"xor-early.csv\"", with: "file = \"xor-early.csv\"\nperiod = 10.0")) == .some("generator[2].period"))
        #expect(key(xor.replacingOccurrences(of: "trial_ms = 20.0", with: "trial_ms = 5.0")) == .some("generator[3].file"))
        // Without answers, a readout names a label.
        #expect(key(try Self.discrimination().replacingOccurrences(of: "label = \"A\"", with: "answer = \"A\"")) == .some("task.readout[0].answer"))
    }

    // MARK: Runs

    /// Test accuracy of the discrimination example at a reduced size (300 training trials at
    /// twice the learning rate, 60 test trials), rewarded or with reward at random.
    static func discriminationAccuracy(control: Bool) throws -> (train: Double, test: Double) {
        var edits = ["train_trials": "300", "test_trials": "60"]
        if control { edits["reward"] = "\"random\""; edits["random_reward_probability"] = "0.9" }
        let network = try parse(try discrimination(edits, projection: ["learning_rate": "0.5"]))
        var score = TaskScore()
        _ = try LocalRun.run(network: network, ticks: network.task!.ticks, out: nil, onTrials: { score.add($0) })
        return (score.trainAccuracy ?? 0, score.testAccuracy ?? 0)
    }

    /// XOR by spike timing (`examples/xor.toml`) at a reduced size (800 training trials at
    /// twice the learning rate, seed 2): ≥ 90 % of the test trials right when rewarded, at
    /// most 60 % with reward at random.
    @Test func xorBySpikeTimingIsLearnedOnlyWhenTheRewardFollowsTheAnswer() throws {
        func accuracy(control: Bool) throws -> (train: Double, test: Double) {
            var edits = ["train_trials": "800"]
            if control { edits["reward"] = "\"random\""; edits["random_reward_probability"] = "0.8" }
            let text = try Self.example("xor", edits, projection: ["learning_rate": "1.0"]).replacingOccurrences(of: "\nseed = 1\n", with: "\nseed = 2\n")
            let network = try NetworkDescription.parse(Array(text.utf8), file: LearningExperimentTests.root.appendingPathComponent("examples/xor.toml").path)
            var score = TaskScore()
            _ = try LocalRun.run(network: network, ticks: network.task!.ticks, out: nil, onTrials: { score.add($0) })
            return (score.trainAccuracy ?? 0, score.testAccuracy ?? 0)
        }
        let rewarded = try accuracy(control: false)
        let control = try accuracy(control: true)
        #expect(rewarded.test >= 0.9, "rewarded: \(rewarded)")
        #expect(control.test <= 0.6, "control: \(control)")
    }

    /// Learned by reward alone, judged on test trials with nothing broadcast: the rewarded
    /// network answers ≥ 90 % right; the same network rewarded at random (as often as the
    /// rewarded one earns it) stays at chance.
    @Test func discriminationIsLearnedOnlyWhenTheRewardFollowsTheAnswer() throws {
        let rewarded = try Self.discriminationAccuracy(control: false)
        let control = try Self.discriminationAccuracy(control: true)
        #expect(rewarded.test >= 0.9, "rewarded: \(rewarded)")
        #expect(control.test <= 0.6, "control: \(control)")
        #expect(rewarded.train >= 0.8 && control.train <= 0.6, "rewarded \(rewarded), control \(control)")
    }

    /// The discrimination example, shortened, through `LocalRun`: the task's trials come out
    /// in order, and a generator with `during` drives its group only in its label's stimulus.
    @Test func aRunDecidesEveryTrialAndGatesTheStimulus() throws {
        let network = try Self.parse(try Self.discrimination(["train_trials": "6", "test_trials": "4"]))
        let task = try #require(network.task)
        var trials: [TrialResult] = []
        var inputSpikes: [(UInt64, UInt16)] = []
        _ = try LocalRun.run(network: network, ticks: task.ticks, out: nil, progressEvery: 1, progress: nil, observe: { tick, pools, _ in
            for id in pools[0].pool.lastSpikes { inputSpikes.append((tick - 1, id)) }
        }, onTrials: { trials += $0 })
        #expect(trials.map(\.trial) == Array(0 ..< 10))
        #expect(trials.map(\.training) == Array(repeating: true, count: 6) + Array(repeating: false, count: 4))
        #expect(trials.map(\.label) == (0 ..< 10).map { task.label(ofTrial: $0) })
        #expect(!inputSpikes.isEmpty)
        for (tick, id) in inputSpikes {
            // Group A is neurons 0..<40, B 40..<80; a spike lags its drive by up to a refractory period.
            let (k, offset) = try #require(task.trial(at: tick))
            #expect(offset <= task.stimulusTicks + 2, "input neuron \(id) fired at tick \(tick), outside a stimulus")
            #expect(task.label(ofTrial: k) == (id < 40 ? 0 : 1), "input neuron \(id) fired in a trial of the other label")
        }
    }
}
