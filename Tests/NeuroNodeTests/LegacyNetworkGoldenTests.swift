import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

/// Network files in the shorthand format (format 1) keep giving the spikes they gave before
/// pools of populations, connection rules, generators and the present learning rule were added:
/// the FNV-1a 64 hashes below are of the rasters the release binary of commit 8437f11 wrote for
/// 2,000 ticks (`neurobus run FILE --ticks 2000`). Integer pools only, so the hashes hold on any
/// machine.
///
/// The learning rule changed since (eligibility over seconds, dopamine as a decaying pulse), so
/// a network whose weights change under modulators is compared with STDP off (`stdp = false`
/// in every pool); the loop example has no modulators, so its weights never change and it runs
/// as written. `.pool` files are not compared: their layout grew a plasticity section.
@Suite("Shorthand networks give the spikes they always gave")
struct LegacyNetworkGoldenTests {
    static func hashes(of text: String, ticks: UInt64) throws -> [String: UInt64] {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = try NetworkDescription.parse(Array(text.utf8), file: "<golden>")
        _ = try LocalRun.run(network: network, ticks: ticks, out: try OutputDirectory(dir))
        var out: [String: UInt64] = [:]
        for pool in network.pools {
            let name = "\(pool.name).raster"
            out[name] = NetworkDescription.fnv1a64(Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)"))))
        }
        return out
    }

    /// `text` with `stdp = false` in every pool.
    static func withoutPlasticity(_ text: String) -> String {
        text.replacingOccurrences(of: "\n[[pool]]\n", with: "\n[[pool]]\nstdp = false\n")
    }

    @Test func threePoolNetworkWithoutPlasticity() throws {
        let text = Self.withoutPlasticity(NetworkDescription.threePoolFileText)
        #expect(try NetworkDescription.parse(Array(text.utf8), file: "<golden>").pools.allSatisfy { !$0.config.stdp })
        #expect(try Self.hashes(of: text, ticks: 2000) == [
            "sensory.raster": 0xF527_C888_1886_A9DA,
            "association.raster": 0xA700_79CF_CF6E_0170,
            "motor.raster": 0x0BC3_999D_B754_4201,
        ])
    }

    @Test func loopExample() throws {
        let network = NetworkDescription.builtInLoopExample()
        #expect(network.rewards.isEmpty && network.modulations.isEmpty)
        #expect(try Self.hashes(of: NetworkDescription.loopExampleText, ticks: 2000) == [
            "left.raster": 0x8A9F_3A47_8CE3_B537, "right.raster": 0xC097_2792_9B3F_AD3B,
        ])
    }
}
