/// A problem with a network file: it could not be read, is not TOML, or describes an invalid
/// network. Names the file, the 1-based line where known, and the key path where there is one
/// (`projection[1].delay`, indices 0-based in file order).
public struct NetworkFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Path of the file, or `"<built-in>"`.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// Key path such as `pool[0].stimulus[1].rate_hz`, when the problem belongs to a key.
    public var key: String?
    /// What is wrong, and what would be accepted.
    public var message: String

    public init(file: String, line: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `file:line: key: message`, leaving out the parts that are nil.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let key { s += ": \(key)" }
        return s + ": " + message
    }
}
