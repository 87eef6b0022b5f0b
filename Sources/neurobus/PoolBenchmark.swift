import Foundation
import NeuroPool
import NeuroNetwork
import NeuroEngine

/// The benchmark networks of `Tests/Benchmarks/nest_pool.py`, built as pools: iaf_psc_delta
/// equivalents at 1 ms ticks (τ = 20 ms as leak 12/256, θ = 20 mV, reset 10 mV, 2-tick
/// refractory period), 80/20 excitatory/inhibitory, fixed out-degree without self-connections,
/// delays uniform in 1…8, excitatory PSP +0.2 mV and inhibitory −1.0 mV (weights 13 and −64
/// at shift 2, i.e. +0.203 and −1.0 mV), membranes started uniformly in [0, 20) mV and a
/// constant drive.
enum BenchScenario: String, CaseIterable {
    case small, large, smallStdp = "small-stdp"

    var neurons: Int { self == .large ? 65536 : 4096 }
    var outDegree: Int { self == .large ? 100 : 82 }
    var ticks: Int { self == .large ? 2000 : 5000 }
    var stdp: Bool { self == .smallStdp }

    var config: PoolConfig {
        var c = PoolConfig()
        c.seed = 1
        c.excitatoryProfile = .regularSpiking
        c.inhibitoryProfile = .regularSpiking
        c.weightShift = 2
        c.excitatoryWeight = 13 ... 13
        c.inhibitoryWeight = 64 ... 64
        c.maxDelay = 8
        c.homeostasisStep = 0
        c.stdp = stdp
        return c
    }
}

/// What one benchmark run measured; the JSON keys are the snake_case of these names.
struct PoolBenchmarkResult: Codable {
    var scenario: String
    var neurons: Int
    var outDegree: Int
    var synapses: Int
    var ticks: Int
    var drive: Int
    var stdp: Bool
    var spikes: UInt64
    var rateHz: Double
    var buildS: Double
    var simulateS: Double
    var synapticEventsPerS: Double
    var neuronUpdatesPerS: Double
    var realTimeFactor: Double
    var bytesPerNeuron: Int
    var bytesPerSynapse: Int
    /// Neuron arrays + row pointers + synapses: the pool's network data.
    var poolDataBytes: Int
    /// The delay ring (8 slots × neurons × 4 bytes).
    var delayRingBytes: Int
    /// The STDP incoming-synapse index (only with STDP on; derived, not saved).
    var stdpIndexBytes: Int
    var peakRssBytes: Int
}

enum PoolBenchmark {
    /// Builds the scenario's pool, runs `ticks` ticks with constant `drive` (Q8.8 mV per tick)
    /// and times the tick loop alone. `progress` gets the fraction done now and then.
    static func run(_ scenario: BenchScenario, ticks: Int, drive: Int16, progress: (Double) -> Void) throws -> PoolBenchmarkResult {
        let clock = ContinuousClock()
        let buildStart = clock.now
        var pool = try NeuronPool.withFixedOutDegree(name: scenario.rawValue, neurons: scenario.neurons,
                                                     outDegree: scenario.outDegree, config: scenario.config)
        pool.randomizeMembranes(below: 20 * 256)
        let input = [Int16](repeating: drive, count: scenario.neurons)
        let buildTime = clock.now - buildStart

        var spikes: UInt64 = 0
        let step = max(ticks / 10, 1)
        let start = clock.now
        try input.withUnsafeBufferPointer { buffer in
            for t in 0 ..< ticks {
                spikes &+= UInt64(try pool.tick(input: buffer))
                if t % step == step - 1 { progress(Double(t + 1) / Double(ticks)) }
            }
        }
        let elapsed = (clock.now - start).seconds
        let stats = pool.stats()
        let n = Double(scenario.neurons)
        return PoolBenchmarkResult(
            scenario: scenario.rawValue, neurons: scenario.neurons, outDegree: scenario.outDegree,
            synapses: pool.synapseCount, ticks: ticks, drive: Int(drive), stdp: scenario.stdp, spikes: spikes,
            rateHz: Double(spikes) / n / (Double(ticks) / 1000),
            buildS: buildTime.seconds, simulateS: elapsed,
            synapticEventsPerS: Double(spikes) * Double(scenario.outDegree) / elapsed,
            neuronUpdatesPerS: n * Double(ticks) / elapsed,
            realTimeFactor: elapsed / (Double(ticks) / 1000),
            bytesPerNeuron: NeuronArrays.bytesPerNeuron,
            bytesPerSynapse: SynapseStore.bytesPerSynapse,
            poolDataBytes: stats.neuronBytes + stats.rowPointerBytes + stats.synapseBytes,
            delayRingBytes: stats.delayBufferBytes,
            stdpIndexBytes: pool.stdpIndexBytes,
            peakRssBytes: peakResidentBytes())
    }

    /// Peak resident set size of this process (VmHWM), 0 if /proc is unavailable.
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return digits * 1024
        }
        return 0
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
