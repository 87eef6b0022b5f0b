import NeuroPool

/// Parameters of one kind of twin neuron, in NeuroPool's units.
public struct LIFNeuronParameters: Sendable, Equatable, Hashable {
    /// Leak per tick in 1/256ths of the membrane: `v −= (v·leak) ≫ 8` (0…255).
    public var leak: Int
    /// Threshold, Q8.8 mV above rest (1…32767).
    public var threshold: Int
    /// Membrane after a spike, Q8.8 mV.
    public var reset: Int
    /// Ticks the neuron ignores input after a spike (0…255).
    public var refractory: Int

    public init(leak: Int, threshold: Int, reset: Int, refractory: Int) {
        self.leak = leak
        self.threshold = threshold
        self.reset = reset
        self.refractory = refractory
    }

    /// A NeuroPool profile's values.
    public init(_ profile: NeuronProfile) {
        let p = profile.parameters
        self.init(leak: Int(p.leak), threshold: Int(p.threshold), reset: Int(p.reset), refractory: Int(p.refractory))
    }
}

/// Everything the adaptive optimizer may change in a twin.
public struct LIFTwinParameters: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var excitatory: LIFNeuronParameters
    public var inhibitory: LIFNeuronParameters
    /// PSP of an excitatory weight unit, Q8.8 mV (NeuroPool: `1 << weightShift`).
    public var weightScale: Int
    /// PSP of an inhibitory weight unit, Q8.8 mV.
    public var inhibitoryWeightScale: Int
    /// Response latency, ticks (0…7): every synaptic input reaches the twin this many ticks
    /// after it would reach a NeuroPool neuron — an HH neuron takes milliseconds from an input
    /// to the peak of its spike, an integer LIF fires in the tick the input arrives. The
    /// effective latency is capped so that delay + latency ≤ 8 (the delay ring's length).
    public var latency: Int = 0

    public init(excitatory: LIFNeuronParameters, inhibitory: LIFNeuronParameters, weightScale: Int, inhibitoryWeightScale: Int,
                latency: Int = 0) {
        self.excitatory = excitatory
        self.inhibitory = inhibitory
        self.weightScale = weightScale
        self.inhibitoryWeightScale = inhibitoryWeightScale
        self.latency = latency
    }

    /// What a NeuroPool pool with this configuration does (its profiles, `1 << weightShift`).
    public init(_ config: PoolConfig) {
        self.init(excitatory: LIFNeuronParameters(config.excitatoryProfile), inhibitory: LIFNeuronParameters(config.inhibitoryProfile),
                  weightScale: 1 << config.weightShift, inhibitoryWeightScale: 1 << config.weightShift)
    }

    /// Clamps every field into the range the integer update can hold.
    public func clamped() -> LIFTwinParameters {
        func c(_ p: LIFNeuronParameters) -> LIFNeuronParameters {
            LIFNeuronParameters(leak: min(max(p.leak, 0), 255), threshold: min(max(p.threshold, 1), 32767),
                                reset: min(max(p.reset, -32768), 32767), refractory: min(max(p.refractory, 0), 255))
        }
        return LIFTwinParameters(excitatory: c(excitatory), inhibitory: c(inhibitory),
                                 weightScale: min(max(weightScale, 0), 255), inhibitoryWeightScale: min(max(inhibitoryWeightScale, 0), 255),
                                 latency: min(max(latency, 0), 7))
    }

    public var description: String {
        func d(_ p: LIFNeuronParameters) -> String {
            "leak \(p.leak)/256, threshold \(Double(p.threshold) / 256) mV, reset \(Double(p.reset) / 256) mV, refractory \(p.refractory) ticks"
        }
        return "excitatory: \(d(excitatory)); inhibitory: \(d(inhibitory)); weight scale \(weightScale)/256 mV (inhibitory \(inhibitoryWeightScale)/256 mV); latency \(latency) ticks"
    }
}

/// The optimized twin of a biological pool: NeuroPool's integer LIF update, step for step
/// (`v ← v − (v·leak ≫ 8) + input`, saturated to Int16; refractory neurons keep their membrane
/// and drop their input; `v ≥ θ` fires, resets and starts the refractory count; synaptic input
/// through an 8-slot delay ring), with STDP and homeostasis left out and with leak, threshold,
/// reset, refractory period and weight scale as per-kind parameters the optimizer can fit
/// (NeuroPool fixes the refractory period per profile and the weight scale to a power of two).
/// With `LIFTwinParameters(config)` it fires exactly as a `NeuronPool` built with that config,
/// `stdp = false` and `homeostasisStep = 0` (a test checks this), so the twin *is* NeuroPool's
/// LIF. Its `history` is the bit-packed last-32-ticks register the divergence tracker reads.
public struct LIFTwin: Sendable {
    /// The parameters in effect (clamped to what the integer update can hold).
    public private(set) var parameters: LIFTwinParameters
    /// Membrane potential, Q8.8 mV above rest.
    public private(set) var membrane: ContiguousArray<Int16>
    /// Ticks of refractoriness left.
    public private(set) var refractory: ContiguousArray<UInt8>
    /// 1 for inhibitory neurons (they use `parameters.inhibitory`).
    public let inhibitory: ContiguousArray<UInt8>
    /// Local synapses, NeuroPool's CSR type, shared with the NeuroPool pool it twins.
    public let store: SynapseStore
    /// Row starts of the local synapses.
    public var rowPtr: ContiguousArray<UInt32> { store.rowPtr }
    /// The local synapses, grouped by source neuron.
    public var synapses: ContiguousArray<Synapse> { store.synapses }
    /// Projections from other pools.
    public private(set) var afferents: [HHProjection] = []
    /// Summed PSPs in flight, Q8.8 mV per (tick mod 8, neuron): NeuroPool's delay ring. The
    /// twin fills it with its own loop, since its weights are scaled by fitted factors per kind
    /// rather than shifted.
    var delays: DelayBuffer
    var spikeBuffer: ContiguousArray<UInt16>
    public private(set) var lastSpikeCount = 0
    public private(set) var tickCount: UInt64 = 0
    /// Last 32 ticks of spikes per neuron.
    public private(set) var history: SpikeHistoryRegister
    /// `parameters.latency` capped so every delay + latency fits the ring.
    public private(set) var effectiveLatency: Int
    /// `parameters` per kind (0 excitatory, 1 inhibitory) in the tick's integer types, built
    /// once: the fitter ticks thousands of twins.
    private let leakOf: [Int32], thetaOf: [Int32], resetOf: [Int16], refractoryOf: [UInt8]

    /// A twin with the connectivity (kinds, synapses) of `pool`. O(N + S).
    public init(connectivityOf pool: NeuronPool, parameters: LIFTwinParameters) {
        let n = pool.neuronCount
        self.parameters = parameters.clamped()
        inhibitory = ContiguousArray((0 ..< n).map { pool.neurons.isInhibitory($0) ? 1 : 0 })
        store = pool.synapses
        membrane = ContiguousArray(repeating: 0, count: n)
        refractory = ContiguousArray(repeating: 0, count: n)
        delays = DelayBuffer(neuronCount: n)
        spikeBuffer = ContiguousArray(repeating: 0, count: n)
        history = SpikeHistoryRegister(neurons: n)
        let longest = Int(pool.synapses.synapses.map(\.delay).max() ?? 1)
        effectiveLatency = min(self.parameters.latency, 8 - longest)
        let kinds = [self.parameters.excitatory, self.parameters.inhibitory]
        leakOf = kinds.map { Int32($0.leak) }
        thetaOf = kinds.map { Int32($0.threshold) }
        resetOf = kinds.map { Int16(clamping: $0.reset) }
        refractoryOf = kinds.map { UInt8(clamping: $0.refractory) }
    }

    /// Number of neurons.
    public var neuronCount: Int { membrane.count }
    /// The neurons that fired in the last tick, ascending.
    public var lastSpikes: ArraySlice<UInt16> { spikeBuffer[0 ..< lastSpikeCount] }

    /// Adds an afferent projection (targets must be in the twin). Returns its index. O(S).
    @discardableResult
    public mutating func addAfferent(_ projection: HHProjection) throws(HHError) -> Int {
        if let bad = projection.synapses.first(where: { Int($0.target) >= neuronCount }) {
            throw .invalidSynapse(detail: "target \(bad.target) is outside the twin of \(neuronCount) neurons")
        }
        afferents.append(projection)
        let longest = Int(projection.synapses.map(\.delay).max() ?? 1) - projection.lag + 1
        effectiveLatency = min(effectiveLatency, 8 - longest)
        return afferents.count - 1
    }

    /// Delivers afferent spikes exactly as `NeuronPool.deliver` (same ordering rule).
    public mutating func deliver(projection p: Int, sourceTick: UInt64, spikes: some Collection<UInt16>) throws(HHError) {
        guard afferents.indices.contains(p) else { throw .unknownProjection(p, count: afferents.count) }
        let projection = afferents[p]
        guard sourceTick &+ UInt64(projection.lag) == tickCount else {
            throw .deliveryOutOfOrder(projection: p, sourceTick: sourceTick, expected: tickCount &- UInt64(projection.lag))
        }
        // Every id is checked before any is delivered, so a refused delivery changes nothing.
        for id in spikes where Int(id) >= projection.sourceCount { throw .spikeOutOfRange(Int(id), neurons: projection.sourceCount) }
        let n = neuronCount
        let s = Int(truncatingIfNeeded: sourceTick & 7) &+ effectiveLatency
        let (exc, inh) = (Int32(parameters.weightScale), Int32(parameters.inhibitoryWeightScale))
        for id in spikes {
            for k in Int(projection.rowPtr[Int(id)]) ..< Int(projection.rowPtr[Int(id) + 1]) {
                let syn = projection.synapses[k]
                let w = Int32(syn.weight)
                delays.input[((s &+ Int(syn.delay)) & 7) &* n &+ Int(syn.target)] &+= w &* (w > 0 ? exc : inh)
            }
        }
    }

    /// Adds `input` (Q8.8 mV, one value per neuron) to the input of the tick about to be
    /// simulated, as a `NeuronPool` adds its external input. O(N).
    public mutating func inject(_ input: UnsafeBufferPointer<Int16>) throws(HHError) {
        let n = neuronCount
        guard input.count == n else { throw .inputCountMismatch(input.count, neurons: n) }
        let base = Int(tickCount & 7) * n
        for i in 0 ..< n { delays.input[base + i] &+= Int32(input[i]) }
    }

    /// One tick of the integer LIF; returns how many fired (in `lastSpikes`) and records them
    /// in `history`. O(N + spikes × out-degree).
    @discardableResult
    public mutating func tick() -> Int {
        let n = neuronCount
        let base = Int(tickCount & 7) * n
        var fired = 0
        for i in 0 ..< n {
            let input = delays.input[base + i]
            delays.input[base + i] = 0
            let kind = Int(inhibitory[i])
            let r = refractory[i]
            guard r == 0 else { refractory[i] = r - 1; continue }
            let before = Int32(membrane[i])
            var v = before &- ((before &* leakOf[kind]) &>> 8) &+ input
            v = min(max(v, Int32(Int16.min)), Int32(Int16.max))
            if v >= thetaOf[kind] {
                membrane[i] = resetOf[kind]
                refractory[i] = refractoryOf[kind]
                spikeBuffer[fired] = UInt16(truncatingIfNeeded: i)
                fired += 1
            } else {
                membrane[i] = Int16(truncatingIfNeeded: v)
            }
        }
        lastSpikeCount = fired
        let t = Int(tickCount & 7) &+ effectiveLatency
        let (exc, inh) = (Int32(parameters.weightScale), Int32(parameters.inhibitoryWeightScale))
        for k in 0 ..< fired {
            let j = Int(spikeBuffer[k])
            for s in Int(rowPtr[j]) ..< Int(rowPtr[j + 1]) {
                let syn = synapses[s]
                let w = Int32(syn.weight)
                delays.input[((t &+ Int(syn.delay)) & 7) &* n &+ Int(syn.target)] &+= w &* (w > 0 ? exc : inh)
            }
        }
        history.record(fired: spikeBuffer[0 ..< fired])
        tickCount &+= 1
        return fired
    }
}
