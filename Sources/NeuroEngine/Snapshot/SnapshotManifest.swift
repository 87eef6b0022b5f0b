import NeuroWire
import NeuroNetwork

/// The manifest of a network snapshot (`manifest.toml` in the snapshot folder): which
/// network and tick, its place in the history, the controller's part of the state, and one
/// entry per pool part with its size and CRC-32. Written as a small subset of TOML (readable
/// by any TOML tool) and read back by a strict line parser of its own, so a damaged manifest
/// gives an error naming its line instead of reaching a general parser.
public struct SnapshotManifest: Sendable, Equatable {
    /// The manifest format this build writes and reads.
    public static let format = 1
    /// Largest compressed part a manifest may name, bytes: above the largest pool a `.pool`
    /// file can describe (65,536 neurons × 65,535 synapses of 8 bytes).
    public static let maxPartBytes = 1 << 36

    /// One pool's part: `file` in the snapshot folder, zlib of a `.pool` version 3 file (for a
    /// Hodgkin–Huxley pool, of its HH pool file followed by that `.pool`: `SnapshotPool`).
    public struct Part: Sendable, Equatable {
        public var pool: String
        public var file: String
        /// Bytes of `file` (compressed) and of the `.pool` it holds.
        public var bytes: Int
        public var rawBytes: Int
        /// CRC-32 of `file`'s bytes.
        public var crc32: UInt32

        /// The entry of `part`, stored as `SnapshotPart.fileName(part.pool)`.
        public init(_ part: SnapshotPart) {
            self.init(pool: part.pool, file: SnapshotPart.fileName(part.pool), bytes: part.bytes.count, rawBytes: part.rawBytes, crc32: part.crc32)
        }

        public init(pool: String, file: String, bytes: Int, rawBytes: Int, crc32: UInt32) {
            self.pool = pool
            self.file = file
            self.bytes = bytes
            self.rawBytes = rawBytes
            self.crc32 = crc32
        }
    }

    /// Non-zero id; `parent` is the previous snapshot of the same run (0 for none).
    public var id: UInt64
    public var parent: UInt64
    public var network: String
    public var networkHash: UInt64
    /// The cut: the state after ticks 0 … tick − 1, before tick `tick`.
    public var tick: UInt64
    /// Wall-clock time of the cut, milliseconds since 1970 (informational).
    public var createdMilliseconds: UInt64
    /// Per reward rule, the spikes counted in its window so far (the controller's state;
    /// `reward_counts`, see `RewardScheduleState.counts`).
    public var rewardCounts: [Int]
    /// The rest of the reward schedule's state (`reward_state`, `reward_random`; optional
    /// keys, written only when some rule is not a count rule; see `RewardScheduleState`).
    public var rewardState: [Int] = []
    public var rewardRandom: [UInt64] = []
    /// The task's spikes per label in the decision window open across the cut
    /// (`task_counts`; optional, written only when a window is open).
    public var taskCounts: [Int] = []
    /// The task's critic r̄ in 1/65536 (`task_expectation`; only with `expectation_trials`).
    public var taskExpectation: Int?
    /// Parts in pool order.
    public var parts: [Part]

    public init(id: UInt64, parent: UInt64, network: String, networkHash: UInt64, tick: UInt64,
                createdMilliseconds: UInt64, rewardCounts: [Int], parts: [Part]) {
        self.id = id
        self.parent = parent
        self.network = network
        self.networkHash = networkHash
        self.tick = tick
        self.createdMilliseconds = createdMilliseconds
        self.rewardCounts = rewardCounts
        self.parts = parts
    }

    /// A manifest holding the reward schedule's state `rewards`.
    public init(id: UInt64, parent: UInt64, network: String, networkHash: UInt64, tick: UInt64,
                createdMilliseconds: UInt64, rewards: RewardScheduleState, parts: [Part]) {
        self.init(id: id, parent: parent, network: network, networkHash: networkHash, tick: tick,
                  createdMilliseconds: createdMilliseconds, rewardCounts: rewards.counts, parts: parts)
        rewardState = rewards.values
        rewardRandom = rewards.random
        taskCounts = rewards.task
        taskExpectation = rewards.taskExpectation
    }

    /// The reward schedule's state at the cut.
    public var rewards: RewardScheduleState {
        RewardScheduleState(counts: rewardCounts, values: rewardState, random: rewardRandom, task: taskCounts, taskExpectation: taskExpectation)
    }

    /// The id as 16 hex digits (how files and commands name it).
    public var idText: String { hex(id) }

    /// The manifest as text.
    public func rendered() -> String {
        var out = """
            # NeuroBus snapshot manifest (docs/SNAPSHOTS.md)
            [snapshot]
            format = \(Self.format)
            id = "\(hex(id))"
            parent = "\(hex(parent))"
            network = "\(network)"
            network_hash = "\(hex(networkHash))"
            tick = \(tick)
            created_ms = \(createdMilliseconds)
            reward_counts = [\(rewardCounts.map(String.init).joined(separator: ", "))]

            """
        if !rewardState.isEmpty || !rewardRandom.isEmpty {
            out += "reward_state = [\(rewardState.map(String.init).joined(separator: ", "))]\n"
            out += "reward_random = [\(rewardRandom.map { "\"\(hex($0))\"" }.joined(separator: ", "))]\n"
        }
        if !taskCounts.isEmpty { out += "task_counts = [\(taskCounts.map(String.init).joined(separator: ", "))]\n" }
        if let e = taskExpectation { out += "task_expectation = \(e)\n" }
        for p in parts {
            out += """

                [[part]]
                pool = "\(p.pool)"
                file = "\(p.file)"
                bytes = \(p.bytes)
                raw_bytes = \(p.rawBytes)
                crc32 = "\(hex(UInt64(p.crc32), digits: 8))"

                """
        }
        return out
    }

    /// Parses `text` (from `file`, for messages). Every key is required exactly once per
    /// table; unknown keys and tables are errors.
    public static func parse(_ text: String, file: String) throws(SnapshotError) -> SnapshotManifest {
        var tables: [(header: String, line: Int, values: [String: (String, Int)])] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingSpaces
            let number = i + 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line == "[snapshot]" || line == "[[part]]" {
                tables.append((line, number, [:]))
                continue
            }
            guard let eq = line.firstIndex(of: "="), !tables.isEmpty else {
                throw .badManifest(file: file, line: number, detail: "expected `key = value` inside [snapshot] or [[part]], found \"\(line.prefix(60))\"")
            }
            let key = String(line[..<eq]).trimmingSpaces, value = String(line[line.index(after: eq)...]).trimmingSpaces
            guard tables[tables.count - 1].values[key] == nil else { throw .badManifest(file: file, line: number, detail: "key \(key) given twice") }
            tables[tables.count - 1].values[key] = (value, number)
        }
        guard let first = tables.first, first.header == "[snapshot]" else {
            throw .badManifest(file: file, line: 1, detail: "the manifest must start with [snapshot]")
        }
        var reader = Fields(file: file, table: first)
        let format = try reader.integer("format")
        guard format <= UInt64(Self.format) else { throw .newerFormat(file: file, found: Int(clamping: format), supported: Self.format) }
        guard format >= 1 else { throw .badManifest(file: file, line: first.line, detail: "format \(format) is not a format") }
        var manifest = SnapshotManifest(
            id: try reader.hex("id"), parent: try reader.hex("parent"), network: try reader.string("network"),
            networkHash: try reader.hex("network_hash"), tick: try reader.integer("tick"),
            createdMilliseconds: try reader.integer("created_ms"), rewardCounts: try reader.integers("reward_counts"), parts: [])
        if reader.has("reward_state") { manifest.rewardState = try reader.integers("reward_state") }
        if reader.has("reward_random") { manifest.rewardRandom = try reader.hexes("reward_random") }
        if reader.has("task_counts") { manifest.taskCounts = try reader.integers("task_counts") }
        if reader.has("task_expectation") { manifest.taskExpectation = Int(clamping: try reader.integer("task_expectation")) }
        try reader.done()
        guard manifest.id != 0 else { throw .badManifest(file: file, line: first.line, detail: "id 0 is not a snapshot id") }
        for table in tables.dropFirst() {
            guard table.header == "[[part]]" else { throw .badManifest(file: file, line: table.line, detail: "a second [snapshot]") }
            var r = Fields(file: file, table: table)
            let pool = try r.string("pool"), partFile = try r.string("file")
            let bytes = try r.integer("bytes"), raw = try r.integer("raw_bytes")
            // Sizes from a file are bounded before anything is allocated from them.
            guard bytes <= UInt64(Self.maxPartBytes) else {
                throw .badManifest(file: file, line: table.line, detail: "bytes = \(bytes) is more than a part may hold (\(Self.maxPartBytes))")
            }
            guard raw <= UInt64(Deflate.maxInflated(Int(bytes))) else {
                throw .badManifest(file: file, line: table.line,
                                   detail: "raw_bytes = \(raw) is more than a deflate stream of bytes = \(bytes) can hold (at most \(Deflate.maxInflated(Int(bytes))))")
            }
            let part = Part(pool: pool, file: partFile, bytes: Int(bytes), rawBytes: Int(raw),
                            crc32: UInt32(truncatingIfNeeded: try r.hex("crc32", digits: 8)))
            try r.done()
            guard !part.file.contains("/"), !part.file.hasPrefix("."), !part.file.isEmpty else {
                throw .badManifest(file: file, line: table.line, detail: "part file \"\(part.file)\" must be a plain file name in the snapshot folder")
            }
            manifest.parts.append(part)
        }
        return manifest
    }

    /// The values of one table, taken key by key.
    private struct Fields {
        let file: String
        let line: Int
        var values: [String: (String, Int)]

        init(file: String, table: (header: String, line: Int, values: [String: (String, Int)])) {
            self.file = file
            line = table.line
            values = table.values
        }

        mutating func take(_ key: String) throws(SnapshotError) -> (String, Int) {
            guard let v = values.removeValue(forKey: key) else { throw .badManifest(file: file, line: line, detail: "missing key \(key)") }
            return v
        }

        mutating func integer(_ key: String) throws(SnapshotError) -> UInt64 {
            let (text, n) = try take(key)
            guard let v = UInt64(text) else { throw .badManifest(file: file, line: n, detail: "\(key) = \(text.prefix(40)) is not a non-negative integer") }
            return v
        }

        mutating func string(_ key: String) throws(SnapshotError) -> String {
            let (text, n) = try take(key)
            guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\""), !text.dropFirst().dropLast().contains("\"") else {
                throw .badManifest(file: file, line: n, detail: "\(key) = \(text.prefix(40)) is not a \"string\"")
            }
            return String(text.dropFirst().dropLast())
        }

        mutating func hex(_ key: String, digits: Int = 16) throws(SnapshotError) -> UInt64 {
            let (text, n) = try take(key)
            let inner = text.dropFirst().dropLast()
            guard text.hasPrefix("\""), text.hasSuffix("\""), inner.count == digits, let v = UInt64(inner, radix: 16) else {
                throw .badManifest(file: file, line: n, detail: "\(key) = \(text.prefix(40)) is not \(digits) hex digits in quotes")
            }
            return v
        }

        func has(_ key: String) -> Bool { values[key] != nil }

        /// `["16 hex digits", …]`.
        mutating func hexes(_ key: String) throws(SnapshotError) -> [UInt64] {
            let (text, n) = try take(key)
            guard text.hasPrefix("["), text.hasSuffix("]") else { throw .badManifest(file: file, line: n, detail: "\(key) is not an [array]") }
            let inner = text.dropFirst().dropLast().trimmingSpaces
            if inner.isEmpty { return [] }
            var out: [UInt64] = []
            for item in inner.split(separator: ",", omittingEmptySubsequences: false) {
                let quoted = item.trimmingSpaces, digits = quoted.dropFirst().dropLast()
                guard quoted.hasPrefix("\""), quoted.hasSuffix("\""), digits.count == 16, digits.allSatisfy(\.isHexDigit),
                      let v = UInt64(digits, radix: 16) else {
                    throw .badManifest(file: file, line: n, detail: "\(key) holds \"\(item.trimmingSpaces.prefix(20))\", not 16 hex digits in quotes")
                }
                out.append(v)
            }
            return out
        }

        mutating func integers(_ key: String) throws(SnapshotError) -> [Int] {
            let (text, n) = try take(key)
            guard text.hasPrefix("["), text.hasSuffix("]") else { throw .badManifest(file: file, line: n, detail: "\(key) is not an [array]") }
            let inner = text.dropFirst().dropLast().trimmingSpaces
            if inner.isEmpty { return [] }
            var out: [Int] = []
            for item in inner.split(separator: ",", omittingEmptySubsequences: false) {
                guard let v = Int(item.trimmingSpaces), v >= 0 else { throw .badManifest(file: file, line: n, detail: "\(key) holds \"\(item.prefix(20))\", not a count") }
                out.append(v)
            }
            return out
        }

        func done() throws(SnapshotError) {
            if let (key, (_, n)) = values.min(by: { $0.value.1 < $1.value.1 }) {
                throw .badManifest(file: file, line: n, detail: "unknown key \(key)")
            }
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and carriage returns.
    var trimmingSpaces: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[start ... end])
    }
}
