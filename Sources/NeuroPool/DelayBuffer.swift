/// Axonal delays as a ring of 8 input slots, one per tick of delay.
///
/// A spike sent at tick `t` through a synapse of delay `d` (1…8) adds its PSP to slot
/// `(t + d) mod 8`; tick `t + d` takes that slot as input and clears it. Since a tick consumes
/// its own slot before propagating, a delay of 8 reuses the slot just emptied and still
/// arrives exactly 8 ticks later. Layout is slot-major (`slot * neuronCount + neuron`) so the
/// neuron loop reads its slot sequentially.
public struct DelayBuffer: Sendable, Equatable {
    /// Number of slots, and the largest delay.
    public static let slots = 8
    /// Accumulated input per slot and neuron, Q8.8 mV. `Int32` so no sum can overflow.
    public internal(set) var input: ContiguousArray<Int32>
    /// Number of neurons per slot.
    public let neuronCount: Int

    public init(neuronCount: Int) {
        self.neuronCount = neuronCount
        input = ContiguousArray(repeating: 0, count: DelayBuffer.slots * neuronCount)
    }

    init(neuronCount: Int, input: ContiguousArray<Int32>) {
        self.neuronCount = neuronCount
        self.input = input
    }

    /// The slot that tick `tick` consumes.
    @inlinable
    public static func slot(forTick tick: UInt64) -> Int { Int(tick & 7) }

    /// Input pending for `neuron`, summed over all future slots (for inspection).
    public func pending(for neuron: Int) -> Int32 {
        (0 ..< DelayBuffer.slots).reduce(0) { $0 + input[$1 * neuronCount + neuron] }
    }

    /// Number of non-zero entries, i.e. (slot, neuron) pairs with input in flight.
    public var inFlightCount: Int { input.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

    /// Clears every slot.
    public mutating func clear() {
        input.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
