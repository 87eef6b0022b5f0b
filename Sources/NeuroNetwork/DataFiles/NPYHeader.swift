/// The parts of NumPy's `.npy` format that spike-event files use
/// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
///
///     \x93NUMPY  major minor  HEADER_LEN  {'descr': '<i8', 'fortran_order': False, 'shape': (n, 2), }   ⏎  data
///     6 bytes    1     1      2 LE (v1) or 4 LE (v2, v3)   Python literal padded with spaces, ending in \n
///
/// The data follows the header, C order, no padding.
package struct NPYHeader: Equatable, Sendable {
    /// An integer element type: width in bytes, signedness, byte order.
    package struct DType: Equatable, Sendable {
        var width: Int
        var signed: Bool
        var bigEndian: Bool
        /// An IEEE float (`<f4`, `<f8`); only where a reader asks for floats.
        var float = false

        init(width: Int, signed: Bool, bigEndian: Bool, float: Bool = false) {
            self.width = width
            self.signed = signed
            self.bigEndian = bigEndian
            self.float = float
        }

        /// Parses a descr such as `<i8`, `>u2`, `|u1`. The byte-order mark `=` means this
        /// machine's order; 1-byte types take any mark. Nil for anything else (floats,
        /// structured dtypes, `|i8`).
        init?(descr: String) {
            let chars = Array(descr.utf8)
            guard chars.count == 3 else { return nil }
            switch chars[1] {
            case UInt8(ascii: "i"): signed = true
            case UInt8(ascii: "u"): signed = false
            case UInt8(ascii: "f") where chars[2] == UInt8(ascii: "4") || chars[2] == UInt8(ascii: "8"):
                signed = true
                float = true
            default: return nil
            }
            switch chars[2] {
            case UInt8(ascii: "1"): width = 1
            case UInt8(ascii: "2"): width = 2
            case UInt8(ascii: "4"): width = 4
            case UInt8(ascii: "8"): width = 8
            default: return nil
            }
            switch chars[0] {
            case UInt8(ascii: "<"): bigEndian = false
            case UInt8(ascii: ">"): bigEndian = true
            case UInt8(ascii: "="): bigEndian = 1.bigEndian == 1
            case UInt8(ascii: "|") where width == 1: bigEndian = false
            default: return nil
            }
        }
    }

    package var dtype: DType
    package var fortranOrder: Bool
    /// The array's shape; each entry as a non-negative count, nil if it does not fit in 63 bits.
    package var shape: [UInt64?]
    /// The shape as Python prints it: `(6,)`, `(2, 3)`, `()`.
    package var shapeText: String

    /// Total header size (magic through newline) the writer reserves: what NumPy itself writes
    /// for an (n, 2) `<i8` array, whose header holds room for a 21-digit n.
    package static let reservedSize = 128

    /// The header the writer puts before `rows` rows of `<i8` pairs: version 1.0, exactly
    /// `reservedSize` bytes, byte for byte what `np.save` writes for such an array.
    package static func encode(rows: Int) -> [UInt8] {
        encode(descr: "<i8", rows: rows, columns: 2)
    }

    /// The `reservedSize`-byte version 1.0 header of a C-order (rows, columns) array of `descr`.
    package static func encode(descr: String, rows: Int, columns: Int) -> [UInt8] {
        var out = SpikeEventFile.npyMagic + [1, 0]
        let dict = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }".utf8)
        let length = reservedSize - 10
        out.append(UInt8(length & 0xFF))
        out.append(UInt8(length >> 8))
        out += dict
        out += [UInt8](repeating: 0x20, count: reservedSize - out.count - 1)
        out.append(0x0A)
        return out
    }

    /// Parses the header text (the bytes after the length field). Throws a message naming the
    /// problem, without the file name.
    package static func parse(_ text: ArraySlice<UInt8>, allowFloat: Bool = false) throws(NPYHeaderError) -> NPYHeader {
        var parser = LiteralParser(bytes: text)
        let value = try parser.parseTop()
        guard case .dict(let entries) = value else {
            throw NPYHeaderError("header is not a Python dict")
        }
        var descr: Literal?, fortran: Literal?, shape: Literal?
        for (key, value) in entries {
            guard case .string(let name) = key else { throw NPYHeaderError("header has a key that is not a string") }
            switch name {
            case "descr": descr = value
            case "fortran_order": fortran = value
            case "shape": shape = value
            default: throw NPYHeaderError("header has an unexpected key '\(name)' (expected descr, fortran_order, shape)")
            }
        }
        guard let descr, let fortran, let shape else {
            throw NPYHeaderError("header lacks one of the keys descr, fortran_order, shape")
        }
        let supported = "expected an integer dtype: <i8 <u8 <i4 <u4 <i2 <u2 |i1 |u1, or big-endian >i8 …"
        guard case .string(let descrText) = descr else {
            throw NPYHeaderError("unsupported descr (a structured dtype): \(supported)")
        }
        guard let dtype = DType(descr: descrText), allowFloat || !dtype.float else {
            throw NPYHeaderError("unsupported descr '\(descrText)': \(supported)")
        }
        guard case .bool(let fortranOrder) = fortran else {
            throw NPYHeaderError("fortran_order is not True or False")
        }
        guard case .tuple(let dims) = shape else { throw NPYHeaderError("shape is not a tuple") }
        var sizes: [UInt64?] = []
        var texts: [String] = []
        for dim in dims {
            guard case .int(let digits) = dim else { throw NPYHeaderError("shape holds something other than integers") }
            guard digits.first != "-" else {
                throw NPYHeaderError("shape has a negative dimension \(digits)")
            }
            let trimmed = digits.drop { $0 == "+" || $0 == "0" }
            texts.append(trimmed.isEmpty ? "0" : String(trimmed))
            sizes.append(Int64(trimmed.isEmpty ? "0" : trimmed).map { UInt64($0) })
        }
        let shapeText = texts.count == 1 ? "(\(texts[0]),)" : "(" + texts.joined(separator: ", ") + ")"
        return NPYHeader(dtype: dtype, fortranOrder: fortranOrder, shape: sizes, shapeText: shapeText)
    }
}

/// What is wrong with an NPY header, in words (the parser adds the file name).
package struct NPYHeaderError: Error {
    package var message: String
    package init(_ message: String) { self.message = message }
}

/// A Python literal as NPY headers use them. Integers keep their digits, since a shape entry
/// can be larger than any fixed-width integer.
private enum Literal {
    case string(String)
    case int(String)
    case bool(Bool)
    case none
    case tuple([Literal])
    case list([Literal])
    case dict([(Literal, Literal)])
}

/// Recursive descent over the subset of Python literal syntax that `ast.literal_eval` accepts
/// in NPY headers: dicts, tuples, lists, strings, integers (with Python 2's `L`), True, False,
/// None. Nesting is limited so that a hostile header cannot exhaust the stack.
private struct LiteralParser {
    let bytes: ArraySlice<UInt8>
    var at: Int
    var depth = 0
    static let maxDepth = 16

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        at = bytes.startIndex
    }

    mutating func parseTop() throws(NPYHeaderError) -> Literal {
        let value = try parseValue()
        skipSpace()
        guard at == bytes.endIndex else { throw fail("unexpected text after the header's dict") }
        return value
    }

    private func fail(_ what: String) -> NPYHeaderError {
        let offset = at - bytes.startIndex
        let excerpt = SpikeFileError.quote(bytes[at...].prefix(20), truncated: bytes.endIndex - at > 20, limit: 20)
        return NPYHeaderError("header is not a valid Python literal: \(what) at offset \(offset) (\(excerpt))")
    }

    private mutating func skipSpace() {
        while at < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[at]) { at += 1 }
    }

    private mutating func parseValue() throws(NPYHeaderError) -> Literal {
        skipSpace()
        guard at < bytes.endIndex else { throw fail("unexpected end") }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            let items = try parseSequence(close: UInt8(ascii: "}"), pairs: true)
            return .dict(items.pairs)
        case UInt8(ascii: "("):
            let items = try parseSequence(close: UInt8(ascii: ")"), pairs: false)
            // `(6)` is the integer 6 in Python; only a comma makes a tuple of one.
            if items.values.count == 1, !items.trailingComma { return items.values[0] }
            return .tuple(items.values)
        case UInt8(ascii: "["):
            return .list(try parseSequence(close: UInt8(ascii: "]"), pairs: false).values)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "0") ... UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"):
            return try parseInt()
        default:
            let start = at
            while at < bytes.endIndex, isWordByte(bytes[at]) { at += 1 }
            switch String(decoding: bytes[start ..< at], as: UTF8.self) {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                at = start
                throw fail("unexpected text")
            }
        }
    }

    private func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
    }

    /// `open value, value, … [,] close`, the opening byte at `at`; dict entries are `key: value`.
    private mutating func parseSequence(close: UInt8, pairs: Bool) throws(NPYHeaderError)
        -> (values: [Literal], pairs: [(Literal, Literal)], trailingComma: Bool)
    {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
        at += 1
        var values: [Literal] = []
        var entries: [(Literal, Literal)] = []
        var trailingComma = false
        while true {
            skipSpace()
            guard at < bytes.endIndex else { throw fail("unexpected end") }
            if bytes[at] == close { at += 1; break }
            let value = try parseValue()
            if pairs {
                skipSpace()
                guard at < bytes.endIndex, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                at += 1
                entries.append((value, try parseValue()))
            } else {
                values.append(value)
            }
            skipSpace()
            guard at < bytes.endIndex else { throw fail("unexpected end") }
            trailingComma = bytes[at] == UInt8(ascii: ",")
            if trailingComma {
                at += 1
            } else if bytes[at] != close {
                throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
        }
        return (values, entries, trailingComma)
    }

    private mutating func parseString() throws(NPYHeaderError) -> String {
        let quote = bytes[at]
        at += 1
        var text: [UInt8] = []
        while at < bytes.endIndex {
            let b = bytes[at]
            at += 1
            if b == quote { return String(decoding: text, as: UTF8.self) }
            if b == UInt8(ascii: "\\") {
                guard at < bytes.endIndex else { break }
                text.append(bytes[at])
                at += 1
            } else if b == 0x0A {
                break
            } else {
                text.append(b)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func parseInt() throws(NPYHeaderError) -> Literal {
        var digits = ""
        if bytes[at] == UInt8(ascii: "-") || bytes[at] == UInt8(ascii: "+") {
            digits.append(Character(Unicode.Scalar(bytes[at])))
            at += 1
            skipSpace()
        }
        let start = at
        while at < bytes.endIndex, bytes[at] >= 0x30, bytes[at] <= 0x39 {
            digits.append(Character(Unicode.Scalar(bytes[at])))
            at += 1
        }
        guard at > start else { throw fail("expected digits") }
        // Python 2 wrote longs as `2L`.
        if at < bytes.endIndex, bytes[at] == UInt8(ascii: "L") || bytes[at] == UInt8(ascii: "l") { at += 1 }
        if at < bytes.endIndex, isWordByte(bytes[at]) || bytes[at] == UInt8(ascii: ".") {
            throw fail("not an integer")
        }
        return .int(digits)
    }
}
