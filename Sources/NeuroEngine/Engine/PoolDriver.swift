import NeuroBio
import NeuroPool
import NeuroNetwork

/// Runs one pool of a network tick by tick: applies the modulator broadcasts stamped for the
/// tick, delivers the upstream spikes each afferent projection is due, adds the stimulus, and
/// ticks the pool. The single-process run and the distributed node both drive pools through
/// this type, so the two cannot drift apart.
public struct PoolDriver: Sendable {
    /// The pool, with its afferent projections. For a Hodgkin–Huxley pool (`model = "hh"`) it
    /// holds the connectivity and the stimulus generator only; `hh` runs.
    public internal(set) var pool: NeuronPool
    /// The Hodgkin–Huxley pool that runs in place of `pool` (`model = "hh"`), else nil.
    public internal(set) var hh: HHPool?
    /// The pool's description.
    public let spec: PoolSpec
    /// Source pool index of each afferent projection (the pool's `afferents` order).
    public let afferentSources: [Int]
    /// Broadcasts not applied yet, in the order they must be applied (by tick; equal ticks
    /// keep the order they were scheduled in).
    var pending: [(tick: UInt64, levels: ModulatorLevels)] = []
    /// Reused stimulus input, one value per neuron.
    var input: ContiguousArray<Int16>
    /// A pool of populations: reused generator input, 2^−16 mV per neuron.
    var fineInput: ContiguousArray<Int32> = []
    /// Whether any stimulus can still be active.
    let hasStimulus: Bool

    /// Wraps a built pool (see `NetworkDescription.buildPool(_:)`).
    public init(pool: NeuronPool, spec: PoolSpec, afferentSources: [Int]) {
        self.pool = pool
        self.spec = spec
        self.afferentSources = afferentSources
        input = ContiguousArray(repeating: 0, count: pool.populations == nil ? pool.neuronCount : 0)
        if pool.populations != nil { fineInput = ContiguousArray(repeating: 0, count: pool.neuronCount) }
        hasStimulus = !spec.stimuli.isEmpty || !spec.generators.isEmpty
    }

    /// The next tick to simulate.
    public var tick: UInt64 { hh?.tickCount ?? pool.tickCount }

    /// Schedules a broadcast to apply before tick `tick`. Throws if the pool is past it.
    public mutating func schedule(_ levels: ModulatorLevels, at tick: UInt64) throws(NodeError) {
        guard tick >= self.tick else { throw .lateModulation(pool: spec.name, tick: tick, poolTick: self.tick) }
        var index = pending.count
        while index > 0, pending[index - 1].tick > tick { index -= 1 }
        pending.insert((tick, levels), at: index)
    }


    /// The source tick projection `p` needs before the next tick, or nil while the pool is
    /// younger than the projection's lag.
    public func neededSourceTick(projection p: Int) -> UInt64? {
        let lag = UInt64(pool.afferents[p].lag)
        return tick >= lag ? tick - lag : nil
    }


    /// Simulates one tick. Returns the spikes fired (ascending), valid until the next call.
    /// `injected`: neurons of this pool that an external source (`[[source]]`) spikes in this
    /// tick, each adding `drive` to its input after the stimuli (ids within the pool; order and
    /// repeats as given — callers pass them ascending and unique).
    /// O(N + delivered synapses + spikes × out-degree + injected).
    @discardableResult
    public mutating func advance(history: some SpikeHistory, injected: UnsafeBufferPointer<UInt16> = UnsafeBufferPointer(start: nil, count: 0),
                                 drive: Int16 = 0) throws(NodeError) -> ArraySlice<UInt16> {
        let t = tick
        // Broadcasts and deliveries through the model's one interface.
        if hh != nil {
            try Self.prepare(&hh!, tick: t, pending: &pending, sources: afferentSources, history: history, pool: spec.name)
        } else {
            try Self.prepare(&pool, tick: t, pending: &pending, sources: afferentSources, history: history, pool: spec.name)
        }
        // The drive (a pool of populations: in its own units; else Q8.8 mV), then the tick.
        if pool.populations != nil {
            let active = try fillGenerators(tick: t, injected: injected, drive: drive)
            try fineInput.withUnsafeBufferPointer { (b) throws(NodeError) in
                try pool.tick(drive: active ? .membraneUnits(b) : .none, pool: spec.name)
            }
            return pool.lastSpikes
        }
        let active = try fillInput(tick: t, injected: injected, drive: drive)
        try input.withUnsafeBufferPointer { (b) throws(NodeError) in
            if hh != nil {
                try hh!.tick(drive: active ? .millivolts(b) : .none, pool: spec.name)
            } else {
                try pool.tick(drive: active ? .millivolts(b) : .none, pool: spec.name)
            }
        }
        return hh?.lastSpikes ?? pool.lastSpikes
    }

    /// What comes before a tick, for any model: the broadcasts stamped for `tick` (in the
    /// order they were scheduled), then each afferent projection's spikes from `history`.
    static func prepare<Model: SpikingPool>(_ model: inout Model, tick t: UInt64, pending: inout [(tick: UInt64, levels: ModulatorLevels)],
                                          sources: [Int], history: some SpikeHistory, pool: String) throws(NodeError) {
        while let first = pending.first, first.tick == t {
            model.apply(first.levels)
            pending.removeFirst()
        }
        for p in sources.indices {
            let lag = UInt64(model.lag(ofProjection: p))
            guard t >= lag else { continue }
            try history.withSpikes(ofPool: sources[p], tick: t - lag) { (spikes) throws(NodeError) in
                try model.deliver(projection: p, sourceTick: t - lag, spikes: spikes, pool: pool)
            }
        }
    }

    /// Writes this tick's stimulus and the injected spikes' drive into `input`; false when
    /// neither is active (then `input` is stale and unused). O(stimulated + injected).
    mutating func fillInput(tick t: UInt64, injected: UnsafeBufferPointer<UInt16>, drive: Int16) throws(NodeError) -> Bool {
        var active = hasStimulus && fillStimulus(tick: t)
        guard !injected.isEmpty else { return active }
        if !active { input.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        active = true
        for i in injected {
            guard Int(i) < input.count else { throw .failed("injected neuron \(i) is beyond pool \(spec.name) of \(input.count) neurons") }
            input[Int(i)] = Int16(clamping: Int32(input[Int(i)]) + Int32(drive))
        }
        return active
    }

    /// A pool of populations: writes this tick's generator input and the injected spikes'
    /// drive (Q8.8 mV, scaled to 2^−16 mV) into `fineInput`; false when neither is active.
    /// Poisson counts come from the pool's own generator, so they are saved with the pool.
    /// O(generated neurons + injected); no allocation, no floating point.
    mutating func fillGenerators(tick t: UInt64, injected: UnsafeBufferPointer<UInt16>, drive: Int16) throws(NodeError) -> Bool {
        var active = false
        func clear() {
            if !active { fineInput.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
            active = true
        }
        for g in spec.generators {
            // One look at the trial schedule per generator and tick.
            guard let clock = g.clock(at: t) else { continue }
            clear()
            let w = Int64(g.weight)
            switch g.kind {
            case .dc:
                for i in g.neurons { fineInput[i] = Int32(clamping: Int64(fineInput[i]) + w) }
            case .spikeTrain(let ticks, let neurons):
                // The events of tick t by binary search: no state to save or restore.
                var lo = 0, hi = ticks.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if ticks[mid] < clock { lo = mid + 1 } else { hi = mid }
                }
                while lo < ticks.count, ticks[lo] == clock {
                    let i = Int(neurons[lo])
                    if g.viaSynapses {
                        pool.addArrival(i, g.weight)
                    } else {
                        fineInput[i] = Int32(clamping: Int64(fineInput[i]) + w)
                    }
                    lo += 1
                }
            case .poisson(_, let sampler):
                if g.viaSynapses {
                    // Through the synapses: into this tick's ring slot, by the weight's sign.
                    for i in g.neurons {
                        let k = pool.withGenerator { sampler.sample(&$0) }
                        if k != 0 { pool.addArrival(i, Int32(clamping: w * Int64(k))) }
                    }
                    continue
                }
                pool.withGenerator { random in
                    fineInput.withUnsafeMutableBufferPointer { buffer in
                        for i in g.neurons {
                            let k = sampler.sample(&random)
                            if k != 0 { buffer[i] = Int32(clamping: Int64(buffer[i]) + w * Int64(k)) }
                        }
                    }
                }
            }
        }
        guard !injected.isEmpty else { return active }
        clear()
        let fine = Int64(drive) << 8
        for i in injected {
            guard Int(i) < fineInput.count else { throw .failed("injected neuron \(i) is beyond pool \(spec.name) of \(fineInput.count) neurons") }
            fineInput[Int(i)] = Int32(clamping: Int64(fineInput[Int(i)]) + fine)
        }
        return active
    }

    /// Writes this tick's stimulus into `input`; false when no stimulus is active. Poisson
    /// draws come from the pool's own generator, so they are saved with the pool.
    mutating func fillStimulus(tick t: UInt64) -> Bool {
        var active = false
        for stimulus in spec.stimuli where stimulus.isActive(at: t) {
            if !active {
                input.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                active = true
            }
            let drive = stimulus.drive
            switch stimulus.kind {
            case .constant:
                for i in stimulus.neurons { input[i] = Int16(clamping: Int32(input[i]) + Int32(drive)) }
            case .poisson(let chance):
                pool.withGenerator { random in
                    for i in stimulus.neurons where random.chance(UInt64(chance)) { input[i] = Int16(clamping: Int32(input[i]) + Int32(drive)) }
                }
            }
        }
        return active
    }
}
