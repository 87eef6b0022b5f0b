import Foundation

/// The Hodgkin–Huxley (1952) gate rate functions exactly as NEURON's `hh.mod` writes them
/// (V in mV, rates in 1/ms at 6.3 °C, scaled by q10 = 3^((celsius − 6.3)/10)).
public enum HHKinetics {
    /// Temperature factor of all rates.
    @inlinable
    public static func q10(celsius: Double) -> Double { pow(3.0, (celsius - 6.3) / 10.0) }

    /// x / (e^(x/y) − 1), continuous at x = 0 (NEURON's `vtrap`).
    @inlinable
    public static func vtrap(_ x: Double, _ y: Double) -> Double {
        abs(x / y) < 1e-6 ? y * (1 - x / y / 2) : x / (exp(x / y) - 1)
    }

    /// Steady state and time constant (ms) of m, h and n at potential `v` mV.
    @inlinable
    public static func gates(v: Double, q10: Double) -> (mInf: Double, mTau: Double, hInf: Double, hTau: Double, nInf: Double, nTau: Double) {
        let am = 0.1 * vtrap(-(v + 40), 10)
        let bm = 4 * exp(-(v + 65) / 18)
        let ah = 0.07 * exp(-(v + 65) / 20)
        let bh = 1 / (exp(-(v + 35) / 10) + 1)
        let an = 0.01 * vtrap(-(v + 55), 10)
        let bn = 0.125 * exp(-(v + 65) / 80)
        return (am / (am + bm), 1 / (q10 * (am + bm)), ah / (ah + bh), 1 / (q10 * (ah + bh)),
                an / (an + bn), 1 / (q10 * (an + bn)))
    }

    /// Fraction of NMDA conductance left unblocked by magnesium at `v` mV (Jahr & Stevens 1990).
    @inlinable
    public static func magnesiumUnblock(v: Double, magnesium: Double) -> Double {
        1 / (1 + magnesium / 3.57 * exp(-0.062 * v))
    }
}

/// Gate updates tabulated on a fine voltage grid for one (dt, celsius, [Mg²⁺]): per node,
/// x∞(V) and e^(−dt/τx(V)) for m, h, n, and the NMDA unblocked fraction; looked up with linear
/// interpolation. Tabulating the exponentials is what makes 1,000 neurons run faster than real
/// time (NEURON's `hh` tabulates too, on a 1 mV grid; this grid is 0.01 mV, so interpolation
/// error is at most 2.4e-8 from −100 to +60 mV, a test checks). Outside `vMin…vMax` the end values are used.
struct HHRateTable: Sendable {
    static let vMin = -150.0
    static let vMax = 100.0
    static let step = 0.01
    static let columns = 8   // mInf, mE, hInf, hE, nInf, nE, unblock, padding (one 64-byte line)
    let values: ContiguousArray<Double>
    let count: Int

    init(dt: Double, celsius: Double, magnesium: Double) {
        let q = HHKinetics.q10(celsius: celsius)
        count = Int(((HHRateTable.vMax - HHRateTable.vMin) / HHRateTable.step).rounded()) + 1
        var v = ContiguousArray<Double>(repeating: 0, count: count * HHRateTable.columns)
        for k in 0 ..< count {
            let volts = HHRateTable.vMin + Double(k) * HHRateTable.step
            let g = HHKinetics.gates(v: volts, q10: q)
            let base = k * HHRateTable.columns
            v[base] = g.mInf
            v[base + 1] = exp(-dt / g.mTau)
            v[base + 2] = g.hInf
            v[base + 3] = exp(-dt / g.hTau)
            v[base + 4] = g.nInf
            v[base + 5] = exp(-dt / g.nTau)
            v[base + 6] = HHKinetics.magnesiumUnblock(v: volts, magnesium: magnesium)
        }
        values = v
    }
}
