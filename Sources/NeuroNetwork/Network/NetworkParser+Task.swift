/// `[task]` and its `[[task.readout]]`s.
extension NetworkKeys {
    static let task = ["labels", "trial_ms", "gap_ms", "train_trials", "test_trials", "seed", "decide_from_ms", "decide_to_ms",
                       "reward_lag_ms", "dopamine", "dopamine_wrong", "reward", "random_reward_probability", "expectation_trials", "answers", "readout"]
    static let taskReadout = ["label", "answer", "population"]
}

extension NetworkParser {
    /// Most labels a task may have (a generator's `during` is a 32-bit mask; 16 keeps the
    /// per-tick label draw short).
    static let maxTaskLabels = 16
    /// Most ticks a task may take.
    static let maxTaskTicks: UInt64 = 1 << 40

    /// The `[task]` table, if any.
    func task(_ top: NetworkFields, pools: [PoolSpec], names: [String: Int], networkSeed: UInt64,
              tickMicroseconds: Int) throws(NetworkFileError) -> TaskSpec? {
        guard let node = top["task"] else { return nil }
        let f = try table(node, path: "task", header: "[task]")
        try checkKeys(f, allowed: NetworkKeys.task)
        let dt = Double(tickMicroseconds) / 1000

        guard let labelNode = f["labels"] else { throw missing(f, "labels") }
        guard case .array(let items) = labelNode else { throw wrongType(f, "labels", "an array of label names like [\"left\", \"right\"]", labelNode) }
        var labels: [String] = []
        for item in items {
            guard case .string(let name) = item, Self.isTaskName(name) else {
                throw fail(f.keyPath("labels"), "labels holds \(item.summary): expected names of 1…64 letters, digits, _ or -")
            }
            guard !labels.contains(name) else { throw fail(f.keyPath("labels"), "label \"\(name)\" is given twice") }
            labels.append(name)
        }
        guard (2 ... Self.maxTaskLabels).contains(labels.count) else {
            throw fail(f.keyPath("labels"), "\(labels.count) label(s): expected 2...\(Self.maxTaskLabels)")
        }

        /// A duration in ms as whole ticks, at least `least` ticks.
        func ticks(_ key: String, default value: Double? = nil, least: Int) throws(NetworkFileError) -> Int {
            guard let ms = try double(f, key) ?? value else { throw missing(f, key) }
            let t = (ms / dt).rounded()
            guard ms.isFinite, t >= Double(least), t <= 1e9 else {
                throw fail(f.keyPath(key), "\(key) = \(ms) ms is out of range: expected \(least == 0 ? "0" : "at least \(least) tick(s) (\(Double(least) * dt) ms)")…\(1e9 * dt) ms")
            }
            return Int(t)
        }
        let stimulus = try ticks("trial_ms", least: 1)
        let gap = try ticks("gap_ms", default: 0, least: 0)
        let period = stimulus + gap
        let train = try int(f, "train_trials", in: 0 ... 100_000_000) ?? 0
        let test = try int(f, "test_trials", in: 0 ... 100_000_000) ?? 0
        guard train + test >= 1 else { throw fail(f.path, "the task has no trials: give train_trials or test_trials") }
        guard UInt64(train + test) * UInt64(period) <= Self.maxTaskTicks else {
            throw fail(f.path, "\(train + test) trials of \(period) ticks take more than \(Self.maxTaskTicks) ticks")
        }
        let from = try ticks("decide_from_ms", default: 0, least: 0)
        let to = try ticks("decide_to_ms", default: Double(stimulus) * dt, least: 1)
        guard from < to, to <= period else {
            throw fail(f.keyPath("decide_to_ms"), "the decision window \(Double(from) * dt)…\(Double(to) * dt) ms must be non-empty and end within the trial's \(Double(period) * dt) ms (trial_ms + gap_ms)")
        }
        let lag = try ticks("reward_lag_ms", default: dt, least: 1)
        guard lag <= period else {
            throw fail(f.keyPath("reward_lag_ms"), "reward_lag_ms = \(Double(lag) * dt) ms is longer than a trial (\(Double(period) * dt) ms): expected 1 tick…trial_ms + gap_ms")
        }
        let dopamine = try required(f, "dopamine", level(f, "dopamine"))
        let wrong = try level(f, "dopamine_wrong")
        let modeName = try string(f, "reward") ?? "contingent"
        guard let mode = TaskSpec.Reward(rawValue: modeName) else {
            throw fail(f.keyPath("reward"), "reward = \"\(modeName)\" is not a reward mode: expected \"contingent\" or \"random\" (the control)")
        }
        var permille = 1000 / labels.count
        if let p = try double(f, "random_reward_probability") {
            guard mode == .random else { throw fail(f.keyPath("random_reward_probability"), "random_reward_probability belongs to reward = \"random\"") }
            guard p.isFinite, (0 ... 1).contains(p) else {
                throw fail(f.keyPath("random_reward_probability"), "random_reward_probability = \(p) is out of range: expected 0...1")
            }
            permille = Int((p * 1000).rounded())
        }
        let seed = try uint64(f, "seed") ?? TaskSpec.mix(networkSeed, 0x7461_736B, 0)
        let expectation = try int(f, "expectation_trials", in: 1 ... 1_000_000)
        if expectation != nil, f.has("dopamine_wrong") {
            throw fail(f.keyPath("dopamine_wrong"), "dopamine_wrong and expectation_trials do not go together: with an expectation a wrong answer gets 128 − (dopamine − 128)·r̄")
        }

        // The answers: the labels themselves, or `answers`, one per label (repeats share one).
        var answers = labels
        var answerOf = Array(labels.indices)
        if let node = f["answers"] {
            guard case .array(let items) = node, items.count == labels.count else {
                throw wrongType(f, "answers", "an array of \(labels.count) answer names, one per label", node)
            }
            answers = []
            answerOf = []
            for item in items {
                guard case .string(let name) = item, Self.isTaskName(name) else {
                    throw fail(f.keyPath("answers"), "answers holds \(item.summary): expected names of 1…64 letters, digits, _ or -")
                }
                if let a = answers.firstIndex(of: name) { answerOf.append(a) } else { answerOf.append(answers.count); answers.append(name) }
            }
            guard answers.count >= 2 else { throw fail(f.keyPath("answers"), "answers names one answer: a task needs at least two") }
        }
        let byLabel = f["answers"] == nil
        var readouts: [TaskSpec.Readout] = []
        for r in try arrayOfTables(f, "readout", header: "[[task.readout]]") {
            try checkKeys(r, allowed: NetworkKeys.taskReadout)
            let key = byLabel ? "label" : "answer"
            if r.has(byLabel ? "answer" : "label") {
                throw fail(r.keyPath(byLabel ? "answer" : "label"), byLabel ? "answer names one of the task's answers, and the task has none: use label, or give [task] answers" : "with [task] answers, a readout names its answer: write answer instead of label")
            }
            let name = try required(r, key, string(r, key))
            guard let answer = answers.firstIndex(of: name) else {
                throw fail(r.keyPath(key), "\(key) \"\(name)\" is not one of the task's \(key)s: \(answers.joined(separator: ", "))")
            }
            let (pool, neurons) = try populationReference(r, "population", pools: pools, names: names)
            if let clash = readouts.first(where: { $0.pool == pool && $0.neurons.overlaps(neurons) }) {
                throw fail(r.keyPath("population"), "neurons [\(neurons.lowerBound), \(neurons.upperBound)) of pool \(pools[pool].name) are already the readout of \(key) \"\(answers[clash.answer])\": readouts must not overlap")
            }
            readouts.append(TaskSpec.Readout(answer: answer, pool: pool, neurons: neurons))
        }
        for (a, name) in answers.enumerated() where !readouts.contains(where: { $0.answer == a }) {
            let key = byLabel ? "label" : "answer"
            throw fail(f.path, "\(key) \"\(name)\" has no readout: add a [[task.readout]] with \(key) = \"\(name)\"")
        }
        var spec = TaskSpec(labels: labels, stimulusTicks: stimulus, gapTicks: gap, trainTrials: train, testTrials: test, seed: seed,
                            decideFrom: from, decideTo: to, lag: lag, dopamine: dopamine, dopamineWrong: wrong, reward: mode,
                            randomPermille: permille, readouts: readouts)
        spec.expectationTrials = expectation
        spec.answers = answers
        spec.answerOf = answerOf
        return spec
    }

    /// A label's or answer's name: 1…64 letters, digits, `_` or `-`.
    static func isTaskName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0" ... "9").contains($0) || $0 == "_" || $0 == "-" }
    }

    /// A generator's `during`: a label or an array of labels of the task; nil when absent.
    func trialGate(_ f: NetworkFields, task: TaskSpec?) throws(NetworkFileError) -> TrialGate? {
        guard let node = f["during"] else { return nil }
        guard let task else { throw fail(f.keyPath("during"), "during names labels of a [task], and the network has none") }
        let items: [NetworkTOMLNode]
        if case .array(let list) = node { items = list } else { items = [node] }
        var mask: UInt32 = 0
        for item in items {
            guard case .string(let name) = item, let l = task.labels.firstIndex(of: name) else {
                throw fail(f.keyPath("during"), "during holds \(item.summary): expected labels of the task (\(task.labels.joined(separator: ", ")))")
            }
            mask |= 1 << UInt32(l)
        }
        guard mask != 0 else { throw fail(f.keyPath("during"), "during is empty: name at least one label") }
        return TrialGate(task: task, labels: mask)
    }
}
