import NeuroNetwork
/// The spikes of one external source grouped by tick, for a run with every pool in one process
/// (`neurobus run --inject`): within a tick the ids are ascending and unique, exactly as
/// `neurobus inject` sends them, so both runs feed the pool the same input.
public struct InjectionSchedule: Sendable {
    /// The source, from the network file.
    public let source: SourceSpec
    /// Ticks with spikes, ascending; `ids[offsets[i] ..< offsets[i + 1]]` are tick `ticks[i]`'s.
    private var ticks: [UInt64] = []
    private var offsets: [Int] = [0]
    private var ids: [UInt16] = []
    /// Position of the next tick `spikes(at:)` looks at.
    private var cursor = 0

    /// Groups `events` (ticks non-decreasing, as the spike-file readers guarantee). Throws for
    /// a neuron outside the source's neurons, naming the event. O(events log events).
    public init(source: SourceSpec, events: [SpikeEvent], file: String) throws(NodeError) {
        self.source = source
        var tickIds: [UInt16] = []
        for (n, event) in events.enumerated() {
            try Self.check(event, number: n, source: source, file: file)
            if let last = ticks.last, event.tick == last {
                tickIds.append(event.neuron)
                continue
            }
            if !ticks.isEmpty {
                guard event.tick > ticks[ticks.count - 1] else {
                    throw .failed("\(file): event \(n) (tick \(event.tick)) comes after tick \(ticks[ticks.count - 1]): ticks must not decrease")
                }
                closeTick(&tickIds)
            }
            ticks.append(event.tick)
            tickIds.append(event.neuron)
        }
        if !ticks.isEmpty { closeTick(&tickIds) }
    }

    private mutating func closeTick(_ tickIds: inout [UInt16]) {
        sortUnique(&tickIds)
        ids.append(contentsOf: tickIds)
        offsets.append(ids.count)
        tickIds.removeAll(keepingCapacity: true)
    }

    /// Checks that `event` targets one of the source's neurons.
    package static func check(_ event: SpikeEvent, number: Int, source: SourceSpec, file: String) throws(NodeError) {
        guard source.neurons.contains(Int(event.neuron)) else {
            throw .failed("\(file): event \(number) (tick \(event.tick), neuron \(event.neuron)) is outside source \(source.name)'s neurons [\(source.neurons.lowerBound), \(source.neurons.upperBound))")
        }
    }

    /// Number of ticks with spikes, and of spikes after merging repeats.
    public var tickCount: Int { ticks.count }
    public var spikeCount: Int { ids.count }
    /// One past the last tick with spikes (0 when there are none).
    public var endTick: UInt64 { ticks.last.map { $0 + 1 } ?? 0 }

    /// The spikes of `tick`; calls must come with ticks ascending (the cursor moves on).
    /// Amortised O(1).
    public mutating func spikes(at tick: UInt64) -> ArraySlice<UInt16> {
        while cursor < ticks.count, ticks[cursor] < tick { cursor += 1 }
        guard cursor < ticks.count, ticks[cursor] == tick else { return [] }
        return ids[offsets[cursor] ..< offsets[cursor + 1]]
    }
}

/// Sorts `ids` ascending and removes repeats, in place. O(n log n), no allocation.
package func sortUnique(_ ids: inout [UInt16]) {
    guard ids.count > 1 else { return }
    ids.sort()
    var kept = 1
    for i in 1 ..< ids.count where ids[i] != ids[kept - 1] {
        ids[kept] = ids[i]
        kept += 1
    }
    ids.removeLast(ids.count - kept)
}
