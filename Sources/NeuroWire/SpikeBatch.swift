/// The spikes one pool fired in consecutive ticks: the content of a `SPIKE_BATCH`
/// (protocol/SPEC.md §4.1). Ids of all ticks live in one flat array, so a batch costs two
/// allocations however many ticks it covers, and decoding into an existing batch reuses them.
public struct SpikeBatch: Equatable, Sendable {
    /// The tick of the first spike set.
    public var firstTick: UInt64
    /// Neurons in the source pool, 1…65,536; every id is below it.
    public var neuronCount: Int
    /// Every tick's ids, in tick order, each tick's ids increasing.
    public private(set) var ids: ContiguousArray<UInt16>
    /// `ends[i]` is the index in `ids` just past tick `i`'s ids.
    public private(set) var ends: ContiguousArray<Int32>
    /// Per tick, the encoding to write it in, or `nil` to let the encoder pick the smallest.
    /// A decoded batch holds the encodings it arrived in, so re-encoding gives the same bytes.
    public var encodings: ContiguousArray<SpikeEncoding?>

    /// An empty batch starting at `firstTick`. O(1).
    public init(firstTick: UInt64, neuronCount: Int) {
        self.firstTick = firstTick
        self.neuronCount = neuronCount
        ids = []
        ends = []
        encodings = []
    }

    /// Spike sets in the batch.
    public var tickCount: Int { ends.count }

    /// Spikes in all ticks.
    public var spikeCount: Int { ids.count }

    /// The index range in `ids` of tick `index` (0-based within the batch). O(1).
    public func range(ofTick index: Int) -> Range<Int> {
        (index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])
    }

    /// The ids of tick `index` (0-based within the batch). O(1).
    public func spikes(inTick index: Int) -> ArraySlice<UInt16> {
        ids[range(ofTick: index)]
    }

    /// Appends the next tick's spikes (increasing ids below `neuronCount`; the encoder
    /// checks and refuses a batch that breaks this). O(ids.count).
    public mutating func appendTick(_ tickIds: some Sequence<UInt16>, encoding: SpikeEncoding? = nil) {
        ids.append(contentsOf: tickIds)
        endTick(encoding)
    }

    /// `appendTick(_:encoding:)` for a slice (a pool's spikes): one copy of the ids, where the
    /// generic version, called from another module, goes through unspecialised code.
    public mutating func appendTick(_ tickIds: ArraySlice<UInt16>, encoding: SpikeEncoding? = nil) {
        ids.append(contentsOf: tickIds)
        endTick(encoding)
    }

    /// Closes the tick whose ids were just appended.
    @inline(__always)
    private mutating func endTick(_ encoding: SpikeEncoding?) {
        ends.append(Int32(ids.count))
        encodings.append(encoding)
    }

    /// Appends a tick of `count` ids written by `fill` into uninitialised-then-zeroed storage.
    mutating func appendTick(count: Int, encoding: SpikeEncoding?, fill: (UnsafeMutableBufferPointer<UInt16>) throws(WireError) -> Void) throws(WireError) {
        let start = ids.count
        Zeros.append(count, to: &ids)
        let result = ids.withUnsafeMutableBufferPointer { all in
            Result { () throws(WireError) in
                try fill(UnsafeMutableBufferPointer(rebasing: all[start..<(start + count)]))
            }
        }
        try result.get()
        endTick(encoding)
    }

    /// Empties the batch, keeping its storage for reuse. O(1) amortised.
    public mutating func removeAll(firstTick: UInt64, neuronCount: Int) {
        self.firstTick = firstTick
        self.neuronCount = neuronCount
        ids.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        encodings.removeAll(keepingCapacity: true)
    }

    /// Whether both batches hold the same ticks and spikes, whatever their encodings.
    public func sameSpikes(as other: SpikeBatch) -> Bool {
        firstTick == other.firstTick && neuronCount == other.neuronCount
            && ids == other.ids && ends == other.ends
    }
}
