import NeuroPool
import NeuroWire
import NeuroNetwork
import NeuroEngine

/// `neurobus bench wire`: spike-batch encode and decode speed and size, one core.
///
/// Spikes are Bernoulli draws from a seeded generator: every neuron of a `neurons`-neuron
/// pool fires in a tick with probability `activity`, independently — the Poisson-like
/// activity of the benchmark networks. Batches cover `ticksPerBatch` ticks.
struct WireBenchmark {
    struct Row: Codable {
        var encoding: String
        var ticksPerBatch: Int
        var spikes: Int
        var messages: Int
        /// Header + payload bytes per spike.
        var messageBytesPerSpike: Double
        /// Spike-set bytes (code, count, body) per spike.
        var setBytesPerSpike: Double
        var encodeSpikesPerS: Double
        var decodeSpikesPerS: Double
        /// Spikes per second through encode then decode, one core.
        var roundTripSpikesPerS: Double
    }

    struct SweepRow: Codable {
        var policy: String
        var activityPercent: Double
        var spikes: Int
        var chosen: [String: Int]
        var setBytesPerSpike: Double
        /// Set bodies alone (without each tick's code byte and count) per spike.
        var bodyBytesPerSpike: Double
        var messageBytesPerSpike: Double
    }

    struct Result: Codable {
        var neurons: Int
        var activityPercent: Double
        var ticks: Int
        var rows: [Row]
        var sweep: [SweepRow]
        var worstSetBytesPerSpike: Double
        var worstBodyBytesPerSpike: Double
    }

    var neurons = 4096
    var activity = 0.05
    var ticks = 20_000
    var seed: UInt64 = 42
    var repeats = 3

    /// Per tick, the ids that fired.
    static func raster(neurons: Int, activity: Double, ticks: Int, seed: UInt64) -> [[UInt16]] {
        var random = PoolRandom(seed: seed)
        // Fire when a 53-bit uniform draw falls below activity · 2^53 (all of them at 100 %).
        let threshold = UInt64(min(max(activity, 0), 1) * 9_007_199_254_740_992.0)
        return (0..<ticks).map { _ in
            (0..<neurons).compactMap { random.next() >> 11 < threshold ? UInt16($0) : nil }
        }
    }

    static func batches(_ raster: [[UInt16]], neurons: Int, ticksPerBatch: Int, encoding: SpikeEncoding?) -> [SpikeBatch] {
        stride(from: 0, to: raster.count, by: ticksPerBatch).map { start in
            var batch = SpikeBatch(firstTick: UInt64(start), neuronCount: neurons)
            for tick in start..<min(start + ticksPerBatch, raster.count) {
                let ids = raster[tick]
                batch.appendTick(ids, encoding: ids.isEmpty ? nil : encoding)
            }
            return batch
        }
    }

    func run(progress: (String) -> Void) throws -> Result {
        let raster = Self.raster(neurons: neurons, activity: activity, ticks: ticks, seed: seed)
        let spikes = raster.reduce(0) { $0 + $1.count }
        var rows: [Row] = []
        let choices: [(String, SpikeEncoding?, SpikeEncodingPolicy)] = [
            ("compact", nil, .compact), ("fast", nil, .fast), ("ids16", .ids16, .compact),
            ("varint", .varint, .compact), ("bitmap", .bitmap, .compact), ("rice4", .rice(k: 4), .compact),
        ]
        for ticksPerBatch in [1, 4] {
            for (name, encoding, policy) in choices {
                progress("\(name), \(ticksPerBatch) tick(s) per batch")
                rows.append(try measure(raster, spikes: spikes, name: name, encoding: encoding, policy: policy, ticksPerBatch: ticksPerBatch))
            }
        }
        var sweep: [SweepRow] = []
        for policy in SpikeEncodingPolicy.allCases {
            for percent in [0.1, 1, 2, 5, 10, 20, 50, 100] {
                progress("sweep \(policy) \(percent) %")
                sweep.append(try sizeSweep(activity: percent / 100, policy: policy))
            }
        }
        return Result(
            neurons: neurons, activityPercent: activity * 100, ticks: ticks, rows: rows, sweep: sweep,
            worstSetBytesPerSpike: sweep.map(\.setBytesPerSpike).max() ?? 0,
            worstBodyBytesPerSpike: sweep.map(\.bodyBytesPerSpike).max() ?? 0)
    }

    private func measure(_ raster: [[UInt16]], spikes: Int, name: String, encoding: SpikeEncoding?, policy: SpikeEncodingPolicy, ticksPerBatch: Int) throws -> Row {
        let batches = Self.batches(raster, neurons: neurons, ticksPerBatch: ticksPerBatch, encoding: encoding)
        var encoder = WireEncoder(spikePolicy: policy)
        var frame: [UInt8] = []
        var frames: [[UInt8]] = []
        var messageBytes = 0
        for (index, batch) in batches.enumerated() {
            try encoder.encode(WireEnvelope(source: 1, sequence: UInt32(index), message: .spikeBatch(batch)), into: &frame)
            frames.append(frame)
            messageBytes += frame.count
        }
        let setBytes = messageBytes - batches.count * (WireFormat.headerSize + 14)
        let clock = ContinuousClock()
        var encodeBest = Duration.seconds(1_000_000), decodeBest = Duration.seconds(1_000_000)
        var checksum = 0
        for _ in 0..<repeats {
            let encodeTime = try clock.measure {
                for (index, batch) in batches.enumerated() {
                    try encoder.encode(WireEnvelope(source: 1, sequence: UInt32(index), message: .spikeBatch(batch)), into: &frame)
                    checksum &+= frame.count
                }
            }
            encodeBest = min(encodeBest, encodeTime)
            var decoded = SpikeBatch(firstTick: 0, neuronCount: neurons)
            let decodeTime = try clock.measure {
                for frame in frames {
                    _ = try frame.withUnsafeBytes { raw in try WireDecoder.decodeSpikeBatch(raw, into: &decoded) }
                    checksum &+= decoded.spikeCount
                }
            }
            decodeBest = min(decodeBest, decodeTime)
        }
        precondition(checksum != 0)
        let encodeS = Self.seconds(encodeBest), decodeS = Self.seconds(decodeBest)
        return Row(
            encoding: name, ticksPerBatch: ticksPerBatch, spikes: spikes, messages: batches.count,
            messageBytesPerSpike: Double(messageBytes) / Double(spikes),
            setBytesPerSpike: Double(setBytes) / Double(spikes),
            encodeSpikesPerS: Double(spikes) / encodeS, decodeSpikesPerS: Double(spikes) / decodeS,
            roundTripSpikesPerS: Double(spikes) / (encodeS + decodeS))
    }

    /// Sizes with automatic encoding at another activity level (one tick per batch).
    private func sizeSweep(activity: Double, policy: SpikeEncodingPolicy) throws -> SweepRow {
        let sweepTicks = max(200, min(ticks, 2000))
        let raster = Self.raster(neurons: neurons, activity: activity, ticks: sweepTicks, seed: seed &+ 1)
        let spikes = raster.reduce(0) { $0 + $1.count }
        var encoder = WireEncoder(spikePolicy: policy)
        var messageBytes = 0
        var chosen: [String: Int] = [:]
        for (index, batch) in Self.batches(raster, neurons: neurons, ticksPerBatch: 1, encoding: nil).enumerated() {
            let frame = try encoder.encode(WireEnvelope(source: 1, sequence: UInt32(index), message: .spikeBatch(batch)))
            messageBytes += frame.count
            if case .spikeBatch(let decoded) = try WireDecoder.decode(frame).message, let encoding = decoded.encodings[0] {
                chosen[encoding.name, default: 0] += 1
            }
        }
        let setBytes = messageBytes - sweepTicks * (WireFormat.headerSize + 14)
        let tickOverhead = raster.reduce(0) { $0 + 1 + ($1.isEmpty ? 0 : ($1.count < 128 ? 1 : ($1.count < 16384 ? 2 : 3))) }
        return SweepRow(
            policy: policy.rawValue, activityPercent: activity * 100, spikes: spikes, chosen: chosen,
            setBytesPerSpike: spikes == 0 ? 0 : Double(setBytes) / Double(spikes),
            bodyBytesPerSpike: spikes == 0 ? 0 : Double(setBytes - tickOverhead) / Double(spikes),
            messageBytesPerSpike: spikes == 0 ? 0 : Double(messageBytes) / Double(spikes))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
