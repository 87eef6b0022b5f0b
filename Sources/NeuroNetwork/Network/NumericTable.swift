import NeuroPool

/// A table of numbers read from a data file that a network file names (a connection list, a
/// spike train): CSV (numbers separated by commas, an optional header line of names, `#`
/// comments, blank lines skipped) or a 2-D `.npy` array of an integer or float dtype, C order.
/// Row-major values; at most 64 MiB of file and 2^24 rows.
struct NumericTable {
    var columns: Int
    var values: [Double]
    /// Column names from a CSV header line, else empty.
    var names: [String]
    /// FNV-1a 64 of the file's bytes.
    var hash: UInt64 = 0

    var rows: Int { columns == 0 ? 0 : values.count / columns }

    static let maxBytes = 64 << 20
    static let maxRows = 1 << 24

    /// Reads `path`; `.npy` by its extension, anything else as CSV. Throws a message naming
    /// the file and, for CSV, the line.
    static func read(_ path: String) throws(NumericTableError) -> NumericTable {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch { throw NumericTableError("\(path): \(error)") }
        guard bytes.count <= maxBytes else { throw NumericTableError("\(path): \(bytes.count) bytes is more than the \(maxBytes) a data file may have") }
        var table = path.hasSuffix(".npy") ? try npy(bytes, path: path) : try csv(bytes, path: path)
        table.hash = NetworkDescription.fnv1a64(bytes)
        return table
    }

    static func csv(_ bytes: [UInt8], path: String) throws(NumericTableError) -> NumericTable {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw NumericTableError("\(path): not UTF-8 text") }
        var table = NumericTable(columns: 0, values: [], names: [])
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            if fields.allSatisfy(\.isEmpty) { continue }
            let numbers = fields.map { Double($0) }
            if table.columns == 0, table.names.isEmpty, numbers.contains(where: { $0 == nil }) {
                table.names = fields
                table.columns = fields.count
                continue
            }
            if table.columns == 0 { table.columns = fields.count }
            guard fields.count == table.columns else {
                throw NumericTableError("\(path):\(n + 1): \(fields.count) values, expected \(table.columns)")
            }
            for (k, v) in numbers.enumerated() {
                guard let v, v.isFinite else { throw NumericTableError("\(path):\(n + 1): '\(fields[k])' is not a finite number") }
                table.values.append(v)
            }
            guard table.rows <= maxRows else { throw NumericTableError("\(path): more than \(maxRows) rows") }
        }
        return table
    }

    static func npy(_ bytes: [UInt8], path: String) throws(NumericTableError) -> NumericTable {
        guard bytes.count >= 10, Array(bytes[0 ..< 6]) == SpikeEventFile.npyMagic else { throw NumericTableError("\(path): not an .npy file") }
        let major = bytes[6]
        let (lengthBytes, length): (Int, Int) = major == 1
            ? (2, Int(bytes[8]) | Int(bytes[9]) << 8)
            : (4, bytes.count >= 12 ? Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24 : -1)
        let start = 8 + lengthBytes
        guard (1 ... 3).contains(major), length > 0, start + length <= bytes.count else { throw NumericTableError("\(path): truncated or unknown .npy header") }
        let header: NPYHeader
        do { header = try NPYHeader.parse(bytes[start ..< start + length], allowFloat: true) } catch { throw NumericTableError("\(path): \(error.message)") }
        guard !header.fortranOrder, header.shape.count == 2, let r = header.shape[0], let c = header.shape[1], c >= 1, c <= 16, r <= UInt64(maxRows) else {
            throw NumericTableError("\(path): expected a C-order 2-D array of at most \(maxRows) rows and 16 columns, found shape \(header.shapeText)")
        }
        let (rows, columns) = (Int(r), Int(c))
        let data = start + length
        let width = header.dtype.width
        guard bytes.count == data + rows * columns * width else {
            throw NumericTableError("\(path): \(bytes.count - data) data bytes for shape \(header.shapeText), expected \(rows * columns * width)")
        }
        var values: [Double] = []
        values.reserveCapacity(rows * columns)
        for k in 0 ..< rows * columns {
            var bits: UInt64 = 0
            for b in 0 ..< width {
                let byte = UInt64(bytes[data + k * width + (header.dtype.bigEndian ? width - 1 - b : b)])
                bits |= byte << (8 * b)
            }
            let v: Double
            if header.dtype.float {
                v = width == 8 ? Double(bitPattern: bits) : Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            } else if header.dtype.signed {
                let shift = UInt64(64 - 8 * width)
                v = Double(Int64(bitPattern: bits << shift) >> Int64(shift))
            } else {
                v = Double(bits)
            }
            guard v.isFinite else { throw NumericTableError("\(path): value \(k) (row \(k / columns)) is not finite") }
            values.append(v)
        }
        return NumericTable(columns: columns, values: values, names: [])
    }
}

/// What is wrong with a data file, with its path.
struct NumericTableError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var s = self
        while let c = s.first, c == " " || c == "\t" || c == "\r" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s.removeLast() }
        return String(s)
    }
}
