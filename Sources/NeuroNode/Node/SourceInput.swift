import NeuroWire
import NeuroNetwork
import NeuroEngine

/// What a node holds of its pool's external source (`[[source]]`, fed by `neurobus inject`):
/// the `STIMULUS` batches received (lockstep) or the spikes arrived since the last tick (real
/// time), the end of the stream, and the source's liveness.
struct SourceInput {
    let spec: SourceSpec
    let stimulusTopic: [UInt8]
    let heartbeatTopic: [UInt8]
    /// Lockstep: the batches by tick, continuing exactly from tick 0.
    var stream: SpikeStream
    /// Real time: ids arrived since the last tick (applied on arrival, at the next tick).
    var pending: [UInt16] = []
    /// The tick from which the source has said it sends nothing more (its heartbeat with
    /// state `stopped`); ticks at or after it are silent.
    var end: UInt64?
    var lastHeard: UInt64?
    /// Real time: reported silent (once, until heard again).
    var silent = false
    var stimulusSeq = SequenceCheck()
    var heartbeatSeq = SequenceCheck()
    /// Lockstep failover: the stream restarted at this tick (a rollback), and what the source
    /// sends counts only from its marker of the new epoch.
    var restartedAt: UInt64?
    var awaitingMarker = false

    init(spec: SourceSpec, pool: PoolSpec, startTick: UInt64 = 0) {
        self.spec = spec
        stimulusTopic = Topic.stimulus(pool.name)
        heartbeatTopic = Topic.heartbeat(spec.name)
        stream = SpikeStream(name: spec.name, neuronCount: pool.neurons, startTick: startTick)
        pending.reserveCapacity(pool.neurons)
    }

    /// Lockstep failover: the stream starts again at `tick` (a rollback, or a promoted
    /// replica's start), and counts only from the source's marker of the new epoch.
    mutating func restart(at tick: UInt64) {
        stream = SpikeStream(name: spec.name, neuronCount: stream.neuronCount, startTick: tick)
        end = nil
        restartedAt = tick
        awaitingMarker = true
    }

    /// Lockstep: whether the input of `tick` is known (held, or after the end).
    func holds(_ tick: UInt64) -> Bool {
        stream.holds(tick) || end.map { tick >= $0 } ?? false
    }

    /// Checks one received `STIMULUS` against the network file: right pool, the file's
    /// drive, ids within the source's neurons.
    func check(_ stimulus: Stimulus, pool: Int) throws(NodeError) {
        guard Int(stimulus.targetPool) == pool else {
            throw .failed("source \(spec.name) sent spikes for pool number \(stimulus.targetPool), expected \(pool): is it using another network file?")
        }
        guard stimulus.drive == spec.drive else {
            throw .failed("source \(spec.name) sends drive \(stimulus.drive), the network file says \(spec.drive): use the same network file")
        }
        if let bad = stimulus.batch.ids.first(where: { !spec.neurons.contains(Int($0)) }) {
            throw .failed("source \(spec.name) spiked neuron \(bad), outside its neurons [\(spec.neurons.lowerBound), \(spec.neurons.upperBound))")
        }
    }
}

