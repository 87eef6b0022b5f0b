#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeuroPool
import NeuroWire
import NeuroNetwork

/// One pool's part of a snapshot, ready to store or send: zlib of its `.pool` version 3 bytes
/// (for a Hodgkin–Huxley pool: its HH pool file, then its companion's `.pool`; see `SnapshotPool`).
public struct SnapshotPart: Sendable, Equatable {
    public var pool: String
    public var bytes: [UInt8]
    public var rawBytes: Int
    public var crc32: UInt32

    /// Compresses `pool` (which carries its held input) at zlib level 1: several times faster
    /// than the default level for a few per cent more bytes, which keeps the cut short for
    /// large pools. O(pool size).
    public init(pool: SnapshotPool) {
        let raw = pool.encoded()
        self.pool = pool.name
        bytes = raw.withUnsafeBytes { Deflate.compress($0, level: 1) }
        rawBytes = raw.count
        crc32 = CRC32.checksum(bytes)
    }

    /// The part of an integer pool, which carries its held input.
    public init(pool: NeuronPool) {
        self.init(pool: SnapshotPool(pool: pool))
    }

    public init(pool: String, bytes: [UInt8], rawBytes: Int, crc32: UInt32) {
        self.pool = pool
        self.bytes = bytes
        self.rawBytes = rawBytes
        self.crc32 = crc32
    }

    /// A part received from a node: its bytes are verified by inflating and decoding them
    /// (the pool must be pool `pool` at `tick`, with its held input). O(pool size).
    public init(received bytes: [UInt8], pool: String, tick: UInt64) throws(SnapshotError) {
        self = try Self.verified(received: bytes, pool: pool, tick: tick).part
    }

    /// The part and the pool it holds, verified as `init(received:pool:tick:)` does — for a
    /// receiver that needs the pool too, without decoding it twice.
    public static func verified(received bytes: [UInt8], pool: String, tick: UInt64) throws(SnapshotError) -> (part: SnapshotPart, pool: SnapshotPool) {
        let raw: [UInt8]
        do { raw = try bytes.withUnsafeBytes { (b) throws(WireError) in try Deflate.inflate(b, limit: 1 << 31) } } catch {
            throw .corruptPart(pool: pool, path: "(received)", detail: "\(error)")
        }
        let decoded = try SnapshotPool(decoding: raw, pool: pool)
        guard decoded.name == pool, decoded.tickCount == tick, decoded.held != nil else {
            throw .badPart(pool: pool, detail: "it holds pool \(decoded.name) at tick \(decoded.tickCount)\(decoded.held == nil ? " without held input" : ""), expected \(pool) at \(tick)")
        }
        return (SnapshotPart(pool: pool, bytes: bytes, rawBytes: raw.count, crc32: CRC32.checksum(bytes)), decoded)
    }

    /// The pool inside this (already verified) part. O(pool size).
    package func decodedPool() throws(SnapshotError) -> SnapshotPool {
        let raw: [UInt8]
        do { raw = try bytes.withUnsafeBytes { (b) throws(WireError) in try Deflate.inflate(b, expected: rawBytes) } } catch {
            throw .corruptPart(pool: pool, path: "(in memory)", detail: "\(error)")
        }
        return try SnapshotPool(decoding: raw, pool: pool)
    }

    /// Writes the part atomically to `ROOT/tick-T-ID/POOL.pool.z`: a node's local copy of what
    /// it sent, or a replica's of what it received; then keeps only the newest `keep` such
    /// folders under `root` (`SnapshotStore.pruneCopies`).
    package func keepCopy(under root: String, tick: UInt64, id: UInt64, keep: Int) throws(SnapshotError) {
        let folder = "\(root)/\(SnapshotStore.folderName(tick: tick, id: id))"
        do {
            _ = try OutputDirectory(folder)
            try AtomicFile.write(bytes, to: "\(folder)/\(Self.fileName(pool))")
        } catch { throw .io("cannot keep the copy of snapshot \(hex(id))'s part in \(folder): \(error)") }
        SnapshotStore.pruneCopies(root: root, keep: keep)
    }

    /// The file name of the part in the snapshot folder.
    public static func fileName(_ pool: String) -> String { "\(pool).pool.z" }

    /// Checks size and CRC against the manifest entry, inflates and decodes the pool (for a
    /// Hodgkin–Huxley pool, its HH pool and companion), which must be at `tick`. O(pool size).
    public static func decode(_ bytes: [UInt8], entry: SnapshotManifest.Part, tick: UInt64, path: String) throws(SnapshotError) -> SnapshotPool {
        guard bytes.count == entry.bytes else {
            throw .corruptPart(pool: entry.pool, path: path, detail: "\(bytes.count) bytes, the manifest says \(entry.bytes)")
        }
        let crc = CRC32.checksum(bytes)
        guard crc == entry.crc32 else {
            throw .corruptPart(pool: entry.pool, path: path, detail: "CRC-32 is \(hex(UInt64(crc), digits: 8)), the manifest says \(hex(UInt64(entry.crc32), digits: 8))")
        }
        let raw: [UInt8]
        do { raw = try bytes.withUnsafeBytes { (b) throws(WireError) in try Deflate.inflate(b, expected: entry.rawBytes) } } catch {
            throw .corruptPart(pool: entry.pool, path: path, detail: "\(error)")
        }
        let pool = try SnapshotPool(decoding: raw, pool: entry.pool)
        guard pool.tickCount == tick else { throw .badPart(pool: entry.pool, detail: "it is at tick \(pool.tickCount), the snapshot at tick \(tick)") }
        guard pool.held != nil else { throw .badPart(pool: entry.pool, detail: "it has no held input (a plain pool file)") }
        return pool
    }
}

/// Snapshot folders on disk: `ROOT/tick-T-ID/` holding `manifest.toml` and one part per pool.
/// A snapshot is written into `ROOT/.partial-ID/` and renamed into place only when every part
/// and the manifest are on disk and synced, so a crash never leaves a snapshot that looks
/// complete, and never touches an earlier one.
public enum SnapshotStore {
    public static let manifestName = "manifest.toml"
    /// Largest manifest read, bytes (one of 0xEFFF pools takes about 10 MB).
    public static let maxManifestBytes = 64 << 20

    /// A deterministic, non-zero snapshot id: FNV-1a 64 of the network hash, the tick and the
    /// parent, so the same cut of the same run has the same id in every placement.
    public static func id(networkHash: UInt64, tick: UInt64, parent: UInt64) -> UInt64 {
        var bytes: [UInt8] = []
        for v in [networkHash, tick, parent] { for i in 0 ..< 8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        let h = NetworkDescription.fnv1a64(bytes)
        return h == 0 ? 1 : h
    }

    /// The folder name of a snapshot.
    public static func folderName(tick: UInt64, id: UInt64) -> String { "tick-\(tick)-\(hex(id))" }

    /// Writes a complete snapshot under `root` (created if needed); returns its folder.
    /// `manifest.parts` is filled from `parts`, in their order.
    @discardableResult
    public static func write(root: String, manifest: SnapshotManifest, parts: [SnapshotPart]) throws(SnapshotError) -> String {
        do { _ = try OutputDirectory(root) } catch { throw .io("\(error)") }
        var manifest = manifest
        manifest.parts = parts.map(SnapshotManifest.Part.init)
        let partial = "\(root)/.partial-\(hex(manifest.id))-\(getpid())"
        let final = "\(root)/\(folderName(tick: manifest.tick, id: manifest.id))"
        removeTree(partial)
        guard mkdir(partial, 0o755) == 0 else { throw .io("cannot create \(partial): \(String(cString: strerror(errno)))") }
        do {
            for part in parts { try AtomicFile.write(part.bytes, to: "\(partial)/\(SnapshotPart.fileName(part.pool))") }
            try AtomicFile.write(Array(manifest.rendered().utf8), to: "\(partial)/\(manifestName)")
        } catch {
            removeTree(partial)
            throw .io("cannot write snapshot \(manifest.idText): \(error)")
        }
        // A snapshot of the same cut already there (the same id) is replaced whole.
        removeTree(final)
        guard rename(partial, final) == 0 else {
            let e = errno
            removeTree(partial)
            throw .io("cannot rename \(partial) to \(final): \(String(cString: strerror(e)))")
        }
        syncDirectory(root)
        return final
    }

    /// Reads and checks a snapshot's manifest.
    public static func manifest(at path: String) throws(SnapshotError) -> SnapshotManifest {
        let file = "\(path)/\(manifestName)"
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(file, atMost: maxManifestBytes) } catch {
            if case .io(_, _, let e) = error, e == ENOENT { throw .notFound(path) }
            throw .io("\(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .badManifest(file: file, line: 1, detail: "not UTF-8 text") }
        return try SnapshotManifest.parse(text, file: file)
    }

    /// Checks that the manifest fits `network`: same file (hash) and exactly its pools, in order.
    public static func check(_ manifest: SnapshotManifest, path: String, against network: NetworkDescription) throws(SnapshotError) {
        guard manifest.networkHash == network.hash else {
            throw .networkMismatch(snapshot: path, snapshotHash: manifest.networkHash, network: network.file, networkHash: network.hash)
        }
        guard manifest.parts.map(\.pool) == network.pools.map(\.name) else {
            throw .poolsMismatch("it holds pools \(manifest.parts.map(\.pool).joined(separator: ", ")), the network \(network.pools.map(\.name).joined(separator: ", "))")
        }
        guard manifest.rewardCounts.count == network.rewards.count else {
            throw .poolsMismatch("\(manifest.rewardCounts.count) reward count(s) for \(network.rewards.count) reward rule(s)")
        }
        try RewardSchedule.check(manifest.rewards, rules: network.rewards, task: network.task, tick: manifest.tick)
    }

    /// Loads pool `pool`'s part of the snapshot at `path`, fully checked. O(pool size).
    public static func loadPart(_ path: String, manifest: SnapshotManifest, pool: String) throws(SnapshotError) -> SnapshotPool {
        guard let entry = manifest.parts.first(where: { $0.pool == pool }) else {
            throw .poolsMismatch("it has no part for pool \(pool)")
        }
        let file = "\(path)/\(entry.file)"
        let bytes: [UInt8]
        // The manifest gives the part's size: a larger file is refused before it is read.
        do { bytes = try AtomicFile.read(file, atMost: entry.bytes) } catch {
            if case .io(_, _, let e) = error, e == ENOENT { throw .missingPart(pool: pool, path: file) }
            throw .io("\(error)")
        }
        return try SnapshotPart.decode(bytes, entry: entry, tick: manifest.tick, path: file)
    }

    /// The names in folder `path` (`.` and `..` left out); none if it cannot be read.
    static func entries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Every complete snapshot under `root` (folders with a readable manifest), by tick then
    /// id; partial folders and foreign entries are skipped.
    public static func list(root: String) -> [(path: String, manifest: SnapshotManifest)] {
        var found: [(path: String, manifest: SnapshotManifest)] = []
        for name in entries(root) where name.hasPrefix("tick-") {
            let path = "\(root)/\(name)"
            if let m = try? manifest(at: path) { found.append((path, m)) }
        }
        return found.sorted { ($0.manifest.tick, $0.manifest.id) < ($1.manifest.tick, $1.manifest.id) }
    }

    /// Removes the oldest complete snapshots under `root` beyond the newest `keep`, and any
    /// partial folder left by a crash. Returns the folders removed.
    @discardableResult
    public static func prune(root: String, keep: Int) -> [String] {
        var removed: [String] = []
        let all = list(root: root)
        for old in all.dropLast(max(keep, 1)) {
            removeTree(old.path)
            removed.append(old.path)
        }
        for name in entries(root) where name.hasPrefix(".partial-") && !name.hasSuffix("-\(getpid())") {
            removeTree("\(root)/\(name)")
        }
        return removed
    }

    /// Removes the oldest part copies under `root` beyond the newest `keep` (at least one):
    /// folders named `tick-T-ID` (a node's or a replica's copies, which hold no manifest),
    /// ordered by tick, then id. Returns the folders removed. O(folders).
    @discardableResult
    public static func pruneCopies(root: String, keep: Int) -> [String] {
        var found: [(tick: UInt64, id: UInt64, path: String)] = []
        for name in entries(root) {
            let fields = name.split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == "tick", let tick = UInt64(fields[1]), let id = UInt64(fields[2], radix: 16) else { continue }
            found.append((tick, id, "\(root)/\(name)"))
        }
        found.sort { ($0.tick, $0.id) < ($1.tick, $1.id) }
        let old = found.dropLast(max(keep, 1)).map(\.path)
        for path in old { removeTree(path) }
        return old
    }

    /// Removes a snapshot folder's files and the folder (they hold no subfolders).
    static func removeTree(_ path: String) {
        for name in entries(path) { unlink("\(path)/\(name)") }
        rmdir(path)
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}

/// Wall-clock milliseconds since 1970 (for manifests; never used for ordering).
package func wallClockMilliseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
}
