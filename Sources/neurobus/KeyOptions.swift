import ArgumentParser
import NeuroNode
import NeuroNetwork
import NeuroEngine

/// `--keys DIR`: the key directory of a process on an authenticated bus.
struct KeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Key directory of the network (made by `neurobus keys`; `neurobus up` makes one in OUT/keys). Default: the network file's [security] keys.", valueName: "dir"))
    var keys: String?

    /// This process's CURVE identity as `principal`, or nil when the network turns CURVE off.
    func security(_ network: NetworkDescription, as principal: BusPrincipal) throws -> BusSecurity? {
        guard network.curve else {
            if let keys { throw CommandFailure("--keys \(keys): network \(network.name) turns authentication off ([security] curve = false)") }
            return nil
        }
        guard let directory = keys ?? network.keyDirectory else {
            throw CommandFailure("""
                network \(network.name) authenticates its bus (CURVE): give --keys DIR, the key directory made by \
                `neurobus keys` (`neurobus up` makes one in OUT/keys), or turn authentication off for loopback \
                development with [security] curve = false
                """)
        }
        return try Self.load(directory, as: principal)
    }

    static func load(_ directory: String, as principal: BusPrincipal) throws -> BusSecurity {
        do { return try BusSecurity(directory: KeyDirectory(path: directory), as: principal) } catch {
            throw CommandFailure("--keys \(directory): \(error)")
        }
    }
}

/// `--as PRINCIPAL` for a tool that may act under one of several keys.
func principal(_ text: String, option: String = "--as") throws -> BusPrincipal {
    guard let p = BusPrincipal(text) else {
        throw CommandFailure("\(option) \(text): not a principal (controller, node/POOL, source/NAME, operator[/NAME] or observer[/NAME])")
    }
    return p
}

/// `neurobus keys`: makes a network's key directory.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make the CURVE key pairs of a network's processes (controller, nodes, sources, operator, observer).",
        discussion: """
        Writes DIR/STEM.key (the key pair, mode 0600: give it only to its owner) and DIR/STEM.pub \
        (the public key: its presence in DIR admits the key) for the controller, every pool \
        (node.POOL), every [[source]] (source.NAME), an operator and an observer. Existing keys \
        are kept unless --force. Point processes at DIR with --keys or [security] keys. To rotate \
        a key: `neurobus keys FILE --out DIR --only PRINCIPAL --force`, copy the new files to the \
        machines, restart the processes. To revoke one, delete its .pub file.
        """
    )

    @Argument(help: "Network file (TOML). Default: the built-in network.")
    var network: String?

    @Option(name: .shortAndLong, help: "The key directory (created with mode 0700).")
    var out: String

    @Option(help: ArgumentHelp("Make only this principal's keys (e.g. node/motor, operator/alice); repeatable. Principals outside the network (another operator) may be named here.", valueName: "principal"))
    var only: [String] = []

    @Flag(help: "Replace keys that already exist (rotation).")
    var force = false

    func run() throws {
        let description = try loadNetwork(network)
        let principals = only.isEmpty ? KeyDirectory.principals(of: description) : try only.map { try principal($0, option: "--only") }
        let written: [BusPrincipal]
        do { written = try KeyDirectory.generate(at: out, principals: principals, replace: force) } catch { throw CommandFailure("\(error)") }
        for p in principals {
            print("\(p): \(written.contains(p) ? "written" : "kept (exists; --force replaces it)") \(out)/\(p.fileStem).key, .pub")
        }
    }
}
