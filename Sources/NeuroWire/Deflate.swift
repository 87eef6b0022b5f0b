import CZlib

/// zlib (RFC 1950) compression of payloads (protocol/SPEC.md §6) and of snapshot parts.
public enum Deflate {
    /// The zlib stream of `bytes` at `level`. O(n).
    public static func compress(_ bytes: UnsafeRawBufferPointer, level: Int32 = WireFormat.compressionLevel) -> [UInt8] {
        let bound = Int(compressBound(uLong(bytes.count)))
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            var length = uLongf(bound)
            let source = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            let status = compress2(out.baseAddress, &length, source ?? UnsafePointer(out.baseAddress!), uLong(bytes.count), level)
            // compress2 into a compressBound-sized buffer cannot fail but for lack of memory.
            precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
            count = Int(length)
        }
    }

    /// Inflates one complete zlib stream of unknown size, at most `limit` bytes (the output
    /// buffer doubles until it fits). O(output size).
    public static func inflate(_ stream: UnsafeRawBufferPointer, limit: Int) throws(WireError) -> [UInt8] {
        var capacity = max(1024, min(limit, stream.count * 4))
        while true {
            var status: Int32 = 0
            var produced = 0
            var consumed = 0
            var result = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
                var outLength = uLongf(capacity)
                var inLength = uLong(stream.count)
                let source = stream.baseAddress?.assumingMemoryBound(to: Bytef.self) ?? UnsafePointer(out.baseAddress!)
                status = uncompress2(out.baseAddress, &outLength, source, &inLength)
                produced = Int(outLength)
                consumed = Int(inLength)
                count = status == Z_OK ? produced : 0
            }
            if status == Z_OK {
                guard consumed == stream.count else { throw WireError(.inflateFailed, "\(stream.count - consumed) bytes follow the end of the zlib stream") }
                result.removeLast(result.count - produced)
                return result
            }
            guard status == Z_BUF_ERROR, produced == capacity else {
                throw WireError(.inflateFailed, status == Z_BUF_ERROR ? "zlib stream is truncated" : "not a valid zlib stream (zlib status \(status))")
            }
            guard capacity < limit else { throw WireError(.inflateFailed, "the stream inflates to more than \(limit) bytes") }
            capacity = min(limit, capacity * 2)
        }
    }

    /// The most bytes a deflate stream of `count` bytes can inflate to: deflate's largest
    /// ratio is 1032:1 (a run of 258 bytes in a code of under 2 bits), plus slack for the
    /// zlib header and a short stream. O(1).
    public static func maxInflated(_ count: Int) -> Int {
        count >= Int.max / 2048 ? Int.max / 2 : count * 1032 + 1024
    }

    /// Inflates `stream`, which must be one complete zlib stream of exactly `expected` bytes
    /// with nothing after it. O(expected).
    public static func inflate(_ stream: UnsafeRawBufferPointer, expected: Int) throws(WireError) -> [UInt8] {
        // Checked before allocating: a size from a file or a peer is never trusted further.
        guard expected >= 0, expected <= maxInflated(stream.count) else {
            throw WireError(.inflateFailed, "\(expected) bytes expected from a zlib stream of \(stream.count) bytes, more than deflate can hold (at most \(maxInflated(stream.count)))")
        }
        var failure: WireError?
        // One byte more than expected, so a stream that inflates to more fills it and is
        // caught (with an output length of 0, zlib would inflate into a private byte unseen).
        let capacity = expected + 1
        var result = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
            var outLength = uLongf(capacity)
            var inLength = uLong(stream.count)
            let source = stream.baseAddress?.assumingMemoryBound(to: Bytef.self) ?? UnsafePointer(out.baseAddress!)
            let status = uncompress2(out.baseAddress, &outLength, source, &inLength)
            count = 0
            switch status {
            case Z_OK where Int(outLength) == expected && Int(inLength) == stream.count:
                count = expected
            case Z_OK where Int(outLength) != expected:
                failure = WireError(.inflateFailed, "compressed payload inflates to \(outLength) bytes, raw_length says \(expected)")
            case Z_OK:
                failure = WireError(.inflateFailed, "\(stream.count - Int(inLength)) bytes follow the end of the zlib stream")
            case Z_BUF_ERROR where Int(outLength) == capacity:
                failure = WireError(.inflateFailed, "compressed payload inflates to more than raw_length \(expected) bytes")
            case Z_BUF_ERROR:
                failure = WireError(.inflateFailed, "zlib stream is truncated (inflated \(outLength) of \(expected) bytes)")
            default:
                failure = WireError(.inflateFailed, "not a valid zlib stream (zlib status \(status))")
            }
        }
        if let failure { throw failure }
        result.removeLast(result.count - expected)
        return result
    }
}
