/// The pool's own seeded generator: xoshiro256** seeded through SplitMix64.
///
/// Every random choice a pool makes (construction, synaptogenesis) draws from the one
/// `PoolRandom` it owns, and its state is saved in `.pool` files, so the same seed gives the
/// same network and the same spikes on every machine. Only integer arithmetic is used, and
/// `uniform(below:)` is written out here rather than taken from the standard library so the
/// mapping from generator output to a value cannot change between Swift versions.
public struct PoolRandom: RandomNumberGenerator, Sendable, Equatable {
    /// The four 64-bit words of xoshiro256** state.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the generator; any seed (zero included) gives a valid, distinct state.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(&sm), splitMix(&sm), splitMix(&sm), splitMix(&sm))
    }

    /// Restores a generator from a saved state (see `state`). An all-zero state is invalid for
    /// xoshiro and is replaced by the state of seed 0.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state == (0, 0, 0, 0) ? PoolRandom(seed: 0).state : state
    }

    /// Next 64 random bits. O(1).

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject). `bound` must be > 0.

    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below:) needs a positive bound")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold {
                m = next().multipliedFullWidth(by: bound)
            }
        }
        return m.high
    }

    /// A uniform integer in `range`.

    public mutating func uniform(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(uniform(below: UInt64(range.upperBound - range.lowerBound) + 1))
    }

    /// True with probability `numerator / 2^32`.

    public mutating func chance(_ numerator: UInt64) -> Bool {
        (next() >> 32) < numerator
    }

    public static func == (a: PoolRandom, b: PoolRandom) -> Bool {
        a.state == b.state
    }
}
