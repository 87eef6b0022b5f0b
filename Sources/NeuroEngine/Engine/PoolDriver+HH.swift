import NeuroBio
import NeuroPool
import NeuroNetwork

/// Hodgkin–Huxley pools (`model = "hh"`) on the bus: the same driver, so a node and the
/// single-process run drive them alike and the results stay bit-identical across placements.
extension PoolDriver {
    /// The constants of a Hodgkin–Huxley pool on the bus: `HHParameters()` with the network's
    /// tick and a physiological ATP budget. `HHParameters()` charges the Na⁺/K⁺ pump 1e-5 of
    /// the ATP store per nC/cm² of Na⁺ entry; the squid membrane at 6.3 °C lets in about
    /// 1.2 µC/cm² per spike (some ten times the capacitive minimum C·ΔV), so a neuron paced
    /// at 44 Hz fell to 0.12 of its ATP within 2 s and its K_ATP conductance (0.44 mS/cm²)
    /// outgrew the leak (0.3). Bus pools charge 4e-7 per nC/cm² — a spike of mammalian
    /// efficiency admits about a ninth of that charge, and phosphocreatine about triples the
    /// store — so a neuron paced at 44 Hz keeps 0.94 of its ATP after 2 s and 0.905 in the
    /// steady state, K_ATP 0.047 mS/cm², a sixth of the leak (docs/NEUROBIO.md, *On the bus*).
    /// O(1).
    public static func hhParameters(tickMicroseconds: UInt32) -> HHParameters {
        var parameters = HHParameters()
        parameters.tickDuration = Double(tickMicroseconds) / 1000
        parameters.atpPerCharge = 4e-7
        return parameters
    }

    /// Replaces the LIF dynamics of a built pool with Hodgkin–Huxley neurons of the same
    /// connectivity (kinds, synapses, afferent projections), seeded by the pool's seed, the
    /// bus tick sub-stepped at 25 µs, with the constants of `hhParameters(tickMicroseconds:)`
    /// and the features the network file selects (`PoolSpec.hhFeatures`). O(N + S).
    mutating func useHodgkinHuxley(tickMicroseconds: UInt32) throws(NodeError) {
        let parameters = Self.hhParameters(tickMicroseconds: tickMicroseconds)
        do throws(HHError) {
            var cells = try HHPool(connectivityOf: pool, parameters: parameters, features: spec.hhFeatures, seed: spec.config.seed)
            for afferent in pool.afferents { _ = try cells.addAfferent(HHProjection(afferent)) }
            hh = cells
        } catch { throw .failed("pool \(spec.name) (model hh): \(error)") }
    }

    /// The pool's line in a run's summary.
    public var summary: PoolSummary { hh.map(PoolSummary.init) ?? PoolSummary(pool) }

    /// The summary line of a final pool file (`.pool`, or a Hodgkin–Huxley pool's file, told
    /// apart by its magic); throws naming the problem if it is neither.
    public static func summary(ofFinalFile path: String) throws(NodeError) -> PoolSummary {
        let bytes: [UInt8]
        // A `.pool` file's size is checked against its header before it is read.
        do { bytes = try AtomicFile.starts(path, with: HHPool.fileMagic) ? AtomicFile.read(path) : NeuronPool.readFile(path) } catch { throw .poolFile(error) }
        return try summary(ofFinalFileBytes: bytes, path: path)
    }

    /// `summary(ofFinalFile:)` of bytes already read from `path`.
    public static func summary(ofFinalFileBytes bytes: [UInt8], path: String) throws(NodeError) -> PoolSummary {
        if bytes.starts(with: HHPool.fileMagic) {
            do { return PoolSummary(try HHPool(decoding: bytes)) } catch { throw .failed("\(path): \(error)") }
        }
        do { return PoolSummary(try NeuronPool.decode(bytes)) } catch { throw .poolFile(error) }
    }

    /// The pool's final file: a `.pool` (protocol/POOL-FORMAT.md), or for a Hodgkin–Huxley pool
    /// its HH pool file (protocol/HH-POOL-FORMAT.md).
    public func finalFileBytes() -> [UInt8] {
        hh?.encoded() ?? pool.encoded()
    }
}

extension PoolSummary {
    /// A LIF pool's line: its own and its afferent synapses.
    public init(_ pool: NeuronPool) {
        self.init(name: pool.name, neurons: pool.neuronCount, ticks: pool.tickCount, spikes: pool.totalSpikes,
                  synapses: pool.synapseCount + pool.afferentSynapseCount)
    }

    /// A Hodgkin–Huxley pool's line: its own and its afferent synapses.
    public init(_ hh: HHPool) {
        self.init(name: hh.name, neurons: hh.neuronCount, ticks: hh.tickCount, spikes: hh.totalSpikes,
                  synapses: hh.synapseCount + hh.afferents.reduce(0) { $0 + $1.synapses.count })
    }
}
