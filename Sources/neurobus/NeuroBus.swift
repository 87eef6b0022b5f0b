import ArgumentParser
import NeuroNetwork
import NeuroEngine

/// The `neurobus` command: pool tools, demos and benchmarks.
@main
struct NeuroBus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neurobus",
        abstract: "A distributed spiking network runtime: integer LIF pools exchanging spikes over ZeroMQ.",
        discussion: """
        Each node runs one pool of integer leaky-integrate-and-fire neurons with CSR synapses, \
        axonal delays, STDP eligibility, three-factor plasticity, thermal synapse maturity and \
        homeostatic thresholds. Pools are saved as .pool files (protocol/POOL-FORMAT.md).
        """,
        subcommands: [UpCommand.self, RunCommand.self, NodeCommand.self, ControllerCommand.self, CtlCommand.self, InjectCommand.self, RecordCommand.self, KeysCommand.self, SnapshotCommand.self, NetworkCommand.self, PoolCommand.self, DivergeCommand.self, DemoCommand.self, BenchCommand.self, WireCommand.self]
    )
}

/// A command failure with a message naming the problem; ArgumentParser prints it and exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
