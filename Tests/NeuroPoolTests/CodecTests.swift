import Foundation
import Testing
@testable import NeuroPool

@Suite("The .pool codec")
struct CodecTests {
    /// A pool mid-run: spikes in the last tick, input in flight, eligibility, grown and pruned
    /// synapses, modulator levels off baseline and a pending injection, so every section of the
    /// format is non-empty.
    static func busyPool(neurons n: Int = 64, density: Double = 0.1, seed: UInt64 = 12, name: String = "busy") throws -> NeuronPool {
        var c = PoolConfig()
        c.seed = seed
        var pool = try NeuronPool.withRandomConnectivity(name: name, neurons: n, density: density, config: c)
        var noise = NoiseInput(seed: seed &+ 1, neurons: n, current: 7000, chance: 50)
        for _ in 0 ..< 30 { try pool.tick(input: noise.next()) }
        pool.receiveModulators(dopamine: 180, cortisol: 60, acetylcholine: nil)
        for _ in 0 ..< 40 { try pool.tick(input: noise.next()) }
        pool.synaptogenesis(acetylcholine: 255)
        // The last tick kicks a third of the neurons that are not refractory, so some fire in it.
        let ready = (0 ..< n).filter { pool.neurons.refractory[$0] == 0 }
        try pool.tick(input: kick(n, Array(ready.prefix(max(n / 3, 1)))))
        try pool.inject(1 ..< 4, 1234)
        try pool.inject(n - 1 ..< n, -77)
        #expect(pool.lastSpikeCount > 0)
        #expect(pool.delays.inFlightCount > 0)
        #expect(pool.synapses.synapses.contains { $0.eligibility != 0 })
        #expect(pool.plasticity.dopamine != 0 && pool.plasticity.cortisol != 0)
        return pool
    }

    /// A scratch directory, removed by the caller.
    static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("neuropool-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func readLE<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, as _: T.Type) -> T {
        var v: T = 0
        for k in 0 ..< MemoryLayout<T>.size { v |= T(bytes[offset + k]) << (8 * k) }
        return v
    }

    static func writeLE<T: FixedWidthInteger>(_ bytes: inout [UInt8], at offset: Int, _ value: T) {
        for k in 0 ..< MemoryLayout<T>.size { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
    }

    /// Recomputes the trailing CRC-32 so a deliberately edited file passes the checksum.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        let crc = CRC32.checksum(Array(b[0 ..< b.count - 4]))
        writeLE(&b, at: b.count - 4, crc)
        return b
    }

    /// The field an `.invalid` error names, or a description of any other outcome.
    static func outcome(_ bytes: [UInt8]) -> String {
        do {
            _ = try NeuronPool.decode(bytes)
            return "accepted"
        } catch {
            if case .invalid(let field, _) = error { return field }
            return "other: \(error)"
        }
    }

    // MARK: Round trips

    @Test func encodeDecodeRoundTripsToAnEqualPool() throws {
        let pool = try Self.busyPool()
        let bytes = pool.encoded()
        let loaded = try NeuronPool.decode(bytes)
        #expect(loaded == pool)
        #expect(loaded.encoded() == bytes, "re-encoding must be byte-identical")
        #expect(loaded.name == pool.name && loaded.config == pool.config && loaded.random == pool.random)
        #expect(loaded.tickCount == pool.tickCount && loaded.totalSpikes == pool.totalSpikes)
        #expect(Array(loaded.lastSpikes) == Array(pool.lastSpikes))
        #expect(loaded.delays == pool.delays, "input in flight and pending injection survive")
    }

    @Test func freshAndEmptyPoolsRoundTrip() throws {
        for pool in [try NeuronPool.unconnected(name: "", neurons: 1),
                     try NeuronPool.withFixedOutDegree(name: "Ünïcødé 🧠", neurons: 5, outDegree: 4)] {
            let loaded = try NeuronPool.decode(pool.encoded())
            #expect(loaded == pool)
            #expect(loaded.encoded() == pool.encoded())
        }
    }

    @Test func everyConfigFieldRoundTrips() throws {
        var c = PoolConfig()
        c.seed = 0xDEAD_BEEF_0123_4567
        c.excitatoryProfile = .bursting
        c.inhibitoryProfile = .lowThreshold
        c.excitatoryWeight = 3 ... 90
        c.inhibitoryWeight = 7 ... 127
        c.maxDelay = 5
        c.weightShift = 3
        c.stdp = false
        c.stdpPotentiation = 41
        c.stdpDepression = 9
        c.traceMax = 99
        c.traceDecay = 211
        c.stdpTauPlus = 17
        c.stdpTauMinus = 33
        c.eligibilityTau = 777
        c.learningGain = 123_456_789_012
        c.weightBounds = 100 ... 30000
        c.dopamineTau = 150
        c.homeostasisStep = 7
        c.homeostasisTarget = 120
        c.thresholdBounds = 300 ... 30000
        c.dopamineBaseline = 100
        c.cortisolBaseline = 44
        c.acetylcholineGate = 256
        c.maxSynapsesPerNeuron = 65535
        c.maxNewSynapses = 3
        c.activeTrace = 17
        let pool = try NeuronPool.withRandomConnectivity(name: "cfg", neurons: 20, density: 0.3, config: c)
        let loaded = try NeuronPool.decode(pool.encoded())
        #expect(loaded.config == c)
        #expect(loaded == pool)
    }

    @Test func loadedPoolContinuesExactlyLikeTheOriginal() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run.pool").path
        var original = try Self.busyPool(neurons: 128)
        try original.save(to: path)
        var loaded = try NeuronPool.load(from: path)
        #expect(loaded == original)
        var noise = NoiseInput(seed: 99, neurons: 128, current: 6500, chance: 30)
        let inputs = (0 ..< 300).map { _ in noise.next() }
        let a = try raster(&original, ticks: 300) { inputs[$0] }
        let b = try raster(&loaded, ticks: 300) { inputs[$0] }
        #expect(a.reduce(0) { $0 + $1.count } > 0)
        #expect(a == b, "spike rasters diverge at tick \((0 ..< min(a.count, b.count)).first { a[$0] != b[$0] } ?? -1)")
        // Plasticity continues identically too.
        original.receiveModulators(dopamine: 200, cortisol: 50, acetylcholine: nil)
        loaded.receiveModulators(dopamine: 200, cortisol: 50, acetylcholine: nil)
        let c = try raster(&original, ticks: 300) { inputs[$0] }
        let d = try raster(&loaded, ticks: 300) { inputs[$0] }
        #expect(c == d)
        let g1 = original.synaptogenesis(acetylcholine: 255)
        let g2 = loaded.synaptogenesis(acetylcholine: 255)
        #expect(g1 == g2)
        #expect(original == loaded)
        #expect(original.encoded() == loaded.encoded())
    }

    @Test func pendingInjectionSurvivesSaveAndLoad() throws {
        var pool = excitatoryPool(3, edges: [])
        pool.tick()
        try pool.inject(1 ..< 2, 6000)
        var loaded = try NeuronPool.decode(pool.encoded())
        #expect(loaded == pool)
        loaded.tick()
        #expect(Array(loaded.lastSpikes) == [1], "the injection made before saving applies to the next tick")
        loaded.tick()
        #expect(loaded.lastSpikeCount == 0)
    }

    @Test func inFlightSpikesSurviveSaveAndLoad() throws {
        // Neuron 0 → 1 with delay 8 and a suprathreshold weight: save mid-flight.
        var c = quietConfig()
        c.weightShift = 7
        var pool = excitatoryPool(2, edges: [(0, Synapse(target: 1, weight: 60, delay: 8))], config: c)
        try pool.tick(input: [10000, 0])
        for _ in 0 ..< 3 { pool.tick() }
        var loaded = try NeuronPool.decode(pool.encoded())
        #expect(loaded.delays.pending(for: 1) == 60 << 7)
        var firedAt: UInt64?
        for _ in 0 ..< 6 {
            let t = loaded.tickCount
            loaded.tick()
            if loaded.lastSpikes.contains(1) { firedAt = t }
        }
        #expect(firedAt == 8)
    }

    // MARK: Header and checksum

    @Test func headerAndChecksumLayout() throws {
        let pool = try Self.busyPool()
        let b = pool.encoded()
        #expect(Array(b[0 ..< 8]) == [0x89, 0x4E, 0x50, 0x4F, 0x4F, 0x4C, 0x0D, 0x0A])
        #expect(Self.readLE(b, at: 8, as: UInt16.self) == 1)
        #expect(Self.readLE(b, at: 10, as: UInt16.self) == 4, "flag bit 2: a plasticity section")
        #expect(Self.readLE(b, at: 12, as: UInt32.self) == UInt32(pool.neuronCount))
        #expect(Self.readLE(b, at: 16, as: UInt32.self) == UInt32(pool.synapseCount))
        #expect(Self.readLE(b, at: 20, as: UInt16.self) == UInt16(pool.name.utf8.count))
        #expect(Self.readLE(b, at: 24, as: UInt64.self) == pool.config.seed)
        #expect(Self.readLE(b, at: 32, as: UInt64.self) == pool.tickCount)
        #expect(Self.readLE(b, at: b.count - 4, as: UInt32.self) == CRC32.checksum(Array(b.dropLast(4))))
    }

    @Test func crc32IsTheStandardZlibCRC() {
        // The CRC-32 check value of "123456789", and of the empty string.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        // Continuing from a previous value equals checksumming the concatenation.
        let a = Array("12345".utf8), b = Array("6789".utf8)
        let partial = CRC32.checksum(a)
        let whole = b.withUnsafeBytes { CRC32.checksum($0, initial: partial) }
        #expect(whole == 0xCBF4_3926)
    }

    // MARK: Corruption

    @Test func everySingleBitFlipIsRejected() throws {
        var c = PoolConfig()
        c.seed = 5
        var pool = try NeuronPool.withRandomConnectivity(name: "bits", neurons: 16, density: 0.1, config: c)
        try pool.tick(input: kick(16, [0, 3, 7, 9, 12]))
        try pool.inject(2 ..< 4, 500)
        #expect(pool.lastSpikeCount > 0 && pool.delays.inFlightCount > 0 && pool.synapseCount > 0)
        let bytes = pool.encoded()
        #expect(try NeuronPool.decode(bytes) == pool)
        var accepted: [Int] = []
        for bit in 0 ..< bytes.count * 8 {
            var corrupt = bytes
            corrupt[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
            do {
                _ = try NeuronPool.decode(corrupt)
                accepted.append(bit)
            } catch {
                // Any PoolFileError is a correct rejection.
            }
        }
        #expect(accepted.isEmpty, "accepted flips at bits \(accepted.prefix(20)) of \(bytes.count * 8)")
    }

    @Test func everyTruncationIsRejectedAsTruncated() throws {
        let bytes = try Self.busyPool(neurons: 24, density: 0.2).encoded()
        var wrong: [(Int, String)] = []
        for length in 0 ..< bytes.count {
            do {
                _ = try NeuronPool.decode(Array(bytes[0 ..< length]))
                wrong.append((length, "accepted"))
            } catch {
                if case .truncated = error {} else { wrong.append((length, "\(error)")) }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    /// The exact errors of protocol/POOL-FORMAT.md's validation table, steps 1, 3, 5, 9 and 11.
    @Test func truncationErrorsNameTheSectionAndSizes() throws {
        let bytes = try Self.busyPool(neurons: 8, density: 0.3).encoded()
        // STDP is on: the plasticity section's length is the u32 after the 34 config words.
        #expect(Self.readLE(bytes, at: 10, as: UInt16.self) == NeuronPool.plasticityFlag)
        #expect(Self.readLE(bytes, at: 22, as: UInt16.self) == 136)
        let lengthEnd = 96 + 4 + 136 + 4
        for length in [0, 1, 7] {
            #expect(throws: PoolFileError.truncated(section: "magic", offset: 0, needed: 8, available: length)) {
                try NeuronPool.decode(Array(bytes[0 ..< length]))
            }
        }
        for length in [8, 9] {
            #expect(throws: PoolFileError.truncated(section: "header", offset: 8, needed: 2, available: length - 8)) {
                try NeuronPool.decode(Array(bytes[0 ..< length]))
            }
        }
        for length in [10, 50, 95] {
            #expect(throws: PoolFileError.truncated(section: "header", offset: 10, needed: 86, available: length - 10)) {
                try NeuronPool.decode(Array(bytes[0 ..< length]))
            }
        }
        for length in [96, 200, lengthEnd - 1] {
            #expect(throws: PoolFileError.truncated(section: "plasticity length", offset: length, needed: lengthEnd - length, available: 0)) {
                try NeuronPool.decode(Array(bytes[0 ..< length]))
            }
        }
        for length in [lengthEnd, 300, bytes.count - 1] {
            #expect(throws: PoolFileError.truncated(section: "pool data", offset: length, needed: bytes.count - length, available: 0)) {
                try NeuronPool.decode(Array(bytes[0 ..< length]))
            }
        }
    }

    /// The worked example of protocol/POOL-FORMAT.md: size, header bytes, the plasticity
    /// section's length and start, the first synapse and the CRC.
    @Test func matchesTheFormatDocumentsWorkedExample() throws {
        let pool = try NeuronPool.withRandomConnectivity(name: "example", neurons: 16, density: 0.25)
        let b = pool.encoded()
        #expect(b.count == 1019)
        #expect(b.count == 96 + 7 + 136 + 4 + 8 * 16 + 4 * 17 + 8 * 57 + 120 + 4)
        let header: [UInt8] = [
            0x89, 0x4e, 0x50, 0x4f, 0x4f, 0x4c, 0x0d, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x10, 0x00, 0x00, 0x00,
            0x39, 0x00, 0x00, 0x00, 0x07, 0x00, 0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0xaa, 0xe7, 0x58, 0x07, 0xa3, 0x80, 0x1e, 0x9b, 0x31, 0x4d, 0x76, 0xa0, 0x55, 0xe0, 0xfb, 0xef,
            0x4f, 0xc3, 0xe7, 0x59, 0x7b, 0xc5, 0x38, 0xc3, 0xe6, 0x1d, 0xa9, 0xee, 0x82, 0x54, 0x29, 0x18,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(Array(b[0 ..< 96]) == header)
        #expect(Array(b[239 ..< 243]) == [0x78, 0x00, 0x00, 0x00])                                  // plasticityLength 120
        #expect(Array(b[439 ..< 447]) == [0x03, 0x00, 0x2d, 0x03, 0x00, 0x10, 0x00, 0x00])         // first synapse
        #expect(Array(b[895 ..< 935]) == [0x01, 0x00, 0x00, 0x00,                                 // one rule:
                                          0x2e, 0x00, 0x00, 0x00, 0x32, 0x00, 0x00, 0x00,         // potentiation 46, depression 50
                                          0x14, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,         // tauPlus 20, tauMinus 20
                                          0xe8, 0x03, 0x00, 0x00,                                 // eligibilityTau 1000
                                          0xe0, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,         // gain 12000
                                          0x00, 0x00, 0x00, 0x00, 0xff, 0x7f, 0x00, 0x00])        // bounds 0...32767
        #expect(b[935 ..< 951].allSatisfy { $0 == 0 })                                             // dopamine, cortisol, integral
        #expect(Array(b[951 ..< 955]) == [0x00, 0x00, 0x00, 0xc0])                                 // lastSpike[0] = 2^32 − 2^30
        #expect(Array(b[1015 ..< 1019]) == [0x06, 0x73, 0xf1, 0x72])                               // CRC-32 0x72f17306
        #expect(pool.neurons.flags[0] == 0x00)
        #expect(Maturity.newborn == 0x10)
    }

    @Test func wrongMagicIsBadMagic() throws {
        var bytes = try Self.busyPool().encoded()
        bytes[1] = UInt8(ascii: "X")
        #expect(throws: PoolFileError.badMagic(Array(bytes[0 ..< 8]))) { try NeuronPool.decode(bytes) }
        let text = Array("hello, this is not a pool file at all, just some text.....................................................".utf8)
        #expect(throws: PoolFileError.badMagic(Array(text[0 ..< 8]))) { try NeuronPool.decode(text) }
    }

    @Test func otherVersionsAreUnsupported() throws {
        let bytes = try Self.busyPool().encoded()
        for version: UInt16 in [0, 5, 0xFFFF] {
            var b = bytes
            Self.writeLE(&b, at: 8, version)
            #expect(throws: PoolFileError.unsupportedVersion(found: version, supported: 4)) { try NeuronPool.decode(b) }
        }
    }

    @Test func trailingBytesAreRejected() throws {
        let bytes = try Self.busyPool().encoded()
        #expect(throws: PoolFileError.trailingBytes(1)) { try NeuronPool.decode(bytes + [0]) }
        #expect(throws: PoolFileError.trailingBytes(100)) { try NeuronPool.decode(bytes + [UInt8](repeating: 7, count: 100)) }
    }

    @Test func checksumMismatchIsReportedAsSuch() throws {
        var bytes = try Self.busyPool().encoded()
        bytes[bytes.count / 2] ^= 0x40
        let error = #expect(throws: PoolFileError.self) { try NeuronPool.decode(bytes) }
        guard case .checksumMismatch? = error else {
            Issue.record("expected checksumMismatch, got \(String(describing: error))")
            return
        }
    }

    /// Files with a valid checksum but impossible contents are rejected field by field.
    @Test func checksummedButInvalidFieldsAreRejected() throws {
        var c = PoolConfig()
        c.seed = 31
        var pool = try NeuronPool.withFixedOutDegree(name: "fields", neurons: 10, outDegree: 2, config: c)
        try pool.tick(input: kick(10, [2, 5]))
        let good = pool.encoded()
        #expect(Self.outcome(Self.resealed(good)) == "accepted")
        let n = pool.neuronCount
        let nameLength = Int(Self.readLE(good, at: 20, as: UInt16.self))
        let configOffset = 96 + nameLength
        let configLength = Int(Self.readLE(good, at: 22, as: UInt16.self))
        #expect(configLength == 34 * 4)
        // STDP is on (flag bit 2): the plasticity section's length follows the config words.
        #expect(Self.readLE(good, at: 10, as: UInt16.self) == 4)
        let neuronOffset = configOffset + configLength + 4
        let flagsOffset = neuronOffset + 6 * n
        let rowPtrOffset = neuronOffset + 8 * n
        let synapseOffset = rowPtrOffset + 4 * (n + 1)
        let spikesOffset = synapseOffset + 8 * pool.synapseCount
        let excitatory = try #require((0 ..< n).first { !pool.neurons.isInhibitory($0) })
        let inhibitory = try #require((0 ..< n).first { pool.neurons.isInhibitory($0) })
        let excSyn = Int(pool.synapses.rowPtr[excitatory])
        let inhSyn = Int(pool.synapses.rowPtr[inhibitory])

        func edited(_ edit: (inout [UInt8]) -> Void) -> String {
            var b = good
            edit(&b)
            return Self.outcome(Self.resealed(b))
        }
        #expect(edited { Self.writeLE(&$0, at: 10, UInt16(4 | 1)) } == "flags")                        // bit 0 in version 1
        #expect(edited { Self.writeLE(&$0, at: 10, UInt16(4 | 8)) } == "flags")                        // bit 3
        #expect(edited { Self.writeLE(&$0, at: 92, UInt32(1)) } == "reserved")
        #expect(edited { $0[96] = 0xFF } == "name")
        #expect(edited { Self.writeLE(&$0, at: configOffset + 6 * 4, Int32(9)) } == "config")          // maxDelay 9
        #expect(edited { Self.writeLE(&$0, at: configOffset, Int32(7)) } == "config.profiles")
        #expect(edited { Self.writeLE(&$0, at: configOffset + 2 * 4, Int32(100)) } == "config")         // reversed weight range
        #expect(edited { Self.writeLE(&$0, at: configOffset + 8 * 4, Int32(2)) } == "config")           // stdp 2
        #expect(edited { Self.writeLE(&$0, at: configOffset + 8 * 4, Int32(0)) } == "flags")            // stdp off with a plasticity section
        for unused in [13, 14, 22] {
            #expect(edited { Self.writeLE(&$0, at: configOffset + unused * 4, Int32(1)) } == "config")   // unused words must be 0
        }
        #expect(edited { Self.writeLE(&$0, at: configOffset + 26 * 4, Int32(0)) } == "config")          // stdpTauPlus 0
        #expect(edited { Self.writeLE(&$0, at: configOffset + 30 * 4, Int32(1 << 8)) } == "config")     // learningGain 2^40
        #expect(edited { Self.writeLE(&$0, at: configOffset + 31 * 4, Int32(40000)) } == "config.weightBounds") // reversed
        #expect(edited { Self.writeLE(&$0, at: configOffset + 32 * 4, Int32(40000)) } == "config")      // above 32767
        #expect(edited { Self.writeLE(&$0, at: configOffset + 33 * 4, Int32(0)) } == "config")          // dopamineTau 0
        #expect(edited { $0[flagsOffset + 3] |= 0x80 } == "flags[3]")
        #expect(edited { Self.writeLE(&$0, at: rowPtrOffset + 4, UInt32(5)) } == "rowPtr[2]")           // rowPtr[1] > rowPtr[2]
        #expect(edited { Self.writeLE(&$0, at: rowPtrOffset, UInt32(1)) } == "rowPtr")
        #expect(edited { Self.writeLE(&$0, at: synapseOffset + 8 * excSyn, UInt16(n)) } == "synapses[\(excSyn)].target")
        #expect(edited { $0[synapseOffset + 8 * excSyn + 3] = 0 } == "synapses[\(excSyn)].delay")
        #expect(edited { $0[synapseOffset + 8 * excSyn + 3] = 9 } == "synapses[\(excSyn)].delay")
        #expect(edited { $0[synapseOffset + 8 * excSyn + 2] = 0xF0 } == "synapses[\(excSyn)].weight")    // −16 on excitatory
        #expect(edited { $0[synapseOffset + 8 * inhSyn + 2] = 0x10 } == "synapses[\(inhSyn)].weight")    // +16 on inhibitory
        #expect(edited { $0[synapseOffset + 8 * inhSyn + 2] = 0x80 } == "synapses[\(inhSyn)]")          // −128
        #expect(edited { $0[synapseOffset + 8 * excSyn + 4] = 0x80 } == "synapses[\(excSyn)]")          // eligibility −128
        // reserved: a weight shift (bits 0–4) is invalid in a shorthand pool; bits 5–7 name a
        // plasticity rule (this pool has one, rule 0); bits 8–15 are the weight's fraction.
        #expect(edited { $0[synapseOffset + 8 * excSyn + 6] = 1 } == "synapses[\(excSyn)].reserved")
        #expect(edited { $0[synapseOffset + 8 * inhSyn + 6] = 0x1F } == "synapses[\(inhSyn)].reserved")
        #expect(edited { $0[synapseOffset + 8 * excSyn + 6] = 0x20 } == "plasticity.rules")             // rule 1 of 1
        #expect(edited { $0[synapseOffset + 8 * excSyn + 7] = 0x80 } == "accepted")                     // fraction 128/256
        #expect(pool.lastSpikeCount == 2)
        #expect(edited { Self.writeLE(&$0, at: spikesOffset, UInt16(9)) } == "lastSpikes[1]")         // 9, 5: out of order
        #expect(edited { Self.writeLE(&$0, at: spikesOffset + 2, UInt16(10)) } == "lastSpikes[1]")    // not a neuron
    }

    // MARK: Files

    @Test func saveIsAtomicAndLeavesNoTemporaryFile() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("net.pool").path
        let first = try Self.busyPool(seed: 1)
        try first.save(to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["net.pool"])
        #expect(try NeuronPool.load(from: path) == first)
        #expect(FileManager.default.contents(atPath: path).map(Array.init) == first.encoded())

        // Overwriting replaces the whole file, again without leftovers.
        let second = try Self.busyPool(neurons: 30, seed: 2, name: "second")
        try second.save(to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["net.pool"])
        #expect(try NeuronPool.load(from: path) == second)
    }

    @Test func loadingAMissingFileIsAnIOError() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("missing.pool").path
        #expect(throws: PoolFileError.io(path: path, operation: "open", errno: ENOENT)) { try NeuronPool.load(from: path) }
    }

    @Test func savingIntoAMissingDirectoryFailsCleanly() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("no/such/dir/x.pool").path
        let pool = try NeuronPool.unconnected(name: "x", neurons: 3)
        let error = #expect(throws: PoolFileError.self) { try pool.save(to: path) }
        guard case .io(_, _, let e)? = error else {
            Issue.record("expected .io, got \(String(describing: error))")
            return
        }
        #expect(e == ENOENT)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func loadingGarbageFromDiskIsRejected() throws {
        let dir = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("empty.pool").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let error = #expect(throws: PoolFileError.self) { try NeuronPool.load(from: path) }
        guard case .truncated? = error else {
            Issue.record("expected .truncated, got \(String(describing: error))")
            return
        }
    }

    /// Names are stored as at most 255 UTF-8 bytes. A longer name whose 255-byte prefix ends
    /// inside a multi-byte character must still give a file that loads.
    @Test func longMultiByteNameStillSavesALoadableFile() throws {
        let name = String(repeating: "é", count: 200)   // 400 UTF-8 bytes; byte 255 splits an "é"
        let pool = try NeuronPool.unconnected(name: name, neurons: 4)
        let loaded = try NeuronPool.decode(pool.encoded())
        #expect(name.hasPrefix(loaded.name))
        #expect(loaded.name.utf8.count <= 255)
    }

    @Test func overlongNameIsCutAtACharacterBoundary() throws {
        let pool = try NeuronPool.unconnected(name: String(repeating: "a", count: 254) + "é", neurons: 2)
        let b = pool.encoded()
        #expect(Self.readLE(b, at: 20, as: UInt16.self) == 254)
        #expect(try NeuronPool.decode(b).name == String(repeating: "a", count: 254))
    }

    @Test func nameOfExactly255BytesRoundTrips() throws {
        let name = String(repeating: "é", count: 127) + "a"   // 255 bytes
        let pool = try NeuronPool.unconnected(name: name, neurons: 4)
        let loaded = try NeuronPool.decode(pool.encoded())
        #expect(loaded.name == name)
        #expect(loaded == pool)
    }
}
