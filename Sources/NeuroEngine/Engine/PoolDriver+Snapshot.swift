import NeuroBio
import NeuroPool
import NeuroNetwork

extension PoolDriver {
    /// The pool as a snapshot at its current tick T holds it: with its held input — the
    /// broadcasts not applied yet, and per afferent projection the source spikes of ticks
    /// T − lag … T − 1 (from tick 0 on), which `history` must hold. For a Hodgkin–Huxley pool,
    /// the HH pool that runs and the `NeuronPool` kept for its connectivity and stimulus
    /// generator, standing at T with the held input. O(pool + held spikes).
    public func snapshotPool(history: some SpikeHistory) throws(NodeError) -> SnapshotPool {
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
        if let hh {
            do throws(PoolError) { return SnapshotPool(pool: try pool.standIn(atTick: t, held: held), hh: hh) } catch { throw .pool(spec.name, error) }
        }
        var copy = pool
        copy.held = held
        return SnapshotPool(pool: copy)
    }

    /// Replaces the freshly built pool with `restored` (from a snapshot part): it must be the
    /// same pool of the same network — model, size, afferent projections and their lags — and
    /// carry its held input, whose broadcasts are scheduled again. A Hodgkin–Huxley pool takes
    /// the part's HH pool, and its stimulus generator's state from the part's companion (the
    /// rest of the companion is the network file's, as built). Returns the held input (the
    /// caller seeds its spike history with the afferent spikes).
    public mutating func restore(_ restored: SnapshotPool) throws(NodeError) -> HeldInput {
        guard let held = restored.held else { throw .failed("pool \(spec.name)'s part has no held input: it is a plain pool file, not a snapshot part") }
        let part = restored.pool
        guard part.neuronCount == pool.neuronCount, part.name == pool.name else {
            throw .failed("the part holds pool \(part.name) of \(part.neuronCount) neurons, the network's pool \(spec.name) has \(pool.neuronCount)")
        }
        guard part.populations == pool.populations, part.delays.slotCount == pool.delays.slotCount,
              part.delays.channels == pool.delays.channels else {
            throw .failed("pool \(spec.name)'s part holds other populations, or another delay ring, than the network file builds")
        }
        guard part.afferents.count == pool.afferents.count,
              zip(part.afferents, pool.afferents).allSatisfy({ $0.source == $1.source && $0.lag == $1.lag && $0.sourceCount == $1.sourceCount }) else {
            throw .failed("pool \(spec.name)'s part has other afferent projections than the network file describes")
        }
        switch (hh, restored.hh) {
        case (nil, nil):
            var plain = part
            plain.held = nil
            pool = plain
        case (.some, .some(let cells)):
            // The part's companion already matched the built pool; its HH pool matched the companion.
            pool.withGenerator { $0 = part.random }
            hh = cells
        case (.some, nil):
            throw .failed("pool \(spec.name) has model = \"hh\", but its part holds an integer pool without Hodgkin–Huxley state")
        case (nil, .some):
            throw .failed("pool \(spec.name) is an integer pool, but its part holds a Hodgkin–Huxley pool")
        }
        pending = held.broadcasts.map { (tick: $0.tick, levels: ModulatorLevels($0)) }
        return held
    }
}
