import NeuroPool
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
        var synapticActive = false
        let tickDecay = constants.tickDecay
        // Per-tick values of each neuron, kept beside the state for the blocked substep loop.
        if scratch.count != 6 * count { scratch = ContiguousArray(repeating: 0, count: 6 * count) }
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
        delays.input.withUnsafeMutableBufferPointer { ring in
        spikeBuffer.withUnsafeMutableBufferPointer { spikes in
        bias.withUnsafeBufferPointer { bias in
        scratch.withUnsafeMutableBufferPointer { work in
        constants.powers.withUnsafeBufferPointer { powers in
        table.values.withUnsafeBufferPointer { T in
            let stimOf = work.baseAddress!, slowKOf = stimOf + count, unblockOf = slowKOf + count
            let chargeOf = unblockOf + count, spikeAtOf = chargeOf + count, newVOf = spikeAtOf + count
            // Prologue per neuron: deliver (1), slow K⁺ conductances held over the tick (AHP from
            // calcium, K_ATP from depletion), this tick's current, NMDA unblock at the start.
            for i in 0 ..< count {
                let slot = (base &+ i) &<< 1
                let e = Double(ring[slot]), inh = Double(0 &- ring[slot &+ 1])
                ring[slot] = 0
                ring[slot &+ 1] = 0
                aDs[i] += e * wAMPA; aRs[i] += e * wAMPA
                nDs[i] += e * wNMDA; nRs[i] += e * wNMDA
                gDs[i] += inh * wGABA; gRs[i] += inh * wGABA
                var gSlowK = 0.0
                if useCalcium {
                    let free = max(Ca[i] - p.calciumRest, 0)
                    gSlowK += p.gAHP * free / (free + p.calciumHalf)
                }
                if useATP { gSlowK += p.gKATP * (1 - ATP[i]) }
                slowKOf[i] = gSlowK
                var stim = bias[i]
                if let current { stim += current[i] }
                if noiseAmplitude > 0 {
                    let u = Double(random.next() >> 11) * 0x1p-53
                    stim += noiseAmplitude * (2 * u - 1)
                }
                stimOf[i] = stim
                var x0 = (V[i] - vMin) * invStep
                x0 = x0 > 0 ? x0 : 0
                x0 = x0 < xMax ? x0 : xMax
                unblockOf[i] = T[Int(x0) &* HHRateTable.columns &+ 6]
                if aDs[i] != 0 || nDs[i] != 0 || gDs[i] != 0 || aRs[i] != 0 || nRs[i] != 0 || gRs[i] != 0 { synapticActive = true }
                chargeOf[i] = 0
                spikeAtOf[i] = -1
            }
            // 2. integrate, in blocks of neurons that stay in L1: within a block the substep
            // loop runs over neurons, so the long dependency chain of one neuron's step
            // (V → table → gates → V) overlaps with its neighbours'. Receptor conductances are
            // exact exponentials within a tick: D(s) = D₀·e^(−s·dt/τ), from precomputed powers.
            @inline(__always)
            func integrate(synaptic: Bool, kinetic: Bool) {
                var blockStart = 0
                while blockStart < count {
                    let blockEnd = min(blockStart &+ HHPool.block, count)
                    for s in 0 ..< steps {
                        let stepStart = Double(s) * dt
                        let w = s &* 6
                        let pAD = powers[w], pAR = powers[w &+ 1], pND = powers[w &+ 2]
                        let pNR = powers[w &+ 3], pGD = powers[w &+ 4], pGR = powers[w &+ 5]
                        // Pass A (no table access, so it vectorizes): V by Crank–Nicolson.
                        for i in blockStart ..< blockEnd {
                            let vm = V[i], mm = M[i], hh = H[i], nn = N[i]
                            let gNa = p.gNa * mm * mm * mm * hh
                            let n2 = nn * nn
                            let gK = p.gK * n2 * n2 + slowKOf[i]
                            var gTotal = gNa + gK + p.gL
                            var driven = gNa * p.eNa + gK * p.eK + gLeL + stimOf[i]
                            if synaptic {
                                let gA: Double, gN: Double, gG: Double
                                if kinetic {
                                    gA = normA * (aDs[i] * pAD - aRs[i] * pAR)
                                    gN = normN * (nDs[i] * pND - nRs[i] * pNR) * unblockOf[i]
                                    gG = normG * (gDs[i] * pGD - gRs[i] * pGR)
                                } else {
                                    gA = aDs[i] * pAD; gN = nDs[i] * pND * unblockOf[i]; gG = gDs[i] * pGD
                                }
                                gTotal += gA + gN + gG
                                driven += (gA + gN) * c.eAMPA + gG * c.eGABA
                            }
                            let v1 = (vm * (cOverDt - 0.5 * gTotal) + driven) / (cOverDt + 0.5 * gTotal)
                            chargeOf[i] += gNa * (0.5 * (vm + v1) - p.eNa)
                            newVOf[i] = v1
                        }
                        // Pass B: spike detection, then the gates from the table at V(t + dt).
                        for i in blockStart ..< blockEnd {
                            let vm = V[i], v1 = newVOf[i]
                            if vm < theta, v1 >= theta, spikeAtOf[i] < 0 {
                                spikeAtOf[i] = stepStart + (theta - vm) / (v1 - vm) * dt
                            }
                            V[i] = v1
                            var x = (v1 - vMin) * invStep
                            x = x > 0 ? x : 0
                            x = x < xMax ? x : xMax
                            let k = Int(x)
                            let f = x - Double(k)
                            let r = k &* HHRateTable.columns
                            let q = r &+ HHRateTable.columns
                            let mInf = T[r] + f * (T[q] - T[r]), mE = T[r &+ 1] + f * (T[q &+ 1] - T[r &+ 1])
                            let hInf = T[r &+ 2] + f * (T[q &+ 2] - T[r &+ 2]), hE = T[r &+ 3] + f * (T[q &+ 3] - T[r &+ 3])
                            let nInf = T[r &+ 4] + f * (T[q &+ 4] - T[r &+ 4]), nE = T[r &+ 5] + f * (T[q &+ 5] - T[r &+ 5])
                            if synaptic { unblockOf[i] = T[r &+ 6] + f * (T[q &+ 6] - T[r &+ 6]) }
                            let mm = M[i], hh = H[i], nn = N[i]
                            M[i] = mInf + (mm - mInf) * mE
                            H[i] = hInf + (hh - hInf) * hE
                            N[i] = nInf + (nn - nInf) * nE
                        }
                    }
                    blockStart = blockEnd
                }
            }
            // A pool whose receptors are all at zero (e.g. uncoupled cells) skips their terms:
            // they would add exact zeros.
            switch (synapticActive, kinetic) {
            case (true, true): integrate(synaptic: true, kinetic: true)
            case (true, false): integrate(synaptic: true, kinetic: false)
            default: integrate(synaptic: false, kinetic: false)
            }
            // Receptors decay over the whole tick.
            for i in 0 ..< count {
                aDs[i] *= tickDecay.0; nDs[i] *= tickDecay.2; gDs[i] *= tickDecay.4
                if kinetic { aRs[i] *= tickDecay.1; nRs[i] *= tickDecay.3; gRs[i] *= tickDecay.5 }
            }
            // 3. slow variables, and the spike list (ascending).
            for i in 0 ..< count {
                let spiked = spikeAtOf[i] >= 0
                if !kinetic { aRs[i] = 0; nRs[i] = 0; gRs[i] = 0 }
                if useCalcium {
                    Ca[i] = p.calciumRest + (Ca[i] - p.calciumRest) * eCa + (spiked ? p.calciumPerSpike : 0)
                }
                if useATP {
                    let used = (spiked ? p.atpPerSpike : 0) + p.atpPerCharge * max(-chargeOf[i] * dt, 0)
                    ATP[i] = min(max(1 - (1 - ATP[i]) * eATP - used, 0), 1)
                }
                if spiked {
                    lastTime[i] = tickStart + spikeAtOf[i]
                    spikes[fired] = UInt16(truncatingIfNeeded: i)
                    fired &+= 1
                }
            }
        }}}}}}}}}}}}}}}}}}}
        self.random = random
        lastSpikeCount = fired
        totalSpikes &+= UInt64(fired)
        propagate(tick: tick, fired: fired)
        tickCount = tick &+ 1
        return fired
    }

    /// Neurons integrated together in the substep loop (their per-step state, ~15 doubles
    /// each, stays in L1).
    static let block = 32

    /// Step 4: local synapses of the neurons that fired, through NeuroPool's propagation loop
    /// (`SynapseStore.send`): each weight goes to its target's excitatory or inhibitory
    /// channel by its sign. O(spikes × out-degree).
    private mutating func propagate(tick: UInt64, fired: Int) {
        guard fired > 0, !store.synapses.isEmpty else { return }
        let count = neuronCount
        delays.input.withUnsafeMutableBufferPointer { ring in
            spikeBuffer.withUnsafeBufferPointer { spikes in
                let target = RingTarget(ring: ring, neurons: count, mask: 7, split: 1, shift: 0)
                store.send(UnsafeBufferPointer(rebasing: spikes[0 ..< fired]), tick: tick, into: target, scaled: true, plastic: false,
                           postLast: UnsafeBufferPointer(start: nil, count: 0), windows: nil, prefetch: false)
            }
        }
    }
}
