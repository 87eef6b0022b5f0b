/// Finds the line that defines a key path such as `pool[1].stimulus[0].rate_hz`.
///
/// TOMLKit exposes source positions only for syntax errors, not for the nodes of a parsed
/// document, so this scans the text itself: table headers (`[a.b]`, `[[a.b]]`, counting
/// arrays of tables the way TOML does) and `key = value` lines (bare, quoted and dotted keys).
/// It is a best effort for error messages: keys set inside inline tables or multi-line values
/// are not found, and `line(for:)` then falls back to the nearest enclosing header.
package struct NetworkSourceLocator: Sendable {
    /// Resolved key path (`pool[0].name`, `pool[0]`, `network`) → 1-based line of its first definition.
    private(set) var lines: [String: Int] = [:]

    package init(text: String) {
        var section = ""
        var arrayCounts: [String: Int] = [:]
        var multiline: [UInt8]?
        var lineNumber = 0
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = Array(raw)
            if lineNumber == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            if let delimiter = multiline {
                if Self.count(of: delimiter, in: bytes[...]) % 2 == 1 { multiline = nil }
                continue
            }
            var i = 0
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
            guard i < bytes.count else { continue }
            if bytes[i] == UInt8(ascii: "[") {
                let isArray = i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "[")
                var reader = KeyReader(bytes: bytes, position: i + (isArray ? 2 : 1))
                guard let components = reader.dottedKey(), !components.isEmpty else { continue }
                if isArray {
                    let base = Self.join(Self.resolve(components.dropLast(), arrayCounts), components[components.count - 1])
                    let n = arrayCounts[base, default: 0]
                    arrayCounts[base] = n + 1
                    section = "\(base)[\(n)]"
                } else {
                    section = Self.resolve(components[...], arrayCounts)
                }
                record(section, lineNumber)
                continue
            }
            var reader = KeyReader(bytes: bytes, position: i)
            guard let components = reader.dottedKey(), reader.consume(UInt8(ascii: "=")) else { continue }
            record(components.reduce(section) { Self.join($0, $1) }, lineNumber)
            let rest = bytes[reader.position...]
            for delimiter in [Array("\"\"\"".utf8), Array("'''".utf8)] where Self.count(of: delimiter, in: rest) % 2 == 1 {
                multiline = delimiter
                break
            }
        }
    }

    /// Line of `keyPath`, or of its nearest ancestor the scan found (a missing key points at its
    /// table's header).
    package func line(for keyPath: String) -> Int? {
        var path = Substring(keyPath)
        while true {
            if let line = lines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            path = path[..<cut]
        }
    }

    private mutating func record(_ path: String, _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    private static func join(_ a: String, _ b: String) -> String {
        a.isEmpty ? b : a + "." + b
    }

    /// Appends the current element index to every prefix that names an array of tables.
    private static func resolve(_ components: ArraySlice<String>, _ counts: [String: Int]) -> String {
        var path = ""
        for c in components {
            path = join(path, c)
            if let n = counts[path], n > 0 { path += "[\(n - 1)]" }
        }
        return path
    }

    private static func count(of needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int {
        guard !needle.isEmpty, hay.count >= needle.count else { return 0 }
        var n = 0
        var i = hay.startIndex
        while i + needle.count <= hay.endIndex {
            if hay[i ..< i + needle.count].elementsEqual(needle) {
                n += 1
                i += needle.count
            } else {
                i += 1
            }
        }
        return n
    }
}

/// Reads TOML keys (bare, "basic" and 'literal' quoted, dotted) from one line.
private struct KeyReader {
    let bytes: [UInt8]
    var position: Int

    mutating func skipSpace() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// `a.b."c d"` → ["a", "b", "c d"]; nil if there is no key here.
    mutating func dottedKey() -> [String]? {
        var parts: [String] = []
        repeat {
            guard let part = simpleKey() else { return nil }
            parts.append(part)
        } while consume(UInt8(ascii: "."))
        return parts
    }

    private mutating func simpleKey() -> String? {
        skipSpace()
        guard position < bytes.count else { return nil }
        let first = bytes[position]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != first {
                if first == UInt8(ascii: "\""), bytes[position] == UInt8(ascii: "\\") { position += 1 }
                position += 1
            }
            guard position < bytes.count else { return nil }
            let key = String(decoding: bytes[start ..< position], as: UTF8.self)
            position += 1
            return key
        }
        let start = position
        while position < bytes.count, Self.isBare(bytes[position]) { position += 1 }
        return position > start ? String(decoding: bytes[start ..< position], as: UTF8.self) : nil
    }

    private static func isBare(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
}
