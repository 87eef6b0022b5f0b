import NeuroModel
import NeuroPool
import NeuroNetwork

/// What a network file becomes once built, as `neurobus network check` prints it: per pool
/// its neurons (by population, with every quantized constant beside the requested one), the
/// synapses it holds and the bytes it will take; per projection its rule, the synapses the
/// rule promises and those built, the quantized weights and the delays in ticks; per generator
/// (and shorthand stimulus) its input beside the requested one.
///
/// `init` builds every pool with `NetworkDescription.buildPool(_:)` — exactly what a node
/// builds — one at a time, so it costs the time of building the network, O(N + S), and the
/// memory of its largest pool. Potentials are in mV, times in ms or ticks as named, memory in
/// bytes. `Codable` for `--json`.
public struct NetworkReport: Sendable, Equatable, Codable {
    /// A half-open range `[start, end)` of neurons within one pool.
    public struct Neurons: Sendable, Equatable, Codable {
        public var start: Int
        public var end: Int

        /// The neurons of `range`.
        public init(_ range: Range<Int>) {
            start = range.lowerBound
            end = range.upperBound
        }

        /// The neurons as a range.
        public var range: Range<Int> { start ..< end }
        /// Number of neurons.
        public var count: Int { end - start }
    }

    /// One value as requested in the file and as the integer substrate holds it.
    public struct Quantity: Sendable, Equatable, Codable {
        /// The file's key, e.g. `tau_m`, or `weight`.
        public var name: String
        /// Unit of both values: `ms`, `mV`, `pA`.
        public var unit: String
        public var requested: Double
        public var actual: Double
        /// |actual − requested| / |requested| (0 when equal, infinite when only `requested` is 0).
        public var relativeError: Double

        /// A quantized value as NeuroModel reports it.
        public init(_ value: QuantizedValue) {
            name = value.name
            unit = value.unit
            requested = value.requested
            actual = value.actual
            relativeError = value.relativeError
        }

        /// A value named `name` in `unit`, requested and as held.
        public init(name: String, unit: String, requested: Double, actual: Double) {
            self.init(QuantizedValue(name: name, unit: unit, requested: requested, actual: actual))
        }
    }

    /// A population of a pool of populations.
    public struct Population: Sendable, Equatable, Codable {
        public var name: String
        /// Its neurons within the pool (populations are numbered in file order).
        public var neurons: Neurons
        /// `"excitatory"` or `"inhibitory"`.
        public var kind: String
        /// `"delta"` (weights in mV) or `"exp"` (current-based exponential synapses, weights in pA).
        public var synapse: String
        /// tau_m (ms), v_threshold, v_reset (mV), t_ref (ms), tau_syn_ex and tau_syn_in (ms,
        /// exponential synapses only) and i_e (pA), requested and quantized.
        public var parameters: [Quantity]
    }

    /// The bytes a built pool holds (the pool's own byte counts, `PoolStats`).
    public struct Memory: Sendable, Equatable, Codable {
        /// Bytes of state per neuron: 8, 9 in a pool of populations, 17 with exponential
        /// synapses (two 32-bit synaptic states more).
        public var bytesPerNeuron: Int
        /// Neurons × `bytesPerNeuron`.
        public var neuronBytes: Int
        /// The pool's own synapses × 8.
        public var synapseBytes: Int
        /// (Neurons + 1) × 4.
        public var rowPointerBytes: Int
        /// Slots of the delay ring (a power of two, at least 8, at or above the longest delay).
        public var delaySlots: Int
        /// Input channels per slot and neuron: 1, or 2 with exponential synapses (excitatory
        /// and inhibitory input apart).
        public var delayChannels: Int
        /// `delaySlots` × neurons × `delayChannels` × 4.
        public var delayRingBytes: Int
        /// The afferent projections' synapses (8 each), row pointers and source kinds
        /// (`AfferentProjection.byteCount`); the STDP index they grow later is not counted.
        public var afferentBytes: Int
        /// The sum of the above.
        public var totalBytes: Int
    }

    /// One pool as built.
    public struct Pool: Sendable, Equatable, Codable {
        public var index: Int
        public var name: String
        /// The node's PUB endpoint, and the smallest lag of the projections out of it (how many
        /// ticks the pools downstream may run ahead of it; nil: nothing downstream).
        public var endpoint: String
        public var lookaheadTicks: Int?
        /// `"lif"` or `"hh"` (a Hodgkin–Huxley pool: the memory is that of the LIF
        /// connectivity it is built from).
        public var model: String
        public var neurons: Int
        /// Neurons of each kind (a shorthand pool: the seeded 80/20 draw, scattered).
        public var excitatory: Int
        public var inhibitory: Int
        /// Its populations in neuron order; empty for a shorthand pool.
        public var populations: [Population]
        /// A shorthand pool's own (recurrent) synapses; nil for a pool of populations.
        public var recurrent: Projection?
        /// Every synapse the pool holds: its own and those of the projections into it.
        public var synapses: Int
        public var memory: Memory
    }

    /// The weights of a projection's synapses from one kind of source.
    public struct Weight: Sendable, Equatable, Codable {
        /// `"excitatory"` or `"inhibitory"` sources.
        public var sources: String
        /// The request as written: `0.1`, `uniform(0.1, 0.2)`, `normal(0.5, 0.1)` (mV), the
        /// data file's name, or a shorthand range of stored weights `[20, 60]`.
        public var requested: String
        /// The requested weight (the constant, or the distribution's mean) beside the weight
        /// that value gets once stored (`WeightScale`): a PSP in mV into delta synapses, a
        /// current in pA into exponential ones (stored as its effect per tick, × `millivoltsPerUnit`).
        public var psp: Quantity
        /// mV per tick per weight unit the scale was fitted at: 1 for mV, NEST's P21 (mV per pA)
        /// of the target population for exponential synapses (the largest, when several).
        public var millivoltsPerUnit: Double = 1
        /// The stored 8-bit weight of that value and the projection's shift: PSP = stored << shift
        /// (2^−16 mV in a pool of populations, Q8.8 mV in a shorthand pool).
        public var stored: Int
        public var shift: Int
        /// Synapses built from these sources and their mean weight in `psp.unit` (each synapse's
        /// stored value over its target's factor; nil without synapses).
        public var synapses: Int
        public var builtMean: Double?
        /// Shorthand weights only: the PSPs of the lowest and highest stored magnitude, mV,
        /// signed by the sources' kind; nil for weights in physical units.
        public var rangeMillivolts: [Double]? = nil
    }

    /// A projection as built (or a shorthand pool's own synapses).
    public struct Projection: Sendable, Equatable, Codable {
        /// Position in the file's projections; nil for a shorthand pool's own synapses.
        public var index: Int?
        /// `POOL`, `POOL.POPULATION` or `POOL[start, end)`, and the neurons within the pool.
        public var from: String
        public var fromNeurons: Neurons
        public var to: String
        public var toNeurons: Neurons
        /// The rule: NEST's name (`fixed_indegree` …), `list`, or a shorthand `out_degree` /
        /// `density`; and its parameter as written (`indegree = 400`), options appended.
        public var rule: String
        public var parameter: String
        /// Synapses the rule promises (the mean for `pairwise_bernoulli` and `density`), whether
        /// that count is exact, and the synapses built.
        public var expectedSynapses: Double
        public var exact: Bool
        public var synapses: Int
        /// One entry per kind of source neuron the projection has.
        public var weights: [Weight]
        /// The delay as requested (`1.5 ms`, `uniform(1.0, 2.0) ms`, `[1, 8] ticks`) and the
        /// range of the built delays in ticks, `[lowest, highest]` (empty without synapses).
        public var delay: String
        public var delayTicks: [Int]
        /// The lockstep lag (smallest possible delay, ticks).
        public var lagTicks: Int
        /// STDP synapses (`synapse = "stdp"`, or a shorthand pool with STDP on).
        public var plastic: Bool
        /// Whether weights and delays were given in physical units (a format-2 rule
        /// projection), not as shorthand integer ranges.
        public var physical: Bool
        /// Bytes of the built structure (an afferent projection's `byteCount`; for a shorthand
        /// pool's own synapses, synapses × 8 + row pointers).
        public var bytes: Int
    }

    /// An external spike source (`[[source]]`).
    public struct Source: Sendable, Equatable, Codable {
        public var name: String
        public var pool: String
        public var neurons: Neurons
        public var endpoint: String
    }

    /// A generator (`[[generator]]`) or a shorthand pool's stimulus (`[[pool.stimulus]]`).
    public struct Generator: Sendable, Equatable, Codable {
        public var pool: String
        /// `POOL`, `POOL.POPULATION` or `POOL[start, end)`.
        public var target: String
        public var neurons: Neurons
        /// `poisson`, `dc`, `spike_train`, `stimulus_constant` or `stimulus_poisson`.
        public var kind: String
        /// Events per second per neuron (Poisson), and the mean per tick.
        public var rateHz: Double?
        public var eventsPerTick: Double?
        /// A dc generator's current, pA (through its population's tau_m and c_m).
        public var amplitudePicoamperes: Double?
        /// A spike train's events and data file.
        public var events: Int?
        public var file: String?
        /// A repeating spike train's period, ticks.
        public var periodTicks: UInt64?
        /// mV per event (`weight`; pA into exponential synapses), or per tick for dc
        /// generators and constant stimuli (`drive`, mV), requested and quantized.
        public var weight: Quantity
        /// First active tick and the tick it stops at (exclusive; nil: never).
        public var startTick: UInt64
        public var stopTick: UInt64?
        /// The task labels whose trials' stimulus the generator is on during (`during`); nil: no gate.
        public var during: [String]?
    }

    public var name: String
    public var file: String
    /// The file's FNV-1a 64 hash, 16 hex digits.
    public var hash: String
    public var format: Int
    public var mode: String
    public var tickMicroseconds: UInt32
    /// The controller's ROUTER and PUB endpoints.
    public var controlEndpoint: String
    public var publishEndpoint: String
    public var pools: [Pool]
    public var sources: [Source]
    /// Projections in file order.
    public var projections: [Projection]
    /// Generators and stimuli, pool by pool in file order; a generator covering several
    /// populations appears once per population, as the network holds it.
    public var generators: [Generator]
    /// Synapses and bytes of all pools.
    public var synapses: Int
    public var bytes: Int
    /// `NetworkDescription.warnings`.
    public var warnings: [String]
    /// The `[task]`, if any.
    public var task: Task?

    /// A `[task]` as the file gives it, in ms.
    public struct Task: Sendable, Equatable, Codable {
        public var labels: [String]
        /// The right answer for each label, when the task gives answers (`answers`).
        public var answers: [String]?
        public var trialMs: Double, gapMs: Double
        public var trainTrials: Int, testTrials: Int, ticks: UInt64
        public var decideFromMs: Double, decideToMs: Double, rewardLagMs: Double
        public var reward: String
        public var dopamine: Int
        public var dopamineWrong: Int?
        public var randomRewardProbability: Double?
        public var expectationTrials: Int?
        /// Per readout: the answer it votes for (the label itself without `answers`) and the
        /// neurons it counts (`pool.population` and range).
        public var readouts: [Readout]

        public struct Readout: Sendable, Equatable, Codable {
            public var answer: String
            public var target: String
            public var neurons: Neurons
        }
    }

    /// Builds every pool of `network` (`buildPool`, one at a time) and reports it.
    /// Throws what building throws. O(N + S) time, memory of the largest pool.
    public init(_ network: NetworkDescription) throws(NodeError) {
        name = network.name
        file = network.file
        hash = hex(network.hash)
        format = network.format
        mode = network.mode.rawValue
        tickMicroseconds = network.tickMicroseconds
        controlEndpoint = network.controller.control
        publishEndpoint = network.controller.publish
        sources = network.sources.map {
            Source(name: $0.name, pool: network.pools[$0.pool].name, neurons: Neurons($0.neurons), endpoint: $0.endpoint)
        }
        pools = []
        generators = []
        var built: [Int: Projection] = [:]
        for spec in network.pools {
            let driver = try network.buildPool(spec.index)
            let pool = driver.pool
            let kinds = network.inhibitoryNeurons(ofPool: spec.index)
            let inhibitory = kinds.reduce(0) { $0 + ($1 ? 1 : 0) }
            for (k, projection) in network.projections(into: spec.index).enumerated() {
                built[projection.index] = Self.projection(projection, afferent: pool.afferents[k], network: network)
            }
            let stats = pool.stats(tickMicroseconds: network.tickMicroseconds)
            let memory = Memory(
                bytesPerNeuron: stats.neuronBytes / spec.neurons,
                neuronBytes: stats.neuronBytes, synapseBytes: stats.synapseBytes, rowPointerBytes: stats.rowPointerBytes,
                delaySlots: pool.delays.slotCount, delayChannels: pool.delays.channels, delayRingBytes: stats.delayBufferBytes,
                afferentBytes: stats.afferentBytes,
                totalBytes: stats.totalBytes)
            pools.append(Pool(
                index: spec.index, name: spec.name, endpoint: spec.endpoint, lookaheadTicks: network.outgoingLag(of: spec.index),
                model: spec.model.rawValue, neurons: spec.neurons,
                excitatory: spec.neurons - inhibitory, inhibitory: inhibitory,
                populations: Self.populations(spec, tickMicroseconds: network.tickMicroseconds),
                recurrent: spec.populations.isEmpty ? Self.recurrent(spec, pool: pool) : nil,
                synapses: pool.synapseCount + pool.afferentSynapseCount, memory: memory))
            generators += Self.generators(spec, network: network)
        }
        projections = network.projections.map { built[$0.index]! }
        synapses = pools.reduce(0) { $0 + $1.synapses }
        bytes = pools.reduce(0) { $0 + $1.memory.totalBytes }
        warnings = network.warnings
        if let t = network.task {
            let dt = Double(network.tickMicroseconds) / 1000
            task = Task(labels: t.labels, trialMs: Double(t.stimulusTicks) * dt, gapMs: Double(t.gapTicks) * dt,
                        trainTrials: t.trainTrials, testTrials: t.testTrials, ticks: t.ticks,
                        decideFromMs: Double(t.decideFrom) * dt, decideToMs: Double(t.decideTo) * dt, rewardLagMs: Double(t.lag) * dt,
                        reward: t.reward.rawValue, dopamine: Int(t.dopamine), dopamineWrong: t.dopamineWrong.map(Int.init),
                        randomRewardProbability: t.reward == .random ? Double(t.randomPermille) / 1000 : nil,
                        expectationTrials: t.expectationTrials,
                        readouts: t.readouts.map {
                            Task.Readout(answer: t.answers[$0.answer], target: Self.label(network, pool: $0.pool, neurons: $0.neurons), neurons: Neurons($0.neurons))
                        })
            if t.answers != t.labels { task?.answers = t.answerOf.map { t.answers[$0] } }
        }
    }
}

extension NetworkReport {
    /// `POOL` for a whole pool, `POOL.POPULATION` for exactly one population, else `POOL[start, end)`.
    public static func label(_ network: NetworkDescription, pool index: Int, neurons: Range<Int>) -> String {
        let spec = network.pools[index]
        if neurons == 0 ..< spec.neurons { return spec.name }
        if let p = spec.populationRanges.first(where: { $0.neurons == neurons }) { return "\(spec.name).\(p.population.name)" }
        return "\(spec.name)[\(neurons.lowerBound), \(neurons.upperBound))"
    }

    /// A distribution as written: `0.1`, `uniform(0.1, 0.2)`, `normal(0.5, 0.1)`.
    public static func text(_ d: ValueDistribution) -> String {
        switch d {
        case .constant(let v): "\(v)"
        case .uniform(let low, let high): "uniform(\(low), \(high))"
        case .normal(let mean, let sd): "normal(\(mean), \(sd))"
        }
    }

    static func populations(_ spec: PoolSpec, tickMicroseconds: UInt32) -> [Population] {
        spec.populationRanges.map { range, p in
            var (_, values) = p.parameters.quantized(name: p.name, start: range.lowerBound, size: p.size, inhibitory: p.inhibitory,
                                                     tickMicroseconds: tickMicroseconds)
            if !values.contains(where: { $0.name == "i_e" }) {
                values.append(QuantizedValue(name: "i_e", unit: "pA", requested: p.parameters.iE, actual: p.parameters.iE))
            }
            return Population(name: p.name, neurons: Neurons(range), kind: p.inhibitory ? "inhibitory" : "excitatory",
                              synapse: p.parameters.exponentialSynapses ? "exp" : "delta", parameters: values.map(Quantity.init))
        }
    }

    /// Per source kind (0 excitatory, 1 inhibitory): synapse count and weight sum; and the
    /// delay range, of CSR rows. A synapse's weight is `weight << shift` over `unit` units per
    /// mV, `shift` its own (`perSynapseShift`, a pool of populations) or `shift`, divided by
    /// its target's factor for its source's kind when `divisors` are given (exponential
    /// synapses: mV per tick per pA). O(rows + synapses).
    private static func measure(rowPtr: ContiguousArray<UInt32>, synapses: ContiguousArray<Synapse>, inhibitory: (Int) -> Bool,
                                perSynapseShift: Bool, shift: Int, unit: Double,
                                divisors: [[Double]]? = nil) -> (count: [Int], sum: [Double], delays: [Int]) {
        var count = [0, 0], sum = [0, 0], scaled = [0.0, 0.0]
        var low = Int.max, high = Int.min
        for j in 0 ..< rowPtr.count - 1 {
            let k = inhibitory(j) ? 1 : 0
            var total = 0
            var fine = 0.0
            for i in Int(rowPtr[j]) ..< Int(rowPtr[j + 1]) {
                let s = synapses[i]
                let w = Int(s.weight) << (perSynapseShift ? Int(s.shift) : shift)
                if let divisors { fine += Double(w) / divisors[k][Int(s.target)] } else { total += w }
                low = min(low, Int(s.delay))
                high = max(high, Int(s.delay))
            }
            count[k] += Int(rowPtr[j + 1] - rowPtr[j])
            sum[k] += total
            scaled[k] += fine
        }
        let sums = divisors == nil ? sum.map { Double($0) / unit } : scaled.map { $0 / unit }
        return (count, sums, low <= high ? [low, high] : [])
    }

    /// The report of a projection from its built afferent structure.
    static func projection(_ p: ProjectionSpec, afferent a: AfferentProjection, network: NetworkDescription) -> Projection {
        let target = network.pools[p.to]
        let fine = !target.populations.isEmpty
        let unit = fine ? Double(PopulationTable.unitsPerMillivolt) : 256
        // Into exponential synapses a weight is a current (pA) stored as its effect per tick:
        // the factor of each target neuron's population, per source kind (as buildPool does).
        var divisors: [[Double]]?
        var largest = [0.0, 0.0]
        for (range, q) in target.populationRanges {
            guard q.parameters.exponentialSynapses, range.overlaps(p.toNeurons) else { continue }
            if divisors == nil { divisors = Array(repeating: [Double](repeating: 1, count: target.neurons), count: 2) }
            for k in 0 ..< 2 {
                let f = q.parameters.weightFactor(inhibitory: k == 1, tickMicroseconds: network.tickMicroseconds)
                for i in range { divisors![k][i] = f }
                largest[k] = max(largest[k], f)
            }
        }
        let m = measure(rowPtr: a.rowPtr, synapses: a.synapses, inhibitory: { a.sourceInhibitory[$0] != 0 },
                        perSynapseShift: fine, shift: target.config.weightShift, unit: unit, divisors: divisors)
        func built(_ k: Int) -> Double? { m.count[k] == 0 ? nil : m.sum[k] / Double(m.count[k]) }
        let sourceKinds = network.inhibitoryNeurons(ofPool: p.from)[p.fromNeurons]
        let kinds = [sourceKinds.contains(false), sourceKinds.contains(true)]
        var report = Projection(
            index: p.index, from: label(network, pool: p.from, neurons: p.fromNeurons), fromNeurons: Neurons(p.fromNeurons),
            to: label(network, pool: p.to, neurons: p.toNeurons), toNeurons: Neurons(p.toNeurons),
            rule: "", parameter: "", expectedSynapses: 0, exact: true, synapses: a.count, weights: [],
            delay: "[\(p.delay.lowerBound), \(p.delay.upperBound)] ticks", delayTicks: m.delays, lagTicks: a.lag,
            plastic: target.config.stdp, physical: p.physical != nil, bytes: a.byteCount)
        guard let rule = p.physical else {
            // Shorthand: integer weights drawn uniformly, PSP = weight << weight_shift Q8.8 mV.
            (report.rule, report.parameter, report.expectedSynapses, report.exact) = shorthand(p.connectivity, sources: p.fromNeurons.count, targets: p.toNeurons.count)
            report.weights = shorthandWeights(excitatory: kinds[0] ? p.weight : nil, inhibitory: kinds[1] ? p.weight : nil,
                                              shift: target.config.weightShift, count: m.count, built: [built(0), built(1)])
            return report
        }
        report.plastic = rule.plastic
        let pairs = p.fromNeurons.count * p.toNeurons.count
            - (p.from == p.to && !rule.allowAutapses ? max(0, min(p.fromNeurons.upperBound, p.toNeurons.upperBound) - max(p.fromNeurons.lowerBound, p.toNeurons.lowerBound)) : 0)
        var options: [String] = []
        if !rule.allowAutapses { options.append("no autapses") }
        if !rule.allowMultapses { options.append("no multapses") }
        var list: ConnectionList?
        switch rule.pairing {
        case .list(let l):
            list = l
            (report.rule, report.parameter, report.expectedSynapses) = ("list", "file = \(l.file)", Double(l.sources.count))
        case .rule(let r):
            report.rule = r.name
            switch r {
            case .pairwiseBernoulli(let prob):
                (report.parameter, report.expectedSynapses, report.exact) = ("p = \(prob)", prob * Double(pairs), prob == 0 || prob == 1)
            case .fixedIndegree(let k): (report.parameter, report.expectedSynapses) = ("indegree = \(k)", Double(k * p.toNeurons.count))
            case .fixedOutdegree(let k): (report.parameter, report.expectedSynapses) = ("outdegree = \(k)", Double(k * p.fromNeurons.count))
            case .fixedTotalNumber(let n): (report.parameter, report.expectedSynapses) = ("n = \(n)", Double(n))
            case .oneToOne: report.expectedSynapses = Double(p.fromNeurons.count)
            case .allToAll: report.expectedSynapses = Double(pairs)
            }
        }
        if !options.isEmpty { report.parameter += (report.parameter.isEmpty ? "" : ", ") + options.joined(separator: ", ") }
        report.delay = list?.delays != nil ? "from \(list!.file)" : "\(text(rule.delay)) ms"
        let weightUnit = divisors == nil ? "mV" : "pA"
        for (k, distribution) in [rule.excitatoryWeight, rule.inhibitoryWeight].enumerated() {
            guard let distribution, kinds[k] else { continue }
            let factor = divisors == nil ? 1 : largest[k]
            let scale = rule.weightScale(distribution, factor: factor)
            var requested = text(distribution)
            var mean = distribution.mean
            if let l = list, let weights = l.weights {
                // The file gives each weight: compare their mean with the built mean.
                let mine = zip(l.sources, weights).filter { (sourceKinds[sourceKinds.startIndex + Int($0.0)]) == (k == 1) }.map(\.1)
                requested = "from \(l.file)"
                mean = mine.isEmpty ? 0 : mine.reduce(0, +) / Double(mine.count)
            }
            let stored = scale.weight(mean * factor, inhibitory: k == 1)
            let actual = list?.weights != nil ? (built(k) ?? scale.millivolts(stored) / factor) : scale.millivolts(stored) / factor
            report.weights.append(Weight(sources: k == 1 ? "inhibitory" : "excitatory", requested: requested,
                                         psp: Quantity(name: "weight", unit: weightUnit, requested: mean, actual: actual),
                                         millivoltsPerUnit: factor, stored: Int(stored), shift: scale.shift, synapses: m.count[k],
                                         builtMean: built(k)))
        }
        return report
    }

    /// Rule, parameter, expected count and exactness of shorthand connectivity from `sources`
    /// neurons onto `targets` candidates each.
    private static func shorthand(_ c: Connectivity, sources: Int, targets: Int) -> (String, String, Double, Bool) {
        switch c {
        case .outDegree(let k): ("out_degree", "out_degree = \(k)", Double(k * sources), true)
        case .density(let d): ("density", "density = \(d)", d * Double(targets) * Double(sources), d == 0 || d == 1)
        }
    }

    /// Shorthand weights: uniform integer magnitudes in a range, signed by the source's kind;
    /// requested and stored are the same integers, so the PSP is exact.
    private static func shorthandWeights(excitatory: ClosedRange<Int>?, inhibitory: ClosedRange<Int>?, shift: Int,
                                         count: [Int], built: [Double?]) -> [Weight] {
        var out: [Weight] = []
        for (k, range) in [excitatory, inhibitory].enumerated() {
            guard let range else { continue }
            let sign = k == 1 ? -1.0 : 1.0
            func mV(_ w: Double) -> Double { sign * w * Double(1 << shift) / 256 }
            let mean = mV(Double(range.lowerBound + range.upperBound) / 2)
            out.append(Weight(sources: k == 1 ? "inhibitory" : "excitatory", requested: "[\(range.lowerBound), \(range.upperBound)]",
                              psp: Quantity(name: "weight", unit: "mV", requested: mean, actual: mean),
                              stored: Int(sign) * (range.lowerBound + range.upperBound) / 2, shift: shift, synapses: count[k], builtMean: built[k],
                              rangeMillivolts: [mV(Double(range.lowerBound)), mV(Double(range.upperBound))]))
        }
        return out
    }

    /// A shorthand pool's own synapses.
    static func recurrent(_ spec: PoolSpec, pool: NeuronPool) -> Projection {
        let m = measure(rowPtr: pool.synapses.rowPtr, synapses: pool.synapses.synapses, inhibitory: { pool.neurons.isInhibitory($0) },
                        perSynapseShift: false, shift: spec.config.weightShift, unit: 256)
        let (rule, parameter, expected, exact) = shorthand(spec.connectivity, sources: spec.neurons, targets: spec.neurons - 1)
        let inhibitory = (0 ..< spec.neurons).reduce(0) { $0 + (pool.neurons.isInhibitory($1) ? 1 : 0) }
        let weights = shorthandWeights(excitatory: inhibitory < spec.neurons ? spec.config.excitatoryWeight : nil,
                                       inhibitory: inhibitory > 0 ? spec.config.inhibitoryWeight : nil,
                                       shift: spec.config.weightShift, count: m.count,
                                       built: (0 ..< 2).map { m.count[$0] == 0 ? nil : m.sum[$0] / Double(m.count[$0]) })
        return Projection(index: nil, from: spec.name, fromNeurons: Neurons(0 ..< spec.neurons), to: spec.name,
                          toNeurons: Neurons(0 ..< spec.neurons), rule: rule, parameter: parameter, expectedSynapses: expected,
                          exact: exact, synapses: pool.synapseCount, weights: weights,
                          delay: "[1, \(spec.config.maxDelay)] ticks", delayTicks: m.delays, lagTicks: 1, plastic: spec.config.stdp, physical: false,
                          bytes: pool.synapseCount * SynapseStore.bytesPerSynapse + (spec.neurons + 1) * 4)
    }

    /// The generators and stimuli of one pool.
    static func generators(_ spec: PoolSpec, network: NetworkDescription) -> [Generator] {
        let dt = Double(network.tickMicroseconds) / 1000
        let unit = Double(PopulationTable.unitsPerMillivolt)
        var out: [Generator] = []
        for g in spec.generators {
            // Through exponential synapses the weight is a current (pA) stored as its effect per tick.
            let factor = g.viaSynapses ? network.population(ofPool: spec.index, neuron: g.neurons.lowerBound)?.parameters
                .weightFactor(inhibitory: g.weight < 0, tickMicroseconds: network.tickMicroseconds) ?? 1 : 1
            var r = Generator(pool: spec.name, target: label(network, pool: spec.index, neurons: g.neurons), neurons: Neurons(g.neurons),
                              kind: "", weight: Quantity(name: "weight", unit: g.viaSynapses ? "pA" : "mV", requested: g.requestedMillivolts / factor,
                                                         actual: Double(g.weight) / unit / factor),
                              startTick: g.start, stopTick: g.stop)
            if let gate = g.gate {
                r.during = gate.task.labels.indices.filter { gate.labels & (1 << UInt32($0)) != 0 }.map { gate.task.labels[$0] }
            }
            switch g.kind {
            case .poisson(let rate, _):
                (r.kind, r.rateHz, r.eventsPerTick) = ("poisson", rate, rate * dt / 1000)
            case .dc:
                r.kind = "dc"
                r.weight.name = "drive"
                if let p = network.population(ofPool: spec.index, neuron: g.neurons.lowerBound)?.parameters {
                    r.amplitudePicoamperes = g.requestedMillivolts / p.millivoltsPerTick(picoamperes: 1, tickMicroseconds: network.tickMicroseconds)
                }
            case .spikeTrain(let ticks, _):
                (r.kind, r.events, r.file) = ("spike_train", ticks.count, g.file)
                r.periodTicks = g.period
            }
            out.append(r)
        }
        for s in spec.stimuli {
            let mV = Double(s.drive) / 256
            var r = Generator(pool: spec.name, target: label(network, pool: spec.index, neurons: s.neurons), neurons: Neurons(s.neurons),
                              kind: "stimulus_constant", weight: Quantity(name: "drive", unit: "mV", requested: mV, actual: mV),
                              startTick: s.start, stopTick: s.stop)
            if case .poisson(let chance) = s.kind {
                let p = Double(chance) / 4_294_967_296
                (r.kind, r.rateHz, r.eventsPerTick) = ("stimulus_poisson", p / dt * 1000, p)
            }
            out.append(r)
        }
        return out
    }
}
