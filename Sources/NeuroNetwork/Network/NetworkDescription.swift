import NeuroBio
import NeuroModel
import NeuroPool
import NeuroWire

/// How the controller paces the network's ticks.
public enum NetworkMode: String, Sendable, Equatable, CaseIterable {
    /// Every node waits for all its upstream spikes of tick t before computing tick t + 1;
    /// runs as fast as the slowest node allows and is bit-for-bit reproducible.
    case lockstep
    /// Ticks follow the wall clock at `tickMicroseconds` per tick; late spikes are dropped.
    case realtime
}

/// How many targets each source neuron gets when synapses are drawn.
public enum Connectivity: Sendable, Equatable {
    /// Each source neuron connects to this fraction (0…1) of the candidate targets.
    case density(Double)
    /// Each source neuron connects to exactly this many distinct targets.
    case outDegree(Int)
}

/// What a stimulus injects.
public enum StimulusKind: Sendable, Equatable {
    /// `drive` is added to every covered neuron on every active tick.
    case constant
    /// Each covered neuron independently receives `drive` on an active tick with probability
    /// `chance / 2^32` (computed once at parse time from `rate_hz × tick_us / 10^6`, rounded down).
    case poisson(chance: UInt32)
}

/// External input to some neurons of a pool.
public struct StimulusSpec: Sendable, Equatable {
    /// Neurons of the pool that receive it (half-open, within the pool).
    public var neurons: Range<Int>
    /// Constant or Poisson.
    public var kind: StimulusKind
    /// Q8.8 mV (256 = 1 mV) per event (Poisson) or per tick (constant); never zero.
    public var drive: Int16
    /// First tick on which it is active.
    public var start: UInt64
    /// Tick at which it stops (exclusive); nil: never stops.
    public var stop: UInt64?

    public init(neurons: Range<Int>, kind: StimulusKind, drive: Int16, start: UInt64 = 0, stop: UInt64? = nil) {
        self.neurons = neurons
        self.kind = kind
        self.drive = drive
        self.start = start
        self.stop = stop
    }

    /// Whether the stimulus is active on `tick`.
    public func isActive(at tick: UInt64) -> Bool {
        tick >= start && (stop.map { tick < $0 } ?? true)
    }
}

/// One pool: a node process with its neurons, recurrent synapses and stimuli.
public struct PoolSpec: Sendable, Equatable {
    /// Unique name (letters, digits, `_`, `-`, `.`; 1…64 bytes).
    public var name: String
    /// Position in `NetworkDescription.pools` (0-based, file order).
    public var index: Int
    /// Number of neurons, 1…65536.
    public var neurons: Int
    /// Recurrent connectivity inside the pool (out-degree at most `neurons − 1`).
    public var connectivity: Connectivity
    /// Construction and dynamics parameters: seed (given or derived), profiles and the file's
    /// overrides applied, already validated.
    public var config: PoolConfig
    /// The node's ZeroMQ PUB endpoint.
    public var endpoint: String
    /// External inputs, in file order.
    public var stimuli: [StimulusSpec]
    /// The neuron model (`model` key): NeuroPool's integer LIF, or Hodgkin–Huxley.
    public var model: PoolModel = .lif
    /// The biological features of a Hodgkin–Huxley pool (`hh_calcium`, `hh_atp`, `hh_nmda`,
    /// `hh_receptor_kinetics`, `hh_modulators`; every one on unless the file turns it off).
    /// Unused by integer pools, whose files may not give these keys.
    public var hhFeatures: HHFeatures = .all
    /// The pool's populations in physical units (format 2, `[[pool.population]]`), in neuron
    /// order; empty for a shorthand pool (random 80/20 kinds with profiles).
    public var populations: [PopulationSpec] = []
    /// External generators into this pool (format 2, `[[generator]]`), in file order.
    public var generators: [GeneratorSpec] = []

    public init(name: String, index: Int, neurons: Int, connectivity: Connectivity, config: PoolConfig,
                endpoint: String, stimuli: [StimulusSpec] = []) {
        self.name = name
        self.index = index
        self.neurons = neurons
        self.connectivity = connectivity
        self.config = config
        self.endpoint = endpoint
        self.stimuli = stimuli
    }
}

extension NetworkDescription {
    /// Why this network's snapshots cannot be taken, or nil. Every place that takes or restores
    /// snapshots refuses with it. Nil for every network this build reads: integer pools and
    /// Hodgkin–Huxley pools alike have snapshot parts (docs/SNAPSHOTS.md, *On disk*).
    public var snapshotBlocker: String? { nil }
}

/// The neurons a pool runs.
public enum PoolModel: String, Sendable, Equatable {
    /// NeuroPool's integer leaky integrate-and-fire (the default).
    case lif
    /// NeuroBio's Hodgkin–Huxley neurons (float math inside this model only), with the
    /// connectivity the LIF pool would have.
    case hh
}

/// Synapses from some neurons of one pool to some neurons of another (or the same) pool.
public struct ProjectionSpec: Sendable, Equatable {
    /// Position in `NetworkDescription.projections` (0-based, file order).
    public var index: Int
    /// Source pool index.
    public var from: Int
    /// Source neurons (half-open, within the source pool).
    public var fromNeurons: Range<Int>
    /// Target pool index.
    public var to: Int
    /// Target neurons (half-open, within the target pool).
    public var toNeurons: Range<Int>
    /// Targets per source neuron; density is a fraction of `toNeurons`, out-degree at most
    /// `toNeurons.count`.
    public var connectivity: Connectivity
    /// Weight magnitudes, drawn uniformly, within 1…127; the sign follows the source neuron.
    public var weight: ClosedRange<Int>
    /// Axonal delays in ticks, drawn uniformly, within 1…8.
    public var delay: ClosedRange<Int>
    /// Seed of the projection's generator (given or derived).
    public var seed: UInt64
    /// The rule and physical weights and delays (format 2, `rule` key); nil for a shorthand
    /// projection (`weight` and `delay` ranges above). With it, `delay` holds the range of
    /// quantized delays in ticks and `weight` is unused.
    public var physical: RuleProjection?

    public init(index: Int, from: Int, fromNeurons: Range<Int>, to: Int, toNeurons: Range<Int>,
                connectivity: Connectivity, weight: ClosedRange<Int>, delay: ClosedRange<Int>, seed: UInt64) {
        self.index = index
        self.from = from
        self.fromNeurons = fromNeurons
        self.to = to
        self.toNeurons = toNeurons
        self.connectivity = connectivity
        self.weight = weight
        self.delay = delay
        self.seed = seed
    }
}

/// An external spike source feeding one pool through the bus (`neurobus inject`): it binds
/// `endpoint` and publishes `STIMULUS` messages on `stim/POOL/` and heartbeats on `hb/NAME/`.
/// In lockstep its spikes are part of the deterministic schedule: the pool simulates tick t
/// only once it holds the source's spikes for t (or the source has ended).
public struct SourceSpec: Sendable, Equatable {
    /// Unique name among pools and sources (name rule of pools).
    public var name: String
    /// Position in `NetworkDescription.sources` (0-based, file order).
    public var index: Int
    /// Target pool index (at most one source per pool).
    public var pool: Int
    /// Neurons of the target pool the source may drive (half-open; default the whole pool).
    public var neurons: Range<Int>
    /// Input per injected spike, Q8.8 mV (256 = 1 mV); never zero.
    public var drive: Int16
    /// The injector's PUB endpoint; the target node connects to it.
    public var endpoint: String

    public init(name: String, index: Int, pool: Int, neurons: Range<Int>, drive: Int16, endpoint: String) {
        self.name = name
        self.index = index
        self.pool = pool
        self.neurons = neurons
        self.drive = drive
        self.endpoint = endpoint
    }
}

/// Dopamine reward computed from a pool's activity (`[[reward]]`): `dopamine` is broadcast
/// when the rule's `kind` says the activity of `pool` earned it.
public struct RewardRule: Sendable, Equatable {
    /// Pool index.
    public var pool: Int
    /// Dopamine level broadcast, 0…255.
    public var dopamine: UInt8
    /// What is rewarded, and when.
    public var kind: RewardKind
    /// A contest rule's broadcast when group B fires more than group A (a level below the
    /// baseline is a dopamine dip); nil: nothing.
    public var dopamineLost: UInt8?

    public init(pool: Int, dopamine: UInt8, kind: RewardKind, dopamineLost: UInt8? = nil) {
        self.pool = pool
        self.dopamine = dopamine
        self.kind = kind
        self.dopamineLost = dopamineLost
    }

    /// A count rule (`kind = "count"`): at the end of every window of `every` ticks, if
    /// `neurons` fired at least `minSpikes` spikes in it, dopamine is set `lag` ticks later.
    public init(pool: Int, neurons: Range<Int>, every: Int, minSpikes: Int, dopamine: UInt8, lag: Int) {
        self.init(pool: pool, dopamine: dopamine,
                  kind: .count(RewardWindow(neurons: neurons, every: every, start: 0, window: every, minSpikes: minSpikes, lag: lag)))
    }
}

/// The kinds of `[[reward]]` rule.
public enum RewardKind: Sendable, Equatable {
    /// `kind = "count"`: the window's spikes of `neurons` reach `minSpikes` (its `start` is 0
    /// and its `window` is `every`).
    case count(RewardWindow)
    /// `kind = "contest"`: in the window, `neurons` (group A) fire at least `minSpikes` spikes
    /// and strictly more than `versus` (group B, same pool, disjoint from A).
    case contest(RewardWindow, versus: Range<Int>)
    /// `kind = "pairing"`: every causal pre → post pairing schedules one delayed reward.
    case pairing(RewardPairing)
}

/// The counting window of a count or contest rule. Period `k` (k ≥ 0) counts the spikes of
/// ticks `k·every + start … k·every + start + window − 1` and is decided when its last tick
/// has been seen, at `E = k·every + start + window`; a reward applies at tick `E + lag`.
public struct RewardWindow: Sendable, Equatable {
    /// Neurons counted (half-open, within the pool): group A of a contest.
    public var neurons: Range<Int>
    /// Period in ticks, 1…1 000 000.
    public var every: Int
    /// Offset of the counting window inside each period, 0…`every` − 1.
    public var start: Int
    /// Ticks counted from `start`, 1…`every` − `start`.
    public var window: Int
    /// Spikes in the window at or above which the reward is given, ≥ 1.
    public var minSpikes: Int
    /// Ticks after the window ends before the level applies, 1…`every`.
    public var lag: Int

    public init(neurons: Range<Int>, every: Int, start: Int, window: Int, minSpikes: Int, lag: Int) {
        self.neurons = neurons
        self.every = every
        self.start = start
        self.window = window
        self.minSpikes = minSpikes
        self.lag = lag
    }
}

/// A distal reward: when `post` fires at tick `t` and the latest spike of `pre` in an earlier
/// tick was at most `window` ticks before (`1 ≤ t − t_pre ≤ window`), dopamine is broadcast
/// at `t + d`, `d` drawn uniformly from `delay` by a `PoolRandom` seeded with `seed`.
public struct RewardPairing: Sendable, Equatable {
    /// The presynaptic neuron (index within the pool).
    public var pre: Int
    /// The postsynaptic neuron (index within the pool), not `pre`.
    public var post: Int
    /// Longest pre → post interval that counts, 1…1000 ticks.
    public var window: Int
    /// Reward delay after the post spike, ticks, 1 ≤ lower ≤ upper ≤ 1 000 000.
    public var delay: ClosedRange<Int>
    /// The delay generator's seed (`NetworkDescription.derivedRewardSeed`).
    public var seed: UInt64

    public init(pre: Int, post: Int, window: Int, delay: ClosedRange<Int>, seed: UInt64) {
        self.pre = pre
        self.post = post
        self.window = window
        self.delay = delay
        self.seed = seed
    }
}

/// A neuromodulator broadcast at a fixed tick. Levels are 0…255; nil leaves a level unchanged.
public struct ScheduledModulation: Sendable, Equatable {
    /// Tick at which it applies.
    public var tick: UInt64
    public var dopamine: UInt8?
    public var cortisol: UInt8?
    public var acetylcholine: UInt8?

    public init(tick: UInt64, dopamine: UInt8? = nil, cortisol: UInt8? = nil, acetylcholine: UInt8? = nil) {
        self.tick = tick
        self.dopamine = dopamine
        self.cortisol = cortisol
        self.acetylcholine = acetylcholine
    }
}

/// The controller's ZeroMQ endpoints.
public struct ControllerEndpoints: Sendable, Equatable {
    /// ROUTER socket: nodes' requests and replies.
    public var control: String
    /// PUB socket: ticks, modulation and commands to all nodes.
    public var publish: String

    public init(control: String, publish: String) {
        self.control = control
        self.publish = publish
    }
}

/// A whole network as described by a network file (docs/NETWORK-FORMAT.md), fully validated.
public struct NetworkDescription: Sendable, Equatable {
    /// Network name (letters, digits, `_`, `-`, `.`; 1…64 bytes).
    public var name: String
    /// Master seed; pools and projections without their own seed derive theirs from it.
    public var seed: UInt64
    /// Lockstep (default) or realtime.
    public var mode: NetworkMode
    /// Microseconds per tick, 1…1 000 000 (default 1000).
    public var tickMicroseconds: UInt32
    /// The file format version (`[network] format`): 1, the shorthand format (default), or 2,
    /// which adds populations, connection rules and generators in physical units.
    public var format = 1
    /// How nodes encode their spike batches: `.fast` (default; byte-aligned encodings, the
    /// least CPU per spike) or `.compact` (Rice coding too, ~20 % fewer bytes for slow links).
    public var spikeEncoding: SpikeEncodingPolicy
    /// Where nodes reach the controller.
    public var controller: ControllerEndpoints
    /// Pools in file order; `pools[i].index == i`.
    public var pools: [PoolSpec]
    /// Projections in file order; `projections[i].index == i`.
    public var projections: [ProjectionSpec]
    /// Periodic snapshots (`[snapshots]`): every this many ticks (nil: only on request), and
    /// how many complete ones to keep.
    public var snapshotEvery: UInt64?
    public var snapshotKeep = 3
    /// `[security] curve`: whether every socket of the bus uses CURVE with the network's keys
    /// (true unless the file turns it off, for loopback development).
    public var curve = true
    /// `[security] keys`: the key directory (`KeyDirectory`), resolved against the network
    /// file's folder; nil when the file names none (`neurobus up` then makes throw-away keys).
    public var keyDirectory: String?
    /// External spike sources in file order; `sources[i].index == i`.
    public var sources: [SourceSpec] = []
    /// Reward rules in file order.
    public var rewards: [RewardRule]
    /// The task of labelled trials (`[task]`), run by the controller (or `run`) beside the
    /// reward rules; nil without one.
    public var task: TaskSpec?
    /// Multimeters (format 2, `[[multimeter]]`) in file order.
    public var multimeters: [MultimeterSpec] = []
    /// Weight recorders (format 2, `[[weight_recorder]]`) in file order.
    public var weightRecorders: [WeightRecorderSpec] = []
    /// Scheduled broadcasts sorted by tick (stable: equal ticks keep file order).
    public var modulations: [ScheduledModulation]
    /// The path it was read from, or `"<built-in>"`.
    public var file: String
    /// FNV-1a 64-bit hash of `bytes`: nodes compare it to make sure all run the same file.
    public var hash: UInt64
    /// The exact file bytes.
    public var bytes: [UInt8]

    /// The pool called `named`, if any.
    public func pool(named: String) -> PoolSpec? {
        pools.first { $0.name == named }
    }

    /// The external source feeding `pool`, if any.
    public func source(into pool: Int) -> SourceSpec? {
        sources.first { $0.pool == pool }
    }

    /// Distinct source pool indices of projections into `pool`, ascending.
    public func upstream(of pool: Int) -> [Int] {
        Array(Set(projections(into: pool).map(\.from))).sorted()
    }

    /// Distinct target pool indices of projections out of `pool`, ascending.
    public func downstream(of pool: Int) -> [Int] {
        Array(Set(projections(from: pool).map(\.to))).sorted()
    }

    /// Projections whose target is `pool`, in file order.
    public func projections(into pool: Int) -> [ProjectionSpec] {
        projections.filter { $0.to == pool }
    }

    /// Projections whose source is `pool`, in file order.
    public func projections(from pool: Int) -> [ProjectionSpec] {
        projections.filter { $0.from == pool }
    }

    /// FNV-1a 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}

extension NetworkDescription {
    /// Why `endpoint` is not an acceptable ZeroMQ endpoint for a network, or nil if it is
    /// (the network file's rule: `tcp://host:port`, `ipc://path`, `inproc://name`).
    public static func endpointProblem(_ endpoint: String) -> String? {
        NetworkParser.endpointProblem(endpoint)
    }
}
