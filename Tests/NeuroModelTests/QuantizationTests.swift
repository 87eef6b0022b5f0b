import Foundation
import NeuroModel
import NeuroPool
import Testing

/// Each physical parameter is quantized once, within the bounds the format promises.
@Suite struct QuantizationTests {
    static let taus: [Double] = [2, 2.5, 3, 4, 5, 7.5, 10, 12.5, 15, 20, 25, 33, 40, 50, 66, 75, 90, 100]

    @Test(arguments: [UInt32(1000), UInt32(100)])
    func membraneTimeConstantsWithinOnePercent(tickMicroseconds: UInt32) throws {
        for tau in Self.taus {
            var p = NeuronParameters()
            p.tauM = tau
            try p.validate(prefix: "", tickMicroseconds: tickMicroseconds)
            let (_, report) = p.quantized(name: "E", start: 0, size: 1, inhibitory: false, tickMicroseconds: tickMicroseconds)
            let tauM = try #require(report.first { $0.name == "tau_m" })
            #expect(tauM.relativeError < 0.01, "tau_m \(tau) ms at \(tickMicroseconds) us became \(tauM.actual) ms")
        }
    }

    @Test(arguments: [UInt32(1000), UInt32(100)])
    func refractoryPeriodsWithinOneTick(tickMicroseconds: UInt32) throws {
        let dt = Double(tickMicroseconds) / 1000
        for tRef in stride(from: 0.0, through: 10.0, by: 0.37) {
            var p = NeuronParameters()
            p.tRef = tRef
            let (population, report) = p.quantized(name: "E", start: 0, size: 1, inhibitory: false, tickMicroseconds: tickMicroseconds)
            let t = try #require(report.first { $0.name == "t_ref" })
            #expect(abs(t.actual - tRef) <= dt / 2 + 1e-9)
            #expect(Double(population.refractory) * dt == t.actual)
        }
    }

    @Test func potentialsAreExactToTheUnit() {
        var p = NeuronParameters()
        (p.vRest, p.vThreshold, p.vReset) = (-65, -50, -65)
        let (population, _) = p.quantized(name: "E", start: 0, size: 1, inhibitory: false, tickMicroseconds: 100)
        #expect(population.threshold == 15 * 65536)
        #expect(population.reset == 0)
        #expect(population.rest == -65 * 65536)
    }

    /// A constant weight keeps its PSP within 1 % for |J| from 0.01 to 20 mV, either sign.
    @Test func constantWeightsWithinOnePercent() {
        for k in 0 ... 60 {
            let j = 0.01 * pow(2000, Double(k) / 60)
            for (value, inhibitory) in [(j, false), (-j, true)] {
                let scale = WeightScale(largest: value)
                let w = scale.weight(value, inhibitory: inhibitory)
                let error = abs(scale.millivolts(w) - value) / abs(value)
                #expect(error < 0.01, "J = \(value) mV became \(scale.millivolts(w)) mV (weight \(w), shift \(scale.shift))")
            }
        }
    }

    @Test func weightsNeverCrossDalesLaw() {
        let scale = WeightScale(for: .normal(mean: 0.1, sd: 0.2))
        var random = PoolRandom(seed: 3)
        for _ in 0 ..< 2000 {
            let v = ValueDistribution.normal(mean: 0.1, sd: 0.2).sample(&random)
            #expect(scale.weight(v, inhibitory: false) >= 0)
            #expect(scale.weight(-v, inhibitory: true) <= 0)
        }
    }

    @Test func badParametersAreNamed() {
        var p = NeuronParameters()
        p.vReset = 25
        #expect(throws: ModelError.self) { try p.validate(prefix: "pool[0].population[0].", tickMicroseconds: 100) }
        do {
            try p.validate(prefix: "pool[0].population[0].", tickMicroseconds: 100)
        } catch {
            #expect(error.description.hasPrefix("pool[0].population[0].v_reset = 25.0 is invalid"))
        }
        p = NeuronParameters()
        p.tauM = 0.01
        #expect(throws: ModelError.self) { try p.validate(prefix: "", tickMicroseconds: 100) }
    }
}
