import Testing
@testable import NeuroWire

/// The worked example of protocol/SPEC.md §5: a pool of 4096, spikes {3, 10, 11, 40}.
@Suite struct SpecExampleTests {
    static let ids: [UInt16] = [3, 10, 11, 40]

    /// The spike set's bytes (code byte onward) in `encoding`.
    func setBytes(_ encoding: SpikeEncoding?) throws -> [UInt8] {
        var batch = SpikeBatch(firstTick: 0, neuronCount: 4096)
        batch.appendTick(Self.ids, encoding: encoding)
        var encoder = WireEncoder()
        let frame = try encoder.encode(WireEnvelope(source: 1, sequence: 0, message: .spikeBatch(batch)))
        return Array(frame[(WireFormat.headerSize + 14)...])
    }

    @Test func ids16() throws {
        #expect(try setBytes(.ids16) == [0x01, 0x04, 0x03, 0x00, 0x0a, 0x00, 0x0b, 0x00, 0x28, 0x00])
    }

    @Test func varint() throws {
        #expect(try setBytes(.varint) == [0x02, 0x04, 0x03, 0x06, 0x00, 0x1c])
    }

    @Test func rice() throws {
        #expect(try setBytes(.rice(k: 2)) == [0x04, 0x04, 0x02, 0x03, 0x00, 0x1a, 0x40, 0x00])
    }

    @Test func bitmap() throws {
        let bytes = try setBytes(.bitmap)
        #expect(bytes.count == 2 + 512)
        #expect(bytes[0...1] == [0x03, 0x04])
        // Neuron 3 → byte 0 bit 3; 10 and 11 → byte 1 bits 2, 3; 40 → byte 5 bit 0.
        #expect(bytes[2] == 0x08 && bytes[3] == 0x0c && bytes[7] == 0x01)
        #expect(bytes[2...].reduce(0) { $0 + $1.nonzeroBitCount } == 4)
    }

    @Test func smallestIsChosenAndEveryEncodingDecodesBack() throws {
        // The smallest here is varint (5 bytes after the code) — rice needs 7, ids16 9.
        #expect(try setBytes(nil).first == 2)
        for encoding: SpikeEncoding in [.ids16, .varint, .bitmap, .rice(k: 0), .rice(k: 2), .rice(k: 15)] {
            var batch = SpikeBatch(firstTick: 9, neuronCount: 4096)
            batch.appendTick(Self.ids, encoding: encoding)
            var encoder = WireEncoder()
            let frame = try encoder.encode(WireEnvelope(source: 1, sequence: 0, message: .spikeBatch(batch)))
            let decoded = try WireDecoder.decode(frame)
            #expect(decoded.message == .spikeBatch(batch), "\(encoding)")
        }
    }
}
