import Testing
import NeuroNode
import NeuroNetwork
import NeuroEngine

// One test per validation rule of [[pool.stimulus]], [[projection]], [[reward]] and
// [[modulation]], plus the order in which problems are reported.

/// A stimulus on pool "b" (20 neurons) with the given lines.
func stimulus(_ lines: String) -> String {
    baseNetwork + "\n[[pool.stimulus]]\n" + lines + "\n"
}

/// A reward table with the given lines.
func reward(_ lines: String) -> String {
    baseNetwork + "\n[[reward]]\n" + lines + "\n"
}

@Test func unknownPoolNamesListKnownPools() {
    expectError(baseNetwork + projection("x", "b"), key: "projection[0].from", "unknown pool \"x\" in from", "known pools: a, b")
    expectError(baseNetwork + projection("a", "motor"), key: "projection[0].to", "unknown pool \"motor\" in to", "known pools: a, b")
    expectError(reward("pool = \"c\"\nevery = 10\nmin_spikes = 1\ndopamine = 200"), key: "reward[0].pool", "unknown pool \"c\"", "known pools: a, b")
}

@Test func neuronRangesMustFitTheirPool() {
    let lines = "out_degree = 2\nweight = [20, 60]\ndelay = [1, 2]\n"
    expectError(baseNetwork + projection("a", "b", lines + "to_neurons = [0, 21]"), key: "projection[0].to_neurons",
                "to_neurons [0, 21) reaches beyond pool 'b' of 20 neurons", "[0, 20)")
    expectError(baseNetwork + projection("a", "b", lines + "from_neurons = [-1, 5]"), key: "projection[0].from_neurons", "pool 'a' of 10 neurons")
    expectError(baseNetwork + projection("a", "b", lines + "from_neurons = [5, 5]"), key: "projection[0].from_neurons",
                "from_neurons [5, 5) is empty or reversed", "10 neurons")
    expectError(stimulus("neurons = [8, 2]\nkind = \"constant\"\ndrive = 1"), key: "pool[1].stimulus[0].neurons", "[8, 2) is empty or reversed", "20 neurons")
    expectError(reward("pool = \"a\"\nneurons = [0, 11]\nevery = 10\nmin_spikes = 1\ndopamine = 200"), key: "reward[0].neurons", "pool 'a' of 10 neurons")
}

@Test func projectionConnectivityExactlyOne() {
    expectError(baseNetwork + projection("a", "b", "weight = [1, 2]\ndelay = [1, 1]"), key: "projection[0]", "exactly one of density or out_degree")
    expectError(baseNetwork + projection("a", "b", "density = 0.5\nout_degree = 1\nweight = [1, 2]\ndelay = [1, 1]"),
                key: "projection[0].out_degree", "both density and out_degree")
    // out_degree may reach to_neurons.count (not − 1: targets are another pool's neurons).
    expectError(baseNetwork + projection("a", "b", "out_degree = 6\nto_neurons = [0, 5]\nweight = [1, 2]\ndelay = [1, 1]"),
                key: "projection[0].out_degree", "expected 0...5", "to_neurons")
    #expect(parsed(baseNetwork + projection("a", "b", "out_degree = 20\nweight = [1, 2]\ndelay = [1, 1]")) != nil)
}

@Test func weightRange() {
    for w in ["[0, 60]", "[20, 128]", "[60, 20]"] {
        expectError(baseNetwork + projection("a", "b", "out_degree = 2\nweight = \(w)\ndelay = [1, 2]"), key: "projection[0].weight",
                    "is out of range", "1 <= low <= high <= 127")
    }
    expectError(baseNetwork + projection("a", "b", "out_degree = 2\nweight = 20\ndelay = [1, 2]"), key: "projection[0].weight", "an array of two integers")
}

@Test func delayRange() {
    for d in ["[0, 2]", "[1, 9]", "[3, 2]", "[-1, 1]"] {
        expectError(baseNetwork + projection("a", "b", "out_degree = 2\nweight = [20, 60]\ndelay = \(d)"), key: "projection[0].delay",
                    "delay \(d) is out of range", "1 <= low <= high <= 8")
    }
    expectError(baseNetwork + projection("a", "b", "out_degree = 2\nweight = [20, 60]"), key: "projection[0].delay", "missing required key 'delay'")
}

@Test func zeroDelayLoopIsReportedBeforeTheDelayRule() {
    let zero = "out_degree = 1\nweight = [1, 2]\ndelay = [0, 1]"
    let one = "out_degree = 1\nweight = [1, 2]\ndelay = [1, 1]"
    // projection[0] has a bad delay, but the loop among 1 and 2 is checked first.
    let text = baseNetwork + projection("a", "b", "out_degree = 1\nweight = [1, 2]\ndelay = [9, 9]")
        + projection("b", "a", zero) + projection("a", "b", zero)
    expectError(text, key: "projection[1].delay", "projections 1, 2 form a loop with total delay 0", "b → a → b")
    // A self-projection with delay 0 is a loop.
    expectError(baseNetwork + projection("a", "a", zero), key: "projection[0].delay", "projections 0 form a loop with total delay 0", "a → a")
    // Zero delay outside a loop falls to the delay rule; a loop with one delayed edge is fine.
    expectError(baseNetwork + projection("a", "b", zero) + projection("b", "a", one), key: "projection[0].delay", "delay [0, 1] is out of range")
}

@Test func findLoopHandlesLongChains() {
    // 0 → 1 → … → 4999 → 0 with zero delays: a deep path must not overflow the stack.
    var text = "[network]\nname = \"t\"\nseed = 1\n[controller]\ncontrol = \"inproc://c\"\npublish = \"inproc://p\"\n"
    let n = 5000
    for i in 0 ..< n { text += "[[pool]]\nname = \"p\(i)\"\nneurons = 1\nout_degree = 0\nendpoint = \"inproc://\(i)\"\n" }
    for i in 0 ..< n { text += "[[projection]]\nfrom = \"p\(i)\"\nto = \"p\((i + 1) % n)\"\nout_degree = 1\nweight = [1, 1]\ndelay = [0, 0]\n" }
    let e = expectError(text, key: "projection[0].delay", "form a loop with total delay 0", "p4999 → p0")
    #expect(e?.message.hasPrefix("projections 0, 1, 2,") == true)
}

@Test func stimulusKindDriveAndTimes() {
    expectError(stimulus("neurons = [0, 4]\nkind = \"pulse\"\ndrive = 1"), key: "pool[1].stimulus[0].kind", "\"pulse\" is not a stimulus kind")
    expectError(stimulus("neurons = [0, 4]\nkind = \"constant\"\ndrive = 0"), key: "pool[1].stimulus[0].drive", "drive = 0 does nothing")
    expectError(stimulus("neurons = [0, 4]\nkind = \"constant\"\ndrive = 32768"), key: "pool[1].stimulus[0].drive", "-32768...32767")
    expectError(stimulus("neurons = [0, 4]\nkind = \"constant\"\ndrive = 1\nstart = 5\nstop = 5"), key: "pool[1].stimulus[0].stop",
                "stop = 5 must be greater than start = 5")
    expectError(stimulus("kind = \"constant\"\ndrive = 1"), key: "pool[1].stimulus[0].neurons", "missing required key 'neurons'")
}

@Test func poissonRateRules() {
    expectError(stimulus("neurons = [0, 4]\nkind = \"poisson\"\ndrive = 1\nrate_hz = 1500"), key: "pool[1].stimulus[0].rate_hz",
                "per-tick probability of 1.5 > 1", "rate_hz <= 1000.0")
    expectError(edited("seed = 1", "seed = 1\ntick_us = 100000", in: stimulus("neurons = [0, 4]\nkind = \"poisson\"\ndrive = 1\nrate_hz = 20")),
                key: "pool[1].stimulus[0].rate_hz", "probability of 2.0 > 1")
    expectError(stimulus("neurons = [0, 4]\nkind = \"poisson\"\ndrive = 1"), key: "pool[1].stimulus[0].rate_hz", "missing required key 'rate_hz'")
    expectError(stimulus("neurons = [0, 4]\nkind = \"poisson\"\ndrive = 1\nrate_hz = 0"), key: "pool[1].stimulus[0].rate_hz", "finite number > 0")
    expectError(stimulus("neurons = [0, 4]\nkind = \"poisson\"\ndrive = 1\nrate_hz = inf"), key: "pool[1].stimulus[0].rate_hz", "finite number > 0")
    expectError(stimulus("neurons = [0, 4]\nkind = \"constant\"\ndrive = 1\nrate_hz = 5"), key: "pool[1].stimulus[0].rate_hz",
                "applies only to kind = \"poisson\"")
}

@Test func rewardRules() {
    expectError(reward("pool = \"a\"\nevery = 100\nmin_spikes = 1\ndopamine = 200\nlag = 101"), key: "reward[0].lag",
                "lag = 101 is greater than every = 100")
    expectError(reward("pool = \"a\"\nevery = 100\nmin_spikes = 1\ndopamine = 200\nlag = 0"), key: "reward[0].lag", "expected 1...100")
    expectError(reward("pool = \"a\"\nevery = 0\nmin_spikes = 1\ndopamine = 200"), key: "reward[0].every", "1...1000000")
    expectError(reward("pool = \"a\"\nevery = 10\nmin_spikes = 0\ndopamine = 200"), key: "reward[0].min_spikes", "1 or more")
    expectError(reward("pool = \"a\"\nevery = 10\nmin_spikes = 1\ndopamine = 256"), key: "reward[0].dopamine", "0...255")
    expectError(reward("pool = \"a\"\nevery = 10\nmin_spikes = 1"), key: "reward[0].dopamine", "missing required key 'dopamine'")
}

@Test func modulationRules() {
    expectError(baseNetwork + "[[modulation]]\nat = 5\n", key: "modulation[0]", "at least one of dopamine, cortisol or acetylcholine")
    expectError(baseNetwork + "[[modulation]]\nat = 5\ncortisol = 300\n", key: "modulation[0].cortisol", "0...255")
    expectError(baseNetwork + "[[modulation]]\ndopamine = 5\n", key: "modulation[0].at", "missing required key 'at'")
    expectError(baseNetwork + "[[modulation]]\nat = -1\ndopamine = 5\n", key: "modulation[0].at", "out of range")
}

@Test func firstProblemInFixedOrderIsReported() {
    // A bad controller endpoint and a bad pool: the controller comes first.
    let both = edited("neurons = 10", "neurons = 0", in: edited(":5000", ":0"))
    expectError(both, key: "controller.control", "is invalid")
    // Within a table, unknown keys come before missing or bad values.
    expectError(edited("neurons = 10", "neurons = 0\nbogus = 1"), key: "pool[0].bogus", "unknown key 'bogus'")
    // Pools before projections before rewards before modulations.
    let many = edited("density = 0.1", "density = 2") + projection("x", "b") + "[[modulation]]\nat = 1\n"
    expectError(many, key: "pool[0].density", "0...1")
}

@Test func semanticErrorsCarryTheLineOfTheirKey() {
    let text = baseNetwork + projection() + projection("b", "a", "out_degree = 2\nweight = [20, 60]\ndelay = [1, 12]")
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let delayLine = lines.lastIndex { $0.hasPrefix("delay = [1, 12]") }.map { $0 + 1 }
    expectError(text, key: "projection[1].delay", "out of range", line: delayLine)
    // A stimulus key, under an indented [[pool.stimulus]] header.
    let s = stimulus("  neurons = [0, 4]\n  kind = \"constant\"\n  drive = 0")
    let driveLine = s.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("drive = 0") }.map { $0 + 1 }
    expectError(s, key: "pool[1].stimulus[0].drive", "does nothing", line: driveLine)
}
