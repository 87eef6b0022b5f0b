import PropertyBased
import Testing
@testable import NeuroWire

/// Decoding never traps: every frame either decodes or fails with a `WireError` (the decoder's
/// typed `throws(WireError)` makes "no other error" a compile-time fact; these tests check it
/// never crashes, reports the header error SPEC §7 predicts, and that what it accepts is
/// stable and canonical).
///
/// Frames checked per run:
/// - mutants: 1,500 cases × 10 generated envelopes × 4 mutants = 60,000, half of them with
///   the header length and CRC recomputed after mutating, so the payload parser is reached;
/// - random byte strings: 500 cases × 20 = 10,000;
/// - random payloads behind valid headers (correct length and CRC, random kinds): 500 × 20 =
///   10,000;
/// - frames of a newer minor version with bytes appended, which must decode: 500 × 10 = 5,000.
///
/// 85,000 frames in all. A failure prints PropertyBased's seed for the case (the envelopes and
/// the mutation seed); the counts asserted at the end of a test are over all its cases.
/// `zeroRawLengthWithOneInflatedByteIsRejected` pins a bug this fuzzing found (now fixed).
@Suite struct MutationFuzzTests {
    static let envelopesPerCase = 10
    static let mutantsPerEnvelope = 4

    @Test func mutatedFramesDecodeOrFailCleanlyAndStayStable() async {
        var tally = Fuzz.Tally()
        var encoder = WireEncoder()
        var reused = SpikeBatch(firstTick: 0, neuronCount: 1)
        await propertyCheck(count: 1500, input: WireGen.fuzzEnvelope.array(of: Self.envelopesPerCase), Gen.uint64()) { envelopes, seed in
            var r = TestRand(seed: seed)
            for x in envelopes {
                let frame: [UInt8], raw: [UInt8]
                do {
                    frame = try encoder.encode(x)
                    var plain = x
                    plain.flags.remove(.compressed)
                    raw = Array(try encoder.encode(plain)[20...])
                } catch {
                    Issue.record("encoder rejected a valid envelope: \(error) — \(FrameKit.describe(x))")
                    continue
                }
                for index in 0..<Self.mutantsPerEnvelope {
                    let fixed = index < Self.mutantsPerEnvelope / 2
                    let mutant = fixed
                        ? Mutator.withFixedCRC(frame, rawPayload: raw, &r)
                        : Mutator.withStaleCRC(frame, &r)
                    Fuzz.check(mutant.frame, original: frame, crcFixed: fixed, tally: &tally, encoder: &encoder, reused: &reused)
                    if let twin = mutant.uncompressedTwin {
                        Fuzz.checkCompressionIsTransparent(mutant.frame, twin, tally: &tally)
                    }
                }
            }
        }
        let fixed = tally.fixed, stale = tally.stale
        print("mutants with recomputed CRC: \(tally.fixedTotal), decoded \(tally.fixedDecoded); errors \(Fuzz.summary(fixed))")
        print("mutants with stale CRC: \(tally.staleTotal), decoded \(tally.staleDecoded); errors \(Fuzz.summary(stale))")
        print("canonical re-encodings checked: \(tally.canonicalChecks), compressed/uncompressed twins compared: \(tally.twins)")
        #expect(tally.fixedTotal == 30_000 && tally.staleTotal == 30_000)
        // The recomputed length and CRC must always pass the frame checks.
        #expect(fixed[WireError.Code.badCRC.rawValue, default: 0] == 0)
        #expect(fixed[WireError.Code.lengthMismatch.rawValue, default: 0] == 0)
        // Most CRC-fixed mutants must reach the payload parser and fail there, and each of its
        // errors must be reached: a regression that short-circuits parsing fails here.
        let payloadLevel: [WireError.Code] = [.truncated, .badEncoding, .badVarint, .countOverflow, .idBeyondPool,
                                              .unsortedIds, .badValue, .trailingBytes, .badText, .inflateFailed, .badPadding]
        let reachedPayload = payloadLevel.reduce(0) { $0 + fixed[$1.rawValue, default: 0] }
        #expect(reachedPayload * 2 > tally.fixedTotal, "only \(reachedPayload) of \(tally.fixedTotal) CRC-fixed mutants failed in the payload")
        // Observed per run (30,000 CRC-fixed mutants): about 4,400 truncated, 4,400 bad_value,
        // 3,800 trailing_bytes, 1,800 inflate_failed, 1,500 bad_text, 1,500 id_beyond_pool,
        // 750 count_overflow, 600 bad_encoding, 500 unknown_flag, 400 bad_varint, 280 bad_magic,
        // 270 unknown_kind, 250 oversized, 240 unsupported_version, 220 unsorted_ids,
        // 190 bad_padding. The floors are about a third of that.
        let minimum: [(WireError.Code, Int)] = [
            (.truncated, 1500), (.badValue, 1500), (.trailingBytes, 1200), (.inflateFailed, 500), (.badText, 500),
            (.idBeyondPool, 500), (.countOverflow, 250), (.badEncoding, 200), (.unknownFlag, 150), (.badVarint, 130),
            (.badMagic, 90), (.unknownKind, 90), (.oversized, 80), (.unsupportedVersion, 80), (.unsortedIds, 70),
            (.badPadding, 60),
        ]
        for (code, least) in minimum {
            #expect(fixed[code.rawValue, default: 0] >= least, "CRC-fixed mutants failing with \(code): \(fixed[code.rawValue, default: 0]), expected ≥ \(least)")
        }
        #expect(tally.fixedDecoded >= 1000, "CRC-fixed mutants that still decode: \(tally.fixedDecoded)")
        #expect(tally.canonicalChecks >= 500 && tally.twins >= 500)
        // Without the fix the CRC (which covers the header) catches what the size checks don't.
        #expect(stale[WireError.Code.badCRC.rawValue, default: 0] * 3 > tally.staleTotal)
    }

    @Test func randomByteStringsAreRejectedCleanly() async {
        var tally = Fuzz.Tally()
        var encoder = WireEncoder()
        var reused = SpikeBatch(firstTick: 0, neuronCount: 1)
        await propertyCheck(count: 500, input: Fuzz.randomBytes.array(of: 20)) { frames in
            for frame in frames {
                Fuzz.check(frame, original: nil, crcFixed: false, tally: &tally, encoder: &encoder, reused: &reused)
            }
        }
        print("random byte strings: \(tally.staleTotal); errors \(Fuzz.summary(tally.stale))")
        #expect(tally.staleTotal == 10_000)
        for code: WireError.Code in [.truncated, .badMagic, .unsupportedVersion, .lengthMismatch, .badCRC] {
            #expect(tally.stale[code.rawValue, default: 0] > 50, "random strings failing with \(code): \(tally.stale[code.rawValue, default: 0])")
        }
    }

    @Test func randomPayloadsBehindValidHeadersDecodeOrFailCleanly() async {
        var tally = Fuzz.Tally()
        var encoder = WireEncoder()
        var reused = SpikeBatch(firstTick: 0, neuronCount: 1)
        await propertyCheck(count: 500, input: Fuzz.randomPayloadFrame.array(of: 20)) { frames in
            for random in frames {
                Fuzz.check(random.frame, original: nil, crcFixed: true, tally: &tally, encoder: &encoder, reused: &reused)
                Fuzz.checkInflation(random, tally: &tally)
            }
        }
        print("random payloads behind valid headers: \(tally.fixedTotal), decoded \(tally.fixedDecoded); errors \(Fuzz.summary(tally.fixed))")
        print("compressed random payloads: \(tally.twins) with a right raw_length compared with their uncompressed twins, "
            + "\(tally.wrongRawLength) with a wrong raw_length or bytes after the stream")
        #expect(tally.fixedTotal == 10_000)
        #expect(tally.fixedDecoded > 500, "random payloads that decode: \(tally.fixedDecoded)")
        #expect(tally.twins > 300 && tally.wrongRawLength > 100)
        for code: WireError.Code in [.truncated, .badValue, .trailingBytes, .unknownKind, .inflateFailed] {
            #expect(tally.fixed[code.rawValue, default: 0] > 50, "random payloads failing with \(code): \(tally.fixed[code.rawValue, default: 0])")
        }
    }

    /// SPEC §8: a message of a newer minor version may append fields to the end of a payload
    /// and of every `STATUS_REPLY` row; a receiver reads the fields it knows and skips the rest.
    /// 500 cases × 10 envelopes = 5,000. (Not `SNAPSHOT_CHUNK`: its `data` is "the rest of the
    /// payload", so bytes appended to it can only be read as data — the spec leaves no room
    /// for appended fields there.)
    @Test func newerMinorVersionsMayAppendBytesThatAreSkipped() async {
        var checked = 0, rowsExtended = 0
        await propertyCheck(count: 500, input: WireGen.fuzzEnvelope.array(of: 10), Gen.uint64()) { envelopes, seed in
            var r = TestRand(seed: seed)
            var encoder = WireEncoder()
            for x in envelopes {
                checked += 1
                if case .snapshotChunk = x.message { continue }
                var plain = x
                plain.flags.remove(.compressed)
                guard let frame = try? encoder.encode(plain) else {
                    Issue.record("encoder rejected a valid envelope — \(FrameKit.describe(x))")
                    continue
                }
                var payload = Array(frame[20...])
                if case .statusReply(let reply) = x.message {
                    payload = Mutator.extendRows(payload, rows: reply.rows.count, &r)
                    rowsExtended += reply.rows.count
                }
                payload += r.bytes(r.int(1...16))
                let minor = UInt8(r.int(1...255))
                let header = FrameKit.header(minor: minor, kind: frame[4], flags: x.flags.rawValue, source: x.source, sequence: x.sequence)
                if x.flags.contains(.compressed) {
                    payload = FrameKit.le32(UInt32(payload.count)) + (r.chance(0.5) ? Fuzz.deflate(payload) : FrameKit.storedZlib(payload))
                }
                let newer = FrameKit.seal(header: header[...], payload: payload)
                do {
                    let decoded = try WireDecoder.decode(newer)
                    var expected = RoundTrip.normalised(x, like: decoded)
                    expected.minorVersion = minor
                    #expect(decoded == expected, "version 1.\(minor) with appended bytes — \(FrameKit.describe(x)) — \(FrameKit.hex(newer))")
                } catch {
                    Issue.record("version 1.\(minor) with appended bytes rejected: \(error) — \(FrameKit.describe(x)) — \(FrameKit.hex(newer))")
                }
            }
        }
        #expect(checked == 5_000 && rowsExtended > 100)
    }

    /// Regression: a compressed frame whose `raw_length` is 0 but whose zlib stream inflates
    /// to one byte was accepted (zlib's `uncompress2` with an output length of 0 inflates into
    /// a private byte). SPEC §6: the inflated payload must be exactly `raw_length` bytes.
    /// Whole frames, hex; a stored block and zlib level 6.
    @Test func zeroRawLengthWithOneInflatedByteIsRejected() {
        for text in ["4e420100220100000000000010000000aac92cee000000007801010100feff0000010001",
                     "4e42010022010000000000000d000000ef2adc0e00000000789c63000000010001"] {
            let frame = WireHex.parse(Array(text.utf8))!
            #expect(Fuzz.specHeaderError(frame) == nil, "the reproducer itself is a well-formed frame")
            switch Result(catching: { () throws(WireError) in try WireDecoder.decode(frame) }) {
            case .failure(let error):
                #expect(error.code == .inflateFailed, "\(error)")
            case .success(let envelope):
                Issue.record("raw_length 0 and a stream of one byte decoded as \(FrameKit.describe(envelope)) — \(text)")
            }
        }
    }
}

// MARK: - Checking one frame

enum Fuzz {
    struct Tally {
        /// Error codes (raw values) of frames whose length and CRC were made right, and of the rest.
        var fixed: [UInt16: Int] = [:]
        var stale: [UInt16: Int] = [:]
        var fixedTotal = 0, staleTotal = 0
        var fixedDecoded = 0, staleDecoded = 0
        var canonicalChecks = 0
        var twins = 0
        var wrongRawLength = 0
    }

    static func summary(_ counts: [UInt16: Int]) -> String {
        counts.sorted { $0.value > $1.value }
            .map { "\(WireError.Code(rawValue: $0.key).name) \($0.value)" }
            .joined(separator: ", ")
    }

    /// Kinds of SPEC §4's table (an array: picking from a `Set` would depend on its per-process
    /// hash seed, not only on the test's seed).
    static let knownKindList: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
                                         0x30, 0x31, 0x32, 0x33, 0x34, 0x7F]
    static let knownKinds = Set(knownKindList)

    /// zlib level 6, as the encoder makes it (via `@testable`).
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { Deflate.compress($0) }
    }

    /// Errors only the frame checks (SPEC §7 steps 1–8) give.
    static let headerOnly: Set<WireError.Code> = [.badMagic, .unsupportedVersion, .lengthMismatch, .badCRC, .unknownFlag, .unknownKind]

    /// The error SPEC §7 steps 1–9 (up to inflating) predict for `frame`, or nil if it passes
    /// them. Written from the spec, independently of `WireDecoder.validate`.
    static func specHeaderError(_ f: [UInt8]) -> WireError.Code? {
        if let error = specFrameError(f) { return error }
        let length = Int(FrameKit.u32(f, at: 12))
        if f[5] & 1 != 0 {
            if length < 4 { return .truncated }
            if FrameKit.u32(f, at: 20) > 16 * 1024 * 1024 { return .oversized }
        }
        return nil
    }

    /// Steps 1–8 of SPEC §7: everything before the payload is looked at.
    static func specFrameError(_ f: [UInt8]) -> WireError.Code? {
        if f.count < 20 { return .truncated }
        if f[0] != 0x4E || f[1] != 0x42 { return .badMagic }
        if f[2] != 1 { return .unsupportedVersion }
        let length = Int(FrameKit.u32(f, at: 12))
        if length > 16 * 1024 * 1024 { return .oversized }
        if f.count < 20 + length { return .truncated }
        if f.count > 20 + length { return .lengthMismatch }
        if FrameKit.u32(f, at: 16) != TestCRC32.frame(f) { return .badCRC }
        if f[5] & 0x0E != 0 { return .unknownFlag }
        if !knownKinds.contains(f[4]) { return .unknownKind }
        return nil
    }

    /// Decodes `frame`: the outcome must agree with SPEC §7's frame checks; a frame that decodes
    /// must re-encode and decode to the same envelope (and, uncompressed and of our minor
    /// version, to the same bytes: the canonical form of SPEC §1); a frame with a stale CRC may
    /// only decode if it is the original; `decodeSpikeBatch` into a reused batch must agree.
    static func check(_ frame: [UInt8], original: [UInt8]?, crcFixed: Bool, tally: inout Tally, encoder: inout WireEncoder, reused: inout SpikeBatch) {
        if crcFixed { tally.fixedTotal += 1 } else { tally.staleTotal += 1 }
        let predicted = specHeaderError(frame)
        let outcome: Result<WireEnvelope, WireError> = Result { () throws(WireError) in try WireDecoder.decode(frame) }
        switch outcome {
        case .failure(let error):
            if crcFixed { tally.fixed[error.code.rawValue, default: 0] += 1 } else { tally.stale[error.code.rawValue, default: 0] += 1 }
            if let predicted {
                #expect(error.code == predicted, "SPEC §7 predicts \(predicted), decoder said \(error) — \(FrameKit.hex(frame))")
            } else {
                #expect(!headerOnly.contains(error.code), "frame passes SPEC §7's frame checks, decoder said \(error) — \(FrameKit.hex(frame))")
            }
            #expect(error.code.isKnown && error.code.rawValue <= 18, "decoder error outside the decoding codes: \(error)")
            #expect(!error.detail.isEmpty)
        case .success(let decoded):
            if crcFixed { tally.fixedDecoded += 1 } else { tally.staleDecoded += 1 }
            #expect(predicted == nil, "decoded although SPEC §7 predicts \(predicted!) — \(FrameKit.hex(frame))")
            if !crcFixed, let original {
                #expect(frame == original, "a mutant with a stale CRC decoded — \(FrameKit.hex(frame))")
            }
            checkStable(decoded, frame: frame, tally: &tally, encoder: &encoder)
        }
        checkSpikeBatchPath(frame, outcome, frameError: specFrameError(frame), reused: &reused)
    }

    /// Re-encoding what was decoded works and decodes to the same envelope (the encoder always
    /// writes its own minor version, so that field is compared as rewritten).
    static func checkStable(_ decoded: WireEnvelope, frame: [UInt8], tally: inout Tally, encoder: inout WireEncoder) {
        do {
            let again = try encoder.encode(decoded)
            let redecoded = try WireDecoder.decode(again)
            var expected = decoded
            expected.minorVersion = WireFormat.minorVersion
            #expect(redecoded == expected, "decode(encode(decode(m))) ≠ decode(m) — \(FrameKit.hex(frame))")
            if frame[3] == WireFormat.minorVersion && frame[5] & 1 == 0 {
                tally.canonicalChecks += 1
                #expect(again == frame, "accepted frame is not canonical: re-encoded as \(FrameKit.hex(again)) — \(FrameKit.hex(frame))")
            }
            if frame[3] == WireFormat.minorVersion && frame[5] & 1 != 0 {
                // The payload inflated to exactly raw_length bytes, all of them read.
                var plain = decoded
                plain.flags.remove(.compressed)
                let rawLength = try encoder.encode(plain).count - 20
                #expect(Int(FrameKit.u32(frame, at: 20)) == rawLength,
                        "compressed frame decoded, but its raw_length is not the payload's \(rawLength) bytes — \(FrameKit.hex(frame))")
            }
        } catch {
            Issue.record("decoder accepted what the encoder rejects: \(error) — \(FrameKit.describe(decoded)) — \(FrameKit.hex(frame))")
        }
    }

    /// The receive hot path (`decodeSpikeBatch` into a batch reused across frames, including
    /// after failures) agrees with `decode`.
    static func checkSpikeBatchPath(_ frame: [UInt8], _ outcome: Result<WireEnvelope, WireError>, frameError: WireError.Code?, reused: inout SpikeBatch) {
        let fast: Result<WireHeader, WireError> = frame.withUnsafeBytes { raw in
            Result { () throws(WireError) in try WireDecoder.decodeSpikeBatch(raw, into: &reused) }
        }
        let isBatch = frame.count >= 20 && frame[4] == WireKind.spikeBatch.rawValue
        switch (outcome, fast) {
        case (.success(let envelope), .success(let header)):
            #expect(isBatch && header.kindByte == 0x01)
            if case .spikeBatch(let batch) = envelope.message {
                #expect(reused == batch, "decodeSpikeBatch into a reused batch differs from decode — \(FrameKit.hex(frame))")
            }
        case (.failure(let error), .failure(let fastError)):
            if isBatch || frameError != nil {
                #expect(fastError.code == error.code, "decodeSpikeBatch said \(fastError), decode said \(error) — \(FrameKit.hex(frame))")
            } else {
                #expect(fastError.code == .badValue, "decodeSpikeBatch on a non-batch: \(fastError)")
            }
        case (.success, .failure(let fastError)):
            #expect(!isBatch && fastError.code == .badValue, "decode accepted, decodeSpikeBatch said \(fastError) — \(FrameKit.hex(frame))")
        case (.failure(let error), .success):
            Issue.record("decodeSpikeBatch accepted what decode rejects (\(error)) — \(FrameKit.hex(frame))")
        }
    }

    /// A compressed mutant and the same header and (inflated) payload sent uncompressed decode
    /// alike: compression is transparent (SPEC §6).
    static func checkCompressionIsTransparent(_ compressed: [UInt8], _ plain: [UInt8], tally: inout Tally) {
        tally.twins += 1
        let a = Result { () throws(WireError) in try WireDecoder.decode(compressed) }
        let b = Result { () throws(WireError) in try WireDecoder.decode(plain) }
        switch (a, b) {
        case (.success(var x), .success(let y)):
            x.flags.remove(.compressed)
            #expect(x == y, "compressed and uncompressed twins decode differently — \(FrameKit.hex(plain))")
        case (.failure(let x), .failure(let y)):
            #expect(x.code == y.code, "compressed twin: \(x); uncompressed: \(y) — \(FrameKit.hex(plain))")
        default:
            Issue.record("compressed twin \(a), uncompressed \(b) — \(FrameKit.hex(plain))")
        }
    }

    // MARK: Random inputs

    /// 0…300 random bytes; some start like a frame (magic, major 1, a consistent length, even a
    /// correct CRC) so every step of SPEC §7 is reached.
    static let randomBytes: AnyGen<[UInt8]> = Generator<[UInt8], Shrink.None<[UInt8]>> { rng in
        var r = TestRand(&rng)
        var bytes = r.bytes(r.pick([r.int(0...19), r.int(0...300), r.int(20...300)]))
        let shape = r.below(10)
        if shape >= 4 && bytes.count >= 2 { bytes[0] = 0x4E; bytes[1] = 0x42 }
        if shape >= 6 && bytes.count >= 3 { bytes[2] = r.chance(0.9) ? 1 : r.byte() }
        if shape >= 7 && bytes.count >= 20 {
            FrameKit.put32(UInt32(bytes.count - 20) &+ (r.chance(0.7) ? 0 : UInt32(truncatingIfNeeded: r.int(-3...3))), into: &bytes, at: 12)
        }
        if shape >= 9 && bytes.count >= 20 {
            FrameKit.put32(TestCRC32.frame(bytes), into: &bytes, at: 16)
        }
        return bytes
    }.eraseToAny()

    /// Fixed payload sizes per kind, so random payloads of exactly the right length (which
    /// often decode) are common.
    static let fixedSizes: [UInt8: Int] = [0x04: 12, 0x05: 81, 0x11: 25, 0x12: 12, 0x20: 9, 0x22: 0, 0x24: 0, 0x25: 24,
                                           0x30: 24, 0x31: 24, 0x32: 34, 0x34: 23]

    /// A frame of random payload, and for a compressed one what its stream really inflates to.
    struct RandomFrame {
        var frame: [UInt8]
        /// The payload before deflating, for compressed frames.
        var inflated: [UInt8]?
        /// The raw_length written (may be wrong on purpose).
        var rawLength = 0
        /// Bytes appended after the zlib stream.
        var garbage = false
    }

    /// A correct header (magic, version 1.0 or a newer minor, length, CRC) for a random kind,
    /// flags 0, ancillary or compressed (with a valid zlib stream around the random payload,
    /// sometimes with a wrong raw length or bytes after it), then 0…300 random bytes, mostly
    /// small values.
    static let randomPayloadFrame: AnyGen<RandomFrame> = Generator<RandomFrame, Shrink.None<RandomFrame>> { rng in
        var r = TestRand(&rng)
        let kind = r.chance(0.9) ? r.pick(knownKindList) : r.byte()
        let minor: UInt8 = r.chance(0.8) ? 0 : UInt8(r.int(1...255))
        var flags: UInt8 = r.pick([0, 0, 0x10, 0x80, 0xF0, 1, 1])
        if r.chance(0.03) { flags |= UInt8(r.int(1...7)) << 1 }
        let count = fixedSizes[kind].flatMap { r.chance(0.4) ? $0 : nil } ?? r.pick([0, 1, 2, r.int(0...40), r.int(0...300)])
        var payload = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            payload[i] = r.chance(0.4) ? 0 : (r.chance(0.5) ? UInt8(r.int(1...8)) : r.byte())
            i += 1
        }
        var result = RandomFrame(frame: [])
        if flags & 1 != 0 {
            result.inflated = payload
            result.rawLength = r.chance(0.75) ? count : max(0, count + r.pick([-1, 1, 100, -count]))
            var sent = FrameKit.le32(UInt32(result.rawLength)) + (r.chance(0.5) ? FrameKit.storedZlib(payload) : Fuzz.deflate(payload))
            if r.chance(0.1) {
                sent += r.bytes(r.int(1...4))
                result.garbage = true
            }
            payload = sent
        }
        let header = FrameKit.header(minor: minor, kind: kind, flags: flags, source: UInt16(truncatingIfNeeded: r.next()), sequence: UInt32(truncatingIfNeeded: r.next()))
        result.frame = FrameKit.seal(header: header[...], payload: payload)
        return result
    }.eraseToAny()

    /// For a compressed random frame that passes the frame checks: with a wrong raw length or
    /// bytes after the stream it fails with `inflate_failed`; otherwise it decodes exactly as
    /// the same payload sent uncompressed (SPEC §6).
    static func checkInflation(_ random: RandomFrame, tally: inout Tally) {
        guard let inflated = random.inflated, specFrameError(random.frame) == nil else { return }
        if random.rawLength == inflated.count && !random.garbage {
            var header = Array(random.frame[0..<12])
            header[5] &= ~1
            checkCompressionIsTransparent(random.frame, FrameKit.seal(header: header[...], payload: inflated), tally: &tally)
            return
        }
        tally.wrongRawLength += 1
        let outcome = Result { () throws(WireError) in try WireDecoder.decode(random.frame) }
        if case .failure(let error) = outcome, error.code == .inflateFailed { return }
        Issue.record("raw_length \(random.rawLength) for \(inflated.count) inflated bytes\(random.garbage ? " and bytes after the stream" : ""): expected inflate_failed, got \(outcome) — \(FrameKit.hex(random.frame))")
    }
}

// MARK: - Mutations

/// Byte-level mutations of frames and payloads.
enum Mutator {
    struct Mutant {
        var frame: [UInt8]
        /// For a compressed mutant whose payload was re-deflated with the right raw length: the
        /// same header without `COMPRESSED` and the raw payload.
        var uncompressedTwin: [UInt8]?
    }

    /// Varint-ish byte runs: non-minimal, over-long, unterminated, around 2^16.
    static let varintish: [[UInt8]] = [
        [0x80], [0x80, 0x00], [0x80, 0x80, 0x00], [0x81, 0x00], [0xFF], [0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x01],
        [0x80, 0x80, 0x80, 0x01], [0x80, 0x80, 0x04], [0x81, 0x80, 0x04], [0xFF, 0xFF, 0x03], [0x00], [0x7F], [0x80, 0x01],
    ]

    /// Boundary values written as 1, 2, 4 or 8 little-endian bytes.
    static let interesting: [UInt64] = [
        0, 1, 2, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 1023, 1024, 1025, 4095, 4096, 4097,
        65535, 65536, 65537, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x100_0000, 0x100_0001, .max,
    ]

    /// 1–3 random byte-level mutations of `bytes`.
    static func mutate(_ bytes: inout [UInt8], _ r: inout TestRand) {
        for _ in 0..<r.pick([1, 1, 1, 2, 3]) {
            let count = bytes.count
            switch r.below(12) {
            case 0: // flip bits
                guard count > 0 else { continue }
                for _ in 0..<r.int(1...3) { bytes[r.below(count)] ^= 1 << UInt8(r.below(8)) }
            case 1: // overwrite bytes
                guard count > 0 else { continue }
                for _ in 0..<r.int(1...4) { bytes[r.below(count)] = r.byte() }
            case 2: // truncate
                guard count > 0 else { continue }
                bytes.removeLast(r.chance(0.6) ? r.int(1...min(count, 4)) : r.int(1...count))
            case 3: // extend
                let extra = r.int(1...16)
                bytes += r.chance(0.3) ? [UInt8](repeating: 0, count: extra) : r.bytes(extra)
            case 4: // varint-ish bytes, inserted or written over
                let run = r.pick(varintish)
                let at = r.int(0...count)
                if r.chance(0.5) || at + run.count > count {
                    bytes.insert(contentsOf: run, at: at)
                } else {
                    bytes.replaceSubrange(at..<(at + run.count), with: run)
                }
            case 5: // a boundary integer
                let width = r.pick([1, 2, 4, 8])
                guard count >= width else { continue }
                let value = r.pick(interesting)
                let at = r.int(0...(count - width))
                for i in 0..<width { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            case 6: // delete a range
                guard count > 0 else { continue }
                let at = r.below(count)
                bytes.removeSubrange(at..<min(count, at + r.int(1...8)))
            case 7: // duplicate a range
                guard count > 0 else { continue }
                let at = r.below(count)
                let piece = Array(bytes[at..<min(count, at + r.int(1...16))])
                bytes.insert(contentsOf: piece, at: r.int(0...count))
            case 8: // swap neighbouring u16s (ids16 order)
                guard count >= 4 else { continue }
                let at = r.int(0...(count - 4))
                bytes.swapAt(at, at + 2)
                bytes.swapAt(at + 1, at + 3)
            case 9: // off by one
                guard count > 0 else { continue }
                let at = r.below(count)
                bytes[at] = r.chance(0.5) ? bytes[at] &+ 1 : bytes[at] &- 1
            case 10: // zero a range
                guard count > 0 else { continue }
                let at = r.below(count)
                for i in at..<min(count, at + r.int(1...8)) { bytes[i] = 0 }
            default: // set or clear a high bit (varint continuation, flags)
                guard count > 0 else { continue }
                bytes[r.below(count)] ^= 0x80
            }
        }
    }

    /// Mutations of the header's fields (offsets 0–11).
    static func mutateHeader(_ header: inout [UInt8], _ r: inout TestRand) {
        switch r.below(8) {
        case 0, 1: // another kind: mostly a known one, so its payload parser reads a foreign payload
            header[4] = r.chance(0.7) ? r.pick(Fuzz.knownKindList) : r.byte()
        case 2, 3: // flag bits: critical, ancillary, COMPRESSED toggled
            switch r.below(4) {
            case 0: header[5] |= UInt8(r.int(1...7)) << 1
            case 1: header[5] |= UInt8(r.int(1...15)) << 4
            case 2: header[5] ^= 1
            default: header[5] = r.byte()
            }
        case 4: // a newer (or the current) minor version: trailing bytes become legal
            header[3] = r.chance(0.8) ? UInt8(r.int(1...255)) : 0
        case 5: // another major version or a broken magic
            if r.chance(0.5) { header[2] = r.pick([0, 2, 255]) } else { header[r.below(2)] ^= UInt8(1 << r.below(8)) }
        default: // source and sequence (harmless)
            for i in 6..<12 where r.chance(0.5) { header[i] = r.byte() }
        }
    }

    /// A mutant whose length and CRC are recomputed, so it passes the frame checks (unless a
    /// header field was mutated) and reaches the payload parser: the raw payload is mutated and
    /// re-deflated if the frame was compressed (as zlib level 6, or as stored blocks), or the
    /// compressed bytes or raw length are, or a header field is.
    static func withFixedCRC(_ frame: [UInt8], rawPayload: [UInt8], _ r: inout TestRand) -> Mutant {
        var header = Array(frame[0..<12])
        let compressed = header[5] & 1 != 0
        let target = r.below(100)
        if target < 14 {
            mutateHeader(&header, &r)
            var payload = Array(frame[20...])
            if r.chance(0.3) { mutate(&payload, &r) }
            return Mutant(frame: FrameKit.seal(header: header[...], payload: payload))
        }
        if compressed && target < 30 {
            var payload = Array(frame[20...])
            if r.chance(0.2) && payload.count >= 4 {
                let length = Int(FrameKit.u32(payload, at: 0))
                FrameKit.put32(UInt32(truncatingIfNeeded: r.pick([0, length - 1, length + 1, r.int(0...(1 << 24)), (1 << 24) + 1])), into: &payload, at: 0)
            } else {
                mutate(&payload, &r)
            }
            return Mutant(frame: FrameKit.seal(header: header[...], payload: payload))
        }
        var raw = rawPayload
        mutate(&raw, &r)
        guard compressed else { return Mutant(frame: FrameKit.seal(header: header[...], payload: raw)) }
        let stream = r.chance(0.5) ? FrameKit.storedZlib(raw) : Fuzz.deflate(raw)
        let payload = FrameKit.le32(UInt32(raw.count)) + stream
        var plainHeader = header
        plainHeader[5] &= ~1
        return Mutant(frame: FrameKit.seal(header: header[...], payload: payload),
                      uncompressedTwin: FrameKit.seal(header: plainHeader[...], payload: raw))
    }

    /// A `STATUS_REPLY` payload with 1…8 random bytes appended to each of its `rows` rows (and
    /// the row lengths raised to match), as a newer minor version may (SPEC §8).
    static func extendRows(_ payload: [UInt8], rows: Int, _ r: inout TestRand) -> [UInt8] {
        var out = Array(payload[0..<11])
        var at = 11
        for _ in 0..<rows {
            let length = Int(FrameKit.u16(payload, at: at))
            let extra = r.bytes(r.int(1...8))
            let newLength = length + extra.count
            out += [UInt8(newLength & 0xFF), UInt8(newLength >> 8)] + payload[(at + 2)..<(at + 2 + length)] + extra
            at += 2 + length
        }
        return out + payload[at...]
    }

    /// A mutant of the whole frame, header included, with length and CRC left as they were.
    static func withStaleCRC(_ frame: [UInt8], _ r: inout TestRand) -> Mutant {
        var bytes = frame
        if r.chance(0.15) {
            var header = Array(bytes[0..<12])
            mutateHeader(&header, &r)
            bytes.replaceSubrange(0..<12, with: header)
        } else {
            mutate(&bytes, &r)
        }
        return Mutant(frame: bytes)
    }
}
