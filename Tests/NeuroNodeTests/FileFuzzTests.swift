import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Mutation fuzzing of what is read from disk: snapshot manifests and `.pool` files. Every
/// mutated input must decode or be refused with a typed error — a trap ends the test process,
/// which fails the suite. `NEUROBUS_FUZZ_CASES` sets the cases per input kind (the long harness,
/// Tests/Fuzz/run-file-fuzz.sh, runs a million or more); the suite runs a few thousand.
@Suite("File fuzzing")
struct FileFuzzTests {
    static var cases: Int { ProcessInfo.processInfo.environment["NEUROBUS_FUZZ_CASES"].flatMap { Int($0) } ?? 3000 }

    /// xorshift64*: the mutations are reproducible from the seed.
    struct Mutator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
        /// Values at the edges of every integer width, and text that is not a number.
        static let extremes = ["0", "-1", "1", "255", "256", "65535", "65536", "2147483647", "2147483648", "4294967295", "4294967296",
                               "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
                               "-9223372036854775808", "1e400", "nan", "\"\"", "\"ffffffffffffffff\"", "\"0000000000000000\"",
                               "[9223372036854775807]", "[]", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]

        /// One mutation of a manifest's text: a value set to an extreme, a line removed or
        /// repeated, or bytes flipped, inserted or deleted.
        mutating func mutate(_ text: String) -> String {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for _ in 0 ... below(3) {
                let k = below(lines.count)
                switch below(5) {
                case 0, 1:
                    if let eq = lines[k].firstIndex(of: "=") {
                        lines[k] = String(lines[k][..<eq]) + "= " + Self.extremes[below(Self.extremes.count)]
                    }
                case 2: lines.remove(at: k); if lines.isEmpty { lines = [""] }
                case 3: lines.insert(lines[k], at: below(lines.count + 1))
                default:
                    var bytes = Array(lines[k].utf8)
                    if bytes.isEmpty || below(2) == 0 { bytes.insert(UInt8(truncatingIfNeeded: next()), at: below(bytes.count + 1)) }
                    else { bytes[below(bytes.count)] ^= UInt8(truncatingIfNeeded: next() | 1) }
                    lines[k] = String(decoding: bytes, as: UTF8.self)
                }
            }
            return lines.joined(separator: "\n")
        }

        /// One mutation of `.pool` bytes with the trailing CRC-32 made right again, so the
        /// decoder's field checks (not its checksum) meet the damage: bytes set to extremes,
        /// flipped, or a u32 / u64 field set to 0 or all ones.
        mutating func mutatePool(_ original: [UInt8]) -> [UInt8] {
            var bytes = original
            let body = bytes.count - 4
            for _ in 0 ... below(3) {
                // Most mutations hit the first 256 bytes: the header and the first sections.
                let at = below(2) == 0 ? below(min(256, body)) : below(body)
                switch below(4) {
                case 0: bytes[at] = [0, 0xFF, 0x7F, 0x80][below(4)]
                case 1: bytes[at] ^= UInt8(truncatingIfNeeded: next() | 1)
                case 2: for i in at ..< min(at + 4, body) { bytes[i] = below(2) == 0 ? 0 : 0xFF }
                default: for i in at ..< min(at + 8, body) { bytes[i] = below(2) == 0 ? 0 : 0xFF }
                }
            }
            let crc = CRC32.checksum(Array(bytes[0 ..< body]))
            for i in 0 ..< 4 { bytes[body + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
            return bytes
        }
    }

    @Test func mutatedManifestsAreReadOrRefusedNeverTrap() throws {
        let network = NetworkDescription.builtInThreePool()
        let seed = SnapshotManifest(id: 0x1234_5678_9ABC_DEF0, parent: 7, network: network.name, networkHash: network.hash, tick: 1537,
                                    createdMilliseconds: 1_700_000_000_000, rewardCounts: network.rewards.map { _ in 3 },
                                    parts: network.pools.map { SnapshotManifest.Part(pool: $0.name, file: "\($0.name).pool.z", bytes: 100, rawBytes: 300, crc32: 0xDEAD_BEEF) })
        try SnapshotStore.check(seed, path: "seed", against: network)
        let text = seed.rendered()
        var m = Mutator(state: 0x9E37_79B9_7F4A_7C15)
        var accepted = 0, checked = 0
        for _ in 0 ..< Self.cases {
            guard let manifest = try? SnapshotManifest.parse(m.mutate(text), file: "fuzz") else { continue }
            accepted += 1
            guard (try? SnapshotStore.check(manifest, path: "fuzz", against: network)) != nil else { continue }
            checked += 1
            _ = try? RewardSchedule(rules: network.rewards, task: network.task, restoredAt: manifest.tick, state: manifest.rewards)
        }
        // The mutations reach past the parser, not only into its first refusal.
        #expect(accepted > Self.cases / 20 && checked > 0, "\(accepted) parsed, \(checked) checked of \(Self.cases)")
    }

    @Test func mutatedPoolFilesAreReadOrRefusedNeverTrap() throws {
        let network = NetworkDescription.builtInThreePool()
        let seed = try network.buildPool(2).pool.encoded()
        #expect(try NeuronPool.decode(seed).encoded() == seed)
        var m = Mutator(state: 0xD1B5_4A32_D192_ED03)
        var decoded = 0
        for _ in 0 ..< Self.cases {
            if let pool = try? NeuronPool.decode(m.mutatePool(seed)) {
                decoded += 1
                _ = pool.encoded()
            }
        }
        #expect(decoded < Self.cases, "every mutation decoded: the mutator does nothing")
    }
}
