import NeuroBio
import NeuroPool
import NeuroNetwork

/// What every neuron model offers the driver that runs it on the bus: NeuroPool's integer
/// pools (`NeuronPool`, shorthand or of populations), NeuroBio's Hodgkin–Huxley pools
/// (`HHPool`) and their integer twins (`LIFTwin`) conform. `PoolDriver` runs each tick through
/// it — broadcasts, afferent deliveries, the tick with its drive — so the same code decides
/// what happens in what order for every model.
public protocol SpikingPool: Sendable {
    /// The next tick to simulate.
    var tickCount: UInt64 { get }
    /// Number of neurons.
    var neuronCount: Int { get }
    /// The neurons that fired in the last tick, ascending.
    var lastSpikes: ArraySlice<UInt16> { get }
    /// The lag of afferent projection `p`: its source's spikes of tick s are delivered just
    /// before this model's tick s + lag.
    func lag(ofProjection p: Int) -> Int
    /// Applies one neuromodulator broadcast (levels the broadcast leaves out are baseline).
    mutating func apply(_ levels: ModulatorLevels)
    /// Delivers the spikes that afferent projection `p`'s source fired in `sourceTick`
    /// (`tickCount − lag`); errors name `pool`.
    mutating func deliver(projection p: Int, sourceTick: UInt64, spikes: UnsafeBufferPointer<UInt16>, pool: String) throws(NodeError)
    /// Simulates one tick with `drive`; errors name `pool`.
    mutating func tick(drive: PoolDrive, pool: String) throws(NodeError)
}

/// The external input of one tick, one value per neuron.
public enum PoolDrive {
    /// No input.
    case none
    /// Q8.8 mV (256 = 1 mV) per neuron: stimuli and injected spikes of shorthand and
    /// Hodgkin–Huxley pools (the latter turn d mV into the current that moves an unleaky
    /// membrane by d mV in one tick).
    case millivolts(UnsafeBufferPointer<Int16>)
    /// The model's own membrane units (2^−16 mV in a pool of populations).
    case membraneUnits(UnsafeBufferPointer<Int32>)
}

extension NeuronPool: SpikingPool {
    public func lag(ofProjection p: Int) -> Int { afferents[p].lag }

    public mutating func deliver(projection p: Int, sourceTick: UInt64, spikes: UnsafeBufferPointer<UInt16>, pool: String) throws(NodeError) {
        do throws(PoolError) { try deliver(projection: p, sourceTick: sourceTick, spikes: spikes) } catch { throw .pool(pool, error) }
    }

    public mutating func tick(drive: PoolDrive, pool: String) throws(NodeError) {
        do throws(PoolError) {
            switch drive {
            case .none: tick()
            case .millivolts(let input): try tick(input: input)
            case .membraneUnits(let input): try tick(input: input)
            }
        } catch { throw .pool(pool, error) }
    }
}

extension HHPool: SpikingPool {
    public func lag(ofProjection p: Int) -> Int { afferents[p].lag }

    /// Dopamine and acetylcholine scale receptor gains (baseline 128); cortisol has no
    /// counterpart in the model.
    public mutating func apply(_ levels: ModulatorLevels) {
        apply(HHModulators(dopamine: levels.dopamine ?? 128, serotonin: 128, acetylcholine: levels.acetylcholine ?? 128))
    }

    public mutating func deliver(projection p: Int, sourceTick: UInt64, spikes: UnsafeBufferPointer<UInt16>, pool: String) throws(NodeError) {
        do throws(HHError) { try deliver(projection: p, sourceTick: sourceTick, spikes: spikes) } catch { throw .failed("pool \(pool): \(error)") }
    }

    /// A drive of d mV (Q8.8) in a tick of τ ms becomes d·Cm/τ µA/cm²: the charge that moves an
    /// unleaky membrane by d mV. Float math stays inside the model.
    public mutating func tick(drive: PoolDrive, pool: String) throws(NodeError) {
        switch drive {
        case .none:
            tick()
        case .millivolts(let input):
            let scale = parameters.cm / (256 * parameters.tickDuration)
            let n = neuronCount
            var failure: HHError?
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { current in
                for i in 0 ..< n { current[i] = Double(input[i]) * scale }
                do throws(HHError) { _ = try tick(current: UnsafeBufferPointer(current)) } catch { failure = error }
            }
            if let failure { throw .failed("pool \(pool): \(failure)") }
        case .membraneUnits:
            throw .failed("pool \(pool): a Hodgkin–Huxley pool takes its drive in mV")
        }
    }
}

extension LIFTwin: SpikingPool {
    public func lag(ofProjection p: Int) -> Int { afferents[p].lag }

    /// The twin has no plasticity and no receptors to modulate: broadcasts change nothing.
    public mutating func apply(_ levels: ModulatorLevels) {}

    public mutating func deliver(projection p: Int, sourceTick: UInt64, spikes: UnsafeBufferPointer<UInt16>, pool: String) throws(NodeError) {
        do throws(HHError) { try deliver(projection: p, sourceTick: sourceTick, spikes: spikes) } catch { throw .failed("pool \(pool): \(error)") }
    }

    public mutating func tick(drive: PoolDrive, pool: String) throws(NodeError) {
        switch drive {
        case .none: break
        case .millivolts(let input):
            do throws(HHError) { try inject(input) } catch { throw .failed("pool \(pool): \(error)") }
        case .membraneUnits:
            throw .failed("pool \(pool): the LIF twin takes its drive in Q8.8 mV")
        }
        tick()
    }
}
