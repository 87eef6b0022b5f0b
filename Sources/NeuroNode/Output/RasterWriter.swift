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
    private let temporaryPath: String
    private var file: UnsafeMutablePointer<FILE>?
    private var line: [UInt8] = []

    /// Opens `DIR/POOL.raster.tmp` for writing.
    public init(directory: String, pool: String, neurons: Int) throws(NodeError) {
        path = "\(directory)/\(pool).raster"
        temporaryPath = path + ".tmp"
        guard let f = fopen(temporaryPath, "w") else {
            throw .io("cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        file = f
        line.reserveCapacity(4096)
        try put(Array("# neurobus raster v1 pool=\(pool) neurons=\(neurons)\n".utf8))
    }

    deinit {
        if let file { fclose(file) }
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
        let ok = fflush(f) == 0 && fsync(fileno(f)) == 0
        let closed = fclose(f) == 0
        guard ok, closed else { throw .io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))") }
        guard rename(temporaryPath, path) == 0 else {
            throw .io("cannot rename \(temporaryPath) to \(path): \(String(cString: strerror(errno)))")
        }
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
