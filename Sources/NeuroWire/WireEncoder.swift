import CNeuroWireShims

/// Encodes messages into message frames (protocol/SPEC.md §3–§6).
///
/// An encoder keeps scratch space between calls, so encoding spike batches into a reused
/// frame allocates nothing once warm. Not thread-safe: one encoder per thread.
public struct WireEncoder: Sendable {
    /// When payloads are deflated.
    public enum Compression: Sendable {
        /// Exactly when the envelope's flags contain `.compressed`.
        case asFlagged
        /// As flagged, and also spike batches, stimuli and snapshot chunks whose payload
        /// exceeds `threshold` bytes when deflate makes them smaller.
        case automatic(threshold: Int)
    }

    public var compression: Compression
    /// How ticks without a fixed encoding are encoded.
    public var spikePolicy: SpikeEncodingPolicy
    private var plans: [SpikeSetCoder.Plan] = []

    public init(compression: Compression = .asFlagged, spikePolicy: SpikeEncodingPolicy = .compact) {
        self.compression = compression
        self.spikePolicy = spikePolicy
    }

    /// The message frame of `envelope`. O(payload).
    public mutating func encode(_ envelope: WireEnvelope) throws(WireError) -> [UInt8] {
        var frame: [UInt8] = []
        try encode(envelope, into: &frame)
        return frame
    }

    /// Replaces `frame`'s contents with the message frame of `envelope`, reusing its storage.
    /// Invalid content (unsorted ids, out-of-range fields, over-long text) is a `WireError`
    /// and leaves `frame` empty. O(payload).
    public mutating func encode(_ envelope: WireEnvelope, into frame: inout [UInt8]) throws(WireError) {
        frame.removeAll(keepingCapacity: true)
        try encode(envelope, appendingTo: &frame)
    }

    /// Appends the message frame of `envelope` to `buffer` (after a pub/sub topic, say),
    /// reusing its storage. On a `WireError` the buffer is cut back to what it held. O(payload).
    public mutating func encode(_ envelope: WireEnvelope, appendingTo buffer: inout [UInt8]) throws(WireError) {
        let start = buffer.count
        Zeros.append(WireFormat.headerSize, to: &buffer)
        do throws(WireError) {
            switch envelope.message {
            case .spikeBatch(let batch):
                try appendBatch(batch, to: &buffer)
            case .stimulus(let s):
                var w = WireWriter(capacity: 4)
                w.u16(s.targetPool)
                w.i16(s.drive)
                buffer.append(contentsOf: w.bytes)
                try appendBatch(s.batch, to: &buffer)
            default:
                var w = WireWriter(capacity: 128)
                try envelope.message.writeControlPayload(into: &w)
                buffer.append(contentsOf: w.bytes)
            }
            let kind = envelope.message.kind
            try finishFrame(&buffer, at: start, kind: kind, flags: envelope.flags, source: envelope.source, sequence: envelope.sequence)
        } catch {
            buffer.removeSubrange(start...)
            throw error
        }
    }

    /// Writes the `SPIKE_BATCH` frame of `batch` (no flags) into `buffer` from `offset` on and
    /// returns the offset just past it: the frame `encode(_:appendingTo:)` would append for
    /// it, byte for byte. `buffer` grows (with zeros) when it is shorter than the frame plus `trailer` bytes
    /// plus 8 of slack, but never shrinks, so a sender that keeps one buffer and sends a prefix
    /// of it pays no per-message resizing. Bytes before `offset` are untouched, bytes past the
    /// frame are scratch; on a `WireError` nothing is written. O(payload).
    public mutating func writeSpikeBatch(_ batch: borrowing SpikeBatch, source: UInt16, sequence: UInt32,
                                         into buffer: inout [UInt8], at offset: Int, trailer: Int = 0) throws(WireError) -> Int {
        precondition(offset >= 0 && offset <= buffer.count && trailer >= 0, "offset \(offset) in a buffer of \(buffer.count)")
        if case .automatic = compression {
            // Deflate may shrink the frame: build it apart (the general path) and copy it in.
            var frame: [UInt8] = []
            try encode(WireEnvelope(source: source, sequence: sequence, message: .spikeBatch(copy batch)), appendingTo: &frame)
            let end = offset + frame.count
            if buffer.count < end + trailer { Zeros.append(end + trailer - buffer.count, to: &buffer) }
            buffer.replaceSubrange(offset..<end, with: frame)
            return end
        }
        let size = try planBatch(batch)
        let end = offset + WireFormat.headerSize + size
        if buffer.count < end + trailer + 8 { Zeros.append(end + trailer + 8 - buffer.count, to: &buffer) }
        buffer.withUnsafeMutableBytes { raw in
            writeBatch(batch, size: size, into: UnsafeMutableRawBufferPointer(rebasing: raw[(offset + WireFormat.headerSize)...]))
            Self.seal(UnsafeMutableRawBufferPointer(rebasing: raw[offset..<end]), kind: .spikeBatch, flags: [], source: source, sequence: sequence)
        }
        return end
    }

    /// Deflates the payload in place when flagged or worth it, checks its size and seals the
    /// header of the frame starting at `start`.
    private func finishFrame(_ frame: inout [UInt8], at start: Int, kind: WireKind, flags: WireFlags,
                             source: UInt16, sequence: UInt32) throws(WireError) {
        let payloadStart = start + WireFormat.headerSize
        var flags = flags
        let payloadLength = frame.count - payloadStart
        if flags.contains(.compressed) || shouldTryCompression(kind, payloadLength) {
            let deflated = frame.withUnsafeBytes { raw in
                Deflate.compress(UnsafeRawBufferPointer(rebasing: raw[payloadStart...]))
            }
            if flags.contains(.compressed) || deflated.count + 4 < payloadLength {
                flags.insert(.compressed)
                frame.removeSubrange(payloadStart...)
                withUnsafeBytes(of: UInt32(payloadLength).littleEndian) { frame.append(contentsOf: $0) }
                frame.append(contentsOf: deflated)
            }
        }
        guard frame.count - payloadStart <= WireFormat.maxPayload else {
            throw WireError(.oversized, "\(kind.name) payload of \(frame.count - payloadStart) bytes exceeds \(WireFormat.maxPayload); split it")
        }
        Self.sealHeader(&frame, at: start, kind: kind, flags: flags, source: source, sequence: sequence)
    }

    private func shouldTryCompression(_ kind: WireKind, _ length: Int) -> Bool {
        guard case .automatic(let threshold) = compression, length > threshold else { return false }
        switch kind {
        case .spikeBatch, .stimulus, .snapshotChunk: return true
        default: return false
        }
    }

    /// Fills the header of the frame that starts at `start` and runs to the end of `frame`,
    /// its payload in place, CRC included.
    static func sealHeader(_ frame: inout [UInt8], at start: Int = 0, kind: WireKind, flags: WireFlags, source: UInt16, sequence: UInt32) {
        frame.withUnsafeMutableBytes { whole in
            seal(UnsafeMutableRawBufferPointer(rebasing: whole[start...]), kind: kind, flags: flags, source: source, sequence: sequence)
        }
    }

    /// Fills the header of `raw`, exactly one frame whose payload is in place, CRC included.
    static func seal(_ raw: UnsafeMutableRawBufferPointer, kind: WireKind, flags: WireFlags, source: UInt16, sequence: UInt32) {
        let length = UInt32(raw.count - WireFormat.headerSize)
        raw[0] = WireFormat.magic.0
        raw[1] = WireFormat.magic.1
        raw[2] = WireFormat.majorVersion
        raw[3] = WireFormat.minorVersion
        raw[4] = kind.rawValue
        raw[5] = flags.rawValue
        raw.storeBytes(of: source.littleEndian, toByteOffset: 6, as: UInt16.self)
        raw.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt32.self)
        raw.storeBytes(of: length.littleEndian, toByteOffset: 12, as: UInt32.self)
        let crc = WireCRC.frame(UnsafeRawBufferPointer(raw))
        raw.storeBytes(of: crc.littleEndian, toByteOffset: 16, as: UInt32.self)
    }

    /// Appends a `SPIKE_BATCH` payload: the fixed fields, then every tick in its planned
    /// encoding, written into storage sized exactly in advance.
    private mutating func appendBatch(_ batch: SpikeBatch, to frame: inout [UInt8]) throws(WireError) {
        let size = try planBatch(batch)
        let start = frame.count
        // 8 bytes of slack for the Rice writer's word stores, removed below.
        Zeros.append(size + 8, to: &frame)
        frame.withUnsafeMutableBytes { raw in
            writeBatch(batch, size: size, into: UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
        }
        frame.removeLast(8)
    }

    /// Checks `batch` and plans every tick's encoding (into `plans`); returns the payload size.
    private mutating func planBatch(_ batch: borrowing SpikeBatch) throws(WireError) -> Int {
        let tickCount = batch.tickCount
        guard (1...WireFormat.maxTicksPerBatch).contains(tickCount) else {
            throw WireError(.badValue, "spike batch of \(tickCount) ticks, allowed 1…\(WireFormat.maxTicksPerBatch)")
        }
        guard (1...WireFormat.maxNeurons).contains(batch.neuronCount) else {
            throw WireError(.badValue, "spike batch neuron_count \(batch.neuronCount), allowed 1…\(WireFormat.maxNeurons)")
        }
        guard batch.firstTick <= UInt64.max - UInt64(tickCount - 1) else {
            throw WireError(.badValue, "first_tick \(batch.firstTick) + \(tickCount) ticks passes 2^64 − 1")
        }
        plans.removeAll(keepingCapacity: true)
        var size = 14
        let neuronCount = batch.neuronCount
        let spikePolicy = spikePolicy
        let result = batch.ids.withUnsafeBufferPointer { ids in
            Result { () throws(WireError) in
                for tick in 0..<tickCount {
                    let plan = try SpikeSetCoder.plan(
                        UnsafeBufferPointer(rebasing: ids[batch.range(ofTick: tick)]),
                        neuronCount: neuronCount, tick: tick, requested: batch.encodings[tick], policy: spikePolicy)
                    plans.append(plan)
                    size += 1 + plan.size
                }
            }
        }
        try result.get()
        guard size <= WireFormat.maxPayload else {
            throw WireError(.oversized, "spike batch payload of \(size) bytes exceeds \(WireFormat.maxPayload); send fewer ticks per batch")
        }
        return size
    }

    /// Writes the planned payload of `batch` (`size` bytes) at the start of `out`, which has
    /// 8 bytes of slack after them.
    private func writeBatch(_ batch: borrowing SpikeBatch, size: Int, into out: UnsafeMutableRawBufferPointer) {
        let tickCount = batch.tickCount
        let neuronCount = batch.neuronCount
        out.storeBytes(of: batch.firstTick.littleEndian, toByteOffset: 0, as: UInt64.self)
        out.storeBytes(of: UInt16(tickCount).littleEndian, toByteOffset: 8, as: UInt16.self)
        out.storeBytes(of: UInt32(neuronCount).littleEndian, toByteOffset: 10, as: UInt32.self)
        var at = 14
        batch.ids.withUnsafeBufferPointer { ids in
            for tick in 0..<tickCount {
                at = SpikeSetCoder.write(
                    UnsafeBufferPointer(rebasing: ids[batch.range(ofTick: tick)]),
                    plan: plans[tick], neuronCount: neuronCount, into: out, at: at)
            }
        }
        precondition(at == size, "spike batch size planned \(size), written \(at)")
    }
}

/// The frame CRC: CRC-32 of header bytes 0–15 followed by the payload.
///
/// Frames are small (a spike batch of a 4096-neuron pool at 5 % is ~200 bytes), where zlib's
/// `crc32` spends ~35 ns on 16 bytes and ~150 ns on 190. Here whole 16-byte blocks are
/// folded with carry-less multiplication when the CPU has it (`CNeuroWireShims`, ~0.1 cycle
/// per byte), and the last < 16 bytes of each run go through slicing-by-8 tables.
enum WireCRC {
    static func frame(_ frame: UnsafeRawBufferPointer) -> UInt32 {
        let crc = update(0xFFFF_FFFF, UnsafeRawBufferPointer(rebasing: frame[0..<16]))
        return ~update(crc, UnsafeRawBufferPointer(rebasing: frame[WireFormat.headerSize...]))
    }

    /// The CRC-32 of `bytes` (zlib's `crc32` with an initial value of 0).
    static func checksum(_ bytes: UnsafeRawBufferPointer, folding: Bool = true) -> UInt32 {
        ~update(0xFFFF_FFFF, bytes, folding: folding)
    }

    /// Whether this CPU can fold (x86-64 with PCLMULQDQ and SSE4.1), checked once.
    static let canFold = neurowire_crc32_fold_available() != 0

    /// Continues a pre-inverted CRC register over `bytes`: whole 16-byte blocks by folding,
    /// the rest by tables. (Folding wins from one block: 9 against 11 ns for 16 bytes, 13
    /// against 33 for 48, in a C loop on this VM.)
    @inline(__always)
    static func update(_ register: UInt32, _ bytes: UnsafeRawBufferPointer, folding: Bool = true) -> UInt32 {
        guard folding, bytes.count >= 16, canFold else { return tableUpdate(register, bytes) }
        let bulk = bytes.count & ~15
        let crc = neurowire_crc32_fold(register, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bulk)
        return tableUpdate(crc, UnsafeRawBufferPointer(rebasing: bytes[bulk...]))
    }

    /// Continues a pre-inverted CRC register over `bytes`, eight at a time.
    @inline(__always)
    private static func tableUpdate(_ register: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = register
        var at = 0
        let count = bytes.count
        table.withUnsafeBufferPointer { t in
            while at &+ 8 <= count {
                let word = bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian ^ UInt64(crc)
                crc = t[7 &* 256 &+ Int(word & 0xFF)] ^ t[6 &* 256 &+ Int((word &>> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((word &>> 16) & 0xFF)] ^ t[4 &* 256 &+ Int((word &>> 24) & 0xFF)]
                    ^ t[3 &* 256 &+ Int((word &>> 32) & 0xFF)] ^ t[2 &* 256 &+ Int((word &>> 40) & 0xFF)]
                    ^ t[1 &* 256 &+ Int((word &>> 48) & 0xFF)] ^ t[Int(word &>> 56)]
                at &+= 8
            }
            while at < count {
                crc = t[Int((crc ^ UInt32(bytes[at])) & 0xFF)] ^ (crc &>> 8)
                at &+= 1
            }
        }
        return crc
    }

    /// Slicing-by-8 tables: `table[j·256 + b]` is the CRC of byte b followed by j zero bytes.
    private static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[b] = c
        }
        for j in 1..<8 {
            for b in 0..<256 { t[j * 256 + b] = t[(j - 1) * 256 + b] >> 8 ^ t[Int(t[(j - 1) * 256 + b] & 0xFF)] }
        }
        return t
    }()
}
