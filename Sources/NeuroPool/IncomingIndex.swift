/// The transpose of a `SynapseStore`: for each post-synaptic neuron, the indices of the
/// synapses that end on it and their source neurons. STDP needs it to credit pre-before-post
/// pairings when the post-synaptic neuron fires. It is derived (never saved), costs 6 bytes
/// per synapse, and exists only while STDP is on; structural changes rebuild it.
struct IncomingIndex: Sendable {
    /// Column starts, `neuronCount + 1` entries.
    var colPtr: ContiguousArray<UInt32>
    /// Global synapse index of each incoming synapse, grouped by target.
    var synapse: ContiguousArray<UInt32>
    /// Source neuron of each incoming synapse, parallel to `synapse`.
    var source: ContiguousArray<UInt16>

    /// Builds the index by counting sort over targets. O(N + S).
    init(_ store: SynapseStore) {
        self.init(rowPtr: store.rowPtr, synapses: store.synapses, targets: store.neuronCount)
    }

    /// Builds the index of any CSR whose rows are sources and whose synapses end on one of
    /// `targets` neurons (a pool's own synapses, or an afferent projection's). O(rows + targets + S).
    init(rowPtr: ContiguousArray<UInt32>, synapses: ContiguousArray<Synapse>, targets n: Int) {
        let rows = rowPtr.count - 1
        let s = synapses.count
        var colPtr = ContiguousArray<UInt32>(repeating: 0, count: n + 1)
        for syn in synapses { colPtr[Int(syn.target) + 1] += 1 }
        for i in 0 ..< n { colPtr[i + 1] += colPtr[i] }
        var fill = Array(colPtr.dropLast())
        var synapse = ContiguousArray<UInt32>(repeating: 0, count: s)
        var source = ContiguousArray<UInt16>(repeating: 0, count: s)
        for i in 0 ..< rows {
            for k in Int(rowPtr[i]) ..< Int(rowPtr[i + 1]) {
                let t = Int(synapses[k].target)
                let slot = Int(fill[t])
                synapse[slot] = UInt32(k)
                source[slot] = UInt16(i)
                fill[t] += 1
            }
        }
        self.colPtr = colPtr
        self.synapse = synapse
        self.source = source
    }

    /// Bytes this index occupies.
    var byteCount: Int { colPtr.count * 4 + synapse.count * 4 + source.count * 2 }
}
