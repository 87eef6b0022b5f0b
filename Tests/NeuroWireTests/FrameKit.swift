import NeuroWire

// Frame tools the property and fuzz tests share: an independent CRC-32 and Adler-32, header
// sealing and a stored-block zlib writer, written from protocol/SPEC.md rather than borrowed
// from the codec.

// MARK: - Frame tools

/// CRC-32 (ISO-HDLC, zlib's), table-driven, written here from SPEC §3 rather than borrowed
/// from the codec.
enum TestCRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var c = UInt32(index)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func update(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            bytes.withUnsafeBufferPointer { b in
                var i = 0
                while i < b.count {
                    c = t[Int((c ^ UInt32(b[i])) & 0xFF)] ^ (c >> 8)
                    i += 1
                }
            }
        }
        return ~c
    }

    /// The frame CRC: header bytes 0–15, then the payload (bytes 20…).
    static func frame(_ frame: [UInt8]) -> UInt32 {
        update(update(0, frame[0..<16]), frame[20...])
    }

    /// Adler-32 (RFC 1950), for hand-made zlib streams.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        bytes.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                a = (a + UInt32(p[i])) % 65521
                b = (b + a) % 65521
                i += 1
            }
        }
        return b << 16 | a
    }
}

enum FrameKit {
    static func u16(_ frame: [UInt8], at offset: Int) -> UInt16 {
        UInt16(frame[offset]) | UInt16(frame[offset + 1]) << 8
    }

    static func u32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    static func put32(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    static func le32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// A frame of `header`'s first 12 bytes and `payload`, with `length` and `crc` made
    /// correct.
    static func seal(header: ArraySlice<UInt8>, payload: [UInt8]) -> [UInt8] {
        var frame = Array(header.prefix(12)) + [0, 0, 0, 0, 0, 0, 0, 0] + payload
        put32(UInt32(payload.count), into: &frame, at: 12)
        put32(TestCRC32.frame(frame), into: &frame, at: 16)
        return frame
    }

    /// A header's first 12 bytes: magic, version, kind, flags, source, sequence.
    static func header(major: UInt8 = 1, minor: UInt8 = 0, kind: UInt8, flags: UInt8, source: UInt16, sequence: UInt32) -> [UInt8] {
        [0x4E, 0x42, major, minor, kind, flags,
         UInt8(truncatingIfNeeded: source), UInt8(truncatingIfNeeded: source >> 8)] + le32(sequence)
    }

    /// A valid zlib stream (RFC 1950) of `data` in stored (uncompressed) deflate blocks,
    /// written by hand: a decoder must accept any valid stream, not only zlib's level 6.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let count = min(65535, data.count - start)
            let final: UInt8 = start + count == data.count ? 1 : 0
            out.append(final)
            out.append(contentsOf: [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)])
            out.append(contentsOf: data[start..<(start + count)])
            start += count
        } while start < data.count
        let adler = TestCRC32.adler32(data)
        out.append(contentsOf: [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)])
        return out
    }

    static func hex(_ bytes: some Collection<UInt8>, limit: Int = 160) -> String {
        let digits = "0123456789abcdef".map { $0 }
        var text = ""
        for byte in bytes.prefix(limit) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return bytes.count > limit ? text + "…(\(bytes.count) bytes)" : text
    }

    /// A one-line summary of an envelope for failure messages.
    static func describe(_ envelope: WireEnvelope) -> String {
        func batch(_ b: SpikeBatch) -> String {
            "N=\(b.neuronCount) first=\(b.firstTick) ticks=\(b.tickCount) spikes=\(b.spikeCount) enc=\(b.encodings.prefix(12).map { $0?.description ?? "auto" })"
        }
        var text = "\(envelope.message.kind.name) src=\(envelope.source) seq=\(envelope.sequence) flags=0x\(String(envelope.flags.rawValue, radix: 16))"
        switch envelope.message {
        case .spikeBatch(let b): text += " " + batch(b)
        case .stimulus(let s): text += " pool=\(s.targetPool) drive=\(s.drive) " + batch(s.batch)
        default: break
        }
        return text
    }
}
