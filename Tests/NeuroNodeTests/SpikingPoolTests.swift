import NeuroBio
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Every pool model runs through the one `SpikingPool` interface the driver uses.
@Suite struct SpikingPoolTests {
    /// One generic loop for any model: a broadcast, then each tick a drive of 8 mV into the
    /// first quarter of the neurons every third tick. Returns the spikes of every tick.
    static func run<Model: SpikingPool>(_ model: inout Model, ticks: Int) throws -> [[UInt16]] {
        model.apply(ModulatorLevels(dopamine: 200))
        var drive = [Int16](repeating: 0, count: model.neuronCount)
        for i in 0 ..< model.neuronCount / 4 { drive[i] = 8 * 256 }
        var out: [[UInt16]] = []
        for t in 0 ..< ticks {
            if t % 3 == 0 {
                try drive.withUnsafeBufferPointer { (b) throws(NodeError) in try model.tick(drive: .millivolts(b), pool: "p") }
            } else {
                try model.tick(drive: .none, pool: "p")
            }
            out.append(Array(model.lastSpikes))
        }
        return out
    }

    /// A shorthand pool without plasticity or homeostasis and its integer twin are the same
    /// model: through the protocol they give the same spikes, tick for tick; the Hodgkin–Huxley
    /// pool of the same connectivity runs through it too and fires.
    @Test func everyModelRunsThroughTheProtocol() throws {
        var config = PoolConfig()
        config.seed = 11
        config.stdp = false
        config.homeostasisStep = 0
        var pool = try NeuronPool.withFixedOutDegree(name: "p", neurons: 200, outDegree: 10, config: config)
        var twin = LIFTwin(connectivityOf: pool, parameters: LIFTwinParameters(config))
        var hh = try HHPool(connectivityOf: pool, parameters: PoolDriver.hhParameters(tickMicroseconds: 1000), features: .all, seed: 11)
        let a = try Self.run(&pool, ticks: 300)
        let b = try Self.run(&twin, ticks: 300)
        let c = try Self.run(&hh, ticks: 300)
        #expect(a.joined().count > 100, "the pool must fire for the comparison to mean anything")
        #expect(a == b)
        #expect(c.joined().count > 0)
        #expect(pool.tickCount == 300 && twin.tickCount == 300 && hh.tickCount == 300)
    }

    /// A drive in the wrong units is refused by name, not misread.
    @Test func wrongDriveUnitsAreRefused() throws {
        var config = PoolConfig()
        config.seed = 3
        let pool = try NeuronPool.withFixedOutDegree(name: "p", neurons: 20, outDegree: 2, config: config)
        var hh = try HHPool(connectivityOf: pool, parameters: PoolDriver.hhParameters(tickMicroseconds: 1000), features: .all, seed: 3)
        let fine = [Int32](repeating: 0, count: 20)
        #expect(throws: NodeError.self) {
            try fine.withUnsafeBufferPointer { (b) throws(NodeError) in try hh.tick(drive: .membraneUnits(b), pool: "bio") }
        }
    }
}
