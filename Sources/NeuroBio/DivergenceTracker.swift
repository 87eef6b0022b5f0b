/// Compares a biological pool and its twin tick by tick. Each tick it takes both pools' fired
/// lists, ages two `SpikeHistoryRegister`s, and counts coincidences online from the bits: a
/// biological spike is settled once it is `window` ticks old, paired with the oldest unpaired
/// twin spike within ±`window` ticks (bits 0…2·window of the twin's unpaired register) —
/// the same one-to-one pairing as `Divergence.coincidences`, so the online Γ equals the
/// offline one. It also keeps both spike trains for the distances, which need whole trains.
///
/// Spike times are tick-quantised for both pools (spike at tick k ↦ k · tickDuration ms): the
/// bus only carries ticks, so that is what the divergence is about.
public struct DivergenceTracker: Sendable {
    /// Coincidence window Δ, ticks (1…15: 2Δ + 1 bits must fit in a register).
    public let window: Int
    /// Tick length, ms.
    public let tickDuration: Double
    public private(set) var bio: SpikeHistoryRegister
    public private(set) var twin: SpikeHistoryRegister
    /// Twin spikes of the last 32 ticks not paired yet.
    var unpaired: ContiguousArray<UInt32>
    /// Settled coincidences and spike counts per neuron.
    public private(set) var coincidences: ContiguousArray<Int>
    public private(set) var bioCounts: ContiguousArray<Int>
    public private(set) var twinCounts: ContiguousArray<Int>
    /// Spike times per neuron, ms.
    public private(set) var bioTrains: [[Double]]
    public private(set) var twinTrains: [[Double]]

    /// A tracker for pools of `neurons` neurons. Throws if the window is not 1…15 ticks.
    public init(neurons: Int, window: Int = 2, tickDuration: Double = 1) throws(HHError) {
        guard (1 ... 15).contains(window) else { throw .invalidParameter(name: "window", value: Double(window), expected: "1...15 ticks") }
        guard neurons >= 1 else { throw .invalidNeuronCount(neurons) }
        self.window = window
        self.tickDuration = tickDuration
        bio = SpikeHistoryRegister(neurons: neurons)
        twin = SpikeHistoryRegister(neurons: neurons)
        unpaired = ContiguousArray(repeating: 0, count: neurons)
        coincidences = ContiguousArray(repeating: 0, count: neurons)
        bioCounts = coincidences
        twinCounts = coincidences
        bioTrains = Array(repeating: [], count: neurons)
        twinTrains = bioTrains
    }

    public var neuronCount: Int { bio.count }
    /// Ticks recorded.
    public var ticks: UInt64 { bio.ticks }
    /// Length of the recording, ms.
    public var duration: Double { Double(ticks) * tickDuration }

    /// Records one tick: the ids each pool fired (ids beyond the pools are ignored). O(N + spikes).
    public mutating func record(bio bioFired: some Collection<UInt16>, twin twinFired: some Collection<UInt16>) {
        let time = Double(ticks) * tickDuration
        for id in bioFired where Int(id) < neuronCount { bioTrains[Int(id)].append(time); bioCounts[Int(id)] += 1 }
        for id in twinFired where Int(id) < neuronCount { twinTrains[Int(id)].append(time); twinCounts[Int(id)] += 1 }
        bio.record(fired: bioFired)
        twin.record(fired: twinFired)
        let settle = UInt32(1) << UInt32(window)
        let mask = (UInt32(1) << UInt32(2 * window + 1)) &- 1
        for i in 0 ..< neuronCount {
            unpaired[i] = (unpaired[i] << 1) | (twin.bits[i] & 1)
            if bio.bits[i] & settle != 0 { Self.pair(&unpaired[i], &coincidences[i], mask: mask) }
        }
    }

    /// Pairs with the oldest candidate under `mask`, if any.
    private static func pair(_ unpaired: inout UInt32, _ count: inout Int, mask: UInt32) {
        let candidates = unpaired & mask
        guard candidates != 0 else { return }
        unpaired &= ~(UInt32(1) << UInt32(31 - candidates.leadingZeroBitCount))
        count += 1
    }

    /// Coincidences per neuron including the biological spikes of the last `window` ticks,
    /// whose window is cut at the end of the recording. O(N).
    public func settledCoincidences() -> ContiguousArray<Int> {
        var result = coincidences
        for i in 0 ..< neuronCount {
            var free = unpaired[i]
            for age in stride(from: window - 1, through: 0, by: -1) where age < Int(ticks) && bio.bits[i] & (1 << UInt32(age)) != 0 {
                Self.pair(&free, &result[i], mask: (UInt32(1) << UInt32(age + window + 1)) &- 1)
            }
        }
        return result
    }

    /// Γ per neuron from the online counts (nil where undefined).
    public func onlineGamma() -> [Double?] {
        let c = settledCoincidences()
        let w = Double(window) * tickDuration
        return (0 ..< neuronCount).map {
            Divergence.coincidenceFactor(coincidences: c[$0], dataCount: bioCounts[$0], modelCount: twinCounts[$0], window: w, duration: duration)
        }
    }

    /// The full report: per neuron and for the population. O(N · n²) for the distances.
    public func report(vanRossumTau tau: Double, victorPurpuraCost q: Double) -> DivergenceReport {
        let gammas = onlineGamma()
        var rows: [NeuronDivergence] = []
        let seconds = duration / 1000
        for i in 0 ..< neuronCount {
            let b = bioTrains[i], t = twinTrains[i]
            rows.append(NeuronDivergence(
                neuron: i, bioSpikes: b.count, twinSpikes: t.count, gamma: gammas[i],
                vanRossum: Divergence.vanRossum(b, t, tau: tau), victorPurpura: Divergence.victorPurpura(b, t, q: q),
                rateDifference: seconds > 0 ? Double(t.count - b.count) / seconds : 0))
        }
        return DivergenceReport(neurons: rows, duration: duration, window: Double(window) * tickDuration, vanRossumTau: tau, victorPurpuraCost: q)
    }
}

/// Divergence of one neuron from its twin.
public struct NeuronDivergence: Sendable, Equatable, Codable {
    public var neuron: Int
    public var bioSpikes: Int
    public var twinSpikes: Int
    /// Coincidence factor (nil when undefined, see `Divergence.coincidenceFactor`).
    public var gamma: Double?
    public var vanRossum: Double
    public var victorPurpura: Double
    /// Twin rate minus biological rate, Hz.
    public var rateDifference: Double
}

/// Per-neuron rows and population summaries.
public struct DivergenceReport: Sendable, Equatable, Codable {
    public var neurons: [NeuronDivergence]
    /// Recording length, coincidence window Δ (ms), van Rossum τ (ms), Victor–Purpura q (1/ms).
    public var duration: Double
    public var window: Double
    public var vanRossumTau: Double
    public var victorPurpuraCost: Double

    /// Mean Γ over the neurons where at least one of the two fired (two silent trains agree
    /// trivially; counting them would let a silent twin score). An undefined Γ (the twin fires
    /// so often that chance coincidences saturate) counts as 0, so flooding a neuron with
    /// spikes cannot take it out of the mean. 0 when no neuron fired.
    public var meanGamma: Double {
        let g = neurons.filter { $0.bioSpikes + $0.twinSpikes > 0 }.map { $0.gamma ?? 0 }
        return g.isEmpty ? 0 : g.reduce(0, +) / Double(g.count)
    }
    /// Neurons silent in both models (left out of `meanGamma`).
    public var silentInBoth: Int { neurons.filter { $0.bioSpikes + $0.twinSpikes == 0 }.count }
    public var meanVanRossum: Double { neurons.isEmpty ? 0 : neurons.map(\.vanRossum).reduce(0, +) / Double(neurons.count) }
    public var meanVictorPurpura: Double { neurons.isEmpty ? 0 : neurons.map(\.victorPurpura).reduce(0, +) / Double(neurons.count) }
    /// Mean firing rates, Hz.
    public var bioRate: Double { rate(neurons.map(\.bioSpikes)) }
    public var twinRate: Double { rate(neurons.map(\.twinSpikes)) }
    /// Mean |twin − bio| rate per neuron, Hz.
    public var meanAbsoluteRateDifference: Double {
        neurons.isEmpty ? 0 : neurons.map { abs($0.rateDifference) }.reduce(0, +) / Double(neurons.count)
    }
    private func rate(_ counts: [Int]) -> Double {
        neurons.isEmpty || duration <= 0 ? 0 : Double(counts.reduce(0, +)) / Double(neurons.count) / (duration / 1000)
    }
}
