import Foundation
import Testing
@testable import NeuroBio

/// The bare Hodgkin–Huxley membrane (no synapses, no extra features) against NEURON's `hh`
/// (values stored in NeuronHHReference.swift by Tests/Reference/neuron_hh.py).
@Suite struct HHAccuracyTests {
    /// Spike times (ms) of one neuron per amplitude, for a step switched on at `start` ms
    /// (and off at `stop`, if given), simulated for `duration` ms.
    static func spikeTimes(amplitudes: [Double], start: Double, stop: Double? = nil, duration: Double,
                           parameters: HHParameters = HHParameters()) throws -> [[Double]] {
        var pool = try HHPool(name: "cell", neurons: amplitudes.count, parameters: parameters, features: [])
        var times = [[Double]](repeating: [], count: amplitudes.count)
        let ticks = Int((duration / parameters.tickDuration).rounded())
        for t in 0 ..< ticks {
            let now = Double(t) * parameters.tickDuration
            if abs(now - start) < 1e-9 { for (i, a) in amplitudes.enumerated() { try pool.setBias(i ..< i + 1, a) } }
            if let stop, abs(now - stop) < 1e-9 { try pool.setBias(0 ..< amplitudes.count, 0) }
            pool.tick()
            for s in pool.lastSpikes { times[Int(s)].append(pool.lastSpikeTime[Int(s)]) }
        }
        return times
    }

    static func rate(_ times: [Double]) -> Double {
        let (lo, hi) = (NeuronHHReference.stepStart + NeuronHHReference.rateWindow.0, NeuronHHReference.stepStart + NeuronHHReference.rateWindow.1)
        let inside = times.filter { $0 >= lo && $0 < hi }
        guard inside.count >= 2 else { return 0 }
        return 1000 * Double(inside.count - 1) / (inside.last! - inside.first!)
    }

    /// The largest first-ten-spike-time error, ms, over the reference amplitudes.
    static func worstSpikeTimeError(parameters: HHParameters = HHParameters()) throws -> Double {
        let reference = NeuronHHReference.spikeTimes
        let times = try spikeTimes(amplitudes: reference.map(\.amplitude), start: NeuronHHReference.stepStart, duration: 200, parameters: parameters)
        var worst = 0.0
        for (k, ref) in reference.enumerated() {
            #expect(times[k].count >= 10, "amplitude \(ref.amplitude): \(times[k].count) spikes")
            for (a, b) in zip(times[k].prefix(10), ref.times) { worst = max(worst, abs(a - b)) }
        }
        return worst
    }

    /// The tabulated gate updates are the exact ones to 1e-6 (linear interpolation, 0.01 mV grid).
    @Test func rateTableInterpolatesWithin1e6() {
        let dt = 0.025, celsius = 6.3
        let table = HHRateTable(dt: dt, celsius: celsius, magnesium: 1)
        let q = HHKinetics.q10(celsius: celsius)
        var worst = 0.0
        for k in 0 ..< 1601 {
            let v = -100 + Double(k) * 0.1 + 0.0037   // off the grid
            let x = (v - HHRateTable.vMin) / HHRateTable.step
            let i = Int(x), f = x - Double(i)
            func at(_ c: Int) -> Double {
                let a = table.values[i * HHRateTable.columns + c], b = table.values[(i + 1) * HHRateTable.columns + c]
                return a + f * (b - a)
            }
            let g = HHKinetics.gates(v: v, q10: q)
            let exact = [g.mInf, exp(-dt / g.mTau), g.hInf, exp(-dt / g.hTau), g.nInf, exp(-dt / g.nTau),
                         HHKinetics.magnesiumUnblock(v: v, magnesium: 1)]
            for c in 0 ..< 7 { worst = max(worst, abs(at(c) - exact[c])) }
        }
        print("rate table: worst interpolation error \(worst)")
        #expect(worst < 1e-6)
    }

    @Test func firstTenSpikeTimesMatchNEURONWithin0_1ms() throws {
        let worst = try Self.worstSpikeTimeError()
        print("HH first-ten spike times: worst error \(worst) ms (dt 0.025 ms)")
        #expect(worst < 0.1)
    }

    /// Temperature enters through q10: at 16.3 °C the spikes come three times as fast and
    /// still agree.
    @Test func spikeTimesMatchNEURONAtAnotherTemperature() throws {
        var parameters = HHParameters()
        parameters.celsius = NeuronHHReference.warmCelsius
        let reference = NeuronHHReference.warmSpikeTimes
        let times = try Self.spikeTimes(amplitudes: reference.map(\.amplitude), start: NeuronHHReference.stepStart, duration: 100,
                                        parameters: parameters)
        var worst = 0.0
        for (k, ref) in reference.enumerated() {
            #expect(times[k].count >= 10)
            for (a, b) in zip(times[k].prefix(10), ref.times) { worst = max(worst, abs(a - b)) }
        }
        print("HH first-ten spike times at \(parameters.celsius) °C: worst error \(worst) ms")
        #expect(worst < 0.1)
    }

    @Test func fICurveMatchesNEURONWithin2Percent() throws {
        let reference = NeuronHHReference.fI
        let times = try Self.spikeTimes(amplitudes: reference.map(\.amplitude), start: NeuronHHReference.stepStart,
                                        duration: NeuronHHReference.stepStart + NeuronHHReference.rateWindow.1)
        var worst = 0.0
        for (k, ref) in reference.enumerated() {
            let r = Self.rate(times[k])
            worst = max(worst, abs(r - ref.rate) / ref.rate)
        }
        print("HH f-I curve: worst relative error \(worst * 100) %")
        #expect(worst < 0.02)
    }

    /// Rheobase by a 16-way search: each round simulates 16 amplitudes spanning the bracket.
    @Test func rheobaseMatchesNEURONWithin2Percent() throws {
        var lo = 0.0, hi = 20.0
        let start = NeuronHHReference.stepStart
        let stop = start + NeuronHHReference.rheobaseDuration
        for _ in 0 ..< 4 {
            let amplitudes = (1 ... 16).map { lo + (hi - lo) * Double($0) / 17 }
            let times = try Self.spikeTimes(amplitudes: amplitudes, start: start, stop: stop, duration: stop + 20)
            let firing = amplitudes.indices.filter { !times[$0].isEmpty }
            let first = firing.first ?? amplitudes.count
            let newLo = first == 0 ? lo : amplitudes[first - 1]
            let newHi = first == amplitudes.count ? hi : amplitudes[first]
            (lo, hi) = (newLo, newHi)
        }
        let rheobase = (lo + hi) / 2
        let error = abs(rheobase - NeuronHHReference.rheobase) / NeuronHHReference.rheobase
        print("HH rheobase \(rheobase) µA/cm² vs NEURON \(NeuronHHReference.rheobase): \(error * 100) %")
        #expect(error < 0.02)
    }
}
