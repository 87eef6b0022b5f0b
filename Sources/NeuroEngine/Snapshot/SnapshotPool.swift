import NeuroBio
import NeuroPool
import NeuroNetwork

/// One pool as a snapshot part holds it (docs/SNAPSHOTS.md, *On disk*).
///
/// - An integer pool: its `.pool` (version 3, or 4 for a pool of populations) with its held
///   input, `hh` nil.
/// - A Hodgkin–Huxley pool (`model = "hh"`): `hh` is the pool that runs, complete with its
///   modulator levels, generator, synaptic input in flight and afferent projections
///   (protocol/HH-POOL-FORMAT.md); `pool` is the `NeuronPool` its driver keeps for the
///   connectivity and the stimulus generator, standing at the cut's tick with the held input
///   (`NeuronPool.standIn(atTick:held:)`).
///
/// The part's raw bytes are the HH pool file (if any) immediately followed by the `.pool` file;
/// each carries its own length and CRC-32, and the manifest's size and CRC-32 cover both.
public struct SnapshotPool: Sendable, Equatable {
    /// The pool with its held input (for a Hodgkin–Huxley pool: its companion).
    public var pool: NeuronPool
    /// The Hodgkin–Huxley pool that runs in place of `pool`, or nil for an integer pool.
    public var hh: HHPool?

    /// An integer pool (`hh` nil) or a Hodgkin–Huxley pool with its companion.
    public init(pool: NeuronPool, hh: HHPool? = nil) {
        self.pool = pool
        self.hh = hh
    }

    /// The pool's name.
    public var name: String { pool.name }
    /// The tick the part stands at: the next tick to simulate.
    public var tickCount: UInt64 { hh?.tickCount ?? pool.tickCount }
    /// The held input (broadcasts not applied yet, afferent spikes not delivered yet); nil for
    /// a plain pool file, which is not a snapshot part.
    public var held: HeldInput? {
        get { pool.held }
        set { pool.held = newValue }
    }

    /// The part's raw bytes (before compression): the `.pool`, or for a Hodgkin–Huxley pool its
    /// HH pool file followed by the companion's `.pool`. Same state, same bytes. O(pool size).
    public func encoded() -> [UInt8] {
        guard let hh else { return pool.encoded() }
        return hh.encoded() + pool.encoded()
    }

    /// Decodes a part's raw bytes (of pool `name`, for messages): a `.pool`, or — when they
    /// start with the HH pool magic — an HH pool file (its length field says where it ends)
    /// followed by the companion's `.pool`, which must be the same pool (name, size, afferent
    /// projections) at the same tick. Throws `SnapshotError.badPart` naming the problem.
    /// O(pool size).
    public init(decoding raw: [UInt8], pool name: String) throws(SnapshotError) {
        guard raw.starts(with: HHPool.fileMagic) else {
            do { pool = try NeuronPool.decode(raw) } catch { throw .badPart(pool: name, detail: "\(error)") }
            hh = nil
            return
        }
        guard raw.count >= 14 else { throw .badPart(pool: name, detail: "its HH pool file is cut short: \(raw.count) bytes") }
        let length = Int(raw[10]) | Int(raw[11]) << 8 | Int(raw[12]) << 16 | Int(raw[13]) << 24
        guard length <= raw.count else {
            throw .badPart(pool: name, detail: "its HH pool file says \(length) bytes, the part holds \(raw.count)")
        }
        let cells: HHPool
        do { cells = try HHPool(decoding: Array(raw[..<length])) } catch { throw .badPart(pool: name, detail: "HH pool: \(error)") }
        let companion: NeuronPool
        do { companion = try NeuronPool.decode(Array(raw[length...])) } catch {
            throw .badPart(pool: name, detail: "the .pool after the HH pool: \(error)")
        }
        guard cells.name == companion.name, cells.neuronCount == companion.neuronCount, cells.tickCount == companion.tickCount else {
            throw .badPart(pool: name, detail: "its HH pool is \(cells.name) of \(cells.neuronCount) neurons at tick \(cells.tickCount), its .pool "
                + "\(companion.name) of \(companion.neuronCount) neurons at tick \(companion.tickCount)")
        }
        guard cells.afferents.count == companion.afferents.count,
              zip(cells.afferents, companion.afferents).allSatisfy({ $0.source == $1.source && $0.lag == $1.lag && $0.sourceCount == $1.sourceCount }) else {
            throw .badPart(pool: name, detail: "its HH pool and its .pool have different afferent projections")
        }
        pool = companion
        hh = cells
    }
}
