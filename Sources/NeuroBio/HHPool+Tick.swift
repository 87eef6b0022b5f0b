import Foundation
extension HHPool {
    /// Advances the pool one bus tick (`parameters.substeps` integration steps) with no input
    /// other than what was delivered and the bias currents. Returns how many neurons fired;
    /// they are in `lastSpikes`. O(N · substeps + spikes × out-degree); no allocation.
    @discardableResult
    public mutating func tick() -> Int {
        step(current: nil)
    }

    /// Advances one tick with an extra current per neuron for this tick only, µA/cm²
    /// (exactly `neuronCount` finite values).
    @discardableResult
    public mutating func tick(current: UnsafeBufferPointer<Double>) throws(HHError) -> Int {
        guard current.count == neuronCount else { throw .inputCountMismatch(current.count, neurons: neuronCount) }
        for x in current where !x.isFinite { throw .invalidParameter(name: "current", value: x, expected: "finite values") }
        return step(current: current)
    }

    /// `tick(current:)` for an array.
    @discardableResult
    public mutating func tick(current: [Double]) throws(HHError) -> Int {
        try current.withUnsafeBufferPointer { (b) throws(HHError) in try tick(current: b) }
    }

    // One tick, per neuron (each neuron's substeps run in registers; neurons are independent
    // within a tick because synaptic input only arrives at tick boundaries):
    //  1. deliver: this tick's ring slot adds the summed excitatory weights to AMPA (and NMDA)
    //     and the inhibitory ones to GABA-A, times weightScale and the modulator gains;
    //  2. integrate `substeps` steps of the staggered scheme (docs/NEUROBIO.md): conductances
    //     from gates at t + dt/2, V by Crank–Nicolson, then gates by their exact exponential
    //     update with V(t + dt) held; a spike is the first upward crossing of spikeThreshold,
    //     its time interpolated linearly within the step;
    //  3. calcium and ATP advance over the whole tick (their time constants are ≥ 50 ms);
    //  4. propagate: each spike adds its weight to ring slot (t + delay) mod 8 of its targets.
    mutating func step(current: UnsafeBufferPointer<Double>?) -> Int {
        let count = neuronCount
        let p = parameters
        let c = constants
        let tick = tickCount
        let steps = p.substeps
        let dt = p.dt
        let base = Int(tick & 7) * count
        let tickStart = Double(tick) * p.tickDuration
        let kinetic = features.contains(.receptorKinetics)
        let useNMDA = features.contains(.nmda)
        let useCalcium = features.contains(.calcium)
        let useATP = features.contains(.atp)
        let wAMPA = p.weightScale * c.gainAMPA
        let wNMDA = useNMDA ? p.weightScale * p.nmdaRatio * c.gainNMDA : 0
        let wGABA = p.weightScale * c.gainGABA
        let normA = kinetic ? c.normAMPA : 1, normN = kinetic ? c.normNMDA : 1, normG = kinetic ? c.normGABA : 1
        let cOverDt = p.cm / dt
        let gLeL = p.gL * p.eL
        let theta = p.spikeThreshold
        let eCa = exp(-p.tickDuration / p.tauCalcium)
        let eATP = exp(-p.tickDuration / p.tauATP)
        let noiseAmplitude = p.noise * 3.0.squareRoot()
        let invStep = 1 / HHRateTable.step
        let vMin = HHRateTable.vMin
        let xMax = Double(table.count - 1) - 1e-9
        var fired = 0
        var random = self.random
        v.withUnsafeMutableBufferPointer { V in
        m.withUnsafeMutableBufferPointer { M in
        h.withUnsafeMutableBufferPointer { H in
        n.withUnsafeMutableBufferPointer { N in
        ampaDecay.withUnsafeMutableBufferPointer { aDs in
        ampaRise.withUnsafeMutableBufferPointer { aRs in
        nmdaDecay.withUnsafeMutableBufferPointer { nDs in
        nmdaRise.withUnsafeMutableBufferPointer { nRs in
        gabaDecay.withUnsafeMutableBufferPointer { gDs in
        gabaRise.withUnsafeMutableBufferPointer { gRs in
        calcium.withUnsafeMutableBufferPointer { Ca in
        atp.withUnsafeMutableBufferPointer { ATP in
        lastSpikeTime.withUnsafeMutableBufferPointer { lastTime in
        ringExcitatory.withUnsafeMutableBufferPointer { ringE in
        ringInhibitory.withUnsafeMutableBufferPointer { ringI in
        spikeBuffer.withUnsafeMutableBufferPointer { spikes in
        bias.withUnsafeBufferPointer { bias in
        table.values.withUnsafeBufferPointer { T in
            for i in 0 ..< count {
                // 1. deliver
                let e = Double(ringE[base &+ i]), inh = Double(ringI[base &+ i])
                ringE[base &+ i] = 0
                ringI[base &+ i] = 0
                var aD = aDs[i] + e * wAMPA, aR = aRs[i] + e * wAMPA
                var nD = nDs[i] + e * wNMDA, nR = nRs[i] + e * wNMDA
                var gD = gDs[i] + inh * wGABA, gR = gRs[i] + inh * wGABA
                // Slow K⁺ conductances held over the tick: AHP from calcium, K_ATP from depletion.
                var gSlowK = 0.0
                if useCalcium {
                    let free = max(Ca[i] - p.calciumRest, 0)
                    gSlowK += p.gAHP * free / (free + p.calciumHalf)
                }
                if useATP { gSlowK += p.gKATP * (1 - ATP[i]) }
                var stim = bias[i]
                if let current { stim += current[i] }
                if noiseAmplitude > 0 {
                    let u = Double(random.next() >> 11) * 0x1p-53
                    stim += noiseAmplitude * (2 * u - 1)
                }
                var vm = V[i], mm = M[i], hh = H[i], nn = N[i]
                // NMDA unblock at the step's starting potential (updated with the gates).
                var x0 = (vm - vMin) * invStep
                x0 = x0 > 0 ? x0 : 0
                x0 = x0 < xMax ? x0 : xMax
                var unblock = T[Int(x0) &* HHRateTable.columns &+ 6]
                var naCharge = 0.0
                var spiked = false
                var spikeAt = 0.0
                // 2. integrate
                for s in 0 ..< steps {
                    let gNa = p.gNa * mm * mm * mm * hh
                    let n2 = nn * nn
                    let gK = p.gK * n2 * n2 + gSlowK
                    let gA: Double, gN: Double, gG: Double
                    if kinetic {
                        gA = normA * (aD - aR); gN = normN * (nD - nR) * unblock; gG = normG * (gD - gR)
                    } else {
                        gA = aD; gN = nD * unblock; gG = gD
                    }
                    let gTotal = gNa + gK + p.gL + gA + gN + gG
                    let driven = gNa * p.eNa + gK * p.eK + gLeL + gA * c.eAMPA + gN * c.eNMDA + gG * c.eGABA + stim
                    let v1 = (vm * (cOverDt - 0.5 * gTotal) + driven) / (cOverDt + 0.5 * gTotal)
                    naCharge += gNa * (0.5 * (vm + v1) - p.eNa)
                    if !spiked, vm < theta, v1 >= theta {
                        spiked = true
                        spikeAt = (Double(s) + (theta - vm) / (v1 - vm)) * dt
                    }
                    vm = v1
                    var x = (vm - vMin) * invStep
                    x = x > 0 ? x : 0
                    x = x < xMax ? x : xMax
                    let k = Int(x)
                    let f = x - Double(k)
                    let r = k &* HHRateTable.columns
                    let q = r &+ HHRateTable.columns
                    let mInf = T[r] + f * (T[q] - T[r]), mE = T[r &+ 1] + f * (T[q &+ 1] - T[r &+ 1])
                    let hInf = T[r &+ 2] + f * (T[q &+ 2] - T[r &+ 2]), hE = T[r &+ 3] + f * (T[q &+ 3] - T[r &+ 3])
                    let nInf = T[r &+ 4] + f * (T[q &+ 4] - T[r &+ 4]), nE = T[r &+ 5] + f * (T[q &+ 5] - T[r &+ 5])
                    unblock = T[r &+ 6] + f * (T[q &+ 6] - T[r &+ 6])
                    mm = mInf + (mm - mInf) * mE
                    hh = hInf + (hh - hInf) * hE
                    nn = nInf + (nn - nInf) * nE
                    aD *= c.decayAMPA; nD *= c.decayNMDA; gD *= c.decayGABA
                    if kinetic { aR *= c.riseAMPA; nR *= c.riseNMDA; gR *= c.riseGABA }
                }
                V[i] = vm; M[i] = mm; H[i] = hh; N[i] = nn
                aDs[i] = aD; nDs[i] = nD; gDs[i] = gD
                if kinetic { aRs[i] = aR; nRs[i] = nR; gRs[i] = gR } else { aRs[i] = 0; nRs[i] = 0; gRs[i] = 0 }
                // 3. slow variables
                if useCalcium {
                    Ca[i] = p.calciumRest + (Ca[i] - p.calciumRest) * eCa + (spiked ? p.calciumPerSpike : 0)
                }
                if useATP {
                    let used = (spiked ? p.atpPerSpike : 0) + p.atpPerCharge * max(-naCharge * dt, 0)
                    ATP[i] = min(max(1 - (1 - ATP[i]) * eATP - used, 0), 1)
                }
                if spiked {
                    lastTime[i] = tickStart + spikeAt
                    spikes[fired] = UInt16(truncatingIfNeeded: i)
                    fired &+= 1
                }
            }
        }}}}}}}}}}}}}}}}}}
        self.random = random
        lastSpikeCount = fired
        totalSpikes &+= UInt64(fired)
        propagate(tick: tick, fired: fired)
        tickCount = tick &+ 1
        return fired
    }

    /// Step 4: local synapses of the neurons that fired. O(spikes × out-degree).
    private mutating func propagate(tick: UInt64, fired: Int) {
        guard fired > 0, !synapses.isEmpty else { return }
        let count = neuronCount
        let t = Int(truncatingIfNeeded: tick & 7)
        synapses.withUnsafeBufferPointer { syn in
        rowPtr.withUnsafeBufferPointer { rows in
        spikeBuffer.withUnsafeBufferPointer { spikes in
        ringExcitatory.withUnsafeMutableBufferPointer { ringE in
        ringInhibitory.withUnsafeMutableBufferPointer { ringI in
            for k in 0 ..< fired {
                let j = Int(spikes[k])
                for s in Int(rows[j]) ..< Int(rows[j &+ 1]) {
                    let synapse = syn[s]
                    let slot = ((t &+ Int(synapse.delay)) & 7) &* count &+ Int(synapse.target)
                    let w = Int32(synapse.weight)
                    if w > 0 { ringE[slot] &+= w } else { ringI[slot] &-= w }
                }
            }
        }}}}}
    }
}
