import Testing
import NeuroBio
import NeuroNode
import NeuroNetwork
import NeuroEngine

// One test per validation rule of the [network], [controller] and [[pool]] sections: each
// asserts the error's key and a distinguishing part of its message.

@Test func syntaxErrorCarriesLine() {
    let e = expectError(edited("seed = 1", "seed = = 1"), key: nil, "TOML syntax error", line: 3)
    #expect(e?.description.hasPrefix("test.toml:3: TOML syntax error") == true)
}

@Test func nulAndInvalidUTF8AreRejectedWithLine() {
    var bytes = Array(baseNetwork.utf8)
    bytes.insert(0, at: bytes.firstIndex(of: UInt8(ascii: "\""))!)  // in `name = "t"`, line 2
    do {
        _ = try NetworkDescription.parse(bytes, file: "f")
        Issue.record("accepted a NUL byte")
    } catch {
        #expect(error.line == 2 && error.message.contains("NUL byte"))
    }
    var bad = Array(baseNetwork.utf8)
    bad.insert(0xFF, at: Array(baseNetwork.utf8).firstIndex(of: UInt8(ascii: "5"))!)  // line 6
    do {
        _ = try NetworkDescription.parse(bad, file: "f")
        Issue.record("accepted invalid UTF-8")
    } catch {
        #expect(error.line == 6 && error.message.contains("not valid UTF-8"))
    }
}

@Test func aLineLongerThanAMebibyteIsRefusedBeforeParsing() {
    let long = String(repeating: "x", count: 1 << 20)
    expectError(edited("name = \"t\"", "name = \"\(long)\""), key: nil, "line 2 is 1048585 bytes long", "at most 1048576 bytes", line: 2)
    // Up to the bound, the name's own rule applies, and the error shows only its beginning.
    let e = expectError(edited("name = \"t\"", "name = \"\(String(repeating: "y", count: 100_000))\""), key: "network.name", "has 100000 bytes: expected 1...64")
    #expect((e?.description.utf8.count ?? .max) < 300, "\(e?.description.prefix(300) ?? "")")
}

@Test func aPoolTooLargeToBuildIsRefusedBeforeBuilding() {
    expectError(edited("neurons = 10\ndensity = 0.1", "neurons = 65536\nout_degree = 65535"), key: "pool[0].out_degree", "about 4294901760 synapses", "2^28")
    expectError(edited("neurons = 10\ndensity = 0.1", "neurons = 65536\ndensity = 0.5"), key: "pool[0].density", "2^28")
}

@Test func missingRequiredFieldNamesKeyAndPointsAtTable() {
    expectError(edited("neurons = 10\n", ""), key: "pool[0].neurons", "missing required key 'neurons'", "[[pool]]", line: 9)
    expectError(edited("seed = 1\n", ""), key: "network.seed", "missing required key 'seed'")
    expectError(edited("[network]\nname = \"t\"\nseed = 1\n", ""), key: "network", "missing required table [network]")
    expectError(edited("publish = \"tcp://127.0.0.1:5001\"\n", ""), key: "controller.publish", "missing required key 'publish'")
}

@Test func wrongTypeNamesExpectedAndFound() {
    expectError(edited("neurons = 10", "neurons = \"ten\""), key: "pool[0].neurons", "expected an integer", "a string (\"ten\")", line: 11)
    expectError(edited("neurons = 10", "neurons = 10.0"), key: "pool[0].neurons", "expected an integer", "a float")
    expectError(edited("density = 0.1", "density = \"high\""), key: "pool[0].density", "expected a number")
    expectError(edited("name = \"a\"", "name = 1"), key: "pool[0].name", "expected a string")
    expectError(edited("[[pool]]\nname = \"a\"", "[pool]\nname = \"a\"", in: "[network]\nname = \"t\"\nseed = 1\n[controller]\ncontrol = \"tcp://h:1\"\npublish = \"tcp://h:2\"\n[[pool]]\nname = \"a\"\n"),
                key: "pool", "expected an array of tables", "[[pool]]")
    expectError(baseNetwork + "[[pool.stimulus]]\nneurons = 3\nkind = \"constant\"\ndrive = 1\n", key: "pool[1].stimulus[0].neurons", "an array of two integers")
}

@Test func unknownKeyIsRejectedWithSuggestionAndAllowedKeys() {
    let e = expectError(edited("neurons = 10", "neurons = 10\nneurns = 5"), key: "pool[0].neurns",
                        "unknown key 'neurns'", "did you mean 'neurons'?", "Allowed keys: density, endpoint", line: 12)
    #expect(e?.message.contains("weight_shift") == true)
    expectError(baseNetwork + "[extra]\n", key: "extra", "unknown key 'extra' in the top level")
    expectError(edited("seed = 1", "seed = 1\ntick = 5"), key: "network.tick", "did you mean 'tick_us'?")
    expectError(baseNetwork + "[[pool.stimulus]]\nneurons = [0, 1]\nkind = \"constant\"\ndrive = 1\nrate = 3\n",
                key: "pool[1].stimulus[0].rate", "unknown key 'rate'", "[[pool.stimulus]]")
    expectError(baseNetwork + projection("a", "b", "out_degree = 1\nweight = [1, 2]\ndelay = [1, 1]\ndelays = 2"),
                key: "projection[0].delays", "did you mean 'delay'?")
}

@Test func networkNameAndPoolNameCharset() {
    expectError(edited("name = \"t\"", "name = \"my net\""), key: "network.name", "contains ' '")
    expectError(edited("name = \"t\"", "name = \"\(String(repeating: "x", count: 65))\""), key: "network.name", "65 bytes", "1...64")
    expectError(edited("name = \"a\"", "name = \"\""), key: "pool[0].name", "0 bytes")
    expectError(edited("name = \"a\"", "name = \"caf\u{e9}\""), key: "pool[0].name", "non-ASCII")
    #expect(parsed(edited("name = \"t\"", "name = \"Net_1-2.x\"")) != nil)
}

@Test func seedMustBeNonNegative() {
    expectError(edited("seed = 1", "seed = -1"), key: "network.seed", "out of range", "0 or more")
}

@Test func modeValue() {
    expectError(edited("seed = 1", "seed = 1\nmode = \"fast\""), key: "network.mode", "\"fast\" is not a mode", "\"lockstep\" or \"realtime\"")
}

@Test func spikeEncodingValue() throws {
    expectError(edited("seed = 1", "seed = 1\nspike_encoding = \"rice\""), key: "network.spike_encoding", "\"rice\" is not an encoding policy", "\"fast\" or \"compact\"")
    #expect(try #require(parsed(edited("seed = 1", "seed = 1\nspike_encoding = \"compact\""))).spikeEncoding == .compact)
    #expect(try #require(parsed(edited("seed = 1", "seed = 1"))).spikeEncoding == .fast)
}

@Test func tickMicrosecondsRange() {
    expectError(edited("seed = 1", "seed = 1\ntick_us = 0"), key: "network.tick_us", "tick_us = 0 is out of range", "1...1000000")
    expectError(edited("seed = 1", "seed = 1\ntick_us = 1000001"), key: "network.tick_us", "out of range")
}

@Test func noPools() {
    let text = "[network]\nname = \"t\"\nseed = 1\n[controller]\ncontrol = \"tcp://h:1\"\npublish = \"tcp://h:2\"\n"
    expectError(text, key: "pool", "no pools")
}

@Test func tooManyPools() {
    var text = "[network]\nname = \"t\"\nseed = 1\n[controller]\ncontrol = \"tcp://h:1\"\npublish = \"tcp://h:2\"\n"
    text += String(repeating: "[[pool]]\n", count: 0xF000)
    expectError(text, key: "pool", "61440 pools", "61439 (0xEFFF)")
}

@Test func poolNeuronCountRange() {
    expectError(edited("neurons = 10", "neurons = 0"), key: "pool[0].neurons", "1...65536")
    expectError(edited("neurons = 10", "neurons = 65537"), key: "pool[0].neurons", "neurons = 65537 is out of range")
    #expect(parsed(edited("neurons = 10\ndensity = 0.1", "neurons = 65536\ndensity = 0")) != nil)
}

@Test func poolDensityOrOutDegreeExactlyOne() {
    expectError(edited("density = 0.1", "density = 0.1\nout_degree = 2"), key: "pool[0].out_degree", "both density and out_degree")
    expectError(edited("density = 0.1\n", ""), key: "pool[0]", "exactly one of density or out_degree", "neither")
    expectError(edited("density = 0.1", "density = 1.5"), key: "pool[0].density", "expected a number in 0...1")
    expectError(edited("density = 0.1", "density = nan"), key: "pool[0].density", "0...1")
    expectError(edited("out_degree = 3", "out_degree = 20"), key: "pool[1].out_degree", "expected 0...19", "neurons - 1")
}

@Test func duplicatePoolNames() {
    expectError(edited("name = \"b\"", "name = \"a\""), key: "pool[1].name", "duplicate pool name \"a\"", "pool[0].name")
}

@Test func duplicateEndpointsNameBothKeys() {
    expectError(edited(":5003", ":5002"), key: "pool[1].endpoint", "already used by pool[0].endpoint")
    expectError(edited(":5002", ":5000"), key: "pool[0].endpoint", "\"tcp://127.0.0.1:5000\"", "controller.control")
    expectError(edited(":5001", ":5000"), key: "controller.publish", "controller.publish and controller.control must differ")
    let hosts = edited("tcp://127.0.0.1:5003", "tcp://localhost:5002", in: edited("tcp://127.0.0.1:5002", "tcp://LocalHost:5002"))
    expectError(hosts, key: "pool[1].endpoint", "already used by pool[0].endpoint")
    // One port under two spellings: localhost is 127.0.0.1, and a port is a number.
    expectError(edited("tcp://127.0.0.1:5003", "tcp://localhost:5002"), key: "pool[1].endpoint", "already used by pool[0].endpoint")
    expectError(edited("tcp://127.0.0.1:5003", "tcp://127.0.0.1:05002"), key: "pool[1].endpoint", "already used by pool[0].endpoint")
}

@Test func endpointSyntax() {
    for (bad, why) in [("tcp://127.0.0.1", "no port"), ("tcp://127.0.0.1:0", "1...65535"), ("tcp://127.0.0.1:70000", "1...65535"),
                       ("tcp://:5002", "no host"), ("tcp://a b:5002", "host may hold only"), ("udp://h:5002", "unknown transport"),
                       ("ipc://", "empty path"), ("inproc://", "empty name"), ("tcp://h:+12", "1...65535")] {
        expectError(edited("tcp://127.0.0.1:5002", bad), key: "pool[0].endpoint", "endpoint \"\(bad)\" is invalid", why,
                    "tcp://host:port")
    }
    for good in ["ipc:///tmp/neurobus-a", "inproc://a", "tcp://[::1]:5002", "tcp://node-1.example.org:5002"] {
        #expect(parsed(edited("tcp://127.0.0.1:5002", good))?.pools[0].endpoint == good)
    }
}

@Test func profileNames() {
    expectError(edited("neurons = 10", "neurons = 10\nprofile = \"regular\""), key: "pool[0].profile",
                "unknown profile \"regular\"", "\"regular-spiking\", \"fast-spiking\", \"bursting\", \"low-threshold\"")
    expectError(edited("neurons = 10", "neurons = 10\ninhibitory_profile = \"fast\""), key: "pool[0].inhibitory_profile", "unknown profile")
}

@Test func poolConfigOverridesAreValidated() {
    expectError(edited("neurons = 10", "neurons = 10\nmax_delay = 9"), key: "pool[0].max_delay", "max_delay = 9 is invalid", "1...8")
    expectError(edited("neurons = 10", "neurons = 10\nweight_shift = 8"), key: "pool[0].weight_shift", "0...7")
    expectError(edited("neurons = 10", "neurons = 10\nhomeostasis_target = 0"), key: "pool[0].homeostasis_target", "1...999")
    expectError(edited("neurons = 10", "neurons = 10\nexcitatory_weight = [0, 60]"), key: "pool[0].excitatory_weight", "1...127")
    expectError(edited("neurons = 10", "neurons = 10\ninhibitory_weight = [60, 20]"), key: "pool[0].inhibitory_weight", "reversed")
    expectError(edited("neurons = 10", "neurons = 10\nstdp = 1"), key: "pool[0].stdp", "expected a boolean")
}

@Test func poolModelIsLifOrHodgkinHuxley() throws {
    let hh = try NetworkDescription.parse(Array(edited("neurons = 10\n", "neurons = 10\nmodel = \"hh\"\n").utf8), file: "t")
    #expect(hh.pools.map(\.model) == [.hh, .lif])
    expectError(edited("neurons = 10\n", "neurons = 10\nmodel = \"izhikevich\"\n"), key: "pool[0].model", "model \"izhikevich\" is not a neuron model", "\"lif\" or \"hh\"")
    // The Hodgkin–Huxley integrator steps 25 µs: the tick must be a multiple.
    expectError(edited("seed = 1\n", "seed = 1\ntick_us = 1010\n", in: edited("neurons = 10\n", "neurons = 10\nmodel = \"hh\"\n")),
                key: "pool[0].model", "tick_us = 1010 is not a multiple of 25")
    // Snapshots hold hh pools like any other: [snapshots] is taken as given.
    let snapshots = try NetworkDescription.parse(Array((edited("neurons = 10\n", "neurons = 10\nmodel = \"hh\"\n") + "\n[snapshots]\nevery = 100\n").utf8), file: "t")
    #expect(snapshots.snapshotEvery == 100 && snapshots.snapshotBlocker == nil)
}

@Test func hodgkinHuxleyFeatureKeys() throws {
    let hh = "neurons = 10\nmodel = \"hh\"\n"
    // Every feature is on by default; each key turns one off (or keeps it on).
    #expect(try NetworkDescription.parse(Array(edited("neurons = 10\n", hh).utf8), file: "t").pools[0].hhFeatures == .all)
    let some = try NetworkDescription.parse(Array(edited("neurons = 10\n", hh + "hh_calcium = false\nhh_atp = false\nhh_nmda = true\n").utf8), file: "t")
    #expect(some.pools[0].hhFeatures == [.nmda, .receptorKinetics, .modulators])
    let none = try NetworkDescription.parse(Array(edited("neurons = 10\n", hh + "hh_calcium = false\nhh_atp = false\nhh_nmda = false\n"
        + "hh_receptor_kinetics = false\nhh_modulators = false\n").utf8), file: "t")
    #expect(none.pools[0].hhFeatures == [])
    // A value that is not a boolean is named.
    expectError(edited("neurons = 10\n", hh + "hh_atp = \"off\"\n"), key: "pool[0].hh_atp", "expected a boolean", "a string (\"off\")")
    expectError(edited("neurons = 10\n", hh + "hh_calcium = 0\n"), key: "pool[0].hh_calcium", "expected a boolean", "an integer (0)")
    // Integer pools take no hh_ keys; misspelt keys are unknown.
    expectError(edited("neurons = 10\n", "neurons = 10\nhh_atp = false\n"), key: "pool[0].hh_atp",
                "hh_atp = false sets a Hodgkin–Huxley feature", "model = \"lif\"")
    expectError(edited("neurons = 10\n", hh + "hh_atpp = false\n"), key: "pool[0].hh_atpp", "unknown key")
    // Nor do pools of populations.
    expectError(PopulationNetworkTests.text.replacingOccurrences(of: "name = \"cortex\"\n", with: "name = \"cortex\"\nhh_atp = false\n"),
                key: "pool[0].hh_atp", "hh_atp is a key of shorthand pools")
}
