/// The entries of one TOML table together with its key path, so every error can name the key.
struct NetworkFields {
    /// `pool[0]`, `network`; empty for the document root.
    var path: String
    /// How the table is written in a file, for messages: `[network]`, `[[pool]]`.
    var header: String
    var entries: [(key: String, value: NetworkTOMLNode)]

    /// Full key path of `key` in this table.
    func keyPath(_ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    subscript(key: String) -> NetworkTOMLNode? {
        entries.first { $0.key == key }?.value
    }

    func has(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }
}

/// Turns the parsed document into typed values, throwing `NetworkFileError`s that name the
/// file, the key path and (via `NetworkSourceLocator`) the line.
package struct NetworkParser {
    let file: String
    let locator: NetworkSourceLocator

    /// An error about `key` (a full key path), with the line of the key or its table.
    func fail(_ key: String?, _ message: String) -> NetworkFileError {
        NetworkFileError(file: file, line: key.flatMap { locator.line(for: $0) }, key: key, message: message)
    }

    // MARK: Tables

    /// `node` as a table, or an error saying it must be written as `header`.
    func table(_ node: NetworkTOMLNode, path: String, header: String) throws(NetworkFileError) -> NetworkFields {
        guard let entries = node.entries else {
            throw fail(path, "expected a table (\(header)), found \(node.typeName)")
        }
        return NetworkFields(path: path, header: header, entries: entries)
    }

    /// The elements of the array of tables at `key` (empty when absent).
    func arrayOfTables(_ f: NetworkFields, _ key: String, header: String) throws(NetworkFileError) -> [NetworkFields] {
        guard let node = f[key] else { return [] }
        let path = f.keyPath(key)
        guard case .array(let items) = node else {
            throw fail(path, "expected an array of tables (write each as \(header)), found \(node.typeName)")
        }
        var result: [NetworkFields] = []
        result.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            result.append(try table(item, path: "\(path)[\(i)]", header: header))
        }
        return result
    }

    /// Rejects any key not in `allowed`, suggesting the closest allowed one.
    func checkKeys(_ f: NetworkFields, allowed: [String]) throws(NetworkFileError) {
        for (key, _) in f.entries where !allowed.contains(key) {
            var message = "unknown key '\(key)' in \(f.header)"
            if let guess = Self.closest(to: key, in: allowed) { message += "; did you mean '\(guess)'?" } else { message += "." }
            message += " Allowed keys: " + allowed.sorted().joined(separator: ", ") + "."
            throw fail(f.keyPath(key), message)
        }
    }

    func missing(_ f: NetworkFields, _ key: String) -> NetworkFileError {
        fail(f.keyPath(key), "missing required key '\(key)' in \(f.header)")
    }

    func wrongType(_ f: NetworkFields, _ key: String, _ expected: String, _ found: NetworkTOMLNode) -> NetworkFileError {
        fail(f.keyPath(key), "expected \(expected), found \(found.summary)")
    }

    // MARK: Scalars

    func string(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> String? {
        guard let node = f[key] else { return nil }
        guard case .string(let s) = node else { throw wrongType(f, key, "a string", node) }
        return s
    }

    func bool(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> Bool? {
        guard let node = f[key] else { return nil }
        guard case .boolean(let b) = node else { throw wrongType(f, key, "a boolean (true or false)", node) }
        return b
    }

    func int(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> Int? {
        guard let node = f[key] else { return nil }
        guard case .integer(let i) = node else { throw wrongType(f, key, "an integer", node) }
        return i
    }

    /// An integer that must lie in `range`.
    func int(_ f: NetworkFields, _ key: String, in range: ClosedRange<Int>) throws(NetworkFileError) -> Int? {
        guard let i = try int(f, key) else { return nil }
        guard range.contains(i) else {
            throw fail(f.keyPath(key), "\(key) = \(i) is out of range: expected \(Self.format(range))")
        }
        return i
    }

    /// A non-negative integer as UInt64 (TOML integers are signed 64-bit, so 0…2^63 − 1).
    func uint64(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> UInt64? {
        guard let i = try int(f, key, in: 0 ... Int.max) else { return nil }
        return UInt64(i)
    }

    /// A level 0…255.
    func level(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> UInt8? {
        guard let i = try int(f, key, in: 0 ... 255) else { return nil }
        return UInt8(i)
    }

    /// A number; integers are accepted and converted.
    func double(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> Double? {
        guard let node = f[key] else { return nil }
        switch node {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        default: throw wrongType(f, key, "a number", node)
        }
    }

    /// An array of exactly two integers, `[a, b]`.
    func pair(_ f: NetworkFields, _ key: String) throws(NetworkFileError) -> (Int, Int)? {
        guard let node = f[key] else { return nil }
        guard case .array(let items) = node, items.count == 2,
              case .integer(let a) = items[0], case .integer(let b) = items[1]
        else {
            throw wrongType(f, key, "an array of two integers like [0, 64]", node)
        }
        return (a, b)
    }

    // MARK: Required variants

    func required<T>(_ f: NetworkFields, _ key: String, _ value: T?) throws(NetworkFileError) -> T {
        guard let value else { throw missing(f, key) }
        return value
    }

    // MARK: Helpers

    static func format(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "\(range.lowerBound) or more" : "\(range.lowerBound)...\(range.upperBound)"
    }

    /// The allowed key within edit distance 2 of `key` (nearest first, then alphabetical), or
    /// else one that starts with `key` (`tick` → `tick_us`).
    static func closest(to key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, distance(Array(key.utf8), Array($0.utf8))) }.filter { $0.1 <= 2 }
        if let best = scored.min(by: { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }) { return best.0 }
        guard key.utf8.count >= 3 else { return nil }
        return allowed.filter { $0.hasPrefix(key) }.min()
    }

    private static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        if a.count > 64 || b.count > 64 { return Int.max }
        var previous = Array(0 ... b.count)
        var current = previous
        for i in 1 ... a.count {
            current[0] = i
            for j in 1 ... b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
