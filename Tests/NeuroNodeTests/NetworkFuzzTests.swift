import Foundation
import Testing
import NeuroNode

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

    /// One mutant of `bytes`: 1–4 random edits.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        for _ in 0 ... below(4) {
            let i = below(b.count + 1)
            switch below(6) {
            case 0: if i < b.count { b[i] = UInt8(truncatingIfNeeded: next()) }           // any byte
            case 1: if i < b.count { b[i] = Self.alphabet[below(Self.alphabet.count)] }   // a TOML byte
            case 2: b.insert(Self.alphabet[below(Self.alphabet.count)], at: i)
            case 3: if i < b.count { b.removeSubrange(i ..< min(b.count, i + 1 + below(8))) }
            case 4: b = Array(b[..<i])                                                     // truncate
            default:                                                                       // duplicate a slice
                let j = below(b.count + 1), k = min(b.count, j + below(64))
                b.insert(contentsOf: b[min(j, k) ..< k], at: i)
            }
        }
        return b
    }
}

@Test func mutatedDefaultFilesNeverTrap() {
    var mutator = Mutator(state: 0x4E65_7572_6F42_7573)
    let sources = [Array(NetworkDescription.defaultFileText.utf8), Array(NetworkDescription.loopExampleText.utf8)]
    var accepted = 0, rejected = 0
    for round in 0 ..< 600 {
        let mutant = mutator.mutate(sources[round % 2])
        try? Data(mutant).write(to: URL(fileURLWithPath: "/tmp/neurobus-fuzz-current.toml"))  // DEBUG
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
    #expect(accepted + rejected == 600)
    #expect(accepted > 0 && rejected > 0)
}
