import Foundation
import Testing
import NeuroNode
import NeuroNetwork
import NeuroEngine

// Fixtures and helpers shared by the Network*Tests files, and the test that the fixture is valid.

/// A small valid network the rule tests edit: pools "a" (10 neurons) and "b" (20 neurons).
/// Line numbers matter to some tests: `[[pool]]` "a" is on line 9, `neurons = 10` on line 11.
let baseNetwork = """
    [network]
    name = "t"
    seed = 1

    [controller]
    control = "tcp://127.0.0.1:5000"
    publish = "tcp://127.0.0.1:5001"

    [[pool]]
    name = "a"
    neurons = 10
    density = 0.1
    endpoint = "tcp://127.0.0.1:5002"

    [[pool]]
    name = "b"
    neurons = 20
    out_degree = 3
    endpoint = "tcp://127.0.0.1:5003"

    """

/// `baseNetwork` with `old` replaced by `new` (the test fails if `old` is not there).
func edited(_ old: String, _ new: String, in text: String = baseNetwork,
            sourceLocation: SourceLocation = #_sourceLocation) -> String {
    #expect(text.contains(old), "fixture does not contain \(old)", sourceLocation: sourceLocation)
    return text.replacingOccurrences(of: old, with: new)
}

/// A `[[projection]]` table from "a" to "b" with the given extra lines.
func projection(_ from: String = "a", _ to: String = "b", _ lines: String = "out_degree = 2\nweight = [20, 60]\ndelay = [1, 2]") -> String {
    "\n[[projection]]\nfrom = \"\(from)\"\nto = \"\(to)\"\n\(lines)\n"
}

/// Parses `text` expecting a `NetworkFileError` whose key is `key` and whose message contains
/// every one of `fragments`; returns the error for further checks.
@discardableResult
func expectError(_ text: String, key: String?, _ fragments: String..., line: Int? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) -> NetworkFileError? {
    do {
        let d = try NetworkDescription.parse(Array(text.utf8), file: "test.toml")
        Issue.record("parsed without error: \(d.name)", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.file == "test.toml", sourceLocation: sourceLocation)
        #expect(error.key == key, "\(error)", sourceLocation: sourceLocation)
        for f in fragments {
            #expect(error.message.contains(f), "\(error) lacks \(f)", sourceLocation: sourceLocation)
        }
        if let line { #expect(error.line == line, "\(error)", sourceLocation: sourceLocation) }
        return error
    }
}

/// Parses `text`, recording an issue if it fails.
func parsed(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> NetworkDescription? {
    do {
        return try NetworkDescription.parse(Array(text.utf8), file: "test.toml")
    } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Test func fixtureParses() throws {
    let d = try NetworkDescription.parse(Array(baseNetwork.utf8), file: "test.toml")
    #expect(d.pools.map(\.name) == ["a", "b"])
    #expect(d.pools[1].connectivity == .outDegree(3))
    let withProjection = try NetworkDescription.parse(Array((baseNetwork + projection()).utf8), file: "test.toml")
    #expect(withProjection.projections.count == 1)
}
