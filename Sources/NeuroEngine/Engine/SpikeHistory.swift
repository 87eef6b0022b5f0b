import NeuroNetwork
/// Where a pool driver finds the spikes its afferent projections need: the spikes pool
/// `pool` fired in tick `tick`.
public protocol SpikeHistory {
    /// Calls `body` with the spikes of `pool` in `tick` (ascending ids). Throws if they are
    /// not held — in lockstep that is a bug or a lost message, never a wait.
    func withSpikes<R>(ofPool pool: Int, tick: UInt64, _ body: (UnsafeBufferPointer<UInt16>) throws(NodeError) -> R) throws(NodeError) -> R
}

/// The last ticks of every pool's spikes, for a run with all pools in one process: a power of
/// two of slots, at least 8 and above the network's largest lag, so they always hold what any
/// projection needs. Slot buffers keep their capacity, so recording allocates nothing after warm-up.
public struct RecentSpikes: SpikeHistory {
    private var slots: [[ContiguousArray<UInt16>]]
    private var ticks: [[UInt64]]
    private let mask: UInt64

    public init(pools: Int, maxLag: Int = 8) {
        var depth = 8
        while depth <= maxLag { depth <<= 1 }
        mask = UInt64(depth - 1)
        slots = Array(repeating: Array(repeating: [], count: depth), count: pools)
        ticks = Array(repeating: Array(repeating: UInt64.max, count: depth), count: pools)
    }

    /// Records what `pool` fired in `tick`. O(spikes).
    public mutating func record(pool: Int, tick: UInt64, spikes: ArraySlice<UInt16>) {
        let slot = Int(tick & mask)
        slots[pool][slot].removeAll(keepingCapacity: true)
        slots[pool][slot].append(contentsOf: spikes)
        ticks[pool][slot] = tick
    }

    public func withSpikes<R>(ofPool pool: Int, tick: UInt64, _ body: (UnsafeBufferPointer<UInt16>) throws(NodeError) -> R) throws(NodeError) -> R {
        let slot = Int(tick & mask)
        guard ticks[pool][slot] == tick else { throw .failed("spikes of pool \(pool) at tick \(tick) are not held") }
        return try slots[pool][slot].withUnsafeBufferPointer { (buffer) throws(NodeError) -> R in try body(buffer) }
    }
}
