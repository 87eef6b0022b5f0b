import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

// One test per validation rule of [[source]] (external spikes, `neurobus inject`).

/// A `[[source]]` table with the given lines.
func source(_ lines: String) -> String {
    "\n[[source]]\n\(lines)\n"
}

let goodSource = "name = \"eye\"\npool = \"a\"\ndrive = 2560\nendpoint = \"tcp://127.0.0.1:5100\""

@Test func sourceIsParsedWithDefaults() throws {
    let d = try NetworkDescription.parse(Array((baseNetwork + source(goodSource)).utf8), file: "t")
    #expect(d.sources.count == 1)
    let s = try #require(d.sources.first)
    #expect(s.name == "eye" && s.pool == 0 && s.neurons == 0 ..< 10 && s.drive == 2560 && s.endpoint == "tcp://127.0.0.1:5100" && s.index == 0)
    #expect(d.source(into: 0) == s && d.source(into: 1) == nil)
    let ranged = try NetworkDescription.parse(Array((baseNetwork + source(goodSource + "\nneurons = [2, 5]")).utf8), file: "t")
    #expect(ranged.sources[0].neurons == 2 ..< 5)
}

@Test func sourceNeedsNamePoolDriveEndpoint() {
    for key in ["name", "pool", "drive", "endpoint"] {
        let lines = goodSource.split(separator: "\n").filter { !$0.hasPrefix(key + " ") }.joined(separator: "\n")
        expectError(baseNetwork + source(lines), key: "source[0].\(key)", "missing required key '\(key)'", "[[source]]")
    }
}

@Test func sourceUnknownPoolIsNamed() {
    expectError(baseNetwork + source(goodSource.replacingOccurrences(of: "pool = \"a\"", with: "pool = \"zz\"")),
                key: "source[0].pool", "unknown pool \"zz\"", "known pools: a, b")
}

@Test func sourceNameMustDifferFromPoolsAndOtherSources() {
    expectError(baseNetwork + source(goodSource.replacingOccurrences(of: "name = \"eye\"", with: "name = \"b\"")),
                key: "source[0].name", "already the name of pool[1]")
    let second = goodSource.replacingOccurrences(of: "pool = \"a\"", with: "pool = \"b\"").replacingOccurrences(of: "5100", with: "5101")
    expectError(baseNetwork + source(goodSource) + source(second), key: "source[1].name", "duplicate source name \"eye\"")
}

@Test func poolTakesAtMostOneSource() {
    let second = goodSource.replacingOccurrences(of: "eye", with: "ear").replacingOccurrences(of: "5100", with: "5101")
    expectError(baseNetwork + source(goodSource) + source(second), key: "source[1].pool", "already has source[0]")
}

@Test func sourceNeuronsMustLieInThePool() {
    expectError(baseNetwork + source(goodSource + "\nneurons = [5, 11]"), key: "source[0].neurons", "reaches beyond pool 'a' of 10 neurons")
    expectError(baseNetwork + source(goodSource + "\nneurons = [5, 5]"), key: "source[0].neurons", "is empty or reversed")
}

@Test func sourceDriveMustBeNonZeroQ88() {
    expectError(baseNetwork + source(goodSource.replacingOccurrences(of: "2560", with: "0")), key: "source[0].drive", "drive = 0 does nothing")
    expectError(baseNetwork + source(goodSource.replacingOccurrences(of: "2560", with: "40000")), key: "source[0].drive", "out of range")
}

@Test func sourceEndpointMustBeValidAndUnused() {
    expectError(baseNetwork + source(goodSource.replacingOccurrences(of: "tcp://127.0.0.1:5100", with: "tcp://127.0.0.1:5000")),
                key: "source[0].endpoint", "already used by controller.control")
    expectError(baseNetwork + source(goodSource.replacingOccurrences(of: "tcp://127.0.0.1:5100", with: "udp://x:1")),
                key: "source[0].endpoint", "is invalid")
}

@Test func sourceUnknownKeyIsRejected() {
    expectError(baseNetwork + source(goodSource + "\nrate = 3"), key: "source[0].rate", "unknown key 'rate' in [[source]]")
}

// [snapshots]

@Test func snapshotsTableIsParsed() throws {
    let d = try NetworkDescription.parse(Array((baseNetwork + "\n[snapshots]\nevery = 500\nkeep = 2\n").utf8), file: "t")
    #expect(d.snapshotEvery == 500 && d.snapshotKeep == 2)
    let plain = try NetworkDescription.parse(Array(baseNetwork.utf8), file: "t")
    #expect(plain.snapshotEvery == nil && plain.snapshotKeep == 3)
}

@Test func snapshotsTableRules() {
    expectError(baseNetwork + "\n[snapshots]\nkeep = 2\n", key: "snapshots.every", "missing required key 'every'")
    expectError(baseNetwork + "\n[snapshots]\nevery = 0\n", key: "snapshots.every", "out of range")
    expectError(baseNetwork + "\n[snapshots]\nevery = 10\nkeep = 0\n", key: "snapshots.keep", "out of range")
    expectError(baseNetwork + "\n[snapshots]\nevery = 10\nkept = 1\n", key: "snapshots.kept", "unknown key 'kept'", "did you mean 'keep'?")
    expectError("snapshots = 3\n" + baseNetwork, key: "snapshots", "expected a table")
}
