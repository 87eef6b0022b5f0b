import Foundation
import Testing
import NeuroNode
import NeuroNetwork
import NeuroEngine

/// SplitMix64, for reproducible mutations.
private struct Mutator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// Bytes that steer mutants into TOML structure rather than only into comments.
    static let alphabet = Array("[]{}=\"'.,#-+_0123456789 \n\t\\eEnaxiuf".utf8) + [0x00, 0x80, 0xC3, 0xFF]

    /// Fragments that reach toml++'s fragile spots (see NetworkTOMLGuard) and the validator's.
    static let fragments = ["[[", "]]", "[~", "}", ", }", "T", "T:", " 7,", "1979-05-27", "\"\"\"", "'''",
                            "\u{2028}", "\u{FEFF}", "= [0, 0]", "= -1", "= 0", "=", ".", "\r\n", "inf", "nan",
                            "0x", "[[pool]]", "[[projection]]"].map { Array($0.utf8) }

    /// One mutant of `bytes`: 1–4 random edits.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        for _ in 0 ... below(4) {
            let i = below(b.count + 1)
            switch below(7) {
            case 0: if i < b.count { b[i] = UInt8(truncatingIfNeeded: next()) }           // any byte
            case 1: if i < b.count { b[i] = Self.alphabet[below(Self.alphabet.count)] }   // a TOML byte
            case 2: b.insert(Self.alphabet[below(Self.alphabet.count)], at: i)
            case 3: if i < b.count { b.removeSubrange(i ..< min(b.count, i + 1 + below(8))) }
            case 4: b = Array(b[..<i])                                                     // truncate
            case 5: b.insert(contentsOf: Self.fragments[below(Self.fragments.count)], at: i)
            default:                                                                       // duplicate a slice
                let j = below(b.count + 1), k = min(b.count, j + below(64))
                b.insert(contentsOf: b[min(j, k) ..< k], at: i)
            }
        }
        return b
    }
}

/// Mutants of the built-in files either parse or throw a NetworkFileError; a trap (in the
/// validator, or an assertion inside toml++) would kill the test process.
/// NEUROBUS_NETWORK_FUZZ_ROUNDS runs a longer campaign by hand.
@Test func mutatedDefaultFilesNeverTrap() {
    var mutator = Mutator(state: 0x4E65_7572_6F42_7573)
    let sources = [Array(NetworkDescription.defaultFileText.utf8), Array(NetworkDescription.threePoolFileText.utf8),
                   Array(NetworkDescription.loopExampleText.utf8)]
    let rounds = ProcessInfo.processInfo.environment["NEUROBUS_NETWORK_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 600
    var accepted = 0, rejected = 0
    for round in 0 ..< rounds {
        let mutant = mutator.mutate(sources[round % sources.count])
        do {
            let d = try NetworkDescription.parse(mutant, file: "<fuzz>")
            #expect(d.bytes == mutant && !d.pools.isEmpty)
            accepted += 1
        } catch {
            #expect(error.file == "<fuzz>" && !error.message.isEmpty)
            if let line = error.line { #expect(line >= 1) }
            rejected += 1
        }
    }
    #expect(accepted + rejected == rounds)
    #expect(accepted > 0 && rejected > 0)
}
