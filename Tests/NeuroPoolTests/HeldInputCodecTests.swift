import Testing
@testable import NeuroPool

/// `.pool` version 3: a pool with the held input of a snapshot.
@Suite("Held input (.pool version 3)")
struct HeldInputCodecTests {
    /// A pool at tick 10 with one afferent projection of lag 3 and a held input.
    static func poolWithHeld() throws -> NeuronPool {
        var config = PoolConfig()
        config.seed = 9
        var pool = try NeuronPool.withRandomConnectivity(name: "held", neurons: 32, density: 0.2, config: config)
        _ = try pool.addAfferent(AfferentTests.single(target: 2, weight: 40, delay: 5, lag: 3, sourceCount: 16))
        for _ in 0 ..< 10 { pool.tick() }
        pool.held = HeldInput(
            broadcasts: [HeldInput.Broadcast(tick: 10, dopamine: 200), HeldInput.Broadcast(tick: 12, cortisol: 60, acetylcholine: 150)],
            afferentSpikes: [[HeldInput.SourceTick(tick: 7, ids: [0, 3]), HeldInput.SourceTick(tick: 9, ids: [15])]])
        return pool
    }

    @Test func roundTripKeepsTheHeldInputAndWritesVersion3() throws {
        let pool = try Self.poolWithHeld()
        let bytes = pool.encoded()
        #expect(bytes[8] == 3 && bytes[9] == 0)
        let back = try NeuronPool.decode(bytes)
        #expect(back.held == pool.held)
        #expect(back.encoded() == bytes)
        // Without it the very same pool writes version 2, as before.
        var plain = pool
        plain.held = nil
        let v2 = plain.encoded()
        #expect(v2[8] == 2)
        #expect(try NeuronPool.decode(v2).held == nil)
        // An empty held input is still version 3 (a snapshot with nothing in flight).
        plain.held = HeldInput(afferentSpikes: [[]])
        #expect(try NeuronPool.decode(plain.encoded()).held == HeldInput(afferentSpikes: [[]]))
    }

    /// Each rule of the section, with the CRC fixed so the check that fires is the rule's own.
    @Test func badHeldInputIsRejectedNamingTheField() throws {
        let good = try Self.poolWithHeld()
        func expectInvalid(_ field: String, _ edit: (inout HeldInput) -> Void) {
            var pool = good
            edit(&pool.held!)
            #expect(throws: PoolFileError.self) { try NeuronPool.decode(pool.encoded()) }
            do { _ = try NeuronPool.decode(pool.encoded()) } catch {
                guard case .invalid(let f, _) = error else { Issue.record("\(error)"); return }
                #expect(f.hasPrefix(field), "\(error)")
            }
        }
        expectInvalid("held.broadcasts[0]") { $0.broadcasts[0].tick = 9 }                  // before the pool's tick
        expectInvalid("held.broadcasts[1]") { $0.broadcasts[1].tick = 5; $0.broadcasts[0].tick = 11 }
        expectInvalid("held.afferents[0][0]") { $0.afferentSpikes[0][0].tick = 6 }         // older than tick − lag
        expectInvalid("held.afferents[0][1]") { $0.afferentSpikes[0][1].tick = 10 }        // not before the pool's tick
        expectInvalid("held.afferents[0][1]") { $0.afferentSpikes[0][1].tick = 7 }         // not ascending
        expectInvalid("held.afferents[0][0].ids[1]") { $0.afferentSpikes[0][0].ids = [3, 3] }
        expectInvalid("held.afferents[0][1].ids[0]") { $0.afferentSpikes[0][1].ids = [16] } // beyond the source
        expectInvalid("held.projections") { $0.afferentSpikes.append([]) }
        expectInvalid("held.afferents[0]") { $0.afferentSpikes[0] = (6 ... 9).map { HeldInput.SourceTick(tick: UInt64($0), ids: []) } }
    }

    @Test func everyTruncationAndBitFlipOfAVersion3FileIsAnError() throws {
        let bytes = try Self.poolWithHeld().encoded()
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: PoolFileError.self) { try NeuronPool.decode(Array(bytes[0 ..< cut])) }
        }
        for i in stride(from: 0, to: bytes.count, by: 3) {
            var flipped = bytes
            flipped[i] ^= 0x10
            #expect(throws: PoolFileError.self) { try NeuronPool.decode(flipped) }
        }
    }
}
