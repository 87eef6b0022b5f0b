import TOMLKit

/// A parsed TOML document as plain Swift values, copied out of TOMLKit's toml++ tree so the
/// C++ nodes can be freed at once and the validator never touches TOMLKit's force-unwrapping
/// accessors.
indirect enum NetworkTOMLNode: Sendable {
    /// Keys sorted (toml++ keeps them in a sorted map), so every walk is in a fixed order.
    case table([(key: String, value: NetworkTOMLNode)])
    case array([NetworkTOMLNode])
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// A date, time or date-time; the validator never accepts one, so only its kind is kept.
    case dateTime(String)

    /// Name of the type, for "expected …, found …" messages.
    var typeName: String {
        switch self {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .dateTime(let kind): "a \(kind)"
        }
    }

    /// Type and value, e.g. `a string ("ten")`, for error messages.
    var summary: String {
        switch self {
        case .string(let s): "\(typeName) (\"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\")"
        case .integer(let i): "\(typeName) (\(i))"
        case .float(let d): "\(typeName) (\(d))"
        case .boolean(let b): "\(typeName) (\(b))"
        default: typeName
        }
    }

    /// Entries of a table; nil for anything else.
    var entries: [(key: String, value: NetworkTOMLNode)]? {
        if case .table(let e) = self { return e }
        return nil
    }

    /// Value of `key` in a table.
    subscript(key: String) -> NetworkTOMLNode? {
        entries?.first { $0.key == key }?.value
    }

    /// A TOML syntax error as toml++ reports it.
    struct SyntaxError: Error {
        var message: String
        /// 1-based line (toml++ source positions are 1-based).
        var line: Int
        var column: Int
    }

    /// Parses `text` with TOMLKit (toml++) and converts it.
    static func parse(_ text: String) throws(SyntaxError) -> NetworkTOMLNode {
        // Inputs that would trip one of toml++'s parser assertions never reach it.
        if let hazard = NetworkTOMLGuard.check(Array(text.utf8)) {
            throw SyntaxError(message: hazard.message, line: hazard.line, column: hazard.column)
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SyntaxError(message: error.description, line: error.source.begin.line,
                              column: error.source.begin.column)
        } catch {
            throw SyntaxError(message: "\(error)", line: 1, column: 1)
        }
        let node = convert(table: table)
        // TOMLKit never frees a parsed document; clearing it frees every node under the root.
        table.clear()
        return node
    }

    private static func convert(table: TOMLTable) -> NetworkTOMLNode {
        // keys and values come from the same ordered walk of the map, so they pair up.
        let pairs = zip(table.keys, table.values).map { (key: $0.0, value: convert($0.1)) }
        return .table(pairs.sorted { $0.key < $1.key })
    }

    private static func convert(_ value: TOMLValue) -> NetworkTOMLNode {
        switch value.type {
        case .table:
            if let t = value.table { return convert(table: t) }
        case .array:
            if let a = value.array {
                var items: [NetworkTOMLNode] = []
                items.reserveCapacity(a.count)
                for i in 0 ..< a.count { items.append(convert(a[i].tomlValue)) }
                return .array(items)
            }
        case .string:
            if let s = value.string { return .string(s) }
        case .int:
            if let i = value.int { return .integer(i) }
        case .double:
            if let d = value.double { return .float(d) }
        case .bool:
            if let b = value.bool { return .boolean(b) }
        case .date: return .dateTime("date")
        case .time: return .dateTime("time")
        case .dateTime: return .dateTime("date-time")
        }
        return .dateTime("unreadable value")
    }
}
