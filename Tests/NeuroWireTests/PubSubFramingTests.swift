import NeuroWire
import PropertyBased
import Testing

/// The pub/sub framing of SPEC §2.1 (topic, message frame, topic length in one ZeroMQ frame)
/// and the encoder's `appendingTo:`, which builds it without a second copy.
@Suite struct PubSubFramingTests {
    static let topics: [[UInt8]] = [
        Array("clk/".utf8), Array("spk/a/".utf8), Array("hb/controller/".utf8),
        Array("stim/\(String(repeating: "p", count: 64))/".utf8),
    ]

    /// Encoding after a prefix gives the prefix followed by exactly the frame `encode` gives,
    /// and `join`/`topicLength` recover topic and frame from the message: 4,000 envelopes of
    /// every kind.
    @Test func framesAppendedAfterATopicSplitBackExactly() async {
        await propertyCheck(count: 200, input: WireGen.roundTripEnvelope.array(of: 20)) { envelopes in
            var alone = WireEncoder(spikePolicy: .fast)
            var appending = WireEncoder(spikePolicy: .fast)
            for (k, envelope) in envelopes.enumerated() {
                let topic = Self.topics[k % Self.topics.count]
                guard let frame = try? alone.encode(envelope) else { continue }
                var buffer = topic
                #expect(throws: Never.self) { try appending.encode(envelope, appendingTo: &buffer) }
                #expect(buffer == topic + frame)
                let message = WirePubSub.join(topic: topic, frame: frame)
                #expect(message == topic + frame + [UInt8(topic.count)])
                let n = message.withUnsafeBytes { WirePubSub.topicLength($0) }
                #expect(n == topic.count)
                if let n {
                    #expect(Array(message[n..<(message.count - 1)]) == frame)
                }
            }
        }
    }

    @Test func aFailedAppendLeavesThePrefix() throws {
        var batch = SpikeBatch(firstTick: 5, neuronCount: 100)
        batch.appendTick([9, 3])  // not increasing
        var encoder = WireEncoder()
        var buffer = Array("spk/a/".utf8)
        let error = #expect(throws: WireError.self) {
            try encoder.encode(WireEnvelope(source: 1, sequence: 0, message: .spikeBatch(batch)), appendingTo: &buffer)
        }
        #expect(error?.code == .unsortedIds)
        #expect(buffer == Array("spk/a/".utf8))
    }

    /// What is not a NeuroBus pub/sub message: too short, a length of 0, a length reaching
    /// the last byte or beyond, a topic not ending with `/`. A two-frame sender's topic frame
    /// alone (`spk/a/`: its last byte is `/`, 47) is one of them.
    @Test(arguments: [
        [UInt8](), [4], [0x2F, 0], Array("spk/a/".utf8), Array("clk/".utf8) + [5],
        Array("clk/".utf8) + [9], Array("clkx".utf8) + [1, 2, 3, 4], Array("clk/".utf8) + [3],
    ])
    func malformedMessagesHaveNoTopic(_ message: [UInt8]) {
        #expect(message.withUnsafeBytes { WirePubSub.topicLength($0) } == nil)
    }

    @Test func aTopicWithAnEmptyFrameIsWellFormed() {
        // The framing allows it; the decoder then reports the frame `truncated`.
        let message = WirePubSub.join(topic: Array("mod/".utf8), frame: [])
        #expect(message.withUnsafeBytes { WirePubSub.topicLength($0) } == 4)
        #expect(throws: WireError.self) { try WireDecoder.decode(Array(message[4..<4])) }
    }
}

/// `writeSpikeBatch`, the senders' in-place path, against `encode`: the spike batches among
/// 2,000 generated envelopes (every shape the round-trip generator makes), at offsets after a
/// topic, into a buffer holding earlier frames and junk, with and without automatic
/// compression.
@Suite struct InPlaceSpikeBatchTests {
    @Test(arguments: [WireEncoder.Compression.asFlagged, .automatic(threshold: 64)])
    func writesTheFrameEncodeGivesAndKeepsThePrefix(_ compression: WireEncoder.Compression) async {
        var batches = 0, refused = 0
        await propertyCheck(count: 100, input: WireGen.roundTripEnvelope.array(of: 20)) { envelopes in
            var reference = WireEncoder(compression: compression, spikePolicy: .fast)
            var inPlace = WireEncoder(compression: compression, spikePolicy: .fast)
            var buffer: [UInt8] = Array(repeating: 0xA5, count: 37)
            for (k, envelope) in envelopes.enumerated() {
                guard case .spikeBatch(let batch) = envelope.message else { continue }
                batches += 1
                let plain = WireEnvelope(source: envelope.source, sequence: envelope.sequence, message: envelope.message)
                let expected = try? reference.encode(plain)
                let offset = k % 9
                let prefix = Array(buffer[..<offset])
                let before = buffer.count
                let end = try? inPlace.writeSpikeBatch(batch, source: envelope.source, sequence: envelope.sequence,
                                                       into: &buffer, at: offset, trailer: 1)
                #expect(end.map { _ in true } == expected.map { _ in true }, "accepted by one path only")
                #expect(buffer.count >= before, "the buffer shrank")
                #expect(Array(buffer[..<offset]) == prefix)
                if let end, let expected {
                    #expect(Array(buffer[offset..<end]) == expected)
                    #expect(buffer.count > end, "no room for the trailer")
                } else {
                    refused += 1
                }
            }
        }
        #expect(batches > 100, "only \(batches) spike batches generated")
        print("in place: \(batches) batches, \(refused) refused by both paths")
    }

    @Test func aRefusedBatchWritesNothing() throws {
        var batch = SpikeBatch(firstTick: 1, neuronCount: 8)
        batch.appendTick([3, 9])  // 9 is beyond the pool
        var encoder = WireEncoder()
        var buffer: [UInt8] = Array(repeating: 7, count: 300)
        let error = #expect(throws: WireError.self) {
            _ = try encoder.writeSpikeBatch(batch, source: 1, sequence: 2, into: &buffer, at: 10)
        }
        #expect(error?.code == .idBeyondPool)
        #expect(buffer == Array(repeating: 7, count: 300))
    }
}
