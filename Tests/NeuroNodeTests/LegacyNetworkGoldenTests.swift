import Foundation
import NeuroNode
import Testing

/// Network files in the shorthand format (format 1) keep giving the spikes and pools they gave
/// before pools of populations, connection rules and generators were added: the FNV-1a 64
/// hashes below are of the files the release binary of commit 8437f11 wrote for 2,000 ticks
/// (`neurobus run FILE --ticks 2000`). Integer pools only, so the hashes hold on any machine.
@Suite("Shorthand networks give the spikes they always gave")
struct LegacyNetworkGoldenTests {
    static func hashes(of text: String, ticks: UInt64) throws -> [String: UInt64] {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = try NetworkDescription.parse(Array(text.utf8), file: "<golden>")
        _ = try LocalRun.run(network: network, ticks: ticks, out: try OutputDirectory(dir))
        var out: [String: UInt64] = [:]
        for pool in network.pools {
            for name in ["\(pool.name).raster", "\(pool.name).pool"] {
                out[name] = NetworkDescription.fnv1a64(Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)"))))
            }
        }
        return out
    }

    @Test func defaultNetwork() throws {
        #expect(try Self.hashes(of: NetworkDescription.defaultFileText, ticks: 2000) == [
            "sensory.raster": 0x4AF5_082F_E335_BE5C, "sensory.pool": 0x012F_C2AA_9CB0_4B38,
            "association.raster": 0xD08B_EFC4_E456_3A40, "association.pool": 0x47C8_F67C_F908_E9DB,
            "motor.raster": 0xF898_7317_7BC0_3CA9, "motor.pool": 0xD260_C11A_0BCE_82A9,
        ])
    }

    @Test func loopExample() throws {
        #expect(try Self.hashes(of: NetworkDescription.loopExampleText, ticks: 2000) == [
            "left.raster": 0x8A9F_3A47_8CE3_B537, "left.pool": 0x01D8_AF89_D106_8613,
            "right.raster": 0xC097_2792_9B3F_AD3B, "right.pool": 0x9C71_F22D_1C5B_2306,
        ])
    }
}
