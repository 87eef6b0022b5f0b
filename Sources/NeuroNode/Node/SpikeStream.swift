import NeuroWire
import NeuroNetwork
import NeuroEngine

/// The spike batches received from one upstream pool, in tick order, until every projection
/// that needs them has delivered them. Batches must continue exactly where the previous one
/// ended: a gap in ticks is a hard error in lockstep.
public struct SpikeStream: Sendable {
    public let name: String
    public let neuronCount: Int
    private var batches: [SpikeBatch] = []
    private var head = 0
    /// Discarded batches whose storage the next decodes reuse, so a steady stream allocates
    /// nothing per batch.
    private var spares: [SpikeBatch] = []
    /// One past the last tick held (the next batch must start here).
    public private(set) var nextTick: UInt64

    public init(name: String, neuronCount: Int, startTick: UInt64 = 0) {
        self.name = name
        self.neuronCount = neuronCount
        nextTick = startTick
    }

    /// Appends a received batch. In lockstep (`gapsAllowed` false) it must continue the
    /// stream exactly, or this throws. In real time a batch may start later (the ticks between
    /// were lost and count as silent); one that starts earlier overlaps what is held and is
    /// dropped (returns false). Takes the batch (`consuming`): the hot path hands over its
    /// storage instead of retaining a copy.
    @discardableResult
    public mutating func append(_ batch: consuming SpikeBatch, gapsAllowed: Bool = false) throws(NodeError) -> Bool {
        guard batch.neuronCount == neuronCount else {
            throw .failed("spk/\(name)/ batch says \(batch.neuronCount) neurons, the network file says \(neuronCount)")
        }
        if batch.firstTick != nextTick {
            guard gapsAllowed else { throw .tickGap(stream: "spk/\(name)/", expected: nextTick, found: batch.firstTick) }
            if batch.firstTick < nextTick { return false }
        }
        nextTick = batch.firstTick + UInt64(batch.tickCount)
        batches.append(batch)
        return true
    }

    /// Whether tick `tick` is held.
    public func holds(_ tick: UInt64) -> Bool { tick < nextTick }

    /// An empty batch to decode the next one into, reusing a discarded batch's storage when
    /// one is free. Pass it to `append` when filled. O(1).
    public mutating func spareBatch() -> SpikeBatch {
        spares.popLast() ?? SpikeBatch(firstTick: nextTick, neuronCount: neuronCount)
    }

    /// Drops batches that end at or before `tick` (nothing before it will be asked for again).
    public mutating func discard(before tick: UInt64) {
        while head < batches.count, batches[head].firstTick + UInt64(batches[head].tickCount) <= tick {
            if spares.count < 8 {
                // Swapped out, so the spare is the only owner of its storage.
                var spare = SpikeBatch(firstTick: 0, neuronCount: neuronCount)
                swap(&spare, &batches[head])
                spares.append(spare)
            }
            head += 1
        }
        if head > 64, head * 2 > batches.count {
            batches.removeFirst(head)
            head = 0
        }
    }

    /// Calls `body` with the spikes of `tick`. A tick not held is an error, or with
    /// `missingIsSilent` (real time: lost or not yet arrived) a tick without spikes.
    public func withSpikes<R>(tick: UInt64, missingIsSilent: Bool = false, _ body: (UnsafeBufferPointer<UInt16>) throws(NodeError) -> R) throws(NodeError) -> R {
        var i = head
        while i < batches.count {
            let b = batches[i]
            if tick >= b.firstTick, tick < b.firstTick + UInt64(b.tickCount) {
                let range = b.range(ofTick: Int(tick - b.firstTick))
                return try b.ids.withUnsafeBufferPointer { (all) throws(NodeError) -> R in
                    try body(UnsafeBufferPointer(rebasing: all[range]))
                }
            }
            i += 1
        }
        if missingIsSilent { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        throw .failed("spikes of pool \(name) at tick \(tick) are not held (held up to \(nextTick))")
    }
}

/// The upstream streams of one node, by pool index, as a `SpikeHistory`.
public struct StreamHistory: SpikeHistory {
    public var streams: [Int: SpikeStream]
    /// Real time: a tick whose batch is lost or late is delivered as silent.
    public var missingIsSilent = false

    public init(streams: [Int: SpikeStream], missingIsSilent: Bool = false) {
        self.streams = streams
        self.missingIsSilent = missingIsSilent
    }

    public func withSpikes<R>(ofPool pool: Int, tick: UInt64, _ body: (UnsafeBufferPointer<UInt16>) throws(NodeError) -> R) throws(NodeError) -> R {
        guard let stream = streams[pool] else { throw .failed("no stream from pool \(pool)") }
        return try stream.withSpikes(tick: tick, missingIsSilent: missingIsSilent, body)
    }
}
