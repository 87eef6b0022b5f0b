extension NeuronPool {
    /// A copy of this pool, which has never run, standing at tick `tick` with `held` input: what a
    /// snapshot part stores for a pool whose neurons another model runs. A Hodgkin–Huxley pool on
    /// the bus keeps its connectivity, afferent projections and stimulus generator in a
    /// `NeuronPool` that never ticks; its part carries that pool at the cut's tick, so the held
    /// input is checked against the same tick as any other part's. Only the clock and the held
    /// input change: with no input in flight and no spike, the tick selects nothing else.
    /// Throws `PoolError.hasRun` for a pool that has ticked, fired or holds input in flight.
    /// O(N · ring slots) for the check.
    public func standIn(atTick tick: UInt64, held: HeldInput?) throws(PoolError) -> NeuronPool {
        guard tickCount == 0, totalSpikes == 0, lastSpikeCount == 0, !delays.input.contains(where: { $0 != 0 }) else {
            throw .hasRun(pool: name, tick: tickCount)
        }
        var copy = self
        copy.tickCount = tick
        copy.held = held
        return copy
    }
}
