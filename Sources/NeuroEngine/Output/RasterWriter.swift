import NeuroPool
import NeuroNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a pool's spike raster as text, one line per tick with spikes:
/// `TICK ID ID …` (ids ascending), after a header line
/// `# neurobus raster v1 pool=NAME neurons=N`. The file is written under a temporary name and
/// renamed into place by `finish()`, so a crash never leaves a half-written raster that looks
/// complete. Buffered by stdio: O(spikes) per tick, no allocation per tick.
public final class RasterWriter {
    /// Where the finished raster goes.
    public let path: String
    let temporaryPath: String
    private var file: UnsafeMutablePointer<FILE>?
    private var line: [UInt8] = []

    /// Opens `DIR/POOL.raster.tmp` for writing.
    public init(directory: String, pool: String, neurons: Int) throws(NodeError) {
        path = "\(directory)/\(pool).raster"
        temporaryPath = path + ".tmp"
        // Read-write: a rollback scans the file for where to cut it (`truncate`).
        guard let f = fopen(temporaryPath, "w+") else {
            throw .io("cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        file = f
        line.reserveCapacity(4096)
        try put(Array("# neurobus raster v1 pool=\(pool) neurons=\(neurons)\n".utf8))
    }

    /// Opens `DIR/POOL.raster.tmp` to continue it from tick `tick`: an existing one (this
    /// node's, or a failed primary's that a replica takes over) is cut before its first line
    /// of a tick ≥ `tick`; a missing one is started anew.
    public convenience init(directory: String, pool: String, neurons: Int, resumingAt tick: UInt64) throws(NodeError) {
        let temporary = "\(directory)/\(pool).raster.tmp"
        guard access(temporary, F_OK) == 0 else {
            try self.init(directory: directory, pool: pool, neurons: neurons)
            return
        }
        try self.init(path: "\(directory)/\(pool).raster", temporaryPath: temporary)
        try truncate(fromTick: tick)
    }

    private init(path: String, temporaryPath: String) throws(NodeError) {
        self.path = path
        self.temporaryPath = temporaryPath
        guard let f = fopen(temporaryPath, "r+") else {
            throw .io("cannot open \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        file = f
        line.reserveCapacity(4096)
    }

    deinit {
        if let file { fclose(file) }
    }

    /// Flushes and syncs what is written so far (at a snapshot: a replica taking over after a
    /// crash finds every line before the cut on disk).
    public func sync() throws(NodeError) {
        guard let f = file else { return }
        guard fflush(f) == 0, fsync(fileno(f)) == 0 else { throw .io("cannot sync \(temporaryPath): \(String(cString: strerror(errno)))") }
    }

    /// Drops every line of a tick ≥ `tick` (a rollback to a snapshot at `tick`), and a last
    /// line left incomplete by a crash: scans the lines from the start for the first such
    /// tick and truncates the file there. O(file).
    public func truncate(fromTick tick: UInt64) throws(NodeError) {
        guard let f = file else { throw .io("raster \(path) is already finished") }
        guard fflush(f) == 0, fseek(f, 0, SEEK_SET) == 0 else { throw .io("cannot rewind \(temporaryPath): \(String(cString: strerror(errno)))") }
        var offset = 0
        var cut: Int?
        var buffer = [CChar](repeating: 0, count: 1 << 16)
        var atLineStart = true
        var number: UInt64 = 0, digits = 0, lineStart = 0
        // A line is `TICK ID …`; the header starts with '#'.
        while cut == nil {
            let n = fread(&buffer, 1, buffer.count, f)
            if n == 0 { break }
            for i in 0 ..< n {
                let c = UInt8(bitPattern: buffer[i])
                if atLineStart {
                    atLineStart = false
                    lineStart = offset + i
                    number = 0
                    digits = 0
                }
                if c == 0x0A {
                    atLineStart = true
                    continue
                }
                if digits >= 0, c >= 0x30, c <= 0x39 {
                    number = number &* 10 &+ UInt64(c - 0x30)
                    digits += 1
                } else if digits > 0 {
                    if number >= tick { cut = lineStart; break }
                    digits = -1
                } else {
                    digits = -1
                }
            }
            offset += n
        }
        // A last line without its newline was cut short by a crash: it goes too.
        let end = cut ?? (atLineStart ? offset : lineStart)
        guard ftruncate(fileno(f), off_t(end)) == 0, fseek(f, 0, SEEK_END) == 0 else {
            throw .io("cannot cut \(temporaryPath) at tick \(tick): \(String(cString: strerror(errno)))")
        }
    }

    /// Appends tick `tick`'s spikes (nothing for an empty tick).
    public func record(tick: UInt64, spikes: some Collection<UInt16>) throws(NodeError) {
        guard !spikes.isEmpty else { return }
        line.removeAll(keepingCapacity: true)
        Self.appendDecimal(tick, to: &line)
        for id in spikes {
            line.append(0x20)
            Self.appendDecimal(UInt64(id), to: &line)
        }
        line.append(0x0A)
        try put(line)
    }

    /// Flushes, syncs and renames the raster into place.
    public func finish() throws(NodeError) {
        guard let f = file else { return }
        file = nil
        do { try AtomicFile.commit(f, temporary: temporaryPath, to: path) } catch { throw .io("raster: \(error)") }
    }

    private func put(_ bytes: [UInt8]) throws(NodeError) {
        guard let f = file else { throw .io("raster \(path) is already finished") }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        guard written == bytes.count else { throw .io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))") }
    }

    private static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        if value == 0 { out.append(0x30); return }
        var v = value
        let start = out.count
        while v > 0 {
            out.append(0x30 + UInt8(v % 10))
            v /= 10
        }
        out[start...].reverse()
    }
}
