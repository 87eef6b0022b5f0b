import NeuroWire
import PropertyBased
import Testing

/// Round-trip properties over generated envelopes of all 18 kinds (WireGenerators.swift):
///
/// - decode(encode(x)) == x, once ticks sent with `nil` (auto) encoding are given the
///   encoding the decoder reports;
/// - every auto choice is the smallest of the encodings SPEC §10.1 says the chooser compares
///   (ids16, varint, bitmap, rice at k and k ± 1), ties going to the lower code, and the
///   encoder's size of every explicit encoding agrees with the spec's formulas;
/// - encode(decode(encode(x))) == encode(x) byte for byte;
/// - `.automatic(threshold: 1024)` compresses exactly the payloads its rule names, and those
///   round-trip too.
///
/// Envelopes checked per run: 2,000 cases × 20 + 1,000 cases × 20 = 60,000. Each
/// propertyCheck case is an array of 20 envelopes, because PropertyBased's per-case overhead
/// would otherwise dominate; a failure prints the seed of the whole array.
@Suite struct RoundTripPropertyTests {
    static let envelopesPerCase = 20

    @Test func decodeInvertsEncodeAndReencodingIsByteExact() async {
        var stats = RoundTrip.Stats()
        await propertyCheck(count: 2000, input: WireGen.roundTripEnvelope.array(of: Self.envelopesPerCase)) { envelopes in
            var encoder = WireEncoder()
            for x in envelopes {
                RoundTrip.check(x, encoder: &encoder, stats: &stats)
            }
        }
        // The generators must actually reach what the property is about.
        #expect(stats.envelopes == 40_000)
        #expect(stats.kinds.count == WireKind.allCases.count, "kinds never generated: \(Set(WireKind.allCases).subtracting(stats.kinds))")
        #expect(stats.autoTicks > 10_000)
        #expect(stats.autoSizeChecks > 2_000 && stats.autoChoices > 20_000)
        #expect(stats.explicitEncodings.count == 20, "explicit encodings seen: \(stats.explicitEncodings.count) of 20")
        #expect(Set(WireGen.edgeNeuronCounts).isSubset(of: stats.neuronCounts))
        #expect(stats.fullTicks > 0 && stats.maxTicks == 1024 && stats.compressed > 1000)
        print("round trip: \(stats.envelopes) envelopes, \(stats.autoTicks) auto ticks, \(stats.autoSizeChecks) auto choices size-checked, "
            + "\(stats.fullTicks) ticks with every neuron firing (\(stats.fullLargestTicks) of 65,536), \(stats.autoChoices) non-empty auto choices, \(stats.heuristicMisses) where a Rice k outside the chooser's k, k ± 1 would have been smaller (by up to \(stats.largestMiss) bytes)")
    }

    @Test func automaticCompressionFollowsItsRuleAndRoundTrips() async {
        var stats = RoundTrip.Stats()
        var autoCompressed = 0, declined = 0
        await propertyCheck(count: 1000, input: WireGen.roundTripEnvelope.array(of: Self.envelopesPerCase)) { envelopes in
            var automatic = WireEncoder(compression: .automatic(threshold: 1024))
            var plain = WireEncoder()
            for x in envelopes {
                stats.envelopes += 1
                var rawX = x, compX = x
                rawX.flags.remove(.compressed)
                compX.flags.insert(.compressed)
                // The rule: compressed if flagged; otherwise if it is a spike batch, stimulus or
                // snapshot chunk whose payload exceeds 1024 bytes and deflate makes it smaller.
                // `rawFrame` and `compFrame` are the as-flagged encoder's two candidates (only
                // those the rule can pick are made).
                let frame: [UInt8], rawFrame: [UInt8]?, compFrame: [UInt8]?
                let mayCompress = [.spikeBatch, .stimulus, .snapshotChunk].contains(x.message.kind)
                do {
                    frame = try automatic.encode(x)
                    rawFrame = x.flags.contains(.compressed) ? nil : try plain.encode(rawX)
                    compFrame = x.flags.contains(.compressed) || (mayCompress && rawFrame!.count - 20 > 1024) ? try plain.encode(compX) : nil
                } catch {
                    Issue.record("encoder rejected a valid envelope: \(error) — \(FrameKit.describe(x))")
                    continue
                }
                let rawLength = rawFrame.map { $0.count - 20 } ?? 0, compLength = compFrame.map { $0.count - 20 } ?? 0
                let eligible = mayCompress && rawLength > 1024
                let compress = x.flags.contains(.compressed) || (eligible && compLength < rawLength)
                if !x.flags.contains(.compressed) && eligible {
                    if compress { autoCompressed += 1 } else { declined += 1 }
                }
                #expect(frame == (compress ? compFrame : rawFrame),
                        "automatic encoder: expected \(compress ? "compressed" : "raw") (raw \(rawLength), deflated \(compLength)) — \(FrameKit.describe(x))")
                do {
                    let decoded = try WireDecoder.decode(frame)
                    var expected = RoundTrip.normalised(x, like: decoded)
                    expected.flags = compress ? compX.flags : rawX.flags
                    #expect(decoded == expected, "automatic round trip — \(FrameKit.describe(x))")
                    #expect(try automatic.encode(decoded) == frame, "automatic re-encoding — \(FrameKit.describe(x))")
                } catch {
                    Issue.record("automatic round trip threw \(error) — \(FrameKit.describe(x)) — \(FrameKit.hex(frame))")
                }
            }
        }
        #expect(stats.envelopes == 20_000)
        #expect(autoCompressed > 100 && declined > 20, "compressed by the rule: \(autoCompressed), declined as not smaller: \(declined)")
    }
}

/// The round-trip check of one envelope, shared by the tests above.
enum RoundTrip {
    struct Stats {
        var envelopes = 0
        var kinds = Set<WireKind>()
        var neuronCounts = Set<Int>()
        var explicitEncodings = Set<SpikeEncoding>()
        var autoTicks = 0
        var autoChoices = 0
        var autoSizeChecks = 0
        var explicitSizeChecks = 0
        var heuristicMisses = 0
        var largestMiss = 0
        var fullTicks = 0
        var fullLargestTicks = 0
        var maxTicks = 0
        var compressed = 0
    }

    /// `x` with every nil (auto) encoding replaced by the one `decoded` arrived in.
    static func normalised(_ x: WireEnvelope, like decoded: WireEnvelope) -> WireEnvelope {
        var result = x
        switch (x.message, decoded.message) {
        case (.spikeBatch(var batch), .spikeBatch(let other)):
            fillAuto(&batch, from: other)
            result.message = .spikeBatch(batch)
        case (.stimulus(var stimulus), .stimulus(let other)):
            fillAuto(&stimulus.batch, from: other.batch)
            result.message = .stimulus(stimulus)
        default:
            break
        }
        return result
    }

    static func fillAuto(_ batch: inout SpikeBatch, from decoded: SpikeBatch) {
        guard batch.tickCount == decoded.tickCount else { return }
        for tick in 0..<batch.tickCount where batch.encodings[tick] == nil {
            batch.encodings[tick] = decoded.encodings[tick]
        }
    }

    static func batch(of message: WireMessage) -> SpikeBatch? {
        switch message {
        case .spikeBatch(let batch): batch
        case .stimulus(let stimulus): stimulus.batch
        default: nil
        }
    }

    static func check(_ x: WireEnvelope, encoder: inout WireEncoder, stats: inout Stats) {
        stats.envelopes += 1
        stats.kinds.insert(x.message.kind)
        if x.flags.contains(.compressed) { stats.compressed += 1 }
        let frame: [UInt8]
        do {
            frame = try encoder.encode(x)
        } catch {
            Issue.record("encoder rejected a valid envelope: \(error) — \(FrameKit.describe(x))")
            return
        }
        checkHeader(frame, of: x)

        let decoded: WireEnvelope
        do {
            decoded = try WireDecoder.decode(frame)
        } catch {
            Issue.record("decoder rejected an encoded envelope: \(error) — \(FrameKit.describe(x)) — \(FrameKit.hex(frame))")
            return
        }
        #expect(decoded == normalised(x, like: decoded), "decode(encode(x)) ≠ x — \(FrameKit.describe(x))")
        if let original = batch(of: x.message), let arrived = batch(of: decoded.message) {
            #expect(arrived.sameSpikes(as: original), "spikes changed — \(FrameKit.describe(x))")
            #expect(!arrived.encodings.contains(nil), "decoded batch has an auto encoding")
            checkAutoChoices(original, arrived, encoder: &encoder, stats: &stats)
        }

        do {
            let again = try encoder.encode(decoded)
            #expect(again == frame, "encode(decode(encode(x))) ≠ encode(x) — \(FrameKit.describe(x))")
        } catch {
            Issue.record("encoder rejected a decoded envelope: \(error) — \(FrameKit.describe(x))")
        }
    }

    /// The header fields, length and CRC (recomputed independently) of a fresh frame.
    static func checkHeader(_ frame: [UInt8], of x: WireEnvelope) {
        #expect(frame.count >= 20)
        guard frame.count >= 20 else { return }
        #expect(frame[0] == 0x4E && frame[1] == 0x42 && frame[2] == 1 && frame[3] == 0)
        #expect(frame[4] == x.message.kind.rawValue)
        #expect(frame[5] == x.flags.rawValue, "flags byte \(frame[5]) for \(x.flags.rawValue)")
        #expect(FrameKit.u16(frame, at: 6) == x.source && FrameKit.u32(frame, at: 8) == x.sequence)
        #expect(Int(FrameKit.u32(frame, at: 12)) == frame.count - 20)
        #expect(FrameKit.u32(frame, at: 16) == TestCRC32.frame(frame), "header CRC differs from CRC-32 of bytes 0–15 + payload")
    }

    /// Every auto tick came back with a concrete encoding (`empty` exactly for empty sets) that
    /// is the smallest the chooser could pick; for the first non-empty one of every third
    /// envelope this is also checked by encoding the set alone in every competing encoding.
    static func checkAutoChoices(_ original: SpikeBatch, _ decoded: SpikeBatch, encoder: inout WireEncoder, stats: inout Stats) {
        stats.neuronCounts.insert(original.neuronCount)
        stats.maxTicks = max(stats.maxTicks, original.tickCount)
        guard decoded.tickCount == original.tickCount else { return }
        var sizeChecked = 0
        for tick in 0..<original.tickCount {
            let ids = Array(original.spikes(inTick: tick))
            if ids.count == original.neuronCount {
                stats.fullTicks += 1
                if original.neuronCount == 65536 { stats.fullLargestTicks += 1 }
            }
            guard original.encodings[tick] == nil else {
                stats.explicitEncodings.insert(original.encodings[tick]!)
                continue
            }
            stats.autoTicks += 1
            guard let chosen = decoded.encodings[tick] else { continue }
            if ids.isEmpty {
                #expect(chosen == .empty, "empty tick arrived as \(chosen)")
                continue
            }
            stats.autoChoices += 1
            checkChoice(ids, neuronCount: original.neuronCount, chosen: chosen,
                        encode: sizeChecked == 0 && stats.envelopes % 3 == 0, encoder: &encoder, stats: &stats)
            sizeChecked += 1
        }
    }

    /// The auto choice must be the smallest of the chooser's candidates (§10.1: ids16, varint,
    /// bitmap, rice at k and k ± 1), ties to the lowest code, by the size formulas of SPEC §5.
    /// With `encode`, the set is also encoded alone, auto and in every explicit encoding that
    /// could compete (within 16 bytes of auto, or the choice itself), and the frames must have
    /// exactly the sizes the formulas give: the auto frame is then the smallest or tied of all.
    /// (Encoding the rest — an 8 KiB bitmap, a k = 0 Rice stream of long gaps — only to see it
    /// is larger is slow in a debug build; the formulas it is checked against cover them.)
    static func checkChoice(_ ids: [UInt16], neuronCount n: Int, chosen: SpikeEncoding, encode: Bool, encoder: inout WireEncoder, stats: inout Stats) {
        // Index 0 ids16, 1 varint, 2 bitmap, 3 + k rice(k); bytes with the code byte.
        let sizes = SpecSize.all(ids, neuronCount: n).map { $0 + 1 }
        func index(_ encoding: SpikeEncoding) -> Int {
            switch encoding {
            case .empty: -1
            case .ids16: 0
            case .varint: 1
            case .bitmap: 2
            case .rice(let k): 3 + Int(k)
            }
        }
        let chosenIndex = index(chosen)
        guard chosenIndex >= 0 && chosenIndex < sizes.count else {
            Issue.record("auto chose \(chosen) for \(ids.count) ids")
            return
        }
        let chosenSize = sizes[chosenIndex]
        let ks = SpecSize.riceCandidates(ids)
        let candidates = [0, 1, 2] + ks.map { 3 + $0 }
        var smallest = Int.max
        for i in candidates { smallest = min(smallest, sizes[i]) }
        #expect(chosenSize == smallest,
                "auto chose \(chosen) (\(chosenSize) bytes); the chooser's candidates are \(candidates.map { sizes[$0] }) (ids16, varint, bitmap, rice k=\(ks)) — ids \(ids.prefix(40)) N=\(n)")
        let firstSmallest = candidates.first { sizes[$0] == smallest }!
        if firstSmallest < 3 {
            #expect(chosenIndex == firstSmallest, "a tie must go to the lowest code: sizes \(sizes.prefix(3)), chose \(chosen)")
        } else {
            #expect(chosenIndex >= 3 && ks.contains(chosenIndex - 3), "auto chose \(chosen), the chooser's Rice candidates are k=\(ks)")
        }
        let globalBest = sizes.min()!
        if globalBest < chosenSize {
            stats.heuristicMisses += 1
            stats.largestMiss = max(stats.largestMiss, chosenSize - globalBest)
        }
        guard encode else { return }

        stats.autoSizeChecks += 1
        func setBytes(_ encoding: SpikeEncoding?) -> Int? {
            var single = SpikeBatch(firstTick: 0, neuronCount: n)
            single.appendTick(ids, encoding: encoding)
            do {
                // Header 20 + batch fields 14; the rest is the set: code byte and body.
                return try encoder.encode(WireEnvelope(source: 0, sequence: 0, message: .spikeBatch(single))).count - 34
            } catch {
                Issue.record("encoder rejected \(encoding?.description ?? "auto") for \(ids.count) ids of N=\(n): \(error)")
                return nil
            }
        }
        guard let autoSize = setBytes(nil) else { return }
        #expect(autoSize == chosenSize, "auto frame has \(autoSize) bytes of set, its choice \(chosen) takes \(chosenSize)")
        let everyEncoding: [SpikeEncoding] = [.ids16, .varint, .bitmap] + (0...15).map { .rice(k: $0) }
        for (i, encoding) in everyEncoding.enumerated() where sizes[i] <= autoSize + 16 || i == chosenIndex {
            stats.explicitSizeChecks += 1
            guard let size = setBytes(encoding) else { return }
            #expect(size == sizes[i], "\(encoding) of \(ids.count) ids (N=\(n)) takes \(size) bytes, SPEC §5 says \(sizes[i])")
            #expect(autoSize <= size, "\(encoding) takes \(size) bytes, less than auto's \(autoSize) (\(chosen))")
        }
    }
}
