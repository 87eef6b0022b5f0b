import NeuroWire
import PropertyBased

// PropertyBased generators for every NeuroWire message kind (protocol/SPEC.md §4). The frame
// tools the tests share are in FrameKit.swift, the spec's size formulas in SpecSize.swift.
//
// Everything is built from PropertyBased's combinators (`Gen.uint64(in:)`, `zip`, `.map`,
// `.array(of:)`, `Gen.frequency`, …). Spike batches need values that depend on each other
// (ids below the batch's neuron count, sizes within a budget), which the library has no
// `flatMap` for, so their generator is a `Generator { rng in … }` that draws a local
// `Xoshiro` from PropertyBased's seeded generator and runs the other generators with it:
// every value is still a pure function of the seed PropertyBased prints on failure.

/// A type-erased PropertyBased generator (no shrinking is used by these tests).
typealias AnyGen<T> = Generator<T, AnySequence<Any>>

/// `Gen.frequency` over type-erased generators, itself type-erased.
func weighted<T: Sendable>(_ options: [(Double, AnyGen<T>)]) -> AnyGen<T> {
    Gen<T>.frequency(options.map { (weight: $0.0, gen: $0.1) }).eraseToAny()
}

/// `Gen.always`, type-erased.
func always<T: Sendable>(_ value: T) -> AnyGen<T> {
    Gen<T>.always(value).eraseToAny()
}

/// One of `values`, uniformly.
func element<T: Sendable>(of values: [T]) -> AnyGen<T> {
    Gen<T?>.element(of: values).map { $0! }.eraseToAny()
}

/// A fast seeded random source for the dependent parts of generators and for mutations.
struct TestRand {
    var x: Xoshiro

    /// Derived from PropertyBased's generator, so the value is reproducible from its seed.
    init(_ rng: inout any SeededRandomNumberGenerator) {
        x = Xoshiro(seed: (rng.next(), rng.next(), rng.next(), rng.next() | 1))
    }

    /// From one 64-bit seed (SplitMix64 expansion).
    init(seed: UInt64) {
        var s = seed
        func split() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        x = Xoshiro(seed: (split(), split(), split(), split() | 1))
    }

    mutating func next() -> UInt64 { x.next() }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &x) }
    mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &x) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &x) < p }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: x.next()) }
    mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
    /// Runs a PropertyBased generator with this source.
    mutating func run<T, S>(_ generator: Generator<T, S>) -> T { generator.run(using: &x) }

    /// Index into `weights` chosen with probability proportional to its weight.
    mutating func weightedIndex(_ weights: [Int]) -> Int {
        var roll = below(weights.reduce(0, +))
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }

    /// `count` random bytes, 8 per draw.
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            withUnsafeBytes(of: x.next()) { out.append(contentsOf: $0) }
        }
        out.removeLast(out.count - count)
        return out
    }
}

// MARK: - Spike batches

/// How large and how varied generated spike batches are.
struct BatchProfile: Sendable {
    /// Pool sizes.
    var neuronCount: AnyGen<Int>
    /// Ticks per batch.
    var tickCount: AnyGen<Int>
    /// Spikes per batch, normally and in the rare big batches.
    var idBudget: Int
    var bigIdBudget: Int
    var bigChance: Double
    /// Payload bytes per batch spent on explicitly chosen encodings (bitmaps of large pools
    /// and Rice streams with a small k are large); beyond it ticks fall back to auto.
    var byteBudget: Int
    var bigByteBudget: Int
}

/// Spike-set shapes, from empty through sparse and clustered to dense and every neuron.
enum SetShape: CaseIterable {
    case empty, single, edges, sparse, uniformGaps, skewedGaps, runs, dense, complement, all
}

extension WireGen {
    /// Edge pool sizes, always in the mix: one neuron, around a bitmap byte boundary (7, 8, 9),
    /// one 64-bit word, and the 12- and 16-bit limits.
    static let edgeNeuronCounts = [1, 7, 8, 9, 64, 4096, 65536]

    static let neuronCount: AnyGen<Int> = weighted([
        (30, element(of: edgeNeuronCounts)),
        (10, element(of: [2, 3, 15, 16, 17, 63, 65, 127, 128, 129, 255, 256, 257, 1023, 1024, 1025, 65535])),
        (25, Gen.int(in: 1...64).eraseToAny()),
        (20, Gen.int(in: 65...1024).eraseToAny()),
        (10, Gen.int(in: 1025...8192).eraseToAny()),
        (5, Gen.int(in: 8193...65536).eraseToAny()),
    ])

    /// 1…20 ticks, occasionally up to the limit of 1024.
    static let tickCount: AnyGen<Int> = weighted([
        (250, always(1)),
        (450, Gen.int(in: 2...8).eraseToAny()),
        (260, Gen.int(in: 9...20).eraseToAny()),
        (30, Gen.int(in: 21...100).eraseToAny()),
        (7, Gen.int(in: 101...1023).eraseToAny()),
        (3, always(1024)),
    ])

    /// Batches for round trips: varied, mostly small, rarely tens of thousands of spikes.
    static let roundTripProfile = BatchProfile(
        neuronCount: neuronCount, tickCount: tickCount,
        idBudget: 400, bigIdBudget: 140_000, bigChance: 0.004,
        byteBudget: 16 * 1024, bigByteBudget: 300 * 1024)

    /// Batches for mutation: small, so random mutations land in structure often.
    static let fuzzProfile = BatchProfile(
        neuronCount: weighted([
            (30, element(of: edgeNeuronCounts)),
            (40, Gen.int(in: 1...128).eraseToAny()),
            (20, Gen.int(in: 129...2048).eraseToAny()),
            (5, Gen.int(in: 2049...65536).eraseToAny()),
        ]),
        tickCount: weighted([
            (35, always(1)),
            (60, Gen.int(in: 2...6).eraseToAny()),
            (5, Gen.int(in: 7...40).eraseToAny()),
        ]),
        idBudget: 200, bigIdBudget: 2000, bigChance: 0.01,
        byteBudget: 1024, bigByteBudget: 9000)

    /// The first tick: 0, anything, or so close to 2^64 − 1 that the last tick is the maximum.
    static func firstTick(ticks: Int, _ r: inout TestRand) -> UInt64 {
        let last = UInt64.max - UInt64(ticks - 1)
        switch r.below(6) {
        case 0: return 0
        case 1: return last
        case 2: return last - UInt64(r.int(0...3))
        case 3: return UInt64(r.int(0...100_000))
        default: return r.next() % (last &+ 1 == 0 ? .max : last &+ 1)
        }
    }

    /// A sorted set of distinct ids below `n`, at most `budget` long. (Loops are `while`
    /// loops: generic sequence iteration is slow in the debug builds the tests run in.)
    static func spikeSet(_ shape: SetShape, neuronCount n: Int, budget: Int, _ r: inout TestRand) -> [UInt16] {
        var ids: [UInt16] = []
        let limit = max(budget, 0)
        func add(_ id: Int) { ids.append(UInt16(truncatingIfNeeded: id)) }
        switch shape {
        case .empty:
            break
        case .single:
            add(r.pick([0, n - 1, r.below(n)]))
        case .edges:
            if n == 1 {
                add(0)
            } else {
                add(0)
                if n > 2 && r.chance(0.5) { add(r.int(1...(n - 2))) }
                add(n - 1)
            }
        case .sparse:
            var chosen = Set<Int>()
            let count = r.int(1...min(n, 12))
            while chosen.count < count { chosen.insert(r.below(n)) }
            for id in chosen.sorted() { add(id) }
        case .uniformGaps:
            // Gaps uniform in 0…2m: m picks the density, from every neuron to 3-byte varints.
            let mean = r.pick([0, 0, 1, 2, 5, 15, 60, 300, 2000, 20000])
            var id = r.int(0...min(n - 1, 2 * mean))
            while id < n && ids.count < limit {
                add(id)
                id += 1 + (mean == 0 ? 0 : r.int(0...(2 * mean)))
            }
        case .skewedGaps:
            // Mostly adjacent ids with rare huge jumps: long Rice quotients for the chosen k,
            // and a mean gap that misleads the k heuristic.
            var id = r.below(min(n, 64))
            while id < n && ids.count < limit {
                add(id)
                id += 1 + (r.chance(0.06) ? r.int(100...30000) : r.int(0...3))
            }
        case .runs:
            var id = r.below(min(n, 40))
            while id < n && ids.count < limit {
                var on = r.int(1...40)
                while on > 0 && id < n {
                    add(id)
                    id += 1
                    on -= 1
                }
                id += r.chance(0.1) ? r.int(200...5000) : r.int(1...300)
            }
        case .dense:
            // Most neurons: short runs of silence between long runs of firing.
            let keep = r.pick([2, 5, 20, 100])
            var id = 0
            while id < n && ids.count < limit {
                if r.below(keep + 1) != 0 { add(id) }
                id += 1
            }
        case .complement:
            // Every neuron but a few.
            var holes = Set<Int>()
            for _ in 0..<r.int(1...8) { holes.insert(r.below(n)) }
            var id = 0
            while id < n && ids.count < limit {
                if !holes.contains(id) { add(id) }
                id += 1
            }
            if ids.isEmpty && limit > 0 { add(0) }
        case .all:
            var id = 0
            let end = min(n, limit)
            ids.reserveCapacity(end)
            while id < end {
                add(id)
                id += 1
            }
        }
        if ids.count > limit { ids.removeLast(ids.count - limit) }
        return ids
    }

    /// nil (let the encoder pick) half the time, otherwise an explicit encoding valid for the
    /// set: `empty` for an empty set, else ids16, varint, bitmap or rice with k 0…15.
    static func encoding(for ids: [UInt16], _ r: inout TestRand) -> SpikeEncoding? {
        if r.chance(0.5) { return nil }
        if ids.isEmpty { return .empty }
        switch r.below(5) {
        case 0: return .ids16
        case 1: return .varint
        case 2: return .bitmap
        default: return .rice(k: UInt8(r.int(0...15)))
        }
    }

    static func batch(_ profile: BatchProfile, _ r: inout TestRand) -> SpikeBatch {
        let big = r.chance(profile.bigChance)
        // Big batches are where whole 4096- and 65,536-neuron ticks fit the spike budget.
        let n = big && r.chance(0.5) ? r.pick([4096, 65536]) : r.run(profile.neuronCount)
        let ticks = r.run(profile.tickCount)
        var idBudget = big ? profile.bigIdBudget : profile.idBudget
        var byteBudget = big ? profile.bigByteBudget : profile.byteBudget
        var batch = SpikeBatch(firstTick: firstTick(ticks: ticks, &r), neuronCount: n)
        // Long batches are mostly empty ticks, as in lockstep runs of a quiet pool.
        let weights = ticks > 32
            ? [60, 10, 2, 15, 5, 2, 2, 2, 1, 1]
            : [14, 10, 5, 20, 20, 8, 8, 7, 3, 5]
        let shapes = SetShape.allCases
        for _ in 0..<ticks {
            let shape = shapes[r.weightedIndex(weights)]
            let ids = spikeSet(shape, neuronCount: n, budget: idBudget, &r)
            var chosen = encoding(for: ids, &r)
            let cost = chosen.map { SpecSize.body(ids, neuronCount: n, $0) } ?? (3 + 2 * ids.count)
            if cost > byteBudget { chosen = nil }
            byteBudget -= chosen == nil ? min(3 + 2 * ids.count, 4 + (n + 7) / 8) : cost
            idBudget -= ids.count
            batch.appendTick(ids, encoding: chosen)
        }
        return batch
    }

    static func spikeBatch(_ profile: BatchProfile) -> AnyGen<SpikeBatch> {
        Generator<SpikeBatch, Shrink.None<SpikeBatch>> { rng in
            var r = TestRand(&rng)
            return batch(profile, &r)
        }.eraseToAny()
    }
}

// MARK: - Scalars and text

enum WireGen {
    static let u8: AnyGen<UInt8> = Gen.uint8().eraseToAny()

    static let u16: AnyGen<UInt16> = weighted([
        (1, always(0)), (1, always(.max)), (1, Gen.uint16(in: 1...300).eraseToAny()),
        (5, Gen.uint16().eraseToAny()),
    ])

    static let u32: AnyGen<UInt32> = weighted([
        (1, always(0)), (1, always(.max)), (1, Gen.uint32(in: 1...70_000).eraseToAny()),
        (5, Gen.uint32().eraseToAny()),
    ])

    static let u64: AnyGen<UInt64> = weighted([
        (1, always(0)), (1, always(.max)), (1, Gen.uint64(in: 1...100_000).eraseToAny()),
        (1, Gen.uint64(in: (UInt64.max - 1000)...UInt64.max).eraseToAny()),
        (5, Gen.uint64().eraseToAny()),
    ])

    /// Non-zero 64-bit ids (snapshot ids).
    static let nonZeroU64: AnyGen<UInt64> = weighted([
        (1, always(1)), (1, always(.max)), (4, Gen.uint64(in: 1...UInt64.max).eraseToAny()),
    ])

    /// Unicode scalars of every UTF-8 length, controls (NUL included) and combining marks;
    /// never surrogates.
    static let scalar: AnyGen<Unicode.Scalar> = weighted([
        (5, Gen.unicodeScalar(in: "\u{20}"..."\u{7E}").eraseToAny()),
        (1, Gen.unicodeScalar(in: "\u{0}"..."\u{1F}").eraseToAny()),
        (2, Gen.unicodeScalar(in: "\u{80}"..."\u{7FF}").eraseToAny()),
        (1, Gen.unicodeScalar(in: "\u{300}"..."\u{36F}").eraseToAny()),
        (2, Gen.unicodeScalar(in: "\u{800}"..."\u{D7FF}").eraseToAny()),
        (1, Gen.unicodeScalar(in: "\u{E000}"..."\u{FFFF}").eraseToAny()),
        (2, Gen.unicodeScalar(in: "\u{10000}"..."\u{10FFFF}").eraseToAny()),
    ])

    /// Text of exactly the 4096-byte limit, in 1-, 2-, 3- and 4-byte characters.
    static let limitText: AnyGen<String> = element(of: [
        String(repeating: "a", count: 4096),
        String(repeating: "é", count: 2048),
        String(repeating: "€", count: 1365) + "a",
        String(repeating: "😀", count: 1024),
    ])

    /// Text fields: empty, ASCII, random Unicode (non-ASCII, astral, combining, controls), or
    /// rarely exactly at the limit.
    static let text: AnyGen<String> = weighted([
        (2, always("")),
        (3, Gen.letterOrNumber.string(of: 1...16).eraseToAny()),
        (6, scalar.array(of: 1...24).map { (scalars: [Unicode.Scalar]) -> String in
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            return text
        }.eraseToAny()),
        (0.05, limitText),
    ])

    static let counters: AnyGen<TrafficCounters> = zip(u64, u64, u64, u64, u64, u64, u64)
        .map { (v: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) -> TrafficCounters in
            var c = TrafficCounters()
            (c.spikes, c.packetsOut, c.packetsIn, c.bytesOut, c.bytesIn, c.late, c.lost) = v
            return c
        }.eraseToAny()

    static let state: AnyGen<NodeState> = Gen<NodeState>.case.eraseToAny()
    static let verb: AnyGen<CommandVerb> = Gen<CommandVerb>.case.eraseToAny()

    /// Header flags: none, compressed, or ancillary bits 4–7 with or without compression.
    static let flags: AnyGen<WireFlags> = weighted([
        (5, always([])),
        (2, always(.compressed)),
        (3, zip(Gen.uint8(in: 1...15), Gen.bool).map { (bits: UInt8, compressed: Bool) in
            WireFlags(rawValue: bits << 4 | (compressed ? 1 : 0))
        }.eraseToAny()),
    ])
}

// MARK: - Messages

extension WireGen {
    static func stimulus(_ profile: BatchProfile) -> AnyGen<Stimulus> {
        zip(u16, weighted([(1, always(Int16.min)), (1, always(Int16.max)), (1, always(0)), (5, Gen.int16().eraseToAny())]),
            spikeBatch(profile))
            .map { (v: (UInt16, Int16, SpikeBatch)) in Stimulus(targetPool: v.0, drive: v.1, batch: v.2) }
            .eraseToAny()
    }

    /// 0…32 entries (the limit often), ids strictly increasing over 0…255.
    static let modulators: AnyGen<Modulators> = Generator<Modulators, Shrink.None<Modulators>> { rng in
        var r = TestRand(&rng)
        let count = r.pick([0, 1, 5, 32, r.int(0...32), r.int(0...32)])
        var ids = Set<UInt8>()
        // Mostly the five named modulators plus a few later ids, sometimes anything.
        let wide = count > 5 || r.chance(0.3)
        while ids.count < count { ids.insert(wide ? r.byte() : UInt8(r.below(5))) }
        let levels = ids.sorted().map { (id: $0, level: r.byte()) }
        return Modulators(tick: r.run(u64), mode: r.chance(0.5) ? .atTick : .onArrival, levels: levels)
    }.eraseToAny()

    static let permit: AnyGen<Permit> = zip(u64, u32)
        .map { (until: UInt64, epoch: UInt32) in Permit(until: until, epoch: epoch) }.eraseToAny()

    static let heartbeat: AnyGen<Heartbeat> = zip(state, u64, u64, counters, u64)
        .map { (v: (NodeState, UInt64, UInt64, TrafficCounters, UInt64)) in
            Heartbeat(state: v.0, tick: v.1, uptimeMicroseconds: v.2, counters: v.3, overruns: v.4)
        }.eraseToAny()

    static let hello: AnyGen<Hello> = zip(Gen<PeerRole>.case, u16, u32, u64, u64, text, text)
        .map { (v: (PeerRole, UInt16, UInt32, UInt64, UInt64, String, String)) in
            Hello(role: v.0, pool: v.1, neuronCount: v.2, networkHash: v.3, tick: v.4, name: v.5, software: v.6)
        }.eraseToAny()

    static let welcome: AnyGen<Welcome> = zip(u64, u32, Gen<RunMode>.case, u32, u64)
        .map { (v: (UInt64, UInt32, RunMode, UInt32, UInt64)) in
            Welcome(startTick: v.0, epoch: v.1, mode: v.2, tickMicroseconds: v.3, networkHash: v.4)
        }.eraseToAny()

    static let ready: AnyGen<Ready> = zip(u64, u16, u16)
        .map { (v: (UInt64, UInt16, UInt16)) in Ready(tick: v.0, upstreamReady: v.1, upstreamTotal: v.2) }
        .eraseToAny()

    /// Arguments valid for the verb: `run` any count (0 = until stopped), `step` ≥ 1, others 0.
    static let command: AnyGen<Command> = zip(verb, u64, nonZeroU64)
        .map { (v: (CommandVerb, UInt64, UInt64)) -> Command in
            switch v.0 {
            case .run: Command(verb: .run, argument: v.1)
            case .step: Command(verb: .step, argument: v.2)
            case .pause, .resume, .stop: Command(verb: v.0, argument: 0)
            }
        }.eraseToAny()

    static let commandReply: AnyGen<CommandReply> =
        zip(verb, state, u64, weighted([(1, always(UInt64.max)), (2, u64)]), text)
        .map { (v: (CommandVerb, NodeState, UInt64, UInt64, String)) in
            CommandReply(verb: v.0, state: v.1, tick: v.2, targetTick: v.3, message: v.4)
        }.eraseToAny()

    static let poolStatus: AnyGen<PoolStatus> = zip(u16, state, Gen.bool, u64, u32, u32, counters, text)
        .map { (v: (UInt16, NodeState, Bool, UInt64, UInt32, UInt32, TrafficCounters, String)) in
            PoolStatus(pool: v.0, state: v.1, alive: v.2, tick: v.3, neuronCount: v.4,
                       heartbeatAgeMilliseconds: v.5, counters: v.6, name: v.7)
        }.eraseToAny()

    static let statusReply: AnyGen<StatusReply> = zip(state, u64, poolStatus.array(of: 0...5))
        .map { (v: (NodeState, UInt64, [PoolStatus])) in StatusReply(state: v.0, tick: v.1, rows: v.2) }
        .eraseToAny()

    /// Non-zero snapshot id; parent 0 (none) or any; tick anything incl. 2^64 − 1 ("asap").
    static let snapshotCut: AnyGen<SnapshotCut> = zip(nonZeroU64, weighted([(1, always(0)), (2, u64)]), u64)
        .map { (v: (UInt64, UInt64, UInt64)) in SnapshotCut(snapshot: v.0, parent: v.1, tick: v.2) }
        .eraseToAny()

    /// Chunk size 1…1 MiB, the bounds often.
    static let taskProgress: AnyGen<TaskProgress> = zip(u32, u32, u32, u32, u32, u32).map { (v: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)) in
        TaskProgress(trials: v.0, decided: v.1, trainTrials: v.2, trainCorrect: v.3, testTrials: v.4, testCorrect: v.5)
    }.eraseToAny()

    static let snapshotAnnounce: AnyGen<SnapshotAnnounce> = zip(
        nonZeroU64, u16, u64, u64, u32,
        weighted([(1, always(UInt32(1))), (1, always(UInt32(1 << 20))), (4, Gen.uint32(in: 1...(1 << 20)).eraseToAny())])
    ).map { (v: (UInt64, UInt16, UInt64, UInt64, UInt32, UInt32)) in
        SnapshotAnnounce(snapshot: v.0, pool: v.1, tick: v.2, size: v.3, crc: v.4, chunkSize: v.5)
    }.eraseToAny()

    /// 1…~2000 bytes, random (incompressible) or low-entropy (compressible).
    static let chunkData: AnyGen<[UInt8]> = Generator<[UInt8], Shrink.None<[UInt8]>> { rng in
        var r = TestRand(&rng)
        let count = r.pick([1, 2, r.int(1...64), r.int(1...2000), r.int(1000...2000)])
        if r.chance(0.5) { return r.bytes(count) }
        let alphabet = (0..<r.int(1...4)).map { _ in r.byte() }
        return (0..<count).map { _ in r.pick(alphabet) }
    }.eraseToAny()

    static let snapshotChunk: AnyGen<SnapshotChunk> = zip(nonZeroU64, u16, u64, chunkData)
        .map { (v: (UInt64, UInt16, UInt64, [UInt8])) in SnapshotChunk(snapshot: v.0, pool: v.1, offset: v.2, data: v.3) }
        .eraseToAny()

    static let snapshotAck: AnyGen<SnapshotAck> = zip(nonZeroU64, u16, u64, u32, Gen<SnapshotAck.Status>.case)
        .map { (v: (UInt64, UInt16, UInt64, UInt32, SnapshotAck.Status)) in
            SnapshotAck(snapshot: v.0, pool: v.1, received: v.2, credit: v.3, status: v.4)
        }.eraseToAny()

    static let knownErrorCodes: [UInt16] = Array(1...18) + Array(100...105) + [199]

    /// Known codes, and unknown ones (0, between the ranges, above them) kept as numbers.
    static let errorReply: AnyGen<ErrorReply> = zip(
        weighted([(3, element(of: knownErrorCodes)), (1, Gen.uint16().eraseToAny()), (1, element(of: [0, 19, 99, 106, 198, 200, .max] as [UInt16]))]),
        u8, u32, text
    ).map { (v: (UInt16, UInt8, UInt32, String)) in
        ErrorReply(code: WireError.Code(rawValue: v.0), aboutKind: v.1, aboutSequence: v.2, message: v.3)
    }.eraseToAny()

    /// Every one of the 18 kinds; spike batches and stimuli (the complex payloads) most often.
    static func message(_ profile: BatchProfile) -> AnyGen<WireMessage> {
        weighted([
            (8, spikeBatch(profile).map { WireMessage.spikeBatch($0) }.eraseToAny()),
            (3, stimulus(profile).map { WireMessage.stimulus($0) }.eraseToAny()),
            (1.5, modulators.map { WireMessage.modulators($0) }.eraseToAny()),
            (1, permit.map { WireMessage.permit($0) }.eraseToAny()),
            (1, heartbeat.map { WireMessage.heartbeat($0) }.eraseToAny()),
            (1.5, hello.map { WireMessage.hello($0) }.eraseToAny()),
            (1, welcome.map { WireMessage.welcome($0) }.eraseToAny()),
            (1, ready.map { WireMessage.ready($0) }.eraseToAny()),
            (1, command.map { WireMessage.command($0) }.eraseToAny()),
            (1, commandReply.map { WireMessage.commandReply($0) }.eraseToAny()),
            (0.5, always(WireMessage.statusRequest)),
            (1.5, statusReply.map { WireMessage.statusReply($0) }.eraseToAny()),
            (0.5, always(WireMessage.taskRequest)),
            (1, taskProgress.map { WireMessage.taskReply($0) }.eraseToAny()),
            (1, snapshotCut.map { WireMessage.snapshotRequest($0) }.eraseToAny()),
            (1, snapshotCut.map { WireMessage.snapshotMarker($0) }.eraseToAny()),
            (1, snapshotAnnounce.map { WireMessage.snapshotAnnounce($0) }.eraseToAny()),
            (1, snapshotChunk.map { WireMessage.snapshotChunk($0) }.eraseToAny()),
            (1, snapshotAck.map { WireMessage.snapshotAck($0) }.eraseToAny()),
            (1, errorReply.map { WireMessage.error($0) }.eraseToAny()),
        ])
    }

    /// Source: anything, with the controller, a node, a tool and the reserved 0xFFFF often.
    static let source: AnyGen<UInt16> = weighted([
        (1, element(of: [0, 1, 0xEFFF, 0xF001, 0xFFFF] as [UInt16])), (3, Gen.uint16().eraseToAny()),
    ])

    static let sequence: AnyGen<UInt32> = weighted([
        (1, element(of: [0, 1, .max] as [UInt32])), (3, Gen.uint32().eraseToAny()),
    ])

    static func envelope(_ profile: BatchProfile) -> AnyGen<WireEnvelope> {
        zip(source, sequence, flags, message(profile))
            .map { (v: (UInt16, UInt32, WireFlags, WireMessage)) in
                WireEnvelope(source: v.0, sequence: v.1, flags: v.2, message: v.3)
            }.eraseToAny()
    }

    static let roundTripEnvelope = envelope(roundTripProfile)
    static let fuzzEnvelope = envelope(fuzzProfile)
}
