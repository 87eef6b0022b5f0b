import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// The reward schedule fed by hand: the count, contest and pairing rules decide exactly what
/// they should, release the same broadcasts however the pools' progress interleaves, and
/// continue identically from a snapshot's state.
@Suite("Reward schedule")
struct RewardScheduleTests {
    typealias Broadcast = (tick: UInt64, dopamine: UInt8?)

    /// Spikes per pool per tick: `spikes[pool][tick]`, ids ascending.
    typealias Raster = [[[UInt16]]]

    /// Feeds `raster` tick by tick as `neurobus run` does (every pool's tick, then release),
    /// from `from` to `to`, checking the barrier on the way: no broadcast released after a
    /// tick is for a tick before the barrier stated before that tick was observed.
    static func feedLikeRun(_ schedule: inout RewardSchedule, _ raster: Raster, from: Int = 0, to: Int? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) -> [Broadcast] {
        var out: [Broadcast] = []
        for t in from ..< (to ?? raster[0].count) {
            let barrier = schedule.barrier ?? .max
            #expect(barrier > UInt64(t), "barrier \(barrier) at tick \(t) blocks the tick itself", sourceLocation: sourceLocation)
            for p in raster.indices { schedule.observe(pool: p, tick: UInt64(t), spikes: raster[p][t]) }
            for (tick, levels, _) in schedule.release() {
                #expect(tick >= barrier && tick > UInt64(t), "a broadcast for tick \(tick) released after tick \(t) (barrier \(barrier))",
                        sourceLocation: sourceLocation)
                out.append((tick, levels.dopamine))
            }
        }
        return out
    }

    /// Feeds `raster` as the controller sees it: the pools' batches interleaved unevenly
    /// (pool p sends batches of `batch[p]` ticks, and the pools take turns), releasing after
    /// each batch.
    static func feedLikeController(_ schedule: inout RewardSchedule, _ raster: Raster, batch: [Int]) -> [Broadcast] {
        var out: [Broadcast] = []
        var next = Array(repeating: 0, count: raster.count)
        let ticks = raster[0].count
        while next.contains(where: { $0 < ticks }) {
            for p in raster.indices where next[p] < ticks {
                // A pool never runs past the barrier.
                let limit = min(ticks, Int(min(schedule.barrier ?? .max, UInt64(Int.max))))
                let end = min(next[p] + batch[p], limit)
                for t in next[p] ..< max(end, next[p]) { schedule.observe(pool: p, tick: UInt64(t), spikes: raster[p][t]) }
                next[p] = max(end, next[p])
                out += schedule.release().map { ($0.tick, $0.levels.dopamine) }
            }
        }
        return out
    }

    static func same(_ a: [Broadcast], _ b: [Broadcast]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.tick == $1.tick && $0.dopamine == $1.dopamine }
    }

    /// A raster of `ticks` ticks for pools of the given sizes, each neuron firing with
    /// probability `p` per tick (seeded).
    static func randomRaster(sizes: [Int], ticks: Int, p: Double, seed: UInt64) -> Raster {
        var random = PoolRandom(seed: seed)
        let threshold = UInt64(p * 4_294_967_296)
        return sizes.map { n in
            (0 ..< ticks).map { _ in (0 ..< n).filter { _ in random.chance(threshold) }.map { UInt16($0) } }
        }
    }

    static func pairing(pool: Int = 0, pre: Int, post: Int, window: Int, delay: ClosedRange<Int>, dopamine: UInt8 = 230, seed: UInt64 = 99) -> RewardRule {
        RewardRule(pool: pool, dopamine: dopamine, kind: .pairing(RewardPairing(pre: pre, post: post, window: window, delay: delay, seed: seed)))
    }

    static func contest(pool: Int = 0, a: Range<Int>, b: Range<Int>, every: Int, start: Int, window: Int, minSpikes: Int, lag: Int, dopamine: UInt8 = 210) -> RewardRule {
        RewardRule(pool: pool, dopamine: dopamine,
                   kind: .contest(RewardWindow(neurons: a, every: every, start: start, window: window, minSpikes: minSpikes, lag: lag), versus: b))
    }

    // MARK: Pairing

    /// A hand-written sequence: every causal pairing (the latest earlier pre spike 1…window
    /// ticks before the post spike) gives one reward inside [t_post + min, t_post + max];
    /// nothing for anti-causal order, simultaneous spikes or pairs further apart.
    @Test func pairingRewardsExactlyTheCausalPairings() {
        let pre = 3, post = 7
        var events: [Int: [UInt16]] = [:]
        func fire(_ t: Int, _ ids: Int...) { events[t, default: []] += ids.map { UInt16($0) } }
        fire(10, pre); fire(12, post)            // 2 ticks: a pairing
        fire(14, post)                           // 4 ticks after the same pre spike: a pairing
        fire(16, post)                           // 6 > window 5: none
        fire(30, pre, post)                      // the same tick: none (the last earlier pre is 20 ticks back)
        fire(40, post); fire(41, pre)            // post before pre: none
        fire(50, pre); fire(53, pre); fire(58, post)   // the latest pre (53) is 5 ticks back: a pairing
        fire(70, pre); fire(76, post)            // 6 ticks: none
        fire(99, pre, 1, 2); fire(100, 0, post, 9)     // 1 tick, among other neurons: a pairing
        fire(130, post)                          // 31 ticks after 99: none
        let raster: Raster = [(0 ..< 200).map { (events[$0] ?? []).sorted() }]
        let rule = Self.pairing(pre: pre, post: post, window: 5, delay: 10 ... 20)
        var schedule = RewardSchedule(rules: [rule])
        let out = Self.feedLikeRun(&schedule, raster)
        let posts: [UInt64] = [12, 14, 58, 100]
        #expect(out.count == posts.count, "\(out)")
        for (b, t) in zip(out, posts) {
            #expect((t + 10 ... t + 20).contains(b.tick) && b.dopamine == 230, "reward \(b.tick) for the post spike at \(t)")
        }
        // The draws are the generator's: the same seed gives the same ticks.
        var again = RewardSchedule(rules: [rule])
        #expect(Self.same(Self.feedLikeRun(&again, raster), out))
        // delay = [d, d] puts every reward exactly d ticks after its post spike.
        var fixed = RewardSchedule(rules: [Self.pairing(pre: pre, post: post, window: 5, delay: 7 ... 7)])
        #expect(Self.feedLikeRun(&fixed, raster).map(\.tick) == posts.map { $0 + 7 })
        // A window of 6 takes the pair 10 → 16 and 70 → 76 too.
        var wide = RewardSchedule(rules: [Self.pairing(pre: pre, post: post, window: 6, delay: 1 ... 1)])
        #expect(Self.feedLikeRun(&wide, raster).map(\.tick) == [13, 15, 17, 59, 77, 101])
    }

    /// Same seed, same ticks; another rule index or network seed, other ticks.
    @Test func pairingDelaysFollowTheSeed() {
        // Pre fires every 10 ticks, post 2 ticks later: 100 pairings in 1000 ticks.
        let raster: Raster = [(0 ..< 1000).map { t in t % 10 == 0 ? [1] : t % 10 == 2 ? [2] : [] }]
        func ticks(_ seed: UInt64) -> [UInt64] {
            var s = RewardSchedule(rules: [Self.pairing(pre: 1, post: 2, window: 5, delay: 1 ... 1000, seed: seed)])
            return Self.feedLikeRun(&s, raster).map(\.tick).sorted()
        }
        let seed0 = NetworkDescription.derivedRewardSeed(networkSeed: 2007, index: 0)
        let seed1 = NetworkDescription.derivedRewardSeed(networkSeed: 2007, index: 1)
        let other = NetworkDescription.derivedRewardSeed(networkSeed: 2008, index: 0)
        #expect(Set([seed0, seed1, other]).count == 3)
        #expect(seed0 != NetworkDescription.derivedPoolSeed(networkSeed: 2007, index: 0)
            && seed0 != NetworkDescription.derivedProjectionSeed(networkSeed: 2007, index: 0))
        let a = ticks(seed0)
        #expect(a.count == 100 && a == ticks(seed0))
        #expect(a != ticks(seed1) && a != ticks(other))
        // Two rules of one network with the same neurons differ by their index's seed.
        let text = Self.distalNetwork + """

            [[reward]]
            kind = "pairing"
            pool = "net"
            pre = 3
            post = 7
            window = 20
            delay = [100, 1000]
            dopamine = 220

            """
        let d = try? NetworkDescription.parse(Array(text.utf8), file: "t")
        guard case .pairing(let p0)? = d?.rewards[0].kind, case .pairing(let p2)? = d?.rewards[2].kind else {
            Issue.record("the network did not parse with pairing rules 0 and 2"); return
        }
        #expect(p0.seed == NetworkDescription.derivedRewardSeed(networkSeed: 2007, index: 0))
        #expect(p2.seed == NetworkDescription.derivedRewardSeed(networkSeed: 2007, index: 2) && p0.seed != p2.seed)
    }

    /// Overlapping pending rewards stay separate broadcasts: two for the same tick are two,
    /// in the order of their post spikes.
    @Test func rewardsForTheSameTickStayTwoBroadcasts() {
        // Pre at 0; post at 1 and 2; delay [5, 5] puts them at 6 and 7 — and two rules on
        // the same pair put two rewards on each tick.
        let raster: Raster = [(0 ..< 20).map { $0 == 0 ? [1] : ($0 == 1 || $0 == 2) ? [2] : [] }]
        var s = RewardSchedule(rules: [Self.pairing(pre: 1, post: 2, window: 5, delay: 5 ... 5, dopamine: 200),
                                       Self.pairing(pre: 1, post: 2, window: 5, delay: 5 ... 5, dopamine: 250)])
        let out = Self.feedLikeRun(&s, raster)
        #expect(out.map(\.tick) == [6, 6, 7, 7] && out.map(\.dopamine) == [200, 250, 200, 250])
    }

    /// A pairing reward is marked distal (real time stamps it for its tick); a window
    /// rule's is not (real time applies it on arrival).
    @Test func pairingRewardsAreMarkedDistal() {
        var s = RewardSchedule(rules: [Self.pairing(pre: 1, post: 2, window: 5, delay: 50 ... 60),
                                       RewardRule(pool: 0, neurons: 0 ..< 4, every: 3, minSpikes: 1, dopamine: 9, lag: 1)])
        var released: [(tick: UInt64, levels: ModulatorLevels, distal: Bool)] = []
        for t in 0 ..< 6 {
            s.observe(pool: 0, tick: UInt64(t), spikes: t == 0 ? [1] : t == 1 ? [2] : [])
            released += s.release()
        }
        // The window 0…2 (neurons 1 and 2 fired) earns a reward at 3 + 1; the window 3…5 none.
        #expect(released.map(\.distal) == [true, false] && released.map(\.levels.dopamine) == [230, 9])
        #expect((51 ... 61).contains(released[0].tick) && released[1].tick == 4)
    }

    // MARK: Contest

    /// Rewards exactly in the windows where A fired more than B (and at least min_spikes),
    /// counting only the window's ticks inside each period.
    @Test func contestRewardsTheWindowsWhereAWins() {
        // every 10, window ticks 2…6 of each period (start 2, window 5), lag 3, min 2.
        let rule = Self.contest(a: 0 ..< 5, b: 5 ..< 10, every: 10, start: 2, window: 5, minSpikes: 2, lag: 3)
        var events: [Int: [UInt16]] = [:]
        func fire(_ t: Int, _ ids: Int...) { events[t, default: []] += ids.map { UInt16($0) } }
        fire(2, 0, 1); fire(4, 2, 5)             // period 0: A 3, B 1 → reward at 7 + 3
        fire(0, 5, 6, 7); fire(9, 5, 6)          // outside the window: not counted
        fire(12, 0, 5); fire(16, 1, 6)           // period 1: A 2, B 2 → none (not strictly more)
        fire(23, 4)                              // period 2: A 1, B 0 → none (min_spikes 2)
        fire(31, 0, 1, 5, 6, 7); fire(36, 3)     // period 3: A 3, B 3 → none
        fire(42, 0, 1); fire(47, 5, 6, 7)        // period 4: A 2 (47 is outside), B 0 → reward at 47 + 3
        fire(52, 5, 6); fire(53, 5, 6, 7)        // period 5: A 0, B 5 → none
        fire(66, 0, 1, 2, 3, 4, 11, 12)          // period 6: A 5, others uncounted → reward at 67 + 3
        let raster: Raster = [(0 ..< 80).map { (events[$0] ?? []).sorted() }]
        var s = RewardSchedule(rules: [rule])
        let out = Self.feedLikeRun(&s, raster)
        #expect(out.map(\.tick) == [10, 50, 70] && out.allSatisfy { $0.dopamine == 210 }, "\(out)")
        // The reverse contingency: the groups swapped.
        var reverse = RewardSchedule(rules: [Self.contest(a: 5 ..< 10, b: 0 ..< 5, every: 10, start: 2, window: 5, minSpikes: 2, lag: 3)])
        #expect(Self.feedLikeRun(&reverse, raster).map(\.tick) == [60])
    }

    /// On random activity the contest matches a direct computation, window by window.
    @Test func contestMatchesADirectCount() {
        let raster = Self.randomRaster(sizes: [30], ticks: 3000, p: 0.02, seed: 5)
        let (every, start, window, lag, minSpikes) = (97, 13, 41, 9, 3)
        var expected: [UInt64] = []
        for k in 0 ... 3000 / every where k * every + start + window <= 3000 {
            let ticks = (k * every + start) ..< (k * every + start + window)
            let a = ticks.reduce(0) { $0 + raster[0][$1].filter { $0 < 10 }.count }
            let b = ticks.reduce(0) { $0 + raster[0][$1].filter { $0 >= 10 && $0 < 25 }.count }
            if a > b && a >= minSpikes { expected.append(UInt64(ticks.upperBound + lag)) }
        }
        var s = RewardSchedule(rules: [Self.contest(a: 0 ..< 10, b: 10 ..< 25, every: every, start: start, window: window, minSpikes: minSpikes, lag: lag)])
        let out = Self.feedLikeRun(&s, raster).map(\.tick)
        #expect(!expected.isEmpty && out == expected)
    }

    // MARK: Count (unchanged)

    /// The count rule decides as it always has: a window of `every` ticks, a reward `lag`
    /// ticks after it when it reached `min_spikes`; its barrier is the next window's
    /// broadcast tick.
    @Test func countRuleIsUnchanged() {
        let raster = Self.randomRaster(sizes: [20], ticks: 2000, p: 0.03, seed: 8)
        let rule = RewardRule(pool: 0, neurons: 2 ..< 15, every: 50, minSpikes: 20, dopamine: 180, lag: 7)
        var expected: [UInt64] = []
        for k in 0 ..< 40 {
            let n = (k * 50 ..< (k + 1) * 50).reduce(0) { $0 + raster[0][$1].filter { (2 ..< 15).contains($0) }.count }
            if n >= 20 { expected.append(UInt64((k + 1) * 50 + 7)) }
        }
        var s = RewardSchedule(rules: [rule])
        #expect(s.barrier == 57)
        let out = Self.feedLikeRun(&s, raster, to: 1020)
        #expect(s.barrier == 1057 && s.counts.count == 1)
        let rest = Self.feedLikeRun(&s, raster, from: 1020)
        #expect(!expected.isEmpty && (out + rest).map(\.tick) == expected)
        // A network of count rules only writes no reward_state.
        #expect(s.state(cut: 2000) == RewardScheduleState(counts: s.counts))
    }

    // MARK: Canonical order and restore

    /// Rules of every kind on two pools.
    static let mixedRules: [RewardRule] = [
        RewardRule(pool: 1, neurons: 0 ..< 20, every: 60, minSpikes: 25, dopamine: 190, lag: 5),
        contest(pool: 0, a: 0 ..< 10, b: 10 ..< 20, every: 40, start: 10, window: 20, minSpikes: 2, lag: 4),
        pairing(pool: 0, pre: 2, post: 5, window: 15, delay: 3 ... 300, seed: 41),
        pairing(pool: 1, pre: 7, post: 1, window: 8, delay: 1 ... 40, dopamine: 240, seed: 42),
        contest(pool: 1, a: 20 ..< 30, b: 0 ..< 10, every: 25, start: 0, window: 25, minSpikes: 1, lag: 25),
    ]

    /// However the pools' spikes interleave, the broadcasts come out the same, in the same order.
    @Test func broadcastsDoNotDependOnTheInterleaving() {
        let raster = Self.randomRaster(sizes: [20, 30], ticks: 2500, p: 0.04, seed: 11)
        var run = RewardSchedule(rules: Self.mixedRules)
        let reference = Self.feedLikeRun(&run, raster)
        #expect(reference.count > 50)
        for batch in [[1, 1], [7, 3], [1, 50], [64, 5]] {
            var s = RewardSchedule(rules: Self.mixedRules)
            #expect(Self.same(Self.feedLikeController(&s, raster, batch: batch), reference), "batches \(batch)")
        }
    }

    /// Fed half, its state stored in a manifest and read back, a restored schedule fed the
    /// rest releases exactly what the uninterrupted one releases after the cut.
    @Test func restoredScheduleContinuesIdentically() throws {
        let raster = Self.randomRaster(sizes: [20, 30], ticks: 2400, p: 0.04, seed: 12)
        var whole = RewardSchedule(rules: Self.mixedRules)
        let all = Self.feedLikeRun(&whole, raster)
        for cut in [1, 700, 1213, 1240] {
            var first = RewardSchedule(rules: Self.mixedRules)
            let before = Self.feedLikeRun(&first, raster, to: cut)
            let state = first.state(cut: UInt64(cut))
            #expect(state.values.count == Self.mixedRules.count && state.random.count == 8)
            let manifest = SnapshotManifest(id: 1, parent: 0, network: "n", networkHash: 2, tick: UInt64(cut),
                                            createdMilliseconds: 3, rewards: state, parts: [])
            let read = try SnapshotManifest.parse(manifest.rendered(), file: "m")
            #expect(read.rewards == state)
            var restored = try RewardSchedule(rules: Self.mixedRules, restoredAt: UInt64(cut), state: read.rewards)
            #expect(restored.barrier == first.barrier, "the barrier at the cut \(cut)")
            let after = Self.feedLikeRun(&restored, raster, from: cut)
            #expect(Self.same(before + after, all), "cut at \(cut)")
            #expect(restored.state(cut: 2400) == whole.state(cut: 2400))
        }
    }

    /// What a manifest holds is checked before use, each problem naming its key.
    @Test func badRewardStatesAreRefused() {
        let rules = Self.mixedRules
        var first = RewardSchedule(rules: rules)
        _ = Self.feedLikeRun(&first, Self.randomRaster(sizes: [20, 30], ticks: 500, p: 0.04, seed: 13))
        let good = first.state(cut: 500)
        #expect((try? RewardSchedule.check(good, rules: rules, tick: 500)) != nil)
        func refused(_ edit: (inout RewardScheduleState) -> Void, tick: UInt64 = 500, _ fragments: String...,
                     sourceLocation: SourceLocation = #_sourceLocation) {
            var state = good
            edit(&state)
            do {
                try RewardSchedule.check(state, rules: rules, tick: tick)
                Issue.record("accepted", sourceLocation: sourceLocation)
            } catch {
                for f in fragments { #expect("\(error)".contains(f), "\(error) lacks \(f)", sourceLocation: sourceLocation) }
            }
            // The restoring initializer refuses it too.
            #expect((try? RewardSchedule(rules: rules, restoredAt: tick, state: state)) == nil, sourceLocation: sourceLocation)
        }
        refused({ $0.counts[0] = 1201 }, "reward_counts[0] = 1201 is more than", "60 ticks × 20 neurons")
        refused({ $0.counts[0] = Int.max }, "reward_counts[0] = \(Int.max)")
        refused({ $0.counts[1] = 201 }, "reward_counts[1] = 201")
        refused({ $0.values[1] = 201 }, "reward_state[1] = 201", "versus [10, 20)")
        refused({ $0.values[4] = Int.max }, "reward_state[4]")
        refused({ $0.values[0] = 1 }, "reward_state[0] = 1 for a count rule")
        refused({ $0.counts[2] = 3 }, "reward_counts[2] = 3 for a pairing rule")
        refused({ $0.values[2] = 501 }, "reward_state[2] = 501", "not before the snapshot's tick 500")
        refused({ $0.values = [] }, "reward_state is missing", "rule 1 is a contest rule")
        refused({ $0.values.removeLast() }, "reward_state has 4 entries for 5 reward rule(s)")
        refused({ $0.counts.append(0) }, "reward_counts has 6 entries")
        refused({ $0.random.removeLast() }, "reward_random has 7 words for 2 pairing rule(s)")
        refused({ for i in 4 ..< 8 { $0.random[i] = 0 } }, "reward_random[4...7] are all zero")
        refused({ $0.counts[4] = -1 }, "reward_counts[4] = -1 is negative")
        // Old manifests (no reward_state, no reward_random) still restore count-only rules.
        let counts = [RewardRule(pool: 0, neurons: 0 ..< 4, every: 10, minSpikes: 1, dopamine: 1, lag: 1)]
        #expect((try? RewardSchedule(rules: counts, restoredAt: 55, counts: [3])) != nil)
        #expect((try? RewardSchedule(rules: counts, restoredAt: 55, counts: [41])) == nil)
    }

    /// A manifest with the optional keys: rendered after `reward_counts`, read back; an old
    /// one without them reads as before; malformed values name their line.
    @Test func manifestCarriesTheRewardState() throws {
        let state = RewardScheduleState(counts: [3, 0], values: [4, 1001], random: [1, 0xFFFF_FFFF_FFFF_FFFF, 0, 0x0123_4567_89AB_CDEF])
        let m = SnapshotManifest(id: 9, parent: 0, network: "n", networkHash: 5, tick: 2000, createdMilliseconds: 1, rewards: state, parts: [])
        let text = m.rendered()
        #expect(text.contains("reward_counts = [3, 0]\nreward_state = [4, 1001]\nreward_random = [\"0000000000000001\", \"ffffffffffffffff\", \"0000000000000000\", \"0123456789abcdef\"]\n"))
        #expect(try SnapshotManifest.parse(text, file: "m").rewards == state)
        let old = SnapshotManifest(id: 9, parent: 0, network: "n", networkHash: 5, tick: 2000, createdMilliseconds: 1, rewardCounts: [3], parts: [])
        #expect(!old.rendered().contains("reward_state") && !old.rendered().contains("reward_random"))
        #expect(try SnapshotManifest.parse(old.rendered(), file: "m").rewards == RewardScheduleState(counts: [3]))
        for (bad, fragment) in [("reward_state = [4, 1001]", "reward_state = [4, -1]"), ("reward_state = [4, 1001]", "reward_state = [4, 99999999999999999999]"),
                                ("\"0000000000000001\"", "\"1\""), ("\"0000000000000001\"", "1"), ("\"0000000000000001\"", "\"000000000000000g\"")] {
            let edited = text.replacingOccurrences(of: bad, with: fragment)
            do {
                _ = try SnapshotManifest.parse(edited, file: "m")
                Issue.record("accepted \(fragment)")
            } catch {
                #expect("\(error)".contains("m:11:") || "\(error)".contains("m:12:"), "\(error)")
            }
        }
    }

    // MARK: Whole networks

    /// A small network with a pairing and a contest rule (both kinds in lockstep tests too).
    static let distalNetwork = #"""
        # Distal reward (pairing) and instrumental conditioning (contest) on one pool.
        [network]
        name = "distal"
        seed = 2007

        [controller]
        control = "tcp://127.0.0.1:27240"
        publish = "tcp://127.0.0.1:27241"

        [[pool]]
        name = "input"
        neurons = 60
        density = 0.05
        endpoint = "tcp://127.0.0.1:27242"

          [[pool.stimulus]]
          neurons = [0, 60]
          kind = "poisson"
          drive = 3072
          rate_hz = 40.0

        [[pool]]
        name = "net"
        neurons = 120
        density = 0.1
        endpoint = "tcp://127.0.0.1:27243"

        [[projection]]
        from = "input"
        to = "net"
        out_degree = 10
        weight = [30, 60]
        delay = [1, 3]

        [[reward]]
        kind = "pairing"
        pool = "net"
        pre = 3
        post = 7
        window = 5
        delay = [100, 1000]
        dopamine = 220

        [[reward]]
        kind = "contest"
        pool = "net"
        neurons = [0, 40]
        versus = [40, 80]
        every = 200
        start = 50
        window = 100
        lag = 20
        dopamine = 200

        """#

    /// In one process: a run restored from a snapshot taken mid-way (pending pairing rewards
    /// held by the pools, a contest window open at the cut) ends with the same pools.
    @Test func aRestoredRunOfTheDistalNetworkEndsIdentically() throws {
        let network = try NetworkDescription.parse(Array(Self.distalNetwork.utf8), file: "<distal>")
        #expect(network.rewards.map(\.kind.name) == ["pairing", "contest"])
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = try LocalRun.run(network: network, ticks: 2000, out: OutputDirectory("\(dir)/whole"),
                                     snapshots: SnapshotPlan(root: "\(dir)/snaps", at: [1130]))
        #expect(whole.allSatisfy { $0.spikes > 0 })
        let snapshot = try #require(SnapshotStore.list(root: "\(dir)/snaps").first)
        #expect(snapshot.manifest.tick == 1130 && snapshot.manifest.rewardState.count == 2 && snapshot.manifest.rewardRandom.count == 4)
        #expect(snapshot.manifest.rewardState[1] > 0, "the contest window is open at the cut with B's spikes counted")
        let loaded = try LoadedSnapshot(path: snapshot.path, network: network)
        #expect(loaded.pools.contains { !($0.held?.broadcasts.isEmpty ?? true) }, "pairing rewards still pending at the cut")
        let restored = try LocalRun.run(network: network, ticks: 2000, out: OutputDirectory("\(dir)/restored"), restore: loaded)
        #expect(restored.map(\.ticks) == whole.map(\.ticks))
        // The rewards matter: without them the pool learns otherwise.
        var unrewarded = network
        unrewarded.rewards = []
        _ = try LocalRun.run(network: unrewarded, ticks: 2000, out: OutputDirectory("\(dir)/unrewarded"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/whole/net.pool")) != Data(contentsOf: URL(fileURLWithPath: "\(dir)/unrewarded/net.pool")))
        for pool in network.pools {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/whole/\(pool.name).pool"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/restored/\(pool.name).pool"))
            #expect(a == b, "\(pool.name).pool differs after the restore")
        }
    }
}
