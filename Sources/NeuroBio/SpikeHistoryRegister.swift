/// The last 32 ticks of every neuron's spikes, one `UInt32` per neuron: bit k is set when the
/// neuron fired k ticks before the latest recorded tick. Updated from a pool's fired list each
/// tick (NeuroPool's `lastSpikes` or `HHPool.lastSpikes`), so it needs nothing from the pool's
/// tick path. 4 bytes per neuron.
public struct SpikeHistoryRegister: Sendable, Equatable {
    /// One word per neuron.
    public private(set) var bits: ContiguousArray<UInt32>
    /// Ticks recorded so far.
    public private(set) var ticks: UInt64 = 0

    /// An empty history for `neurons` neurons.
    public init(neurons: Int) { bits = ContiguousArray(repeating: 0, count: max(neurons, 0)) }

    /// Number of neurons.
    public var count: Int { bits.count }

    /// Ages every history by one tick and sets bit 0 of each neuron in `fired` (ids must be
    /// below `count`; others are ignored). O(N + fired).
    public mutating func record(fired: some Sequence<UInt16>) {
        bits.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] &<<= 1 }
            for id in fired where Int(id) < b.count { b[Int(id)] |= 1 }
        }
        ticks &+= 1
    }

    /// Whether neuron `i` fired `ticksAgo` ticks before the latest recorded tick (0…31).
    public func fired(_ i: Int, ticksAgo: Int) -> Bool {
        (0 ..< 32).contains(ticksAgo) && bits[i] & (1 << UInt32(ticksAgo)) != 0
    }

    /// Spikes of neuron `i` in the last `min(32, ticks)` ticks.
    public func recentCount(_ i: Int) -> Int { bits[i].nonzeroBitCount }
}
