/// Axonal delays as a ring of input slots, one per tick of delay: 8 slots, or the next power
/// of two at or above the pool's largest delay (at most `maxSlots`).
///
/// A spike sent at tick `t` through a synapse of delay `d` (1…slots) adds its PSP to slot
/// `(t + d) mod slots`; tick `t + d` takes that slot as input and clears it. Since a tick
/// consumes its own slot before propagating, a delay equal to the slot count reuses the slot
/// just emptied and still arrives exactly that many ticks later. Layout is slot-major
/// (`slot * neuronCount + neuron`) so the neuron loop reads its slot sequentially.
public struct DelayBuffer: Sendable, Equatable {
    /// Slots of a pool whose delays are all at most 8 (every shorthand pool).
    public static let slots = 8
    /// Most slots, and so the largest delay, a ring holds.
    public static let maxSlots = 256
    /// Accumulated input per slot and neuron (the pool's membrane units). `Int32` so no sum
    /// can overflow.
    public package(set) var input: ContiguousArray<Int32>
    /// Number of neurons per slot.
    public let neuronCount: Int
    /// Number of slots, a power of two from 8 to `maxSlots`.
    public private(set) var slotCount: Int
    /// Input channels per neuron and slot: 1, or 2 in a pool with exponential synapses, where
    /// excitatory input (≥ 0) goes to channel 0 and inhibitory input (< 0) to channel 1, at
    /// `(slot * neuronCount + neuron) * 2 + channel`.
    public let channels: Int

    public init(neuronCount: Int, slots: Int = DelayBuffer.slots, channels: Int = 1) {
        self.neuronCount = neuronCount
        self.channels = channels
        slotCount = DelayBuffer.slotCount(forDelay: slots)
        input = ContiguousArray(repeating: 0, count: slotCount * neuronCount * channels)
    }

    package init(neuronCount: Int, input: ContiguousArray<Int32>, channels: Int = 1) {
        self.neuronCount = neuronCount
        self.input = input
        self.channels = channels
        slotCount = neuronCount > 0 ? input.count / (neuronCount * channels) : DelayBuffer.slots
    }

    /// The slot count a ring needs for delays up to `delay`: a power of two, at least 8.
    public static func slotCount(forDelay delay: Int) -> Int {
        var s = DelayBuffer.slots
        while s < delay { s <<= 1 }
        return s
    }

    /// `slotCount − 1`, the mask that maps a tick to its slot.
    @inlinable
    public var mask: Int { slotCount &- 1 }

    /// The slot that tick `tick` consumes in an 8-slot ring.
    @inlinable
    public static func slot(forTick tick: UInt64) -> Int { Int(tick & 7) }

    /// The slot that tick `tick` consumes.
    @inlinable
    public func slot(forTick tick: UInt64) -> Int { Int(truncatingIfNeeded: tick) & mask }

    /// Grows the ring to hold delays up to `delay`, keeping the input in flight for ticks
    /// `tick ..< tick + slotCount` where it belongs. O(slots × N).
    public mutating func grow(toDelay delay: Int, at tick: UInt64) {
        let slots = DelayBuffer.slotCount(forDelay: delay)
        guard slots > slotCount else { return }
        let width = neuronCount * channels
        var grown = ContiguousArray<Int32>(repeating: 0, count: slots * width)
        for ahead in 0 ..< slotCount {
            let t = tick &+ UInt64(ahead)
            let from = (Int(truncatingIfNeeded: t) & mask) * width
            let to = (Int(truncatingIfNeeded: t) & (slots - 1)) * width
            for i in 0 ..< width { grown[to + i] = input[from + i] }
        }
        input = grown
        slotCount = slots
    }

    /// Input pending for `neuron`, summed over all future slots (for inspection).
    public func pending(for neuron: Int) -> Int32 {
        (0 ..< slotCount).reduce(0) { sum, slot in
            (0 ..< channels).reduce(sum) { $0 + input[(slot * neuronCount + neuron) * channels + $1] }
        }
    }

    /// Number of non-zero entries, i.e. (slot, neuron) pairs with input in flight.
    public var inFlightCount: Int { input.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

    /// Clears every slot.
    public mutating func clear() {
        input.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
