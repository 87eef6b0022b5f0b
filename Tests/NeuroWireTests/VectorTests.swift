import Foundation
import Testing
import NeuroWire

/// The vectors of protocol/vectors/ (made by generate.py, an independent Python encoder
/// written from protocol/SPEC.md): valid ones decode to exactly their JSON and encode back to
/// exactly their bytes; compat ones decode to their JSON; invalid ones fail with their error.
@Suite struct VectorTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/vectors")

    static func names(_ folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return files.filter { $0.hasSuffix(".hex") }.map { String($0.dropLast(4)) }.sorted()
    }

    static func load(_ folder: String, _ name: String) throws -> (frame: [UInt8], json: String) {
        let base = root.appendingPathComponent(folder).appendingPathComponent(name)
        let hexText = try Data(contentsOf: base.appendingPathExtension("hex"))
        let frame = try #require(WireHex.parse(Array(hexText)), "\(folder)/\(name).hex is not hex")
        let json = try String(contentsOf: base.appendingPathExtension("json"), encoding: .utf8)
        return (frame, json)
    }

    @Test func everyKindAndEdgeCaseHasAVector() throws {
        let valid = Self.names("valid")
        var kinds = Set<WireKind>()
        for name in valid {
            kinds.insert(try WireDecoder.decode(try Self.load("valid", name).frame).message.kind)
        }
        #expect(kinds == Set(WireKind.allCases), "kinds without a vector: \(Set(WireKind.allCases).subtracting(kinds))")
        for required in ["spike_batch_empty", "spike_batch_all_spiking", "spike_batch_ids16", "spike_batch_varint",
                         "spike_batch_bitmap", "spike_batch_rice", "spike_batch_compressed", "spike_batch_largest_count",
                         "spike_batch_largest_ticks", "spike_batch_multi_tick"] {
            #expect(valid.contains(required), "missing vector \(required)")
        }
        #expect(Self.names("invalid").count >= 30)
        #expect(Self.names("compat").count >= 2)
    }

    @Test(arguments: names("valid"))
    func validVectorDecodesToItsJSONAndEncodesToItsBytes(_ name: String) throws {
        let (frame, json) = try Self.load("valid", name)
        let envelope = try WireDecoder.decode(frame)
        #expect(envelope.json.rendered() == json)
        var encoder = WireEncoder()
        #expect(try encoder.encode(envelope) == frame)
    }

    @Test(arguments: names("compat"))
    func compatVectorDecodesToItsJSON(_ name: String) throws {
        let (frame, json) = try Self.load("compat", name)
        #expect(try WireDecoder.decode(frame).json.rendered() == json)
    }

    @Test(arguments: names("invalid"))
    func invalidVectorFailsWithItsError(_ name: String) throws {
        let (frame, json) = try Self.load("invalid", name)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let expected = try #require(object["error"] as? String)
        #expect(WireError.Code(name: expected) != nil, "\(name): unknown error name \(expected)")
        do {
            let envelope = try WireDecoder.decode(frame)
            Issue.record("\(name) decoded as \(envelope.message.kind.name); expected \(expected)")
        } catch {
            #expect(error.code.name == expected, "\(name): \(error)")
        }
    }
}
