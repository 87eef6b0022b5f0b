/// How one tick's spike set is written (protocol/SPEC.md §5).
public enum SpikeEncoding: Hashable, Sendable, CustomStringConvertible {
    /// No spikes: just the code byte.
    case empty
    /// A count, then every id as a `u16`: 2 bytes per spike, the worst-case bound.
    case ids16
    /// A count, the first id, then each gap minus one, as LEB128 varints.
    case varint
    /// A count, then one bit per neuron of the pool.
    case bitmap
    /// A count, Rice parameter `k` (0…15), the first id, then Rice-coded gaps minus one.
    case rice(k: UInt8)

    /// The code byte.
    public var code: UInt8 {
        switch self {
        case .empty: 0
        case .ids16: 1
        case .varint: 2
        case .bitmap: 3
        case .rice: 4
        }
    }

    /// The name in the JSON form (`rice` without its parameter).
    public var name: String {
        switch self {
        case .empty: "empty"
        case .ids16: "ids16"
        case .varint: "varint"
        case .bitmap: "bitmap"
        case .rice: "rice"
        }
    }

    public var description: String {
        if case .rice(let k) = self { return "rice(k=\(k))" }
        return name
    }
}

/// How the encoder picks the encoding of a tick whose batch leaves it open (`nil`).
public enum SpikeEncodingPolicy: String, Sendable, CaseIterable {
    /// The smallest of all four encodings: Rice wins for Poisson-like activity
    /// (~0.75 bytes per spike at 5 %), at about two thirds of the byte-aligned speed.
    case compact
    /// The smallest of the byte-aligned encodings (ids16, varint, bitmap): the fastest to
    /// encode and decode (~1 byte per spike at 5 %).
    case fast
}
