/// Finds the malformed inputs that break a precondition of the toml++ 3.4.0 parser inside
/// TOMLKit 0.6.0, so they are reported as syntax errors instead of being handed to it.
///
/// toml++ checks four of its parser preconditions with `TOML_ASSERT_ASSUME`, which aborts the
/// process in debug builds and is undefined behaviour (`__builtin_assume`) in release builds,
/// while the caller does not rule the input out (found by fuzzing; the first is upstream
/// toml++ PR #301):
///
/// 1. a table header whose `[` or `[[` (plus spaces) is followed by a character that can
///    neither start a key nor close the header, e.g. `[~` or `[[=`;
/// 2. an array that expects a value and finds `}`, U+0085, U+2028 or U+2029, e.g. `[1, }]`;
/// 3. a date-time whose `T` is followed by something other than a digit, e.g. `1979-05-27T:00`;
/// 4. a date, a space and a single digit, e.g. `1979-05-27 7,` (toml++ scans for a time
///    without checking there is more of it).
///
/// The guard skims the document the way toml++ walks it (statements, keys, strings, arrays,
/// inline tables). Wherever toml++ would stop with an ordinary parse error, or the skim is not
/// sure what toml++ would do, it stops and leaves the document to toml++; so it never rejects
/// a document toml++ would accept.
struct NetworkTOMLGuard {
    /// A hazard: where it is (1-based line and byte column) and what is wrong.
    struct Hazard: Error, Equatable {
        var message: String
        var line: Int
        var column: Int
    }

    /// The first hazard in `bytes` (valid UTF-8), if any.
    static func check(_ bytes: [UInt8]) -> Hazard? {
        var guardian = NetworkTOMLGuard(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { guardian.pos = 3 }  // toml++ skips a byte order mark
        do throws(Stop) {
            try guardian.document()
        } catch {
            if case .hazard(let message) = error { return guardian.hazard(message) }
        }
        return nil
    }

    private enum Stop: Error {
        /// toml++ reports an ordinary error here, or the skim cannot tell: leave it to toml++.
        case undecided
        case hazard(String)
    }

    private let bytes: [UInt8]
    private var pos = 0
    private var depth = 0
    /// toml++ refuses more than 256 nested values, so the skim must follow at least that deep.
    private static let maxDepth = 300

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func peek(_ offset: Int = 0) -> UInt8? {
        pos + offset < bytes.count ? bytes[pos + offset] : nil
    }

    private func hazard(_ message: String) -> Hazard {
        let before = bytes[..<min(pos, bytes.count)]
        let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let column = pos - (before.lastIndex(of: 0x0A) ?? -1)
        return Hazard(message: message, line: line, column: column)
    }

    // MARK: Statements

    private mutating func document() throws(Stop) {
        while true {
            if try skipBlank(newlines: true) { continue }
            guard let c = peek() else { return }
            if c == UInt8(ascii: "[") {
                try header()
            } else if Self.isKeyStart(c) {
                try keyValue()
            } else {
                throw .undecided
            }
            try endOfLine()
        }
    }

    /// Spaces, then a comment, then a line break or the end.
    private mutating func endOfLine() throws(Stop) {
        while try skipBlank(newlines: false) {}
        guard peek() != nil else { return }
        guard skipLineBreak() else { throw .undecided }
    }

    private mutating func header() throws(Stop) {
        pos += 1
        let spaced = skipSpaces()
        var isArray = false
        if peek() == UInt8(ascii: "[") {
            guard !spaced else { throw .undecided }
            isArray = true
            pos += 1
            skipSpaces()
        }
        guard let c = peek() else { throw .undecided }
        if c == UInt8(ascii: "]") { throw .undecided }
        if !Self.isKeyStart(c) {
            if c >= 0x80, Self.isNonASCIIHorizontalSpace(scalar()) { throw .undecided }
            throw .hazard("expected a table name after '\(isArray ? "[[" : "[")', found \(describe())")
        }
        try key()
        for _ in 0 ..< (isArray ? 2 : 1) {
            guard peek() == UInt8(ascii: "]") else { throw .undecided }
            pos += 1
        }
    }

    private mutating func keyValue() throws(Stop) {
        try key()
        guard peek() == UInt8(ascii: "=") else { throw .undecided }
        pos += 1
        skipSpaces()
        try value()
    }

    /// A dotted key and the spaces after it.
    private mutating func key() throws(Stop) {
        while true {
            guard let c = peek() else { throw .undecided }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                guard peek(1) != c || peek(2) != c else { throw .undecided }
                try string()
            } else if Self.isBare(c) {
                while let b = peek(), Self.isBare(b) { pos += 1 }
            } else {
                throw .undecided
            }
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { return }
            pos += 1
            skipSpaces()
        }
    }

    // MARK: Values

    private mutating func value() throws(Stop) {
        guard let c = peek() else { throw .undecided }
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw .undecided }
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "'"): try string()
        case UInt8(ascii: "["): try array()
        case UInt8(ascii: "{"): try inlineTable()
        default:
            guard !Self.endsScalar(c) else { throw .undecided }
            let start = pos
            let token = tokenEnd(from: start)
            if Self.isDateWithBrokenTime(bytes[start ..< token]) {
                pos = start + 11
                throw .hazard("expected a time (HH:MM:SS) after the date's 'T', found \(describe())")
            }
            if Self.isDateShaped(bytes[start ..< token]), token + 2 < bytes.count, bytes[token] == 0x20,
               Self.isDigit(bytes[token + 1]), !Self.isDigit(bytes[token + 2]) {
                pos = token + 2
                throw .hazard("expected a time (HH:MM:SS) after the date and space, found \(describe())")
            }
            while let b = peek(), !Self.endsScalar(b) { pos += 1 }
        }
    }

    private mutating func array() throws(Stop) {
        pos += 1
        var afterValue = false
        while true {
            if try skipBlank(newlines: true) { continue }
            guard let c = peek() else { throw .undecided }
            if c == UInt8(ascii: ",") {
                guard afterValue else { throw .undecided }
                afterValue = false
                pos += 1
                continue
            }
            if c == UInt8(ascii: "]") {
                pos += 1
                return
            }
            guard !afterValue else { throw .undecided }
            // toml++ calls parse_value() here, which requires a character that is not a value terminator.
            if c == UInt8(ascii: "}") { throw .hazard("expected a value or ']' in the array, found '}'") }
            if c >= 0x80 {
                let s = scalar()
                if s == 0x85 || s == 0x2028 || s == 0x2029 { throw .hazard("expected a value or ']' in the array, found \(describe())") }
                if Self.isNonASCIIHorizontalSpace(s) { throw .undecided }
            }
            afterValue = true
            try value()
        }
    }

    private mutating func inlineTable() throws(Stop) {
        pos += 1
        var afterPair = false, afterComma = false
        while true {
            skipSpaces()
            guard let c = peek() else { throw .undecided }
            if c == UInt8(ascii: ",") {
                guard afterPair else { throw .undecided }
                (afterPair, afterComma) = (false, true)
                pos += 1
            } else if c == UInt8(ascii: "}") {
                guard !afterComma else { throw .undecided }
                pos += 1
                return
            } else if Self.isKeyStart(c), !afterPair {
                try keyValue()
                (afterPair, afterComma) = (true, false)
            } else {
                throw .undecided
            }
        }
    }

    /// A basic or literal string, single- or multi-line.
    private mutating func string() throws(Stop) {
        guard let quote = peek() else { throw .undecided }
        let basic = quote == UInt8(ascii: "\"")
        if peek(1) == quote, peek(2) == quote {
            pos += 3
            while let c = peek() {
                if basic, c == UInt8(ascii: "\\") {
                    pos += 2
                } else if c == quote, peek(1) == quote, peek(2) == quote {
                    pos += 3
                    // Up to two more quotes belong to the content: """a""""" is `a""`.
                    for _ in 0 ..< 2 where peek() == quote { pos += 1 }
                    return
                } else {
                    pos += 1
                }
            }
            throw .undecided
        }
        pos += 1
        while let c = peek() {
            if c == quote {
                pos += 1
                return
            }
            if c == 0x0A || c == 0x0D { throw .undecided }
            pos += basic && c == UInt8(ascii: "\\") ? 2 : 1
        }
        throw .undecided
    }

    // MARK: Blanks

    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = pos
        while let c = peek(), c == 0x20 || c == 0x09 { pos += 1 }
        return pos > start
    }

    private mutating func skipLineBreak() -> Bool {
        if peek() == 0x0A {
            pos += 1
            return true
        }
        if peek() == 0x0D, peek(1) == 0x0A {
            pos += 2
            return true
        }
        return false
    }

    /// Skips spaces, one comment, and (if `newlines`) one line break; whether it moved.
    /// A control character in a comment is an ordinary toml++ error.
    private mutating func skipBlank(newlines: Bool) throws(Stop) -> Bool {
        let start = pos
        skipSpaces()
        if peek() == UInt8(ascii: "#") {
            while let c = peek(), c != 0x0A, c != 0x0D {
                if (c < 0x20 && c != 0x09) || c == 0x7F { throw .undecided }
                pos += 1
            }
        }
        if newlines { _ = skipLineBreak() }
        return pos > start
    }

    // MARK: Characters

    /// The Unicode scalar starting at `pos` (the bytes are valid UTF-8).
    private func scalar() -> UInt32 {
        var it = bytes[pos...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let s) = decoder.decode(&it) { return s.value }
        return 0xFFFD
    }

    private func describe() -> String {
        guard let c = peek() else { return "the end of the file" }
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "U+" + String(c < 0x80 ? UInt32(c) : scalar(), radix: 16, uppercase: true)
    }

    /// End of the value token starting at `start` as toml++ scans it: up to a value terminator
    /// (whitespace, including non-ASCII whitespace, `]`, `}`, `,`, `#`).
    private func tokenEnd(from start: Int) -> Int {
        var i = start
        while i < bytes.count {
            let c = bytes[i]
            if c < 0x80 {
                if Self.endsScalar(c) || c == 0x0B || c == 0x0C { return i }
                i += 1
                continue
            }
            var it = bytes[i...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let s) = decoder.decode(&it) else { return i }
            if Self.isNonASCIIHorizontalSpace(s.value) || s.value == 0x85 || s.value == 0x2028 || s.value == 0x2029 { return i }
            i += s.utf8.count
        }
        return i
    }

    /// What toml++ takes for a date that may continue after a space with a time: ten characters
    /// (not counting `_`) starting with a digit, `-` at 4 and 7, and none of `t`, `z`, `+`, `.`,
    /// `:` (which always give it another type). Other letters are allowed: some change the type
    /// only in some places, and matching too much only rejects some more invalid documents.
    private static func isDateShaped(_ token: ArraySlice<UInt8>) -> Bool {
        let t = token.filter { $0 != UInt8(ascii: "_") }
        guard t.count == 10, isDigit(t[0]), t[4] == UInt8(ascii: "-"), t[7] == UInt8(ascii: "-") else { return false }
        return !t.contains { Array("tTzZ+.:".utf8).contains($0) }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// `YYYY-MM-DDT` followed by anything but a digit: toml++ parses the time without checking
    /// it starts with one.
    private static func isDateWithBrokenTime(_ token: ArraySlice<UInt8>) -> Bool {
        let t = Array(token)
        guard t.count >= 12 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { t[$0] >= 0x30 && t[$0] <= 0x39 }
        return digits && t[4] == UInt8(ascii: "-") && t[7] == UInt8(ascii: "-")
            && (t[10] == UInt8(ascii: "T") || t[10] == UInt8(ascii: "t")) && !(t[11] >= 0x30 && t[11] <= 0x39)
    }

    private static func isBare(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    private static func isKeyStart(_ c: UInt8) -> Bool {
        isBare(c) || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'")
    }

    /// Bytes at which a number, boolean or date value certainly ends.
    private static func endsScalar(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: "]") || c == UInt8(ascii: "}")
            || c == UInt8(ascii: ",") || c == UInt8(ascii: "#")
    }

    /// toml++'s non-ASCII horizontal whitespace; its whitespace skipper reports these as errors.
    private static func isNonASCIIHorizontalSpace(_ s: UInt32) -> Bool {
        s == 0xA0 || s == 0x1680 || s == 0x180E || (0x2000 ... 0x200B).contains(s) || s == 0x202F
            || (0x205F ... 0x2060).contains(s) || s == 0x3000 || s == 0xFEFF
    }
}
