import NeuroWire
import Testing

/// The encoder checks every tick's ids before it writes (SPEC §5: strictly increasing, below
/// the pool's size) on every path: each requested encoding and the automatic choice under
/// both policies, appending or in place. Equal neighbours are as wrong as a decrease.
@Suite struct EncoderValidationTests {
    static let encodings: [SpikeEncoding?] = [nil, .ids16, .varint, .bitmap, .rice(k: 3)]

    /// Ticks of 3, 40 and 600 ids with one fault placed at the start, middle or end.
    static func faulty(_ n: Int, at position: Int, equal: Bool) -> [UInt16] {
        var ids = (0..<n).map { UInt16(7 + 61 * $0) }
        ids[position] = equal ? ids[position - 1] : ids[position - 1] - 1
        return ids
    }

    @Test(arguments: [3, 40, 600], [true, false])
    func idsNotStrictlyIncreasingAreRefused(_ n: Int, _ equal: Bool) {
        for position in Set([1, n / 2, n - 1]) {
            for encoding in Self.encodings {
                for policy in SpikeEncodingPolicy.allCases {
                    var batch = SpikeBatch(firstTick: 10, neuronCount: 65536)
                    batch.appendTick([1, 2])
                    batch.appendTick(Self.faulty(n, at: position, equal: equal), encoding: encoding)
                    var encoder = WireEncoder(spikePolicy: policy)
                    let envelope = WireEnvelope(source: 1, sequence: 0, message: .spikeBatch(batch))
                    let appended = #expect(throws: WireError.self) { _ = try encoder.encode(envelope) }
                    #expect(appended?.code == .unsortedIds, "n \(n) at \(position) \(String(describing: encoding)) \(policy)")
                    #expect(appended?.detail.contains("tick 1: id") == true && appended?.detail.contains("position \(position)") == true,
                            "\(appended?.detail ?? "")")
                    var buffer: [UInt8] = []
                    let inPlace = #expect(throws: WireError.self) {
                        _ = try encoder.writeSpikeBatch(batch, source: 1, sequence: 0, into: &buffer, at: 0)
                    }
                    #expect(inPlace?.code == .unsortedIds)
                }
            }
        }
    }

    @Test func idsBeyondThePoolAreRefused() {
        for encoding in Self.encodings {
            for policy in SpikeEncodingPolicy.allCases {
                var batch = SpikeBatch(firstTick: 0, neuronCount: 500)
                batch.appendTick([3, 250, 500], encoding: encoding)
                var encoder = WireEncoder(spikePolicy: policy)
                let error = #expect(throws: WireError.self) {
                    _ = try encoder.encode(WireEnvelope(source: 1, sequence: 0, message: .spikeBatch(batch)))
                }
                #expect(error?.code == .idBeyondPool, "\(String(describing: encoding)) \(policy)")
            }
        }
    }
}
