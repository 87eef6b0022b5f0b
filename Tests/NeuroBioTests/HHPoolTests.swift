import NeuroPool
import Testing
@testable import NeuroBio

@Suite struct HHPoolTests {
    /// A small connected pool with a Poisson afferent, run for `ticks` ticks.
    static func connectedPool(features: HHFeatures = .all, noise: Double = 0, seed: UInt64 = 3) throws -> (HHPool, SpikeRecord) {
        var s = DivergenceScenario()
        s.neurons = 20
        s.sources = 40
        s.density = 0.2
        s.ticks = 60
        s.seed = seed
        s.hh.noise = noise
        return (try s.biologicalPool(features: features), s.stimulus())
    }

    static func run(_ pool: inout HHPool, _ input: SpikeRecord, from: Int, to: Int) throws -> SpikeRecord {
        var out: SpikeRecord = []
        for t in from ..< to {
            if t >= 1 { try pool.deliver(projection: 0, sourceTick: UInt64(t - 1), spikes: input[t - 1]) }
            pool.tick()
            out.append(Array(pool.lastSpikes))
        }
        return out
    }

    @Test func savedPoolContinuesIdentically() throws {
        var (pool, input) = try Self.connectedPool(noise: 1.5)
        pool.apply(HHModulators(dopamine: 200, serotonin: 90, acetylcholine: 170))
        _ = try Self.run(&pool, input, from: 0, to: 30)
        #expect(pool.totalSpikes > 0)
        var loaded = try HHPool(decoding: pool.encoded())
        #expect(loaded == pool)
        let a = try Self.run(&pool, input, from: 30, to: 60)
        let b = try Self.run(&loaded, input, from: 30, to: 60)
        #expect(a == b)
        #expect(loaded == pool)
    }

    @Test func sameSeedSameSpikesOtherSeedOtherSpikes() throws {
        var (p1, input) = try Self.connectedPool(noise: 3, seed: 5)
        var (p2, _) = try Self.connectedPool(noise: 3, seed: 5)
        var (p3, _) = try Self.connectedPool(noise: 3, seed: 6)
        let a = try Self.run(&p1, input, from: 0, to: 60), b = try Self.run(&p2, input, from: 0, to: 60)
        let c = try Self.run(&p3, input, from: 0, to: 60)
        #expect(a == b)
        #expect(p1 == p2)
        #expect(a != c)
    }

    // MARK: bad bytes

    static func withCRC(_ body: [UInt8]) -> [UInt8] {
        let crc = CRC32.checksum(body)
        return body + (0 ..< 4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
    }

    @Test func badBytesGiveErrorsNamingTheProblem() throws {
        let (pool, _) = try Self.connectedPool()
        let good = pool.encoded()
        #expect(throws: HHPoolFileError.badMagic([0, 0, 0, 0, 0, 0, 0, 0])) { try HHPool(decoding: [UInt8](repeating: 0, count: 64)) }
        #expect(throws: HHPoolFileError.truncated(section: "magic", offset: 0, needed: 8, available: 3)) { try HHPool(decoding: [0x89, 0x4E, 0x42]) }
        var version = good
        version[8] = 9
        #expect(throws: HHPoolFileError.unsupportedVersion(found: 9, supported: 1)) { try HHPool(decoding: version) }
        #expect(throws: HHPoolFileError.truncated(section: "pool", offset: good.count - 10, needed: 10, available: 0)) {
            try HHPool(decoding: Array(good.dropLast(10)))
        }
        #expect(throws: HHPoolFileError.trailingBytes(2)) { try HHPool(decoding: good + [1, 2]) }
        var flipped = good
        flipped[good.count / 2] ^= 0x10
        #expect {
            try HHPool(decoding: flipped)
        } throws: { error in
            if case HHPoolFileError.checksumMismatch = error { return true }
            return false
        }
    }

    @Test func impossibleFieldsAreNamedEvenWithAValidChecksum() throws {
        let (pool, _) = try Self.connectedPool()
        let good = pool.encoded()
        let body = Array(good.dropLast(4))
        // The membrane of neuron 0: after magic 8, version 2, length 4, features 2, name, count 4,
        // parameter count 2 + 8 each, modulators 4, generator 32, ticks 8, spikes 8.
        let nameLength = Int(body[16])
        let vOffset = 17 + nameLength + 4 + 2 + 8 * HHParameters.fields.count + 4 + 32 + 16
        var nan = body
        for k in 0 ..< 8 { nan[vOffset + k] = UInt8(truncatingIfNeeded: Double.nan.bitPattern >> (8 * k)) }
        #expect(throws: HHPoolFileError.invalid(field: "state v", detail: "neuron 0 holds nan")) { try HHPool(decoding: Self.withCRC(nan)) }
        // dt (parameter 8) set to 0.
        var dt = body
        let dtOffset = 17 + nameLength + 4 + 2 + 8 * 8
        for k in 0 ..< 8 { dt[dtOffset + k] = 0 }
        #expect {
            try HHPool(decoding: Self.withCRC(dt))
        } throws: { error in
            guard case HHPoolFileError.invalid(let field, let detail) = error else { return false }
            return field == "parameters" && detail.contains("dt")
        }
        var features = body
        features[14] = 0xFF
        features[15] = 0xFF
        #expect {
            try HHPool(decoding: Self.withCRC(features))
        } throws: { error in
            guard case HHPoolFileError.invalid(let field, _) = error else { return false }
            return field == "features"
        }
    }

    /// Truncations (every third length) and 150 mutations (with the length and CRC made right again, so
    /// the field checks are reached) give a typed error or a pool that ticks — never a trap.
    @Test func mutatedBytesNeverTrap() throws {
        var (pool, input) = try Self.connectedPool()
        _ = try Self.run(&pool, input, from: 0, to: 10)
        let good = pool.encoded()
        for n in stride(from: 0, to: good.count, by: 3) {
            #expect(throws: HHPoolFileError.self) { try HHPool(decoding: Array(good.prefix(n))) }
        }
        var random = PoolRandom(seed: 99)
        var decoded = 0
        for _ in 0 ..< 150 {
            var body = Array(good.dropLast(4))
            for _ in 0 ..< 1 + Int(random.uniform(below: 3)) {
                let at = 14 + Int(random.uniform(below: UInt64(body.count - 14)))
                body[at] = UInt8(truncatingIfNeeded: random.next())
            }
            do {
                var p = try HHPool(decoding: Self.withCRC(body))
                decoded += 1
                for _ in 0 ..< 3 { p.tick() }
            } catch {}
        }
        #expect(decoded > 0)   // mutations of state values mostly decode; they must still tick
    }

    @Test func misuseThrowsTypedErrors() throws {
        var (pool, _) = try Self.connectedPool()
        #expect(throws: HHError.unknownProjection(3, count: 1)) { try pool.deliver(projection: 3, sourceTick: 0, spikes: [UInt16]()) }
        pool.tick()
        #expect(throws: HHError.deliveryOutOfOrder(projection: 0, sourceTick: 5, expected: 0)) { try pool.deliver(projection: 0, sourceTick: 5, spikes: [UInt16]()) }
        #expect(throws: HHError.spikeOutOfRange(40, neurons: 40)) { try pool.deliver(projection: 0, sourceTick: 0, spikes: [UInt16(40)]) }
        #expect(throws: HHError.inputCountMismatch(3, neurons: 20)) { try pool.tick(current: [1, 2, 3]) }
        #expect(throws: HHError.rangeOutOfBounds(15 ..< 25, neurons: 20)) { try pool.setBias(15 ..< 25, 1) }
        #expect(throws: HHError.invalidNeuronCount(0)) { try HHPool(name: "x", neurons: 0) }
        var p = HHParameters()
        p.dt = 0.03
        #expect(throws: HHError.invalidParameter(name: "tickDuration", value: 1, expected: "a whole multiple of dt (0.03 ms)")) { try HHPool(name: "x", neurons: 1, parameters: p) }
        p = HHParameters()
        p.tauAMPADecay = -1
        #expect(throws: HHError.invalidParameter(name: "tauAMPADecay", value: -1, expected: "> 0")) { try p.validate() }
    }

    // MARK: biology

    /// A 1 ms pulse of 40 µA/cm² at tick 10 and one of `second` µA/cm² `gap` ms later.
    static func pairedPulseSpikes(gap: Int, second: Double = 40) throws -> Int {
        var pool = try HHPool(name: "cell", neurons: 1, features: [])
        var spikes = 0
        for t in 0 ..< 70 {
            spikes += try pool.tick(current: [t == 10 ? 40 : t == 10 + gap ? second : 0])
        }
        return spikes
    }

    /// The least pulse amplitude on a 2.5 µA/cm² grid that fires a cell `gap` ms after a spike
    /// (gap nil: a rested cell).
    static func pulseThreshold(gap: Int?) throws -> Double {
        for a in stride(from: 2.5, through: 200, by: 2.5) {
            if let gap {
                if try pairedPulseSpikes(gap: gap, second: a) == 2 { return a }
            } else {
                var pool = try HHPool(name: "cell", neurons: 1, features: [])
                var spikes = 0
                for t in 0 ..< 40 { spikes += try pool.tick(current: [t == 10 ? a : 0]) }
                if spikes > 0 { return a }
            }
        }
        return .infinity
    }

    @Test func refractorinessEmergesFromTheChannels() throws {
        // Absolute: nothing fires 3 ms after a spike; a rested cell fires again.
        #expect(try Self.pairedPulseSpikes(gap: 30) == 2)
        #expect(try Self.pairedPulseSpikes(gap: 3) == 1)
        #expect(try Self.pairedPulseSpikes(gap: 3, second: 200) == 1)
        // Relative: soon after a spike it takes a stronger pulse, less so as the gates recover.
        let rested = try Self.pulseThreshold(gap: nil)
        let at6 = try Self.pulseThreshold(gap: 6), at12 = try Self.pulseThreshold(gap: 12)
        #expect(at6 > at12 && at12 > rested, "thresholds: rested \(rested), 6 ms \(at6), 12 ms \(at12)")
    }

    @Test func magnesiumBlockFollowsJahrAndStevens() {
        let at = { (v: Double) in HHKinetics.magnesiumUnblock(v: v, magnesium: 1) }
        #expect(abs(at(0) - 1 / (1 + 1 / 3.57)) < 1e-12)
        #expect(at(-80) < 0.05)
        #expect(at(-40) < at(-20) && at(-20) < at(0) && at(0) < at(20))
        #expect(HHKinetics.magnesiumUnblock(v: -60, magnesium: 0) == 1)
    }

    /// One afferent synapse of weight `weight` onto neuron 0; the peak of V − rest over 40 ms.
    static func psp(weight: Int8, features: HHFeatures, modulators: HHModulators = .baseline) throws -> (peak: Double, trough: Double, peakTick: Int) {
        var pool = try HHPool(name: "cell", neurons: 1, features: features)
        pool.apply(modulators)
        try pool.addAfferent(try HHProjection(source: "in", sourceCount: 1, lag: 1, rowPtr: [0, 1],
                                              synapses: [Synapse(target: 0, weight: weight, delay: 1)]))
        let rest = pool.v[0]
        var peak = 0.0, trough = 0.0, peakTick = 0
        for t in 0 ..< 40 {
            if t >= 1 { try pool.deliver(projection: 0, sourceTick: UInt64(t - 1), spikes: t == 1 ? [UInt16(0)] : []) }
            pool.tick()
            if pool.v[0] - rest > peak { (peak, peakTick) = (pool.v[0] - rest, t) }
            trough = min(trough, pool.v[0] - rest)
        }
        return (peak, trough, peakTick)
    }

    @Test func receptorsDepolarizeAndHyperpolarize() throws {
        let ampa = try Self.psp(weight: 8, features: .receptorKinetics)
        #expect(ampa.peak > 0.5 && ampa.peak < 20)
        let gaba = try Self.psp(weight: -8, features: .receptorKinetics)
        #expect(gaba.trough < -0.2)
        #expect(-gaba.trough > gaba.peak)
        // NMDA adds a slow component: a larger PSP than AMPA alone.
        let both = try Self.psp(weight: 8, features: [.receptorKinetics, .nmda])
        #expect(both.peak > ampa.peak)
        // Kinetics: a finite rise puts the peak later than an instant jump does (or equal at 1 ms ticks).
        let instant = try Self.psp(weight: 8, features: [])
        #expect(instant.peakTick <= ampa.peakTick)
        #expect(instant.peak > 0.5)
    }

    @Test func modulatorsScaleReceptorGainsOnlyWhenOn() throws {
        let high = HHModulators(dopamine: 255, serotonin: 128, acetylcholine: 255)
        let base = try Self.psp(weight: 6, features: [.receptorKinetics, .nmda, .modulators])
        let boosted = try Self.psp(weight: 6, features: [.receptorKinetics, .nmda, .modulators], modulators: high)
        let ignored = try Self.psp(weight: 6, features: [.receptorKinetics, .nmda], modulators: high)
        #expect(boosted.peak > base.peak * 1.2)
        #expect(ignored.peak == (try Self.psp(weight: 6, features: [.receptorKinetics, .nmda])).peak)
        let serotonin = try Self.psp(weight: 6, features: [.receptorKinetics, .modulators], modulators: HHModulators(serotonin: 255))
        #expect(serotonin.peak < base.peak)
    }

    /// Spikes of one cell under a 10 µA/cm² step for `ms`, and the pool afterwards.
    static func stepped(features: HHFeatures, ms: Int = 500) throws -> (spikes: Int, pool: HHPool) {
        var pool = try HHPool(name: "cell", neurons: 1, features: features)
        try pool.setBias(0 ..< 1, 10)
        var spikes = 0
        for _ in 0 ..< ms { spikes += pool.tick() }
        return (spikes, pool)
    }

    @Test func calciumEntersOnSpikesDecaysAndAdaptsTheRate() throws {
        var pool = try HHPool(name: "cell", neurons: 1, features: .calcium)
        let rest = pool.calcium[0]
        var before = rest
        for t in 0 ..< 200 {
            let fired = try pool.tick(current: [t == 10 ? 40 : 0])
            if fired > 0 { #expect(abs(pool.calcium[0] - (rest + (before - rest) * exp(-1 / 80.0) + 0.2)) < 1e-12) }
            before = pool.calcium[0]
        }
        #expect(pool.totalSpikes == 1)
        #expect(pool.calcium[0] > rest && pool.calcium[0] < rest + 0.2 * exp(-150 / 80.0) * 1.01)
        let plain = try Self.stepped(features: [])
        let adapted = try Self.stepped(features: .calcium)
        #expect(adapted.spikes < plain.spikes)
        #expect(plain.pool.calcium[0] == rest)
    }

    @Test func spikesCostATPAndDepletionLowersExcitability() throws {
        let plain = try Self.stepped(features: [], ms: 1000)
        var (spikes, pool) = try Self.stepped(features: .atp, ms: 1000)
        #expect(pool.atp[0] < 0.95)
        #expect(spikes < plain.spikes)
        // Recovery in silence.
        let depleted = pool.atp[0]
        try pool.setBias(0 ..< 1, 0)
        for _ in 0 ..< 1000 { spikes += pool.tick() }
        #expect(pool.atp[0] > depleted)
    }
}

import Foundation
