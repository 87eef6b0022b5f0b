/// A message that cannot be decoded or encoded, with the protocol's error code and a
/// sentence naming the bad field or value (protocol/SPEC.md §4.12, §7).
public struct WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The protocol error code (§4.12).
    public var code: Code
    /// What is wrong, naming the field and the value.
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.name): \(detail)" }

    /// Error codes, as carried by `ERROR` messages. Unknown codes received from newer peers
    /// are kept as their number.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        public static let truncated = Code(rawValue: 1)
        public static let badMagic = Code(rawValue: 2)
        public static let unsupportedVersion = Code(rawValue: 3)
        public static let unknownKind = Code(rawValue: 4)
        public static let unknownFlag = Code(rawValue: 5)
        public static let lengthMismatch = Code(rawValue: 6)
        public static let badCRC = Code(rawValue: 7)
        public static let oversized = Code(rawValue: 8)
        public static let badEncoding = Code(rawValue: 9)
        public static let badVarint = Code(rawValue: 10)
        public static let countOverflow = Code(rawValue: 11)
        public static let idBeyondPool = Code(rawValue: 12)
        public static let unsortedIds = Code(rawValue: 13)
        public static let badValue = Code(rawValue: 14)
        public static let trailingBytes = Code(rawValue: 15)
        public static let badText = Code(rawValue: 16)
        public static let inflateFailed = Code(rawValue: 17)
        public static let badPadding = Code(rawValue: 18)
        public static let unknownPool = Code(rawValue: 100)
        public static let networkMismatch = Code(rawValue: 101)
        public static let notRunning = Code(rawValue: 102)
        public static let busy = Code(rawValue: 103)
        public static let unknownSnapshot = Code(rawValue: 104)
        public static let refused = Code(rawValue: 105)
        public static let `internal` = Code(rawValue: 199)

        private static let names: [UInt16: String] = [
            1: "truncated", 2: "bad_magic", 3: "unsupported_version", 4: "unknown_kind",
            5: "unknown_flag", 6: "length_mismatch", 7: "bad_crc", 8: "oversized",
            9: "bad_encoding", 10: "bad_varint", 11: "count_overflow", 12: "id_beyond_pool",
            13: "unsorted_ids", 14: "bad_value", 15: "trailing_bytes", 16: "bad_text",
            17: "inflate_failed", 18: "bad_padding", 100: "unknown_pool",
            101: "network_mismatch", 102: "not_running", 103: "busy", 104: "unknown_snapshot",
            105: "refused", 199: "internal",
        ]

        /// The code's name in the spec (`bad_crc`), or `unknown` for a code this build lacks.
        public var name: String { Self.names[rawValue] ?? "unknown" }
        /// Whether this build knows the code.
        public var isKnown: Bool { Self.names[rawValue] != nil }
        public var description: String { name }

        /// The code with this spec name, if any.
        public init?(name: String) {
            guard let entry = Self.names.first(where: { $0.value == name }) else { return nil }
            self.rawValue = entry.key
        }
    }
}
