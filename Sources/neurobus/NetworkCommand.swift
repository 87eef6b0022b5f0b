import ArgumentParser
import NeuroNode
import NeuroPool

/// `neurobus network`: network files — export the built-in one, place one on hosts, check one.
struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Network files: export the built-in network, rewrite endpoints for hosts, check a file.",
        subcommands: [Default.self, Endpoints.self, Check.self]
    )

    /// Writes `text` to `path` atomically (temporary file beside it, then rename), or to
    /// standard output (no path, or `-`). A symbolic link is followed (the file it points to
    /// is replaced, not the link); anything but a regular file (a device, a FIFO, a folder)
    /// is refused, since renaming over it would replace it.
    static func emit(_ text: String, to path: String?) throws {
        guard let path, path != "-" else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        var target = path
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                throw CommandFailure("cannot write \(path): it is a symbolic link to a missing file")
            }
            target = String(cString: resolved)
            free(resolved)
        }
        if stat(target, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            throw CommandFailure("cannot write \(path): \(target) is not a regular file (write to standard output and redirect instead)")
        }
        do { try AtomicFile.write(Array(text.utf8), to: target) } catch { throw CommandFailure("cannot write \(path): \(error)") }
    }

    struct Default: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the built-in default network file (the one `up` and `run` use without FILE).",
            discussion: "Start from it when there is no network file yet: `neurobus network default -o net.toml`.")
        @Option(name: [.short, .customLong("output")], help: "Write it to this file (atomically) instead of standard output.")
        var output: String?
        func run() throws { try NetworkCommand.emit(NetworkDescription.defaultFileText, to: output) }
    }

    struct Endpoints: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite a network file's endpoints for a list of hosts.",
            discussion: """
            Hosts are taken in order, wrapping around: the controller (control and publish) gets \
            the first host, pool 0 the second, pool 1 the third, and so on — pool i gets host \
            (i + 1) mod H. A [[source]] goes on the host of the pool it feeds. Every endpoint keeps \
            its port, or with --base-port P: control P, publish P+1, pool i P+2+i, source j \
            P+2+pools+j. Only endpoints change (comments and layout stay); the result is checked \
            by the network parser before it is written. The placement is printed on standard error.
            """)
        @Argument(help: "Network file to rewrite (none yet? `neurobus network default -o FILE` writes the built-in one).")
        var file: String
        @Option(help: "Comma-separated hosts (names or addresses, no ports), e.g. 10.0.0.1,10.0.0.2,10.0.0.3.")
        var hosts: String
        @Option(help: "Renumber every endpoint from this port instead of keeping the file's ports.")
        var basePort: Int?
        @Option(name: [.short, .customLong("output")], help: "Write the result to this file (atomically; may be FILE itself) instead of standard output.")
        var output: String?

        func run() throws {
            let network = try loadNetwork(file)
            let rewrite: NetworkEndpoints.Rewrite
            do {
                let list = try NetworkEndpoints.hosts(hosts)
                rewrite = try NetworkEndpoints.rewrite(network, hosts: list, basePort: basePort, file: output ?? "<output>")
            } catch {
                throw CommandFailure("--hosts \(hosts): \(error)")
            }
            try NetworkCommand.emit(rewrite.text, to: output)
            for a in rewrite.assignments {
                printError("\(a.key.padding(20)) \(a.role.padding(14)) \(a.new)")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a network file and print its placement (pools, endpoints, lookahead).")
        @Argument(help: "Network file.")
        var file: String
        func run() throws {
            let network = try loadNetwork(file)
            print("\(network.file): network \(network.name), \(network.mode.rawValue), hash \(hex(network.hash))")
            print("controller   control \(network.controller.control)  publish \(network.controller.publish)")
            for pool in network.pools {
                let lag = network.outgoingLag(of: pool.index).map { "lookahead \($0)" } ?? "no outgoing projection"
                print("pool \(pool.name.padding(12)) \(pool.endpoint)  (\(pool.neurons) neurons, \(lag))")
            }
            for source in network.sources {
                print("source \(source.name.padding(10)) \(source.endpoint)  (into \(network.pools[source.pool].name))")
            }
        }
    }
}

extension String {
    /// Left-aligned in a column of `width` characters.
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
