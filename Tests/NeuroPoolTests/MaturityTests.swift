import Testing
@testable import NeuroPool

@Suite("Maturity lifecycle")
struct MaturityTests {
    static func reinforce(_ m: UInt8, times: Int) -> UInt8 {
        (0 ..< times).reduce(m) { m, _ in Maturity.reinforced(m) }
    }

    static func weaken(_ m: UInt8, times: Int) -> UInt8 {
        (0 ..< times).reduce(m) { m, _ in Maturity.weakened(m) }
    }

    @Test func encodeRoundTripsStateAndCounter() {
        for state in ThermalState.allCases {
            for c in UInt8(0) ... 63 {
                let m = Maturity.encode(state, counter: c)
                #expect(Maturity.state(m) == state)
                #expect(Maturity.counter(m) == c)
            }
            #expect(Maturity.counter(Maturity.encode(state, counter: 200)) == 63, "counter saturates at 6 bits")
            #expect(Maturity.state(Maturity.encode(state, counter: 200)) == state)
        }
        #expect(Maturity.newborn == Maturity.encode(.hot, counter: 4))
        #expect(Maturity.dead == 0)
        #expect(Maturity.isDead(Maturity.encode(.hot, counter: 0)))
        #expect(!Maturity.isDead(Maturity.newborn))
        #expect(!Maturity.isDead(Maturity.encode(.warm, counter: 0)))
        #expect(!Maturity.isDead(Maturity.encode(.cold, counter: 0)))
    }

    @Test func promotionHotWarmCoolColdAtTheThresholds() {
        #expect(Maturity.hotToWarm == 8 && Maturity.warmToCool == 24 && Maturity.coolToCold == 63)
        // HOT: counter counts 1…7, the 8th count promotes.
        var m = Maturity.encode(.hot, counter: 0)
        for c in 1 ..< Int(Maturity.hotToWarm) {
            m = Maturity.reinforced(m)
            #expect(m == Maturity.encode(.hot, counter: UInt8(c)))
        }
        m = Maturity.reinforced(m)
        #expect(m == Maturity.encode(.warm, counter: 0), "promotion resets the counter")
        // WARM: 23 counts stay WARM, the 24th promotes.
        m = Self.reinforce(m, times: Int(Maturity.warmToCool) - 1)
        #expect(m == Maturity.encode(.warm, counter: Maturity.warmToCool - 1))
        m = Maturity.reinforced(m)
        #expect(m == Maturity.encode(.cool, counter: 0))
        // COOL: 62 counts stay COOL, the 63rd freezes.
        m = Self.reinforce(m, times: Int(Maturity.coolToCold) - 1)
        #expect(m == Maturity.encode(.cool, counter: Maturity.coolToCold - 1))
        m = Maturity.reinforced(m)
        #expect(m == Maturity.encode(.cold, counter: 0))
    }

    @Test func newbornReachesColdAfterExactlyTheDocumentedReinforcements() {
        let needed = Int(Maturity.hotToWarm - 4) + Int(Maturity.warmToCool) + Int(Maturity.coolToCold)
        #expect(Maturity.state(Self.reinforce(Maturity.newborn, times: needed - 1)) == .cool)
        #expect(Self.reinforce(Maturity.newborn, times: needed) == Maturity.encode(.cold, counter: 0))
    }

    @Test func weakeningCountsDownThenDemotes() {
        #expect(Maturity.weakened(Maturity.encode(.cool, counter: 5)) == Maturity.encode(.cool, counter: 4))
        #expect(Maturity.weakened(Maturity.encode(.cool, counter: 0)) == Maturity.encode(.warm, counter: Maturity.warmToCool / 2))
        #expect(Maturity.weakened(Maturity.encode(.warm, counter: 1)) == Maturity.encode(.warm, counter: 0))
        #expect(Maturity.weakened(Maturity.encode(.warm, counter: 0)) == Maturity.encode(.hot, counter: Maturity.hotToWarm / 2))
        #expect(Maturity.weakened(Maturity.encode(.hot, counter: 3)) == Maturity.encode(.hot, counter: 2))
        #expect(Maturity.weakened(Maturity.encode(.hot, counter: 1)) == Maturity.encode(.hot, counter: 1))
    }

    @Test func weakeningAloneNeverKills() {
        // Death comes from the weight reaching zero (the sweep), not from the counter.
        var m = Maturity.newborn
        for k in 1 ... 100 {
            m = Maturity.weakened(m)
            #expect(!Maturity.isDead(m), "alive after \(k) weakenings")
            #expect(Maturity.state(m) == .hot)
        }
        #expect(m == Maturity.encode(.hot, counter: 1))
    }

    @Test func demotedSynapseCanBePromotedAgain() {
        // COOL 0 → WARM 12 → needs 12 reinforcements to be COOL again.
        let warm = Maturity.weakened(Maturity.encode(.cool, counter: 0))
        #expect(Maturity.state(Self.reinforce(warm, times: 11)) == .warm)
        #expect(Self.reinforce(warm, times: 12) == Maturity.encode(.cool, counter: 0))
    }

    @Test func coldIsUnchangedByBoth() {
        for c in UInt8(0) ... 63 {
            let m = Maturity.encode(.cold, counter: c)
            #expect(Maturity.reinforced(m) == m)
            #expect(Maturity.weakened(m) == m)
            #expect(Self.weaken(m, times: 100) == m)
        }
    }

    @Test func everyByteStaysAValidMaturity() {
        // No byte traps, and results are always encodable (counter ≤ 63, state 0…3).
        for b in UInt8.min ... UInt8.max {
            let up = Maturity.reinforced(b)
            let down = Maturity.weakened(b)
            #expect(Maturity.encode(Maturity.state(up), counter: Maturity.counter(up)) == up)
            #expect(Maturity.encode(Maturity.state(down), counter: Maturity.counter(down)) == down)
            if Maturity.state(b) != .cold {
                #expect(up != b, "reinforcing a non-COLD byte \(b) must change it")
            }
        }
    }

    @Test func synapseThermalStateReadsTheMaturityByte() {
        for state in ThermalState.allCases {
            let s = Synapse(target: 0, weight: 1, delay: 1, maturity: Maturity.encode(state, counter: 17))
            #expect(s.thermalState == state)
        }
    }
}
