/// Decodes message frames (protocol/SPEC.md §7). Decoding never traps, whatever the bytes:
/// every malformed frame is a `WireError` whose code is the first failure in the spec's
/// validation order and whose detail names the field.
public enum WireDecoder {
    /// Decodes a whole message frame. O(frame + decompressed payload).
    public static func decode(_ frame: [UInt8]) throws(WireError) -> WireEnvelope {
        try withBytes(frame) { raw throws(WireError) in try decode(raw) }
    }

    /// Decodes a whole message frame. O(frame + decompressed payload).
    public static func decode(_ frame: UnsafeRawBufferPointer) throws(WireError) -> WireEnvelope {
        let header = try validate(frame)
        let kind = header.kind!
        let payload = UnsafeRawBufferPointer(rebasing: frame[WireFormat.headerSize...])
        let message: WireMessage
        if header.flags.contains(.compressed) {
            let raw = try inflate(payload)
            message = try withBytes(raw) { bytes throws(WireError) in
                try WireMessage.read(kind: kind, payload: bytes, minor: header.minor)
            }
        } else {
            message = try WireMessage.read(kind: kind, payload: payload, minor: header.minor)
        }
        var envelope = WireEnvelope(source: header.source, sequence: header.sequence, flags: header.flags, message: message)
        envelope.minorVersion = header.minor
        return envelope
    }

    /// Decodes a `SPIKE_BATCH` frame into `batch`, reusing its storage (the receive hot
    /// path). A frame of another kind is `unknownKind`-free: it is rejected with `badValue`.
    /// Returns the header. O(frame).
    public static func decodeSpikeBatch(_ frame: UnsafeRawBufferPointer, into batch: inout SpikeBatch) throws(WireError) -> WireHeader {
        let header = try validate(frame)
        guard header.kind == .spikeBatch else {
            throw WireError(.badValue, "expected a spike_batch, got \(header.kind?.name ?? "kind \(header.kindByte)")")
        }
        let payload = UnsafeRawBufferPointer(rebasing: frame[WireFormat.headerSize...])
        if header.flags.contains(.compressed) {
            let raw = try inflate(payload)
            try withBytes(raw) { bytes throws(WireError) in
                try readBatchPayload(bytes, minor: header.minor, into: &batch)
            }
        } else {
            try readBatchPayload(payload, minor: header.minor, into: &batch)
        }
        return header
    }

    private static func readBatchPayload(_ payload: UnsafeRawBufferPointer, minor: UInt8, into batch: inout SpikeBatch) throws(WireError) {
        var reader = WireReader(payload)
        try WireMessage.readBatch(&reader, into: &batch)
        try reader.finish("the spike_batch payload", minor: minor)
    }

    /// Checks steps 1–8 of the validation order: size, magic, version, length, CRC, flags,
    /// kind. Returns the header of a frame whose payload may now be parsed. O(frame).
    public static func validate(_ frame: UnsafeRawBufferPointer) throws(WireError) -> WireHeader {
        let header = try WireHeader.peek(frame)
        guard frame[0] == WireFormat.magic.0, frame[1] == WireFormat.magic.1 else {
            throw WireError(.badMagic, "frame starts with \(hex(frame[0], digits: 2)) \(hex(frame[1], digits: 2)), not 4e 42 (NB)")
        }
        guard header.major == WireFormat.majorVersion else {
            throw WireError(.unsupportedVersion, "major version \(header.major); this build speaks \(WireFormat.majorVersion)")
        }
        let length = Int(header.length)
        guard length <= WireFormat.maxPayload else {
            throw WireError(.oversized, "payload length \(length) exceeds \(WireFormat.maxPayload)")
        }
        let expected = WireFormat.headerSize + length
        guard frame.count >= expected else {
            throw WireError(.truncated, "frame has \(frame.count) bytes, the header announces \(expected)")
        }
        guard frame.count == expected else {
            throw WireError(.lengthMismatch, "frame has \(frame.count) bytes, the header announces \(expected)")
        }
        let crc = WireCRC.frame(frame)
        guard crc == header.crc else {
            throw WireError(.badCRC, "CRC is \(hex(crc, digits: 8)), the header says \(hex(header.crc, digits: 8))")
        }
        let unknown = header.flags.intersection(.critical).subtracting(.knownCritical)
        guard unknown.isEmpty else {
            throw WireError(.unknownFlag, "unknown critical flag bits 0x\(hex(unknown.rawValue, digits: 2))")
        }
        guard header.kind != nil else {
            throw WireError(.unknownKind, "unknown message kind 0x\(hex(header.kindByte, digits: 2))")
        }
        return header
    }

    private static func inflate(_ payload: UnsafeRawBufferPointer) throws(WireError) -> [UInt8] {
        var reader = WireReader(payload)
        let rawLength = Int(try reader.u32("raw_length"))
        guard rawLength <= WireFormat.maxPayload else {
            throw WireError(.oversized, "raw_length \(rawLength) exceeds \(WireFormat.maxPayload)")
        }
        return try Deflate.inflate(UnsafeRawBufferPointer(rebasing: payload[4...]), expected: rawLength)
    }
}
