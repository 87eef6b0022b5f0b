import Testing
@testable import NeuroWire

/// The varint spike set's group decoder (four gaps per table lookup) against a byte-at-a-time
/// reading of protocol/SPEC.md §5 written here: same ids for every well-formed set, the same
/// error (code and text) for every malformed one, and the table right for all 256 masks.
@Suite struct VarintGroupTests {
    /// A deterministic generator (xorshift64*), so a failure names a reproducible case.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func inRange(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }
    }

    /// SPEC §5's varint set read one byte at a time: a varint is at most 3 bytes and minimal
    /// (no zero last group after the first byte), every id below the pool. Errors carry the
    /// decoder's codes and texts, offsets counted in the payload.
    enum Reference {
        static func varint(_ bytes: [UInt8], _ offset: inout Int, _ field: String) -> Result<Int, WireError> {
            var value = 0
            for index in 0..<3 {
                guard offset < bytes.count else {
                    return .failure(WireError(.badVarint, "varint '\(field)' runs past the end of the payload at offset \(offset)"))
                }
                let byte = bytes[offset]
                offset += 1
                value |= Int(byte & 0x7F) << (7 * index)
                if byte & 0x80 == 0 {
                    if byte == 0 && index > 0 {
                        return .failure(WireError(.badVarint, "varint '\(field)' is not minimal (ends in a zero group) at offset \(offset - 1)"))
                    }
                    return .success(value)
                }
            }
            return .failure(WireError(.badVarint, "varint '\(field)' is longer than 3 bytes at offset \(offset - 3)"))
        }

        /// The ids of the set whose body (first id onward) starts at `offset`, and the
        /// offset after it.
        static func decode(_ bytes: [UInt8], at offset: Int, n: Int, neuronCount: Int, tick: Int) -> Result<([UInt16], Int), WireError> {
            var at = offset
            var ids: [UInt16] = []
            var id = -1
            for index in 0..<n {
                switch varint(bytes, &at, index == 0 ? "id" : "gap") {
                case .failure(let error): return .failure(error)
                case .success(let value): id = index == 0 ? value : id + value + 1
                }
                guard id < neuronCount else {
                    return .failure(WireError(.idBeyondPool, "tick \(tick): neuron id \(id) in a pool of \(neuronCount)"))
                }
                ids.append(UInt16(id))
            }
            return .success((ids, at))
        }
    }

    static func varintBytes(_ value: Int) -> [UInt8] {
        var out: [UInt8] = [], rest = value
        while rest >= 0x80 { out.append(UInt8(rest & 0x7F) | 0x80); rest >>= 7 }
        out.append(UInt8(rest))
        return out
    }

    /// A set's body: the first id, then gaps drawn from one-, two- and (rarely) three-byte
    /// varints, with at most one fault: a non-minimal two- or three-byte varint, a four-byte
    /// varint, or a pool that ends before the last id. Also returns the set's count.
    static func body(_ g: inout Generator) -> (body: [UInt8], n: Int, neuronCount: Int, ids: [Int], faulted: Bool) {
        var ids = [g.below(300)]
        let target = g.inRange(1...90)
        let twoByteShare = g.below(101)
        while ids.count < target {
            let roll = g.below(100)
            let gap = roll < 2 ? g.inRange(0x4000...0x4800) : roll < 2 + twoByteShare * 98 / 100 ? g.inRange(0x80...(g.below(8) == 0 ? 0x3FFF : 0x500)) : g.below(0x80)
            guard ids.last! + gap + 1 <= 65_535 else { break }
            ids.append(ids.last! + gap + 1)
        }
        var body = varintBytes(ids[0])
        var gapStarts: [Int] = []
        for index in 1..<ids.count {
            gapStarts.append(body.count)
            body += varintBytes(ids[index] - ids[index - 1] - 1)
        }
        var neuronCount = min(ids.last! + 1 + g.below(4), 65_536)
        var faulted = false
        if !gapStarts.isEmpty, g.below(3) == 0 {
            faulted = true
            let at = gapStarts[g.below(gapStarts.count)]
            var end = at
            while body[end] & 0x80 != 0 { end += 1 }
            let value = body[at...end].enumerated().reduce(0) { $0 | Int($1.element & 0x7F) << (7 * $1.offset) }
            let replacement: [UInt8]
            switch g.below(4) {
            case 0: replacement = [UInt8(value & 0x7F) | 0x80, UInt8((value >> 7) & 0x7F) | 0x80, 0x00]  // non-minimal, 3 bytes
            case 1: replacement = value < 0x80 ? [UInt8(value) | 0x80, 0x00] : [UInt8(value & 0x7F) | 0x80, UInt8(value >> 7) | 0x80, 0x00]  // non-minimal
            case 2: replacement = [0x81, 0x80, 0x80, 0x01]  // four bytes
            default:
                // The pool ends at one of the ids (ids increase, so it is the first beyond it).
                let index = g.inRange(1...(ids.count - 1))
                if ids[index] >= ids.count { neuronCount = ids[index] }
                replacement = Array(body[at...end])
            }
            body.replaceSubrange(at...end, with: replacement)
        }
        return (body, ids.count, neuronCount, ids, faulted)
    }

    /// Decodes a spike-batch payload tick by tick, with or without the SSE steps; returns
    /// the batch and the offset after the last tick.
    static func decode(_ payload: [UInt8], vectorised: Bool) throws(WireError) -> (SpikeBatch, Int) {
        try payload.withUnsafeBytes { raw in Result { () throws(WireError) in
            var reader = WireReader(raw)
            let firstTick = try reader.u64("first_tick")
            let ticks = Int(try reader.u16("tick_count"))
            let neuronCount = Int(try reader.u32("neuron_count"))
            var batch = SpikeBatch(firstTick: firstTick, neuronCount: neuronCount)
            for tick in 0..<ticks {
                try SpikeSetCoder.read(&reader, into: &batch, tick: tick, vectorised: vectorised)
            }
            return (batch, reader.offset)
        } }.get()
    }

    /// Both decoding paths (eight gaps per SSE step, where this CPU has it, then four per
    /// table lookup; or four only) against the reference, through the whole frame decoder
    /// too; and the encoder's bytes, both ways, against varints written here.
    @Test(arguments: [true, false])
    func groupDecodingMatchesAByteAtATimeReading(vectorised: Bool) throws {
        var g = Generator(state: 0x9E37_79B9_7F4A_7C15)
        var decoded = 0, refused = 0, groups = 0, encoded = 0
        var codes: Set<UInt16> = []
        for _ in 0..<20_000 {
            let (body, n, neuronCount, ids, faulted) = Self.body(&g)
            // Empty ticks before and after the set move it and what follows it in the payload.
            let before = g.below(4), after = g.below(10)
            var payload: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0] + FrameKit.le32(UInt32(before + 1 + after)).prefix(2) + FrameKit.le32(UInt32(neuronCount))
            payload += [UInt8](repeating: 0, count: before)
            payload += [2] + Self.varintBytes(n)
            let bodyStart = payload.count
            payload += body + [UInt8](repeating: 0, count: after)
            let expected = Reference.decode(payload, at: bodyStart, n: n, neuronCount: neuronCount, tick: before)
            if !faulted {
                // The encoder writes exactly these bytes, whichever path it takes.
                var batch = SpikeBatch(firstTick: 0, neuronCount: neuronCount)
                batch.appendTick(ids.map { UInt16($0) }, encoding: .varint)
                let set = try batch.ids.withUnsafeBufferPointer { ids throws(WireError) in
                    let plan = try SpikeSetCoder.plan(ids, neuronCount: neuronCount, tick: 0, requested: .varint)
                    var bytes = [UInt8](repeating: 0xEE, count: 1 + plan.size + 8)
                    let end = bytes.withUnsafeMutableBytes { out in
                        SpikeSetCoder.write(ids, plan: plan, neuronCount: neuronCount, into: out, at: 0, vectorised: vectorised)
                    }
                    return Array(bytes[..<end])
                }
                #expect(set == [2] + Self.varintBytes(n) + body, "ids \(ids)")
                encoded += 1
            }
            let result = Result { () throws(WireError) in try Self.decode(payload, vectorised: vectorised) }
            switch (result, expected) {
            case (.success(let (batch, end)), .success(let (ids, setEnd))):
                #expect(end == payload.count && setEnd == bodyStart + body.count)
                #expect(Array(batch.ids) == ids, "body \(body)")
                #expect(batch.tickCount == before + 1 + after && batch.range(ofTick: before).count == n)
                decoded += 1
                groups += (n - 1) / 4
            case (.failure(let error), .failure(let reference)):
                #expect(error == reference, "body \(body)")
                codes.insert(error.code.rawValue)
                refused += 1
            default:
                Issue.record("decoder \(result), reference \(expected): body \(body)")
            }
            if vectorised {
                // The frame decoder takes the default path: the same outcome.
                let frame = FrameKit.seal(header: FrameKit.header(kind: 0x01, flags: 0, source: 1, sequence: 0)[...], payload: payload)
                var batch = SpikeBatch(firstTick: 0, neuronCount: 1)
                let whole = frame.withUnsafeBytes { raw in
                    Result { () throws(WireError) in _ = try WireDecoder.decodeSpikeBatch(raw, into: &batch) }
                }
                switch (whole, expected) {
                case (.success, .success(let (ids, _))): #expect(Array(batch.ids) == ids)
                case (.failure(let error), .failure(let reference)): #expect(error == reference)
                default: Issue.record("frame decoder \(whole), reference \(expected): body \(body)")
                }
            }
        }
        // Both outcomes and every fault must actually occur.
        #expect(decoded > 10_000 && refused > 3_000 && groups > 100_000 && encoded > 10_000)
        #expect(codes == [WireError.Code.badVarint.rawValue, WireError.Code.idBeyondPool.rawValue])
    }

    /// Every mask of high bits: the group decoder takes exactly the groups whose four
    /// varints are one or two bytes within the eight, with the values and length a plain
    /// reading gives.
    @Test func everyMaskOfHighBitsDecodesLikeAPlainReading() {
        var g = Generator(state: 42)
        for mask in 0..<256 {
            for _ in 0..<8 {
                // Low bits random and non-zero, so no second byte makes a varint non-minimal.
                var bytes = (0..<8).map { UInt8(mask >> $0 & 1) << 7 | UInt8(g.inRange(1...0x7F)) }
                bytes += [0x01, 0x01, 0x01, 0x01]
                var offset = 0, plain: [Int] = [], lengths: [Int] = []
                for _ in 0..<4 {
                    let start = offset
                    guard case .success(let value) = Reference.varint(bytes, &offset, "gap") else { break }
                    plain.append(value)
                    lengths.append(offset - start)
                }
                let takes = plain.count == 4 && lengths.allSatisfy { $0 <= 2 } && offset <= 8
                var out = [UInt16](repeating: 0, count: 5)
                var at = 0, id = 0, index = 1
                bytes.withUnsafeBytes { raw in
                    out.withUnsafeMutableBufferPointer { out in
                        VarintGroups.decodeFours(raw, at: &at, id: &id, index: &index, n: 5, neuronCount: 65_536, into: out)
                    }
                }
                #expect((index == 5) == takes, "mask \(mask): \(bytes)")
                if takes {
                    var expected = 0
                    let ids = plain.map { expected += $0 + 1; return UInt16(expected) }
                    #expect(Array(out[1...4]) == ids && at == offset && id == expected, "mask \(mask)")
                } else {
                    #expect(at == 0 && id == 0)
                }
            }
        }
    }
}
