import NeuroPool
import NeuroNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes rows of float64 samples as a NumPy `.npy` file (`<f8`, C order, shape
/// (rows, columns)), under a temporary name renamed into place by `finish()`. The header is a
/// fixed 128 bytes, rewritten with the row count at the end; rows are fixed-size, so a rollback
/// to an earlier row count is one truncation. O(columns) per row, no allocation per row.
public final class SampleWriter {
    /// Where the finished file goes.
    public let path: String
    let temporaryPath: String
    /// Values per row.
    public let columns: Int
    /// Rows written so far.
    public private(set) var rows = 0
    private var file: UnsafeMutablePointer<FILE>?
    static let headerBytes = NPYHeader.reservedSize

    /// Opens `PATH.tmp` for `columns` values per row. With `resumingAtRow`, an existing
    /// temporary file (a restored or promoted node's) is kept up to that row; otherwise, or
    /// when there is none, the file starts empty.
    public init(path: String, columns: Int, resumingAtRow resume: Int? = nil) throws(NodeError) {
        guard columns >= 1 else { throw .io("\(path): a sample file needs at least one column") }
        self.path = path
        temporaryPath = path + ".tmp"
        self.columns = columns
        if let resume, access(temporaryPath, F_OK) == 0 {
            guard let f = fopen(temporaryPath, "r+") else { throw .io("cannot open \(temporaryPath): \(String(cString: strerror(errno)))") }
            file = f
            var info = stat()
            guard fstat(fileno(f), &info) == 0 else { throw .io("cannot stat \(temporaryPath)") }
            let have = (Int(info.st_size) - Self.headerBytes) / (columns * 8)
            try truncate(toRows: min(max(have, 0), resume))
        } else {
            guard let f = fopen(temporaryPath, "w+") else { throw .io("cannot create \(temporaryPath): \(String(cString: strerror(errno)))") }
            file = f
            try writeHeader()
        }
    }

    deinit {
        if let file { fclose(file) }
    }

    private func writeHeader() throws(NodeError) {
        guard let f = file else { throw .io("\(path) is already finished") }
        let h = NPYHeader.encode(descr: "<f8", rows: rows, columns: columns)
        guard fseek(f, 0, SEEK_SET) == 0, h.withUnsafeBytes({ fwrite($0.baseAddress, 1, $0.count, f) }) == h.count,
              fseek(f, 0, SEEK_END) == 0 else {
            throw .io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))")
        }
    }

    /// Appends one row of exactly `columns` values.
    public func append(_ values: UnsafeBufferPointer<Double>) throws(NodeError) {
        guard let f = file else { throw .io("\(path) is already finished") }
        guard values.count == columns else { throw .io("\(path): a row of \(values.count) values, expected \(columns)") }
        guard fwrite(values.baseAddress, 8, columns, f) == columns else {
            throw .io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        rows += 1
    }

    /// Keeps the first `count` rows (a rollback). O(1).
    public func truncate(toRows count: Int) throws(NodeError) {
        guard let f = file else { throw .io("\(path) is already finished") }
        guard fflush(f) == 0, ftruncate(fileno(f), off_t(Self.headerBytes + count * columns * 8)) == 0, fseek(f, 0, SEEK_END) == 0 else {
            throw .io("cannot cut \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        rows = count
    }

    /// Flushes and syncs what is written so far.
    public func sync() throws(NodeError) {
        guard let f = file else { return }
        guard fflush(f) == 0, fsync(fileno(f)) == 0 else { throw .io("cannot sync \(temporaryPath): \(String(cString: strerror(errno)))") }
    }

    /// Writes the final header, syncs and renames the file into place.
    public func finish() throws(NodeError) {
        guard file != nil else { return }
        try writeHeader()
        let f = file!
        file = nil
        do { try AtomicFile.commit(f, temporary: temporaryPath, to: path) } catch { throw .io("samples: \(error)") }
    }
}
