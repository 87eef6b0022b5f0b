import Testing
import NeuroNode
import NeuroNetwork
import NeuroEngine

// The [[reward]] kinds: what a file gives, its defaults, and one test per validation rule.
// (`reward(_:)` is in NetworkProjectionRulesTests: a [[reward]] table on `baseNetwork`.)

@Test func rewardKindsParse() throws {
    let text = baseNetwork + """

        [[reward]]
        pool = "b"
        every = 50
        min_spikes = 3
        dopamine = 10

        [[reward]]
        kind = "pairing"
        pool = "b"
        pre = 3
        post = 19
        window = 20
        delay = [1000, 3000]
        dopamine = 250

        [[reward]]
        kind = "contest"
        pool = "a"
        neurons = [0, 5]
        versus = [5, 10]
        every = 100
        dopamine = 200

        [[reward]]
        kind = "contest"
        pool = "b"
        neurons = [10, 20]
        versus = [0, 10]
        every = 100
        start = 30
        window = 50
        min_spikes = 4
        lag = 100
        dopamine = 0

        [[reward]]
        kind = "count"
        pool = "a"
        every = 10
        min_spikes = 1
        dopamine = 1

        """
    let d = try #require(parsed(text))
    #expect(d.rewards.count == 5)
    #expect(d.rewards[0] == RewardRule(pool: 1, neurons: 0 ..< 20, every: 50, minSpikes: 3, dopamine: 10, lag: 1))
    #expect(d.rewards[1] == RewardRule(pool: 1, dopamine: 250, kind: .pairing(RewardPairing(pre: 3, post: 19, window: 20, delay: 1000 ... 3000,
                                                                                        seed: NetworkDescription.derivedRewardSeed(networkSeed: 1, index: 1)))))
    // Contest defaults: start 0, window every − start, min_spikes 1, lag 1.
    #expect(d.rewards[2] == RewardRule(pool: 0, dopamine: 200, kind: .contest(RewardWindow(neurons: 0 ..< 5, every: 100, start: 0, window: 100, minSpikes: 1, lag: 1),
                                                                               versus: 5 ..< 10)))
    #expect(d.rewards[3] == RewardRule(pool: 1, dopamine: 0, kind: .contest(RewardWindow(neurons: 10 ..< 20, every: 100, start: 30, window: 50, minSpikes: 4, lag: 100),
                                                                             versus: 0 ..< 10)))
    #expect(d.rewards[4] == RewardRule(pool: 0, neurons: 0 ..< 10, every: 10, minSpikes: 1, dopamine: 1, lag: 1))
    // A contest's default window runs to the end of the period.
    let late = try #require(parsed(reward("kind = \"contest\"\npool = \"a\"\nneurons = [0, 2]\nversus = [2, 4]\nevery = 100\nstart = 70\ndopamine = 1")))
    guard case .contest(let w, _) = late.rewards[0].kind else { Issue.record("not a contest"); return }
    #expect(w.start == 70 && w.window == 30)
}

@Test func rewardKindAndKeysAreChecked() {
    expectError(reward("kind = \"timing\"\npool = \"a\"\ndopamine = 1"), key: "reward[0].kind",
                "kind \"timing\" is not a reward kind", "\"count\", \"contest\" or \"pairing\"")
    expectError(reward("kind = 2\npool = \"a\"\ndopamine = 1"), key: "reward[0].kind", "expected a string")
    // A key of another kind is named as such; a key of none is unknown, as before.
    expectError(reward("kind = \"pairing\"\npool = \"a\"\npre = 1\npost = 2\nwindow = 5\ndelay = [1, 2]\ndopamine = 1\nversus = [0, 3]"),
                key: "reward[0].versus", "versus does not belong to kind = \"pairing\"", "kind = \"contest\"", "Allowed keys: delay, dopamine, kind, pool, post, pre, window.")
    expectError(reward("pool = \"a\"\nevery = 10\nmin_spikes = 1\ndopamine = 1\ndelay = [1, 2]"),
                key: "reward[0].delay", "delay does not belong to kind = \"count\"", "kind = \"pairing\"")
    expectError(reward("pool = \"a\"\nevery = 10\nmin_spikes = 1\ndopamine = 1\nstart = 2"),
                key: "reward[0].start", "start does not belong to kind = \"count\"", "kind = \"contest\"")
    expectError(reward("kind = \"contest\"\npool = \"a\"\nneurons = [0, 2]\nversus = [2, 4]\nevery = 10\ndopamine = 1\npre = 1"),
                key: "reward[0].pre", "pre does not belong to kind = \"contest\"")
    expectError(reward("kind = \"pairing\"\npool = \"a\"\nevery = 10\npre = 1"), key: "reward[0].every", "every does not belong to kind = \"pairing\"",
                "kind = \"count\" and kind = \"contest\"")
    expectError(reward("pool = \"a\"\nevry = 10\nmin_spikes = 1\ndopamine = 1"), key: "reward[0].evry", "unknown key 'evry' in [[reward]]; did you mean 'every'?")
}

@Test func pairingRewardRules() {
    func pairing(_ lines: String) -> String {
        reward("kind = \"pairing\"\npool = \"b\"\n" + lines)
    }
    let rest = "window = 5\ndelay = [10, 20]\ndopamine = 200"
    expectError(pairing("pre = 20\npost = 1\n" + rest), key: "reward[0].pre", "pre = 20 is not a neuron of pool \"b\" (20 neurons)", "0...19")
    expectError(pairing("pre = -1\npost = 1\n" + rest), key: "reward[0].pre", "pre = -1 is not a neuron of pool \"b\"")
    expectError(pairing("pre = 1\npost = 5000\n" + rest), key: "reward[0].post", "post = 5000 is not a neuron of pool \"b\" (20 neurons)")
    expectError(pairing("post = 1\n" + rest), key: "reward[0].pre", "missing required key 'pre'")
    expectError(pairing("pre = 1\n" + rest), key: "reward[0].post", "missing required key 'post'")
    expectError(pairing("pre = 4\npost = 4\n" + rest), key: "reward[0].post", "post = 4 is the pre neuron")
    expectError(pairing("pre = 1\npost = 2\nwindow = 0\ndelay = [10, 20]\ndopamine = 1"), key: "reward[0].window", "window = 0 is out of range: expected 1...1000")
    expectError(pairing("pre = 1\npost = 2\nwindow = 1001\ndelay = [10, 20]\ndopamine = 1"), key: "reward[0].window", "1...1000")
    expectError(pairing("pre = 1\npost = 2\ndelay = [10, 20]\ndopamine = 1"), key: "reward[0].window", "missing required key 'window'")
    expectError(pairing("pre = 1\npost = 2\nwindow = 5\ndelay = [3000, 1000]\ndopamine = 1"), key: "reward[0].delay", "delay = [3000, 1000] is reversed")
    expectError(pairing("pre = 1\npost = 2\nwindow = 5\ndelay = [0, 10]\ndopamine = 1"), key: "reward[0].delay",
                "delay = [0, 10] is out of range", "1 <= min <= max <= 1000000")
    expectError(pairing("pre = 1\npost = 2\nwindow = 5\ndelay = [10, 1000001]\ndopamine = 1"), key: "reward[0].delay", "delay = [10, 1000001] is out of range")
    expectError(pairing("pre = 1\npost = 2\nwindow = 5\ndelay = 10\ndopamine = 1"), key: "reward[0].delay", "expected an array of two integers")
    expectError(pairing("pre = 1\npost = 2\nwindow = 5\ndopamine = 1"), key: "reward[0].delay", "missing required key 'delay'")
    expectError(pairing("pre = 1\npost = 2\nwindow = 5\ndelay = [1, 1]\ndopamine = 256"), key: "reward[0].dopamine", "0...255")
    expectError(pairing("pre = 1\npost = 2\nwindow = 5\ndelay = [1, 1]"), key: "reward[0].dopamine", "missing required key 'dopamine'")
    expectError(reward("kind = \"pairing\"\npre = 1"), key: "reward[0].pool", "missing required key 'pool'")
}

@Test func contestRewardRules() {
    func contest(_ lines: String) -> String {
        reward("kind = \"contest\"\npool = \"b\"\n" + lines)
    }
    expectError(contest("versus = [5, 10]\nevery = 100\ndopamine = 1"), key: "reward[0].neurons", "missing required key 'neurons'")
    expectError(contest("neurons = [0, 5]\nevery = 100\ndopamine = 1"), key: "reward[0].versus", "missing required key 'versus'")
    expectError(contest("neurons = [0, 5]\nversus = [15, 21]\nevery = 100\ndopamine = 1"), key: "reward[0].versus", "versus [15, 21) reaches beyond pool 'b' of 20 neurons")
    expectError(contest("neurons = [0, 5]\nversus = [4, 10]\nevery = 100\ndopamine = 1"), key: "reward[0].versus",
                "versus [4, 10) overlaps neurons [0, 5)", "disjoint")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\ndopamine = 1"), key: "reward[0].every", "missing required key 'every'")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\nevery = 0\ndopamine = 1"), key: "reward[0].every", "1...1000000")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\nevery = 100\nstart = 100\ndopamine = 1"), key: "reward[0].start",
                "start = 100 is out of range: expected 0...99")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\nevery = 100\nstart = -1\ndopamine = 1"), key: "reward[0].start", "start = -1")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\nevery = 100\nstart = 30\nwindow = 71\ndopamine = 1"), key: "reward[0].window",
                "window = 71 with start = 30 does not fit in every = 100: expected 1...70")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\nevery = 100\nwindow = 0\ndopamine = 1"), key: "reward[0].window", "expected 1...100")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\nevery = 100\nmin_spikes = 0\ndopamine = 1"), key: "reward[0].min_spikes", "1 or more")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\nevery = 100"), key: "reward[0].dopamine", "missing required key 'dopamine'")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\nevery = 100\ndopamine = 1\nlag = 0"), key: "reward[0].lag", "expected 1...100")
    expectError(contest("neurons = [0, 5]\nversus = [5, 10]\nevery = 100\ndopamine = 1\nlag = 101"), key: "reward[0].lag", "lag = 101 is greater than every = 100")
}
