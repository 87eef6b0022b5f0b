/// Synapses in compressed sparse row form: the outgoing synapses of neuron `i` are
/// `synapses[rowPtr[i] ..< rowPtr[i + 1]]`, contiguous, so propagating a spike is one
/// sequential read of its row.
public struct SynapseStore: Sendable, Equatable {
    /// Row starts, `neuronCount + 1` entries, non-decreasing, first 0, last `synapses.count`.
    public internal(set) var rowPtr: ContiguousArray<UInt32>
    /// All synapses grouped by source neuron, 8 bytes each.
    public internal(set) var synapses: ContiguousArray<Synapse>
    /// The transposed index STDP potentiation reads; derived (never saved, not compared),
    /// nil until needed and after structural changes.
    var incoming: IncomingIndex?

    /// Bytes per stored synapse.
    public static let bytesPerSynapse = MemoryLayout<Synapse>.stride

    /// A store with `neuronCount` rows and no synapses.
    public init(neuronCount: Int) {
        rowPtr = ContiguousArray(repeating: 0, count: neuronCount + 1)
        synapses = []
    }

    /// Builds a store from prepared arrays; the caller guarantees the CSR invariants
    /// (see `validate(neuronCount:flags:)`).
    package init(rowPtr: ContiguousArray<UInt32>, synapses: ContiguousArray<Synapse>) {
        self.rowPtr = rowPtr
        self.synapses = synapses
    }

    /// Number of rows (neurons).
    public var neuronCount: Int { rowPtr.count - 1 }

    /// Two stores are equal when their synapses are (the derived index is ignored).
    public static func == (a: SynapseStore, b: SynapseStore) -> Bool {
        a.rowPtr == b.rowPtr && a.synapses == b.synapses
    }

    /// Number of synapses.
    public var count: Int { synapses.count }

    /// Index range of neuron `i`'s outgoing synapses.
    @inlinable
    public func row(_ i: Int) -> Range<Int> { Int(rowPtr[i]) ..< Int(rowPtr[i + 1]) }

    /// Outgoing synapses of neuron `i` (a copy-free slice).
    public func outgoing(_ i: Int) -> ArraySlice<Synapse> { synapses[row(i)] }

    /// Mutable access to one synapse by its global index.
    public subscript(index: Int) -> Synapse {
        get { synapses[index] }
        set { synapses[index] = newValue }
    }

    /// Removes every synapse for which `isRemoved` is true, compacting rows in place
    /// (no allocation). Returns the number removed. O(S).
    @discardableResult
    mutating func removeAll(where isRemoved: (Synapse) -> Bool) -> Int {
        let n = neuronCount
        var write = 0
        var removed = 0
        synapses.withUnsafeMutableBufferPointer { syn in
            rowPtr.withUnsafeMutableBufferPointer { ptr in
                var read = 0
                for i in 0 ..< n {
                    let end = Int(ptr[i + 1])
                    ptr[i] = UInt32(write)
                    while read < end {
                        let s = syn[read]
                        if isRemoved(s) {
                            removed += 1
                        } else {
                            syn[write] = s
                            write += 1
                        }
                        read += 1
                    }
                }
                ptr[n] = UInt32(write)
            }
        }
        synapses.removeLast(synapses.count - write)
        return removed
    }

    /// Inserts new synapses, given as (source, synapse) pairs, keeping every row sorted by
    /// (delay, target). One merge pass: O(S + k log k).
    mutating func insert(_ additions: [(source: Int, synapse: Synapse)]) {
        guard !additions.isEmpty else { return }
        let n = neuronCount
        var adds = additions
        adds.sort { ($0.source, $0.synapse.delay, $0.synapse.target) < ($1.source, $1.synapse.delay, $1.synapse.target) }
        var merged = ContiguousArray<Synapse>()
        merged.reserveCapacity(synapses.count + adds.count)
        var newPtr = ContiguousArray<UInt32>(repeating: 0, count: n + 1)
        var a = 0
        for i in 0 ..< n {
            var rowItems = Array(synapses[row(i)])
            while a < adds.count, adds[a].source == i {
                rowItems.append(adds[a].synapse)
                a += 1
            }
            if rowItems.count > 1 { rowItems.sort(by: SynapseStore.rowOrder) }
            merged.append(contentsOf: rowItems)
            newPtr[i + 1] = UInt32(merged.count)
        }
        synapses = merged
        rowPtr = newPtr
        incoming = nil
    }

    /// CSR arrays for `rows` source neurons from (source, synapse) pairs in any order (sources
    /// already checked): a counting sort by source, then each row by (delay, target), equal
    /// ones in their given order. O(S + Σ row log row).
    static func rows(_ rows: Int, _ connections: [(source: Int, synapse: Synapse)]) -> (ContiguousArray<UInt32>, ContiguousArray<Synapse>) {
        var rowPtr = ContiguousArray<UInt32>(repeating: 0, count: rows + 1)
        for c in connections { rowPtr[c.source + 1] += 1 }
        for i in 0 ..< rows { rowPtr[i + 1] += rowPtr[i] }
        var next = Array(rowPtr.dropLast())
        var placed = ContiguousArray<Synapse>(repeating: Synapse(target: 0, weight: 0, delay: 1), count: connections.count)
        for c in connections {
            placed[Int(next[c.source])] = c.synapse
            next[c.source] += 1
        }
        // Within a row the placement kept the given order, so a stable sort by (delay, target) suffices.
        placed.withUnsafeMutableBufferPointer { all in
            for i in 0 ..< rows {
                let row = UnsafeMutableBufferPointer(rebasing: all[Int(rowPtr[i]) ..< Int(rowPtr[i + 1])])
                guard row.count > 1 else { continue }
                var keyed = row.enumerated().map { (key: UInt64($0.element.delay) << 48 | UInt64($0.element.target) << 32 | UInt64($0.offset), synapse: $0.element) }
                keyed.sort { $0.key < $1.key }
                for (k, e) in keyed.enumerated() { row[k] = e.synapse }
            }
        }
        return (rowPtr, placed)
    }

    /// The order synapses keep inside a row: by delay, then target. Spikes of one delay then
    /// land in one delay-ring slot in increasing neuron order, which is kinder to the cache.
    static func rowOrder(_ a: Synapse, _ b: Synapse) -> Bool {
        (a.delay, a.target) < (b.delay, b.target)
    }

    /// Whether neuron `source` already has a synapse onto `target`. O(row length).
    public func connects(_ source: Int, to target: Int) -> Bool {
        let t = UInt16(target)
        for s in row(source) where synapses[s].target == t { return true }
        return false
    }
}
