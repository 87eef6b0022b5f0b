@testable import NeuroModel
import NeuroPool
import Testing

/// Draws with a fresh generator of `seed`.
private func draw(_ rule: ConnectionRule, _ sources: Range<Int>, _ targets: Range<Int>, samePool: Bool = true,
                  autapses: Bool = true, multapses: Bool = true, seed: UInt64 = 1) throws(ModelError) -> [Connection] {
    var random = PoolRandom(seed: seed)
    return try rule.connect(sources: sources, targets: targets, samePool: samePool,
                            allowAutapses: autapses, allowMultapses: multapses, random: &random)
}

/// The error `body` throws, or nil.
private func error(_ body: () throws -> [Connection]) -> ModelError? {
    do { _ = try body() } catch { return error as? ModelError }
    return nil
}

private func counts<K: Hashable>(_ cs: [Connection], by key: (Connection) -> K) -> [K: Int] {
    var c: [K: Int] = [:]
    for x in cs { c[key(x), default: 0] += 1 }
    return c
}

private func duplicates(_ cs: [Connection]) -> Int { cs.count - Set(cs).count }
private func autapses(_ cs: [Connection]) -> Int { cs.filter { $0.source == $0.target }.count }

@Suite struct ConnectionRuleTests {
    @Test func namesAreNEST() {
        #expect(ConnectionRule.pairwiseBernoulli(p: 0.1).name == "pairwise_bernoulli")
        #expect(ConnectionRule.fixedIndegree(1).name == "fixed_indegree")
        #expect(ConnectionRule.fixedOutdegree(1).name == "fixed_outdegree")
        #expect(ConnectionRule.fixedTotalNumber(1).name == "fixed_total_number")
        #expect(ConnectionRule.oneToOne.name == "one_to_one")
        #expect(ConnectionRule.allToAll.name == "all_to_all")
    }

    // MARK: fixed in/outdegree

    @Test(arguments: [true, false])
    func fixedIndegreeGivesEveryTargetExactlyK(multapses: Bool) throws {
        // Overlapping ranges of one pool, autapses excluded: targets 40..<60 have 49 sources available.
        let cs = try draw(.fixedIndegree(49), 0 ..< 50, 40 ..< 100, autapses: false, multapses: multapses)
        #expect(cs.count == 49 * 60)
        let perTarget = counts(cs) { $0.target }
        #expect(perTarget.count == 60)
        #expect(perTarget.values.allSatisfy { $0 == 49 })
        #expect(cs.allSatisfy { (0 ..< 50).contains(Int($0.source)) && (40 ..< 100).contains(Int($0.target)) })
        #expect(autapses(cs) == 0)
        if !multapses { #expect(duplicates(cs) == 0) }
        // Targets ascending, each target's sources contiguous.
        #expect(cs.map(\.target) == cs.map(\.target).sorted())
    }

    @Test(arguments: [true, false])
    func fixedOutdegreeGivesEverySourceExactlyK(multapses: Bool) throws {
        let cs = try draw(.fixedOutdegree(29), 0 ..< 70, 50 ..< 80, autapses: false, multapses: multapses)
        #expect(cs.count == 29 * 70)
        let perSource = counts(cs) { $0.source }
        #expect(perSource.count == 70)
        #expect(perSource.values.allSatisfy { $0 == 29 })
        #expect(cs.allSatisfy { (0 ..< 70).contains(Int($0.source)) && (50 ..< 80).contains(Int($0.target)) })
        #expect(autapses(cs) == 0)
        if !multapses { #expect(duplicates(cs) == 0) }
        #expect(cs.map(\.source) == cs.map(\.source).sorted())
    }

    @Test func fullIndegreeWithoutMultapsesTakesEveryOtherSource() throws {
        // K = all available sources: each target must get every source except itself.
        let cs = try draw(.fixedIndegree(19), 0 ..< 20, 0 ..< 20, autapses: false, multapses: false)
        let expected = Set((0 ..< 20).flatMap { s in (0 ..< 20).filter { $0 != s }.map { Connection(source: Int32(s), target: Int32($0)) } })
        #expect(Set(cs) == expected)
        #expect(cs.count == expected.count)
    }

    @Test func multapsesOccurInADenseDraw() throws {
        // 90 draws with replacement from 100 sources per target: a repeat is all but certain.
        let with = try draw(.fixedIndegree(90), 0 ..< 100, 0 ..< 50, multapses: true)
        #expect(duplicates(with) > 0)
        let out = try draw(.fixedOutdegree(90), 0 ..< 50, 0 ..< 100, multapses: true)
        #expect(duplicates(out) > 0)
        let without = try draw(.fixedIndegree(90), 0 ..< 100, 0 ..< 50, multapses: false)
        #expect(duplicates(without) == 0)
    }

    @Test func autapsesAppearWhenAllowedInOnePool() throws {
        // Dense indegree with autapses allowed in one pool: some target picks itself.
        let cs = try draw(.fixedIndegree(60), 0 ..< 100, 0 ..< 100, autapses: true, multapses: false)
        #expect(autapses(cs) > 0)
    }

    @Test func indegreeSourcesAreRoughlyUniform() throws {
        // 2000 targets × 5 sources from 10 (without replacement): each source is picked by
        // Binomial(2000, 1/2) targets, sd ≈ 22.4; 5 sd ≈ 112.
        let cs = try draw(.fixedIndegree(5), 0 ..< 10, 100 ..< 2100, multapses: false)
        let perSource = counts(cs) { $0.source }
        #expect(perSource.count == 10)
        #expect(perSource.values.allSatisfy { abs($0 - 1000) < 112 })
    }

    // MARK: fixed total number

    @Test func fixedTotalNumberWithoutMultapsesCoversTheAllowedPairsExactly() throws {
        // sources 0..<10, targets 5..<15 in one pool without autapses: 100 − 5 = 95 allowed pairs.
        let cs = try draw(.fixedTotalNumber(95), 0 ..< 10, 5 ..< 15, autapses: false, multapses: false)
        #expect(cs.count == 95)
        #expect(duplicates(cs) == 0)
        #expect(autapses(cs) == 0)
        #expect(Set(cs) == Set(try draw(.allToAll, 0 ..< 10, 5 ..< 15, autapses: false)))
    }

    @Test(arguments: [true, false])
    func fixedTotalNumberMakesExactlyN(multapses: Bool) throws {
        let cs = try draw(.fixedTotalNumber(1234), 0 ..< 300, 100 ..< 400, autapses: false, multapses: multapses)
        #expect(cs.count == 1234)
        #expect(autapses(cs) == 0)
        #expect(cs.allSatisfy { (0 ..< 300).contains(Int($0.source)) && (100 ..< 400).contains(Int($0.target)) })
        if !multapses { #expect(duplicates(cs) == 0) }
    }

    @Test func fixedTotalNumberIsUniformOverAllowedPairs() throws {
        // 5 neurons, no autapses: 20 allowed pairs; 20,000 draws with replacement give each
        // Binomial(20000, 1/20): mean 1000, sd ≈ 30.8; 4.5 sd ≈ 139.
        let cs = try draw(.fixedTotalNumber(20000), 0 ..< 5, 0 ..< 5, autapses: false, multapses: true)
        let perPair = counts(cs) { $0 }
        #expect(perPair.count == 20)
        #expect(autapses(cs) == 0)
        #expect(perPair.values.allSatisfy { abs($0 - 1000) < 139 })
        // Without multapses, 10 of the 20 over 2000 seeds: each pair chosen Binomial(2000, 1/2)
        // times, sd ≈ 22.4; 4.5 sd ≈ 101.
        var chosen: [Connection: Int] = [:]
        for seed in 0 ..< 2000 as Range<UInt64> {
            for c in try draw(.fixedTotalNumber(10), 0 ..< 5, 0 ..< 5, autapses: false, multapses: false, seed: seed) {
                chosen[c, default: 0] += 1
            }
        }
        #expect(chosen.count == 20)
        #expect(chosen.values.allSatisfy { abs($0 - 1000) < 101 })
    }

    @Test func pairIndexSpaceEnumeratesTheAllowedPairsInOrder() {
        // The index → pair map used by fixed_total_number equals all_to_all's order.
        for (s, t) in [(0 ..< 10, 5 ..< 15), (5 ..< 15, 0 ..< 10), (0 ..< 4, 0 ..< 4), (3 ..< 4, 3 ..< 4), (0 ..< 6, 2 ..< 3), (2 ..< 3, 0 ..< 6)] {
            for exclude in [true, false] {
                let space = PairSpace(sources: s, targets: t, excludeSelf: exclude)
                #expect((0 ..< space.count).map(space.pair(at:)) == space.all())
            }
        }
    }

    // MARK: one to one, all to all

    @Test func oneToOnePairsByPosition() throws {
        let cs = try draw(.oneToOne, 10 ..< 20, 30 ..< 40)
        let expected: [Connection] = (0 ..< 10).map { (i: Int32) in Connection(source: 10 + i, target: 30 + i) }
        #expect(cs == expected)
        // Same pool, overlapping with a shift: no index coincides, nothing is skipped.
        #expect(try draw(.oneToOne, 0 ..< 10, 1 ..< 11, autapses: false).count == 10)
        // Same range, no autapses: every pair is an autapse.
        #expect(try draw(.oneToOne, 0 ..< 10, 0 ..< 10, autapses: false).isEmpty)
        // Different pools: i → i is no autapse.
        #expect(try draw(.oneToOne, 0 ..< 10, 0 ..< 10, samePool: false, autapses: false).count == 10)
    }

    @Test func allToAllCountsExactly() throws {
        let all = try draw(.allToAll, 0 ..< 30, 10 ..< 50)
        #expect(all.count == 30 * 40)
        #expect(duplicates(all) == 0)
        #expect(autapses(all) == 20)
        let noSelf = try draw(.allToAll, 0 ..< 30, 10 ..< 50, autapses: false)
        #expect(noSelf.count == 30 * 40 - 20)
        #expect(autapses(noSelf) == 0)
        #expect(noSelf == noSelf.sorted { ($0.source, $0.target) < ($1.source, $1.target) })
        // Different pools: the same indices are different neurons, so nothing is dropped.
        let twoPools = try draw(.allToAll, 0 ..< 30, 10 ..< 50, samePool: false, autapses: false)
        #expect(twoPools.count == 30 * 40)
    }

    @Test func autapseExclusionOnlyAppliesWithinOnePool() throws {
        let cs = try draw(.fixedIndegree(10), 0 ..< 10, 0 ..< 10, samePool: false, autapses: false, multapses: false)
        #expect(cs.count == 100)
        #expect(autapses(cs) == 10)
    }

    // MARK: pairwise Bernoulli

    @Test func pairwiseBernoulliMatchesTheBinomial() throws {
        // 1000 × 1000 pairs in one pool without autapses: 999,000 allowed, p = 0.1.
        let p = 0.1
        let cs = try draw(.pairwiseBernoulli(p: p), 0 ..< 1000, 0 ..< 1000, autapses: false, multapses: false, seed: 7)
        let n = 999_000.0
        // Total: Binomial(n, p), sd = √(n p (1−p)) ≈ 300; within 4 sd.
        #expect(abs(Double(cs.count) - n * p) < 4 * (n * p * (1 - p)).squareRoot())
        #expect(duplicates(cs) == 0)
        #expect(autapses(cs) == 0)
        #expect(cs == cs.sorted { ($0.source, $0.target) < ($1.source, $1.target) })
        // Per target: in-degree ~ Binomial(999, 0.1), mean 99.9, variance 89.91, independent
        // across the 1000 targets. The sample mean's sd is √(89.91/1000) ≈ 0.30 (tolerance
        // 4 sd = 1.2); the sample variance's sd is ≈ σ²·√(2/999) ≈ 4.0 (the excess kurtosis
        // is negligible here), tolerance 4 sd = 16 — tight enough to reject a fixed in-degree
        // (variance 0) or a draw per source row (variance far larger).
        var degree = [Int](repeating: 0, count: 1000)
        for c in cs { degree[Int(c.target)] += 1 }
        let mean = Double(degree.reduce(0, +)) / 1000
        let variance = degree.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / 999
        #expect(abs(mean - 999 * p) < 1.2)
        #expect(abs(variance - 999 * p * (1 - p)) < 16)
    }

    @Test func pairwiseBernoulliExtremes() throws {
        #expect(try draw(.pairwiseBernoulli(p: 0), 0 ..< 100, 0 ..< 100).isEmpty)
        #expect(try draw(.pairwiseBernoulli(p: 1), 0 ..< 100, 0 ..< 100, autapses: false) == draw(.allToAll, 0 ..< 100, 0 ..< 100, autapses: false))
        // p = 0 and p = 1 make no draw.
        var random = PoolRandom(seed: 3)
        _ = try ConnectionRule.pairwiseBernoulli(p: 1).connect(sources: 0 ..< 10, targets: 0 ..< 10, samePool: true,
                                                                allowAutapses: true, allowMultapses: true, random: &random)
        #expect(random == PoolRandom(seed: 3))
        // A tiny p still takes a pair now and then: p = 2^-10 over 2^20 pairs, mean 1024, sd 32.
        let rare = try draw(.pairwiseBernoulli(p: 0x1p-10), 0 ..< 1024, 0 ..< 1024)
        #expect(abs(rare.count - 1024) < 128)
    }

    // MARK: determinism

    @Test(arguments: [ConnectionRule.pairwiseBernoulli(p: 0.2), .fixedIndegree(7), .fixedOutdegree(7), .fixedTotalNumber(500)])
    func sameSeedSameConnectionsDifferentSeedDifferent(rule: ConnectionRule) throws {
        for multapses in [true, false] {
            let a = try draw(rule, 0 ..< 60, 20 ..< 90, autapses: false, multapses: multapses, seed: 11)
            let b = try draw(rule, 0 ..< 60, 20 ..< 90, autapses: false, multapses: multapses, seed: 11)
            let c = try draw(rule, 0 ..< 60, 20 ..< 90, autapses: false, multapses: multapses, seed: 12)
            #expect(a == b)
            #expect(a != c)
        }
    }

    @Test func generatorIsLeftAdvancedSoSuccessiveCallsDiffer() throws {
        var random = PoolRandom(seed: 5)
        let a = try ConnectionRule.fixedIndegree(3).connect(sources: 0 ..< 50, targets: 0 ..< 50, samePool: true,
                                                            allowAutapses: true, allowMultapses: true, random: &random)
        let b = try ConnectionRule.fixedIndegree(3).connect(sources: 0 ..< 50, targets: 0 ..< 50, samePool: true,
                                                            allowAutapses: true, allowMultapses: true, random: &random)
        #expect(a != b)
    }

    // MARK: errors

    @Test func unsatisfiableRulesThrow() {
        #expect(error { try draw(.fixedIndegree(11), 0 ..< 10, 20 ..< 30, multapses: false) }
            == .unsatisfiableRule(rule: "fixed_indegree", detail: "indegree 11 exceeds the 10 distinct sources available to a target without multapses (10 sources)"))
        // Without autapses in one pool a target has one source fewer.
        #expect(error { try draw(.fixedIndegree(10), 0 ..< 10, 5 ..< 15, autapses: false, multapses: false) }
            == .unsatisfiableRule(rule: "fixed_indegree", detail: "indegree 10 exceeds the 9 distinct sources available to a target without multapses (10 sources, autapses excluded)"))
        #expect(error { try draw(.fixedOutdegree(21), 0 ..< 10, 0 ..< 20, multapses: false) }
            == .unsatisfiableRule(rule: "fixed_outdegree", detail: "outdegree 21 exceeds the 20 distinct targets available to a source without multapses (20 targets)"))
        #expect(error { try draw(.fixedIndegree(1), 3 ..< 4, 3 ..< 4, autapses: false, multapses: true) }
            == .unsatisfiableRule(rule: "fixed_indegree", detail: "indegree 1 needs at least one source per target, but a target has none available (1 source, autapses excluded)"))
        #expect(error { try draw(.fixedTotalNumber(96), 0 ..< 10, 5 ..< 15, autapses: false, multapses: false) }
            == .unsatisfiableRule(rule: "fixed_total_number", detail: "N = 96 exceeds the 95 allowed pairs without multapses"))
        #expect(error { try draw(.fixedTotalNumber(1), 0 ..< 0, 0 ..< 10) }
            == .unsatisfiableRule(rule: "fixed_total_number", detail: "N = 1 needs at least one allowed pair, but there is none"))
        #expect(error { try draw(.oneToOne, 0 ..< 10, 0 ..< 11) }
            == .unsatisfiableRule(rule: "one_to_one", detail: "needs as many sources as targets, got 10 sources and 11 targets"))
        // The same requests are satisfiable with multapses.
        #expect(error { try draw(.fixedIndegree(11), 0 ..< 10, 20 ..< 30, multapses: true) } == nil)
        #expect(error { try draw(.fixedTotalNumber(96), 0 ..< 10, 5 ..< 15, autapses: false, multapses: true) } == nil)
    }

    @Test func invalidArgumentsThrowNamingTheValue() {
        for p in [-0.1, 1.5, .nan, .infinity] {
            #expect(error { try draw(.pairwiseBernoulli(p: p), 0 ..< 10, 0 ..< 10) }
                == .invalidParameter(name: "p", value: "\(p)", expected: "a finite probability in 0...1"))
        }
        #expect(error { try draw(.fixedIndegree(-1), 0 ..< 10, 0 ..< 10) }
            == .invalidParameter(name: "indegree", value: "-1", expected: "a count >= 0"))
        #expect(error { try draw(.fixedOutdegree(-2), 0 ..< 10, 0 ..< 10) }
            == .invalidParameter(name: "outdegree", value: "-2", expected: "a count >= 0"))
        #expect(error { try draw(.fixedTotalNumber(-3), 0 ..< 10, 0 ..< 10) }
            == .invalidParameter(name: "N", value: "-3", expected: "a count >= 0"))
        #expect(error { try draw(.allToAll, -1 ..< 10, 0 ..< 10) }
            == .invalidParameter(name: "sources", value: "-1..<10", expected: "neuron indices within 0...2147483647"))
        #expect(error { try draw(.allToAll, 0 ..< 10, 2_147_483_640 ..< 2_147_483_649) }
            == .invalidParameter(name: "targets", value: "2147483640..<2147483649", expected: "neuron indices within 0...2147483647"))
        #expect(error { try draw(.allToAll, 0 ..< 65_537, 0 ..< 10) }
            == .invalidParameter(name: "sources", value: "0..<65537 (65537 neurons)", expected: "at most 65536 neurons"))
        // An invalid parameter is reported even when the ranges are empty.
        #expect(error { try draw(.pairwiseBernoulli(p: 2), 0 ..< 0, 0 ..< 0) } != nil)
    }

    @Test func emptyRangesGiveNoConnectionsUnlessSomethingIsDemanded() throws {
        #expect(try draw(.allToAll, 0 ..< 0, 0 ..< 10).isEmpty)
        #expect(try draw(.pairwiseBernoulli(p: 0.5), 0 ..< 10, 0 ..< 0).isEmpty)
        #expect(try draw(.oneToOne, 0 ..< 0, 5 ..< 5).isEmpty)
        #expect(try draw(.fixedIndegree(3), 0 ..< 10, 0 ..< 0).isEmpty)
        #expect(try draw(.fixedOutdegree(3), 0 ..< 0, 0 ..< 10).isEmpty)
        #expect(try draw(.fixedIndegree(0), 0 ..< 0, 0 ..< 10).isEmpty)
        #expect(try draw(.fixedTotalNumber(0), 0 ..< 0, 0 ..< 0).isEmpty)
        #expect(error { try draw(.fixedIndegree(3), 0 ..< 0, 0 ..< 10) } != nil)
        #expect(error { try draw(.fixedOutdegree(3), 0 ..< 10, 0 ..< 0) } != nil)
    }

    @Test func connectionCountIsCapped() {
        let limit = 2_147_483_647
        // Checked before anything is drawn or allocated.
        #expect(error { try draw(.allToAll, 0 ..< 65536, 100_000 ..< 165_536) }
            == .tooManyConnections(rule: "all_to_all", atLeast: 65536 * 65536, limit: limit))
        #expect(error { try draw(.fixedIndegree(32769), 0 ..< 65536, 0 ..< 65536, multapses: true) }
            == .tooManyConnections(rule: "fixed_indegree", atLeast: 32769 * 65536, limit: limit))
        #expect(error { try draw(.fixedOutdegree(Int.max), 0 ..< 10, 0 ..< 10, multapses: true) }
            == .tooManyConnections(rule: "fixed_outdegree", atLeast: Int.max, limit: limit))
        #expect(error { try draw(.fixedTotalNumber(limit + 1), 0 ..< 10, 0 ..< 10, multapses: true) }
            == .tooManyConnections(rule: "fixed_total_number", atLeast: limit + 1, limit: limit))
        #expect(error { try draw(.pairwiseBernoulli(p: 1), 0 ..< 65536, 100_000 ..< 165_536) }
            == .tooManyConnections(rule: "pairwise_bernoulli", atLeast: 65536 * 65536, limit: limit))
        #expect(ModelError.tooManyConnections(rule: "all_to_all", atLeast: 5, limit: 4).description
            == "connection rule all_to_all would make at least 5 connections, more than the limit of 4")
    }
}
