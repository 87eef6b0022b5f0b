/// Synapses that arrive from another pool (or from this pool over a projection), stored in the
/// target pool: a CSR keyed by the **source** neuron id, so a batch of remote spikes is
/// delivered by reading one row per spike, exactly like local propagation.
///
/// Timing: the spikes the source fired in its tick `s` are delivered just before the target's
/// tick `s + lag`, where `lag` is the projection's smallest delay. A synapse of delay `d ≥ lag`
/// puts its PSP into the delay-ring slot of tick `s + d`, so it arrives `d` ticks after the
/// spike, as a local synapse would. Because nothing from tick `s` is needed before `s + lag`,
/// a node may run `lag` ticks ahead of its upstream pool (the lockstep lookahead).
///
/// Plasticity is that of local synapses (`PlasticityRule`): pairing of each arrival with its
/// target's spikes, three-factor weight change, thermal maturity and pruning. The source
/// neurons' last spike ticks are mirrored here (`sourceLastSpike`), updated at every delivery.
public struct AfferentProjection: Sendable, Equatable {
    /// Name of the source pool (at most 255 UTF-8 bytes when saved).
    public let source: String
    /// Number of neurons in the source pool; spike ids must be below it.
    public let sourceCount: Int
    /// Ticks between a source tick and the target tick its spikes are delivered before
    /// (the smallest delay of the projection), 1…8 (1…255 into a population pool).
    public let lag: Int
    /// 1 for each inhibitory source neuron, 0 for excitatory (Dale's law for the weights).
    public let sourceInhibitory: ContiguousArray<UInt8>
    /// The synapses, one row per source neuron (`sourceCount` rows), rows sorted by (delay,
    /// target); targets are neurons of the pool that holds the projection. The same type, and
    /// the same plasticity code, as the pool's own synapses.
    public internal(set) var store: SynapseStore
    /// The source neurons' last spike ticks (modulo 2^32) as delivered here, for STDP.
    public internal(set) var sourceLastSpike: ContiguousArray<UInt32>

    /// Row starts, `sourceCount + 1` entries.
    public var rowPtr: ContiguousArray<UInt32> { store.rowPtr }
    /// Synapses grouped by source neuron.
    public var synapses: ContiguousArray<Synapse> { store.synapses }

    /// Number of synapses.
    public var count: Int { synapses.count }

    /// Assembles a projection from its parts (the caller guarantees the CSR invariants).
    init(source: String, sourceCount: Int, lag: Int, sourceInhibitory: ContiguousArray<UInt8>,
         rowPtr: ContiguousArray<UInt32>, synapses: ContiguousArray<Synapse>, sourceLastSpike: ContiguousArray<UInt32>? = nil) {
        self.source = source
        self.sourceCount = sourceCount
        self.lag = lag
        self.sourceInhibitory = sourceInhibitory
        self.store = SynapseStore(rowPtr: rowPtr, synapses: synapses)
        self.sourceLastSpike = sourceLastSpike ?? ContiguousArray(repeating: NeuronPool.longAgo(0), count: sourceCount)
    }

    /// How a projection picks its targets.
    public enum Connectivity: Sendable, Equatable {
        /// Each source neuron connects to this fraction of the target range: ⌊p·M⌋ targets,
        /// plus one with the remainder's probability.
        case density(Double)
        /// Each source neuron connects to exactly this many distinct targets.
        case outDegree(Int)
    }

    /// A random projection from neurons `from` of a source pool (whose kinds are given by
    /// `inhibitory`, one entry per source neuron) onto neurons `to` of a target pool of
    /// `targetCount` neurons. Every source neuron in `from` gets distinct targets in `to`,
    /// weight magnitudes uniform in `weight` signed by the source's kind, and delays uniform in
    /// `delay`. All draws come from a generator seeded with `seed`. O(S log(out-degree)).
    public static func random(source: String, inhibitory: [Bool], from: Range<Int>, targetCount: Int, to: Range<Int>,
                              connectivity: Connectivity, weight: ClosedRange<Int>, delay: ClosedRange<Int>,
                              seed: UInt64) throws(PoolError) -> AfferentProjection {
        let sourceCount = inhibitory.count
        guard (1 ... 65536).contains(sourceCount) else { throw .invalidNeuronCount(sourceCount) }
        guard (1 ... 65536).contains(targetCount) else { throw .invalidNeuronCount(targetCount) }
        guard from.lowerBound >= 0, from.upperBound <= sourceCount else { throw .rangeOutOfBounds(from, neurons: sourceCount) }
        guard to.lowerBound >= 0, to.upperBound <= targetCount else { throw .rangeOutOfBounds(to, neurons: targetCount) }
        guard weight.lowerBound >= 1, weight.upperBound <= 127 else {
            throw .invalidConfig(field: "weight", value: "\(weight)", expected: "a range within 1...127")
        }
        guard delay.lowerBound >= 1, delay.upperBound <= DelayBuffer.slots else {
            throw .invalidConfig(field: "delay", value: "\(delay)", expected: "a range within 1...\(DelayBuffer.slots)")
        }
        let m = to.count
        var whole = 0
        var extraChance: UInt64 = 0
        switch connectivity {
        case .density(let p):
            guard p.isFinite, (0 ... 1).contains(p) else { throw .invalidDensity(p) }
            let exact = Double(m) * p
            whole = Int(exact.rounded(.down))
            extraChance = UInt64(((exact - Double(whole)) * 4_294_967_296).rounded(.down))
        case .outDegree(let k):
            guard (0 ... m).contains(k) else { throw .invalidOutDegree(k, neurons: m + 1) }
            whole = k
        }

        var random = PoolRandom(seed: seed)
        var rowPtr = ContiguousArray<UInt32>(repeating: 0, count: sourceCount + 1)
        var synapses = ContiguousArray<Synapse>()
        var chosen = [Bool](repeating: false, count: max(m, 1))
        var picks: [Int] = []
        var row: [Synapse] = []
        for source in 0 ..< sourceCount {
            if from.contains(source) {
                let k = min(whole + (extraChance > 0 && random.chance(extraChance) ? 1 : 0), m)
                // Floyd's sampling of k distinct targets among the m of the range.
                picks.removeAll(keepingCapacity: true)
                for j in (m - k) ..< m {
                    var t = Int(random.uniform(below: UInt64(j + 1)))
                    if chosen[t] { t = j }
                    chosen[t] = true
                    picks.append(t)
                }
                row.removeAll(keepingCapacity: true)
                let sign = inhibitory[source] ? -1 : 1
                for t in picks {
                    chosen[t] = false
                    let d = UInt8(random.uniform(in: delay))
                    let magnitude = random.uniform(in: weight)
                    row.append(Synapse(target: UInt16(to.lowerBound + t), weight: Int8(sign * magnitude), delay: d))
                }
                row.sort(by: SynapseStore.rowOrder)
                synapses.append(contentsOf: row)
            }
            rowPtr[source + 1] = UInt32(synapses.count)
        }
        return AfferentProjection(
            source: source, sourceCount: sourceCount, lag: delay.lowerBound,
            sourceInhibitory: ContiguousArray(inhibitory.map { $0 ? 1 : 0 }),
            rowPtr: rowPtr, synapses: synapses)
    }

    /// A projection with the given synapses, (source neuron, synapse) in any order, from a
    /// source pool whose kinds are `inhibitory` (one per source neuron). Rows end sorted by
    /// (delay, target), equal ones in the given order; the lag is the smallest delay.
    /// Checks sources, targets (< `targetCount`), delays (1…`DelayBuffer.maxSlots`), weight
    /// shifts (0…20) and Dale's law; `lag`, when given, must not exceed any delay. O(S log S).
    public static func explicit(source: String, inhibitory: [Bool], targetCount: Int, lag fixedLag: Int? = nil,
                                connections: [(source: Int, synapse: Synapse)]) throws(PoolError) -> AfferentProjection {
        let sourceCount = inhibitory.count
        guard (1 ... 65536).contains(sourceCount) else { throw .invalidNeuronCount(sourceCount) }
        guard (1 ... 65536).contains(targetCount) else { throw .invalidNeuronCount(targetCount) }
        for c in connections {
            try NeuronPool.check(c.synapse, source: c.source, sourceCount: sourceCount,
                                 inhibitory: c.source >= 0 && c.source < sourceCount && inhibitory[c.source],
                                 targetCount: targetCount, slots: DelayBuffer.maxSlots)
        }
        let (rowPtr, synapses) = SynapseStore.rows(sourceCount, connections)
        let shortest = synapses.isEmpty ? 1 : synapses.reduce(Int(UInt8.max)) { min($0, Int($1.delay)) }
        if let fixedLag, !(1 ... shortest).contains(fixedLag) {
            throw .invalidConfig(field: "lag", value: "\(fixedLag)", expected: "1...\(shortest) (the shortest delay)")
        }
        return AfferentProjection(
            source: source, sourceCount: sourceCount, lag: fixedLag ?? shortest,
            sourceInhibitory: ContiguousArray(inhibitory.map { $0 ? 1 : 0 }),
            rowPtr: rowPtr, synapses: synapses)
    }

    /// An empty stand-in used while a projection is moved out of its pool's array.
    static let placeholder = AfferentProjection(source: "", sourceCount: 0, lag: 1, sourceInhibitory: [], rowPtr: [0], synapses: [], sourceLastSpike: [])

    /// Index range of source neuron `j`'s synapses.
    @inlinable
    public func row(_ j: Int) -> Range<Int> { Int(rowPtr[j]) ..< Int(rowPtr[j + 1]) }

    /// Bytes held: 8 per synapse, 4 per row start, 5 per source neuron, plus the STDP index.
    public var byteCount: Int {
        synapses.count * 8 + rowPtr.count * 4 + sourceCount * 5 + (store.incoming?.byteCount ?? 0)
    }

    public static func == (a: AfferentProjection, b: AfferentProjection) -> Bool {
        a.source == b.source && a.sourceCount == b.sourceCount && a.lag == b.lag
            && a.sourceInhibitory == b.sourceInhibitory && a.store == b.store && a.sourceLastSpike == b.sourceLastSpike
    }
}
