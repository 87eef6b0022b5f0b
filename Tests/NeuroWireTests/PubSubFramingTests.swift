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
