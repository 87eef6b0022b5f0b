import NeuroPool

/// Synapses arriving at an `HHPool` from another pool, CSR keyed by the source neuron id (as
/// NeuroPool's `AfferentProjection`, without plasticity state). The spikes the source fired in
/// its tick `s` are delivered before this pool's tick `s + lag`; a synapse of delay `d ≥ lag`
/// acts at tick `s + d`.
public struct HHProjection: Sendable, Equatable {
    /// Name of the source pool.
    public let source: String
    /// Neurons in the source pool; spike ids must be below it.
    public let sourceCount: Int
    /// Ticks between a source tick and the tick its spikes are delivered before (1…8).
    public let lag: Int
    /// The synapses, NeuroPool's CSR type, one row per source neuron; targets are neurons of
    /// the pool holding the projection.
    public internal(set) var store: SynapseStore
    /// Row starts, `sourceCount + 1` entries.
    public var rowPtr: ContiguousArray<UInt32> { store.rowPtr }
    /// Synapses by source neuron.
    public var synapses: ContiguousArray<Synapse> { store.synapses }

    /// The same projection a NeuroPool pool would hold (same targets, weights, delays, lag).
    public init(_ projection: AfferentProjection) {
        source = projection.source
        sourceCount = projection.sourceCount
        lag = projection.lag
        store = projection.store
    }

    /// A projection from its parts; throws if the CSR is malformed or a delay is below `lag`.
    /// Targets are checked against the pool when the projection is added. O(S).
    public init(source: String, sourceCount: Int, lag: Int, rowPtr: ContiguousArray<UInt32>,
                synapses: ContiguousArray<Synapse>) throws(HHError) {
        guard (1 ... 65536).contains(sourceCount) else { throw .invalidNeuronCount(sourceCount) }
        guard (1 ... 8).contains(lag) else { throw .invalidSynapse(detail: "projection lag \(lag) is not 1...8") }
        try HHProjection.checkCSR(rowPtr: rowPtr, synapses: synapses, rows: sourceCount, minDelay: lag)
        self.source = source
        self.sourceCount = sourceCount
        self.lag = lag
        store = SynapseStore(rowPtr: rowPtr, synapses: synapses)
    }

    /// Row starts must begin at 0, never decrease and end at the synapse count; delays must be
    /// `minDelay…8`.
    static func checkCSR(rowPtr: ContiguousArray<UInt32>, synapses: ContiguousArray<Synapse>, rows: Int, minDelay: Int) throws(HHError) {
        guard rowPtr.count == rows + 1, rowPtr.first == 0, Int(rowPtr[rows]) == synapses.count else {
            throw .invalidSynapse(detail: "row starts do not describe \(synapses.count) synapses in \(rows) rows")
        }
        for j in 0 ..< rows where rowPtr[j] > rowPtr[j + 1] {
            throw .invalidSynapse(detail: "row start \(j + 1) (\(rowPtr[j + 1])) is below row start \(j) (\(rowPtr[j]))")
        }
        for (k, s) in synapses.enumerated() where !(minDelay ... 8).contains(Int(s.delay)) {
            throw .invalidSynapse(detail: "synapse \(k) has delay \(s.delay), expected \(minDelay)...8")
        }
    }
}

extension HHPool {
    /// Adds a projection arriving from another pool; returns its index for `deliver`. O(S).
    @discardableResult
    public mutating func addAfferent(_ projection: HHProjection) throws(HHError) -> Int {
        if let bad = projection.synapses.first(where: { Int($0.target) >= neuronCount }) {
            throw .invalidSynapse(detail: "target \(bad.target) is outside the pool of \(neuronCount) neurons")
        }
        afferents.append(projection)
        return afferents.count - 1
    }

    /// Delivers the spikes that the source of projection `p` fired in its tick `sourceTick`,
    /// which must be `tickCount − lag` (every projection gets exactly one delivery, possibly
    /// empty, before each tick from `lag` on — as `NeuronPool.deliver`). Each spike adds its
    /// synapses' weights to ring slot `(sourceTick + delay) mod 8`. O(delivered synapses).
    public mutating func deliver(projection p: Int, sourceTick: UInt64, spikes: UnsafeBufferPointer<UInt16>) throws(HHError) {
        guard afferents.indices.contains(p) else { throw .unknownProjection(p, count: afferents.count) }
        let projection = afferents[p]
        guard sourceTick &+ UInt64(projection.lag) == tickCount else {
            throw .deliveryOutOfOrder(projection: p, sourceTick: sourceTick, expected: tickCount &- UInt64(projection.lag))
        }
        for id in spikes where Int(id) >= projection.sourceCount { throw .spikeOutOfRange(Int(id), neurons: projection.sourceCount) }
        let count = neuronCount
        delays.input.withUnsafeMutableBufferPointer { ring in
            let target = RingTarget(ring: ring, neurons: count, mask: 7, split: 1, shift: 0)
            afferents[p].store.send(spikes, tick: sourceTick, into: target, scaled: true, plastic: false,
                                    postLast: UnsafeBufferPointer(start: nil, count: 0), windows: nil, prefetch: false)
        }
    }

    /// `deliver(projection:sourceTick:spikes:)` for spikes in an array or slice.
    public mutating func deliver(projection p: Int, sourceTick: UInt64, spikes: some Collection<UInt16>) throws(HHError) {
        let array = ContiguousArray(spikes)
        try array.withUnsafeBufferPointer { (b) throws(HHError) in try deliver(projection: p, sourceTick: sourceTick, spikes: b) }
    }
}
