import NeuroPool

extension PoolDriver {
    /// The pool as a snapshot at its current tick T holds it: with its held input — the
    /// broadcasts not applied yet, and per afferent projection the source spikes of ticks
    /// T − lag … T − 1 (from tick 0 on), which `history` must hold. O(pool + held spikes).
    public func snapshotPool(history: some SpikeHistory) throws(NodeError) -> NeuronPool {
        guard hh == nil else { throw .refused("snapshots do not hold Hodgkin–Huxley pools yet (pool \(spec.name) has model = \"hh\")") }
        var held = HeldInput()
        held.broadcasts = pending.map { HeldInput.Broadcast(tick: $0.tick, levels: $0.levels) }
        let t = tick
        for p in afferentSources.indices {
            let lag = UInt64(pool.afferents[p].lag)
            var ticks: [HeldInput.SourceTick] = []
            for s in (t >= lag ? t - lag : 0) ..< t {
                let ids = try history.withSpikes(ofPool: afferentSources[p], tick: s) { Array($0) }
                ticks.append(HeldInput.SourceTick(tick: s, ids: ids))
            }
            held.afferentSpikes.append(ticks)
        }
        var copy = pool
        copy.held = held
        return copy
    }

    /// Replaces the freshly built pool with `restored` (from a snapshot part): it must be the
    /// same pool of the same network — size, afferent projections and their lags — and carry
    /// its held input, whose broadcasts are scheduled again. Returns the held input (the
    /// caller seeds its spike history with the afferent spikes).
    public mutating func restore(_ restored: NeuronPool) throws(NodeError) -> HeldInput {
        guard hh == nil else { throw .refused("snapshots do not hold Hodgkin–Huxley pools yet (pool \(spec.name) has model = \"hh\")") }
        guard let held = restored.held else { throw .failed("pool \(spec.name)'s part has no held input: it is a plain pool file, not a snapshot part") }
        guard restored.neuronCount == pool.neuronCount, restored.name == pool.name else {
            throw .failed("the part holds pool \(restored.name) of \(restored.neuronCount) neurons, the network's pool \(spec.name) has \(pool.neuronCount)")
        }
        guard restored.afferents.count == pool.afferents.count,
              zip(restored.afferents, pool.afferents).allSatisfy({ $0.source == $1.source && $0.lag == $1.lag && $0.sourceCount == $1.sourceCount }) else {
            throw .failed("pool \(spec.name)'s part has other afferent projections than the network file describes")
        }
        var plain = restored
        plain.held = nil
        pool = plain
        pending = held.broadcasts.map { (tick: $0.tick, levels: ModulatorLevels($0)) }
        return held
    }
}
