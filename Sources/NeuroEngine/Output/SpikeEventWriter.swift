import NeuroPool
import NeuroNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a spike-event file for `neurobus record`, streaming: events go to `PATH.tmp` through
/// a 64 KiB buffer (O(1) per event, no allocation per event), and `finish()` completes the file
/// (for NPY, patches the row count into the header), fsyncs it, renames it to `PATH` and fsyncs
/// the directory, so a crash never leaves a file at `PATH` that looks complete.
///
/// - CSV: a header line `tick,neuron`, then one line `tick,neuron` per event.
/// - NPY: version 1.0, `<i8`, shape (n, 2), C order, behind a 128-byte header, the same bytes
///   `np.save` writes for such an array. The header is written with n = 0 and rewritten in place
///   at `finish()`, so a `.tmp` left by a crash fails to read (it has trailing bytes).
///
/// Ticks must not decrease (the readers refuse such files) and must be at most 2^63−1.
/// After an I/O error the writer is failed: later calls throw the same error, and `finish()`
/// removes the temporary file. A writer dropped without `finish()` or `discard()` closes its
/// temporary file and leaves it, as a crash would.
public final class SpikeEventWriter {
    /// Where the finished file goes.
    public let path: String
    public let format: SpikeFileFormat
    /// Events appended so far.
    public private(set) var count = 0

    private let temporaryPath: String
    /// The temporary file; -1 once finished or discarded.
    private var fd: Int32
    private var finished = false
    private var failure: SpikeFileError?
    private var lastTick: UInt64 = 0
    /// Bytes before the first event (the header).
    private let headerSize: Int
    private let buffer: UnsafeMutableRawPointer
    private var used = 0

    private static let capacity = 1 << 16
    /// The most one event takes: `9223372036854775807,65535\n` is 26 bytes, an NPY row 16.
    private static let maxRecord = 32

    /// Creates (or truncates) `path + ".tmp"` and writes the format's header into the buffer.
    public init(path: String, format: SpikeFileFormat) throws(SpikeFileError) {
        self.path = path
        self.format = format
        temporaryPath = path + ".tmp"
        // Read-write: a rollback reads the events back to find where to cut (`truncate`).
        fd = open(temporaryPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(temporaryPath, "create", errno) }
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.capacity, alignment: 16)
        let header: [UInt8] =
            switch format {
            case .csv: Array("tick,neuron\n".utf8)
            case .npy: NPYHeader.encode(rows: 0)
            }
        headerSize = header.count
        header.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) }
        }
        used = header.count
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    /// Appends one event. Throws if `tick` is below the previous event's or above 2^63−1.
    public func append(tick: UInt64, neuron: UInt16) throws(SpikeFileError) {
        try check(tick)
        if Self.capacity - used < Self.maxRecord { try flush() }
        put(tick, neuron)
    }

    /// Appends one event per neuron, all at `tick`, in the collection's order.
    public func append(tick: UInt64, neurons: some Collection<UInt16>) throws(SpikeFileError) {
        guard !neurons.isEmpty else { return }
        try check(tick)
        for neuron in neurons {
            if Self.capacity - used < Self.maxRecord { try flush() }
            put(tick, neuron)
        }
    }

    /// Drops every event of a tick ≥ `tick` — the network rolled back to a snapshot at `tick`
    /// and sends those ticks again. O(log events) for NPY (rows are sorted by tick), O(file)
    /// for CSV.
    public func truncate(fromTick tick: UInt64) throws(SpikeFileError) {
        if let failure { throw failure }
        guard fd >= 0, !finished else { throw SpikeFileError(file: path, message: finished ? "the file is already finished" : "the writer was discarded") }
        try flush()
        let (kept, end, last): (Int, Int, UInt64)
        switch format {
        case .npy: (kept, end, last) = try npyCut(tick)
        case .csv: (kept, end, last) = try csvCut(tick)
        }
        guard ftruncate(fd, off_t(end)) == 0, lseek(fd, off_t(end), SEEK_SET) >= 0 else {
            let error = SpikeFileError.system(temporaryPath, "cut", errno)
            failure = error
            throw error
        }
        count = kept
        lastTick = last
    }

    /// The tick of NPY row `row`.
    private func npyTick(_ row: Int) throws(SpikeFileError) -> UInt64 {
        var tick: UInt64 = 0
        let n = withUnsafeMutableBytes(of: &tick) { pread(fd, $0.baseAddress, 8, off_t(headerSize + row * 16)) }
        guard n == 8 else { throw SpikeFileError.system(temporaryPath, "read back", n < 0 ? errno : EIO) }
        return UInt64(littleEndian: tick)
    }

    /// Rows kept, the byte offset to cut at, and the last kept row's tick: binary search for
    /// the first row of a tick ≥ `tick`.
    private func npyCut(_ tick: UInt64) throws(SpikeFileError) -> (Int, Int, UInt64) {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if try npyTick(mid) < tick { low = mid + 1 } else { high = mid }
        }
        return (low, headerSize + low * 16, low > 0 ? try npyTick(low - 1) : 0)
    }

    /// The same for CSV: scans the lines after the header (`tick,neuron`) for the first of a
    /// tick ≥ `tick`.
    private func csvCut(_ tick: UInt64) throws(SpikeFileError) -> (Int, Int, UInt64) {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset = headerSize, lineStart = headerSize, lines = 0
        var value: UInt64 = 0, inTick = true, last: UInt64 = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            guard n >= 0 else { throw SpikeFileError.system(temporaryPath, "read back", errno) }
            if n == 0 { return (lines, lineStart, last) }
            for i in 0 ..< n {
                let c = chunk[i]
                if c == 0x0A {
                    lines += 1
                    lineStart = offset + i + 1
                    last = value
                    value = 0
                    inTick = true
                } else if inTick {
                    if c == UInt8(ascii: ",") {
                        inTick = false
                        if value >= tick { return (lines, lineStart, last) }
                    } else {
                        value = value &* 10 &+ UInt64(c &- 0x30)
                    }
                }
            }
            offset += n
        }
    }

    /// Flushes, patches the NPY header with the row count, fsyncs, renames `PATH.tmp` to `PATH`
    /// and fsyncs the directory. On failure removes the temporary file. Calling it again after
    /// success does nothing.
    public func finish() throws(SpikeFileError) {
        if finished { return }
        if let failure {
            discard()
            throw failure
        }
        guard fd >= 0 else { throw SpikeFileError(file: path, message: "the writer was discarded") }
        do throws(SpikeFileError) {
            try flush()
            if format == .npy {
                let header = NPYHeader.encode(rows: count)
                let code = header.withUnsafeBytes { bytes in
                    bytes.baseAddress.map { Self.writeAll(fd, $0, bytes.count, at: 0) } ?? 0
                }
                guard code == 0 else { throw SpikeFileError.system(temporaryPath, "write the header of", code) }
            }
            let closing = fd
            fd = -1
            do { try AtomicFile.commit(fd: closing, temporary: temporaryPath, to: path) } catch {
                throw SpikeFileError(file: path, message: "\(error)")
            }
        } catch {
            discard()
            throw error
        }
        finished = true
    }

    /// Abandons the file: closes and removes `PATH.tmp`. Does nothing after `finish()`.
    public func discard() {
        guard !finished else { return }
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temporaryPath)
    }

    private func check(_ tick: UInt64) throws(SpikeFileError) {
        if let failure { throw failure }
        guard fd >= 0 else {
            throw SpikeFileError(file: path, message: finished ? "the file is already finished" : "the writer was discarded")
        }
        guard tick <= SpikeEvent.maxTick else {
            throw SpikeFileError(file: path, message: "event \(count): tick \(tick) exceeds 2^63-1 (\(SpikeEvent.maxTick))")
        }
        guard tick >= lastTick else {
            throw SpikeFileError(file: path, message: "event \(count): tick \(tick) after tick \(lastTick): ticks must not decrease")
        }
        lastTick = tick
    }

    /// Encodes one event into the buffer, which has room for it.
    @inline(__always)
    private func put(_ tick: UInt64, _ neuron: UInt16) {
        switch format {
        case .csv:
            putDecimal(tick)
            buffer.storeBytes(of: UInt8(ascii: ","), toByteOffset: used, as: UInt8.self)
            used += 1
            putDecimal(UInt64(neuron))
            buffer.storeBytes(of: 0x0A, toByteOffset: used, as: UInt8.self)
            used += 1
        case .npy:
            buffer.storeBytes(of: tick.littleEndian, toByteOffset: used, as: UInt64.self)
            buffer.storeBytes(of: UInt64(neuron).littleEndian, toByteOffset: used + 8, as: UInt64.self)
            used += 16
        }
        count += 1
    }

    @inline(__always)
    private func putDecimal(_ value: UInt64) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        var at = used + digits
        rest = value
        repeat {
            at -= 1
            buffer.storeBytes(of: UInt8(truncatingIfNeeded: 0x30 + rest % 10), toByteOffset: at, as: UInt8.self)
            rest /= 10
        } while rest > 0
        used += digits
    }

    /// Writes out the buffer. An error fails the writer: part of the buffer may be on disk.
    private func flush() throws(SpikeFileError) {
        guard used > 0 else { return }
        let code = Self.writeAll(fd, buffer, used, at: nil)
        used = 0
        guard code == 0 else {
            let error = SpikeFileError.system(temporaryPath, "write", code)
            failure = error
            throw error
        }
    }

    /// Writes `count` bytes at the file position (or at `offset`, leaving the position alone);
    /// 0 on success, else the errno.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, at offset: off_t?) -> Int32 {
        var done = 0
        while done < count {
            let n =
                if let offset { pwrite(fd, bytes + done, count - done, offset + off_t(done)) } else { write(fd, bytes + done, count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += n
        }
        return 0
    }
}
