#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `.pool` binary format, versions 1 to 4 (see `protocol/POOL-FORMAT.md`): a 96-byte header,
/// the name and config, the neuron arrays, the CSR arrays, the last tick's spikes, the input in
/// flight (including injected current), the afferent, plasticity and held sections a pool has,
/// and a CRC-32 of everything before it. All little-endian.
extension NeuronPool {
    /// `\x89NPOOL\r\n`: the high byte and CR LF catch 7-bit and text-mode transfers.
    public static let fileMagic: [UInt8] = [0x89, 0x4E, 0x50, 0x4F, 0x4F, 0x4C, 0x0D, 0x0A]
    /// The newest format version this build writes and reads. Version 2 adds afferent
    /// projections; a pool without them is written as version 1, byte for byte as before.
    /// Version 3 adds the held input of a snapshot (`held`); without it, 1 or 2 as before.
    /// Version 4 is a pool of populations (`populations`): a population section, 32-bit
    /// membranes, no per-neuron leak, synapses with weight shifts, a ring of any slot count;
    /// header flag bit 0 marks a held section. Shorthand pools are written as 1–3 as before.
    public static let fileVersion: UInt16 = 4
    static let headerSize = 96

    /// The name as stored: its UTF-8 bytes, cut to at most 255 at a character boundary.
    static func storedName(_ name: String) -> [UInt8] { ByteWriter.storedName(name) }

    /// The pool's complete state as `.pool` bytes. Same state, same bytes. O(N + S).
    public func encoded() -> [UInt8] {
        let n = neuronCount
        let inFlight = delays.input.enumerated().filter { $0.element != 0 }
        let name = NeuronPool.storedName(self.name)
        let configWords = config.encodedWords
        let afferentBytes = encodedAfferents()
        let heldBytes = held.map { encodedHeld($0) }
        let modelBytes = populations.map { encodedPopulations($0) }
        let plasticityBytes = config.stdp ? encodedPlasticity() : nil
        let plasticityFlag = plasticityBytes != nil ? NeuronPool.plasticityFlag : 0
        var w = ByteWriter(capacity: NeuronPool.headerSize + n * 12 + synapseCount * 8 + inFlight.count * 8 + 512)
        w.write(NeuronPool.fileMagic)
        if modelBytes != nil {
            w.write(UInt16(4))
            // Flags: bit 0, a held section; bit 1, two input channels and synaptic states.
            w.write(UInt16((heldBytes != nil ? 1 : 0) | (delays.channels == 2 ? 2 : 0)) | plasticityFlag)
        } else {
            w.write(UInt16(heldBytes != nil ? 3 : afferents.isEmpty ? 1 : 2))
            w.write(plasticityFlag)
        }
        w.write(UInt32(n))
        w.write(UInt32(synapseCount))
        w.write(UInt16(name.count))
        w.write(UInt16(configWords.count * 4))
        w.write(config.seed)
        w.write(tickCount)
        w.write(totalSpikes)
        w.write(random.state.0); w.write(random.state.1); w.write(random.state.2); w.write(random.state.3)
        w.write(UInt32(lastSpikeCount))
        w.write(UInt32(inFlight.count))
        w.write(UInt32(afferents.count)) // reserved (0) in version 1
        w.write(UInt32(afferentBytes.count)) // reserved (0) in version 1
        w.write(name)
        for word in configWords { w.write(word) }
        if let plasticityBytes { w.write(UInt32(plasticityBytes.count)) }
        if let modelBytes {
            w.write(UInt32(modelBytes.count))
            w.write(modelBytes)
            w.write(array: ContiguousArray((0 ..< n).lazy.map { neurons.potential($0) }))
            w.write(array: neurons.threshold)
        } else {
            w.write(array: neurons.membrane)
            w.write(array: neurons.threshold)
            w.write(array: neurons.leak)
        }
        w.write(array: neurons.refractory)
        w.write(array: neurons.flags)
        w.write(array: neurons.trace)
        if delays.channels == 2 {
            w.write(array: neurons.synapticExcitatory)
            w.write(array: neurons.synapticInhibitory)
        }
        w.write(array: synapses.rowPtr)
        w.write(array: ContiguousArray(synapses.synapses.lazy.map(\.packed)))
        w.write(array: ContiguousArray(lastSpikes))
        for (index, value) in inFlight { w.write(UInt32(index)); w.write(value) }
        w.write(afferentBytes)
        if let plasticityBytes { w.write(plasticityBytes) }
        if let heldBytes {
            // Its length last, just before the CRC, so a reader finds it from the end.
            w.write(heldBytes)
            w.write(UInt32(heldBytes.count))
        }
        w.write(CRC32.checksum(w.bytes))
        return w.bytes
    }

    /// Writes the pool to `path` atomically (temporary file, fsync, rename).
    public func save(to path: String) throws(PoolFileError) {
        try AtomicFile.write(encoded(), to: path)
    }

    /// Reads a pool saved by `save(to:)`.
    public static func load(from path: String) throws(PoolFileError) -> NeuronPool {
        try decode(try readFile(path))
    }

    /// Decodes `.pool` bytes, checking in order: length, magic, version, total size, CRC-32,
    /// then every field's range and the CSR invariants. Never traps on bad input.
    public static func decode(_ bytes: [UInt8]) throws(PoolFileError) -> NeuronPool {
        var result: Result<NeuronPool, PoolFileError> = .failure(.trailingBytes(0))
        bytes.withUnsafeBytes { raw in
            do { result = .success(try decode(raw)) } catch let error as PoolFileError { result = .failure(error) } catch {}
        }
        return try result.get()
    }

    /// Reads the `.pool` file at `path` (a regular file), checking first — from its header,
    /// the section-length words after it and the held-length word before its end — that its
    /// size is the one its header gives, so a huge or sparse file is refused without being
    /// read. The bytes are then decoded by `decode`, which checks everything again.
    public static func readFile(_ path: String) throws(PoolFileError) -> [UInt8] {
        let (fd, size) = try AtomicFile.openRegularFile(path)
        defer { close(fd) }
        // Header, name (≤ 65,535), config (≤ 65,535) and two length words.
        let prefix = try AtomicFile.pread(fd, path: path, count: min(size, headerSize + 2 * 65535 + 8), at: 0)
        let tail = size >= 8 ? try AtomicFile.pread(fd, path: path, count: 4, at: size - 8) : []
        // A decode of the prefix with the file's size standing for its length: every check up
        // to the size comparison sees what it would see in the whole file.
        let tailWord = tail.count == 4 ? UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24 : nil
        var sized: Result<Int, PoolFileError> = .failure(.trailingBytes(0))
        prefix.withUnsafeBytes { raw in
            do { sized = .success(try layout(raw, total: size, tail: tailWord).size) } catch let error as PoolFileError { sized = .failure(error) } catch {}
        }
        let expected = try sized.get()
        guard size >= expected else { throw .truncated(section: "pool data", offset: size, needed: expected - size, available: 0) }
        guard size == expected else { throw .trailingBytes(size - expected) }
        return try AtomicFile.read(path, atMost: expected)
    }

    /// Where a `.pool` file's sections lie and how long the file must be, from its header, and
    /// the header's fields that fix them.
    struct Layout {
        var version: UInt16
        var flags: UInt16
        var neurons: Int
        var synapses: Int
        var nameLength: Int
        var configLength: Int
        var spikeCount: Int
        var inFlightCount: Int
        var channels: Int
        var afferentLength: Int
        var hasPlasticity: Bool
        var plasticityLength: Int
        var modelLength: Int
        var hasHeld: Bool
        var heldLength: Int
        /// The file's exact size.
        var size: Int
    }

    /// The layout the header in `raw` (a file's first bytes: the header, name, config and the
    /// length words after them) gives for a file of `total` bytes whose u32 eight bytes before
    /// the end is `tail`. Checks the header (magic, version, counts) in `decode`'s order and
    /// throws what it throws. O(1).
    static func layout(_ raw: UnsafeRawBufferPointer, total: Int, tail: UInt32?) throws(PoolFileError) -> Layout {
        var r = ByteReader<PoolFileError>(raw)
        let magic = try r.readBytes(8, "magic")
        guard magic == fileMagic else { throw .badMagic(magic) }
        let version = try r.read(UInt16.self, "header")
        guard (1 ... 4).contains(version) else { throw .unsupportedVersion(found: version, supported: fileVersion) }
        try r.need(headerSize - r.offset, "header")
        let flags = try r.read(UInt16.self, "header")
        let n = Int(try r.read(UInt32.self, "header"))
        let s = Int(try r.read(UInt32.self, "header"))
        let nameLength = Int(try r.read(UInt16.self, "header"))
        let configLength = Int(try r.read(UInt16.self, "header"))
        r.skip(8 * 7)
        let spikeCount = Int(try r.read(UInt32.self, "header"))
        let inFlightCount = Int(try r.read(UInt32.self, "header"))
        r.skip(4)
        // Version 2 on keeps the afferent section's length in the second reserved word.
        let afferentLength = version >= 2 ? Int(try r.read(UInt32.self, "header")) : 0
        guard (1 ... 65536).contains(n) else { throw .invalid(field: "neurons", detail: "\(n) is outside 1...65536") }
        guard spikeCount <= n else { throw .invalid(field: "lastSpikeCount", detail: "\(spikeCount) exceeds \(n) neurons") }
        let channels = version == 4 && flags & 2 != 0 ? 2 : 1
        let maxSlots = version == 4 ? DelayBuffer.maxSlots : DelayBuffer.slots
        guard inFlightCount <= maxSlots * n * channels else { throw .invalid(field: "inFlightCount", detail: "\(inFlightCount) exceeds \(maxSlots * n * channels)") }
        func word(_ at: Int, _ section: String) throws(PoolFileError) -> Int {
            guard total >= at + 4, raw.count >= at + 4 else { throw .truncated(section: section, offset: total, needed: at + 4 - total, available: 0) }
            return Int(raw.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian) + 4
        }
        // Flag bit 2: the plasticity section's length is the u32 after the config words;
        // version 4: the population section's length is the u32 after those.
        let hasPlasticity = flags & NeuronPool.plasticityFlag != 0
        let plasticityLength = hasPlasticity ? try word(headerSize + nameLength + configLength, "plasticity length") : 0
        let modelLength = version == 4 ? try word(headerSize + nameLength + configLength + (hasPlasticity ? 4 : 0), "population length") : 0
        // Versions 3 and 4: the held section's length is the u32 just before the CRC.
        let hasHeld = version == 3 || (version == 4 && flags & 1 != 0)
        var heldLength = 0
        if hasHeld {
            guard total >= 8, let tail else { throw .truncated(section: "held length", offset: total, needed: 8 - total, available: total) }
            heldLength = Int(tail) + 4
        }
        let neuronBytes = version == 4 ? NeuronArrays.bytesPerPopulationNeuron + (channels == 2 ? 8 : 0) : 8
        let size = headerSize + nameLength + configLength + modelLength + n * neuronBytes + (n + 1) * 4 + s * 8 + spikeCount * 2
            + inFlightCount * 8 + afferentLength + plasticityLength + heldLength + 4
        return Layout(version: version, flags: flags, neurons: n, synapses: s, nameLength: nameLength, configLength: configLength,
                      spikeCount: spikeCount, inFlightCount: inFlightCount,
                      channels: channels, afferentLength: afferentLength, hasPlasticity: hasPlasticity, plasticityLength: plasticityLength,
                      modelLength: modelLength, hasHeld: hasHeld, heldLength: heldLength, size: size)
    }

    static func decode(_ raw: UnsafeRawBufferPointer) throws(PoolFileError) -> NeuronPool {
        // The header (magic, version, counts) fixes the total size, so check it (and the CRC)
        // before trusting any other field.
        let layout = try Self.layout(raw, total: raw.count, tail: raw.count >= 8 ? raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt32.self).littleEndian : nil)
        let (version, flags, n, s) = (layout.version, layout.flags, layout.neurons, layout.synapses)
        let (nameLength, configLength, spikeCount, inFlightCount) = (layout.nameLength, layout.configLength, layout.spikeCount, layout.inFlightCount)
        // The fields `layout` does not read: seed, tick count, total spikes, random state
        // (offsets 24…79), and the two reserved words after the counts (88…95).
        var r = ByteReader<PoolFileError>(raw)
        r.skip(24)
        let seed = try r.read(UInt64.self, "header")
        let tickCount = try r.read(UInt64.self, "header")
        let totalSpikes = try r.read(UInt64.self, "header")
        let state = (try r.read(UInt64.self, "header"), try r.read(UInt64.self, "header"),
                     try r.read(UInt64.self, "header"), try r.read(UInt64.self, "header"))
        r.skip(8)
        let reserved = (try r.read(UInt32.self, "header"), try r.read(UInt32.self, "header"))

        let (channels, afferentLength, hasPlasticity, plasticityLength) = (layout.channels, layout.afferentLength, layout.hasPlasticity, layout.plasticityLength)
        let (modelLength, hasHeld, heldLength, expected) = (layout.modelLength, layout.hasHeld, layout.heldLength, layout.size)
        // Version 2 on keeps the afferent count in the first reserved word.
        let afferentCount = version >= 2 ? Int(reserved.0) : 0
        guard raw.count >= expected else {
            throw .truncated(section: "pool data", offset: raw.count, needed: expected - raw.count, available: 0)
        }
        guard raw.count == expected else { throw .trailingBytes(raw.count - expected) }
        let stored = raw.loadUnaligned(fromByteOffset: expected - 4, as: UInt32.self).littleEndian
        let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0 ..< expected - 4]))
        guard stored == computed else { throw .checksumMismatch(stored: stored, computed: computed) }

        guard flags & ~NeuronPool.plasticityFlag == 0 || (version == 4 && flags & ~7 == 0) else { throw .invalid(field: "flags", detail: "unknown flags 0x\(String(flags, radix: 16))") }
        if version == 1 {
            guard reserved == (0, 0) else { throw .invalid(field: "reserved", detail: "header bytes 88...95 must be zero") }
        } else if version == 2 {
            guard afferentCount >= 1 else { throw .invalid(field: "afferentCount", detail: "a version 2 file has at least one afferent projection") }
        }
        guard let name = String(validating: try r.readBytes(nameLength, "name"), as: UTF8.self) else {
            throw .invalid(field: "name", detail: "not valid UTF-8")
        }
        guard configLength % 4 == 0 else { throw .invalid(field: "configLength", detail: "\(configLength) is not a multiple of 4") }
        let words = try r.read(array: Int32.self, count: configLength / 4, "config")
        var config = try PoolConfig(words: Array(words))
        config.seed = seed
        if hasPlasticity {
            // The writer adds the section exactly when STDP is on; without it, nothing reads it.
            guard config.stdp else { throw .invalid(field: "flags", detail: "bit 2 (a plasticity section) is set but the config has stdp off") }
            _ = try r.read(UInt32.self, "plasticity length")
        }

        var table: PopulationTable?
        var slots = DelayBuffer.slots
        if version == 4 {
            _ = try r.read(UInt32.self, "population length")
            let start = r.offset
            (table, slots) = try decodePopulations(&r, neurons: n)
            guard r.offset - start == modelLength - 4 else {
                throw .invalid(field: "populationLength", detail: "the file says \(modelLength - 4) bytes, the populations take \(r.offset - start)")
            }
        }
        let membrane: ContiguousArray<Int16>
        var membraneLow: ContiguousArray<UInt16> = []
        let leak: ContiguousArray<UInt8>
        if version == 4 {
            let potentials = try r.read(array: Int32.self, count: n, "membrane")
            membrane = ContiguousArray(potentials.lazy.map { Int16(truncatingIfNeeded: $0 >> 16) })
            membraneLow = ContiguousArray(potentials.lazy.map { UInt16(truncatingIfNeeded: $0) })
        } else {
            membrane = try r.read(array: Int16.self, count: n, "membrane")
        }
        let threshold = try r.read(array: Int16.self, count: n, "threshold")
        leak = version == 4 ? [] : try r.read(array: UInt8.self, count: n, "leak")
        let refractory = try r.read(array: UInt8.self, count: n, "refractory")
        let neuronFlags = try r.read(array: UInt8.self, count: n, "flags")
        let trace = try r.read(array: Int8.self, count: n, "trace")
        if let table, table.hasExponentialSynapses != (channels == 2) {
            throw .invalid(field: "flags", detail: "bit 1 (two input channels) must be set exactly when a population has exponential synapses")
        }
        let synEx: ContiguousArray<Int32> = channels == 2 ? try r.read(array: Int32.self, count: n, "synapticExcitatory") : []
        let synIn: ContiguousArray<Int32> = channels == 2 ? try r.read(array: Int32.self, count: n, "synapticInhibitory") : []
        if let table {
            let expectedFlags = table.flags
            if let bad = neuronFlags.indices.first(where: { neuronFlags[$0] != expectedFlags[$0] }) {
                throw .invalid(field: "flags[\(bad)]", detail: "0x\(String(neuronFlags[bad], radix: 16)) does not match its population (0x\(String(expectedFlags[bad], radix: 16)))")
            }
        } else if let bad = neuronFlags.firstIndex(where: { $0 & NeuronFlags.reservedMask != 0 }) {
            throw .invalid(field: "flags[\(bad)]", detail: "reserved bits set in 0x\(String(neuronFlags[bad], radix: 16))")
        }
        let (rowPtr, synapses) = try readCSR(&r, rows: n, synapses: s, targets: n, delays: 1 ... slots, shifts: table != nil, prefix: "") {
            NeuronFlags.isInhibitory(neuronFlags[$0])
        }
        let spikes = try r.read(array: UInt16.self, count: spikeCount, "lastSpikes")
        for k in 0 ..< spikeCount where Int(spikes[k]) >= n || (k > 0 && spikes[k] <= spikes[k - 1]) {
            throw .invalid(field: "lastSpikes[\(k)]", detail: "\(spikes[k]) is out of range or out of order")
        }
        var ring = ContiguousArray<Int32>(repeating: 0, count: slots * n * channels)
        var previous = -1
        for k in 0 ..< inFlightCount {
            let index = Int(try r.read(UInt32.self, "inFlight"))
            let value = try r.read(Int32.self, "inFlight")
            guard index < ring.count, index > previous, value != 0 else {
                throw .invalid(field: "inFlight[\(k)]", detail: "index \(index) value \(value) is out of range, out of order or zero")
            }
            ring[index] = value
            previous = index
        }

        var afferents: [AfferentProjection] = []
        let afferentStart = r.offset
        for p in 0 ..< afferentCount {
            afferents.append(try decodeAfferent(&r, index: p, targetCount: n, slots: slots, shifts: table != nil))
        }
        guard r.offset - afferentStart == afferentLength else {
            throw .invalid(field: "afferentLength", detail: "header says \(afferentLength) bytes, the projections take \(r.offset - afferentStart)")
        }
        let plasticityStart = r.offset
        var plasticityReader = r
        if hasPlasticity {
            // The rule count, the neurons and the projections fix the section's length: check it
            // before the held section is looked for after it.
            let used = try plasticityLengthNeeded(&r, neurons: n, afferents: afferents, length: plasticityLength - 4)
            r.skip(used - 4)
        }
        var held: HeldInput?
        if hasHeld {
            let heldStart = r.offset
            held = try decodeHeld(&r, tickCount: tickCount, afferents: afferents)
            guard r.offset - heldStart == heldLength - 4 else {
                throw .invalid(field: "heldLength", detail: "the file says \(heldLength - 4) bytes, the held input takes \(r.offset - heldStart)")
            }
        }

        var pool = NeuronPool(
            name: name, config: config, random: PoolRandom(state: state),
            neurons: NeuronArrays(membrane: membrane, threshold: threshold, leak: leak, refractory: refractory, flags: neuronFlags, trace: trace),
            synapses: SynapseStore(rowPtr: rowPtr, synapses: synapses),
            delays: DelayBuffer(neuronCount: n, input: ring, channels: channels))
        pool.populations = table
        pool.neurons.membraneLow = membraneLow
        pool.neurons.synapticExcitatory = synEx
        pool.neurons.synapticInhibitory = synIn
        pool.tickCount = tickCount
        pool.totalSpikes = totalSpikes
        for k in 0 ..< spikeCount { pool.spikeBuffer[k] = spikes[k] }
        pool.lastSpikeCount = spikeCount
        pool.afferents = afferents
        pool.held = held
        if hasPlasticity {
            try decodePlasticity(&plasticityReader, into: &pool)
            assert(plasticityReader.offset - plasticityStart == plasticityLength - 4)
        } else {
            // Without STDP the times are never read. A file from before the plasticity section
            // with STDP on starts its pool with no recent spike, as a new projection would.
            let never = NeuronPool.longAgo(config.stdp ? tickCount : 0)
            pool.lastSpike = ContiguousArray(repeating: never, count: n)
            for p in pool.afferents.indices {
                pool.afferents[p].sourceLastSpike = ContiguousArray(repeating: never, count: pool.afferents[p].sourceCount)
            }
        }
        return pool
    }

    /// The afferent section (empty without projections): per projection the source name
    /// (u16 length + UTF-8), source size (u32), lag (u8) and 3 zero bytes, synapse count (u32),
    /// source kinds (u8 each, 1 = inhibitory), one unused zero byte per source neuron, rowPtr (u32 × size+1)
    /// and the packed synapses (u64 each).
    func encodedAfferents() -> [UInt8] {
        guard !afferents.isEmpty else { return [] }
        var w = ByteWriter(capacity: afferents.reduce(0) { $0 + $1.byteCount + 300 })
        for a in afferents {
            let name = NeuronPool.storedName(a.source)
            w.write(UInt16(name.count))
            w.write(name)
            w.write(UInt32(a.sourceCount))
            w.write(UInt8(a.lag)); w.write(UInt8(0)); w.write(UInt16(0))
            w.write(UInt32(a.count))
            w.write(array: a.sourceInhibitory)
            w.write(array: ContiguousArray<UInt8>(repeating: 0, count: a.sourceCount))
            w.write(array: a.rowPtr)
            w.write(array: ContiguousArray(a.synapses.lazy.map(\.packed)))
        }
        return w.bytes
    }

    /// Reads one afferent projection, checking every field (targets below `targetCount`,
    /// delays within lag...8, Dale's law per source neuron).
    static func decodeAfferent(_ r: inout ByteReader<PoolFileError>, index p: Int, targetCount n: Int, slots: Int, shifts: Bool) throws(PoolFileError) -> AfferentProjection {
        let field = "afferents[\(p)]"
        let nameLength = Int(try r.read(UInt16.self, field))
        guard let source = String(validating: try r.readBytes(nameLength, field), as: UTF8.self) else {
            throw .invalid(field: "\(field).source", detail: "not valid UTF-8")
        }
        let sourceCount = Int(try r.read(UInt32.self, field))
        guard (1 ... 65536).contains(sourceCount) else { throw .invalid(field: "\(field).sourceCount", detail: "\(sourceCount) is outside 1...65536") }
        let lag = Int(try r.read(UInt8.self, field))
        guard (1 ... slots).contains(lag) else { throw .invalid(field: "\(field).lag", detail: "\(lag) is outside 1...\(slots)") }
        guard try r.read(UInt8.self, field) == 0, try r.read(UInt16.self, field) == 0 else {
            throw .invalid(field: "\(field).reserved", detail: "must be zero")
        }
        let s = Int(try r.read(UInt32.self, field))
        let kinds = try r.read(array: UInt8.self, count: sourceCount, "\(field).sourceInhibitory")
        if let bad = kinds.firstIndex(where: { $0 > 1 }) { throw .invalid(field: "\(field).sourceInhibitory[\(bad)]", detail: "\(kinds[bad]) is not 0 or 1") }
        _ = try r.read(array: Int8.self, count: sourceCount, "\(field).unused")
        let (rowPtr, synapses) = try readCSR(&r, rows: sourceCount, synapses: s, targets: n, delays: lag ... slots,
                                             shifts: shifts, prefix: "\(field).") { kinds[$0] == 1 }
        return AfferentProjection(source: source, sourceCount: sourceCount, lag: lag, sourceInhibitory: kinds,
                                  rowPtr: rowPtr, synapses: synapses)
    }
}

extension NeuronPool {
    /// Reads a CSR of `rows` row starts and `s` packed synapses (fields named with `prefix`),
    /// checking the row starts, and each synapse's target (< `targets`), delay (in `delays`),
    /// sign (Dale's law by `inhibitory(row)`), value ranges and reserved bits.
    static func readCSR(_ r: inout ByteReader<PoolFileError>, rows: Int, synapses s: Int, targets n: Int, delays: ClosedRange<Int>, shifts: Bool = false, prefix: String,
                        inhibitory: (Int) -> Bool) throws(PoolFileError) -> (ContiguousArray<UInt32>, ContiguousArray<Synapse>) {
        let rowPtr = try r.read(array: UInt32.self, count: rows + 1, "\(prefix)rowPtr")
        guard rowPtr[0] == 0, Int(rowPtr[rows]) == s else {
            throw .invalid(field: "\(prefix)rowPtr", detail: "must start at 0 and end at \(s), found \(rowPtr[0]) and \(rowPtr[rows])")
        }
        for i in 0 ..< rows where rowPtr[i] > rowPtr[i + 1] {
            throw .invalid(field: "\(prefix)rowPtr[\(i + 1)]", detail: "\(rowPtr[i + 1]) is below the previous row start \(rowPtr[i])")
        }
        let packed = try r.read(array: UInt64.self, count: s, "\(prefix)synapses")
        var synapses = ContiguousArray<Synapse>()
        synapses.reserveCapacity(s)
        for i in 0 ..< rows {
            let negative = inhibitory(i)
            for k in Int(rowPtr[i]) ..< Int(rowPtr[i + 1]) {
                let syn = Synapse(packed: packed[k])
                let at = "\(prefix)synapses[\(k)]"
                guard Int(syn.target) < n else { throw .invalid(field: "\(at).target", detail: "\(syn.target) is not a neuron of \(n)") }
                guard delays.contains(Int(syn.delay)) else {
                    throw .invalid(field: "\(at).delay", detail: "\(syn.delay) is outside \(delays.lowerBound)...\(delays.upperBound)")
                }
                guard negative ? syn.weight <= 0 : syn.weight >= 0 else {
                    throw .invalid(field: "\(at).weight", detail: "\(syn.weight) breaks Dale's law for \(negative ? "inhibitory" : "excitatory") neuron \(i)")
                }
                guard syn.weight != Int8.min, syn.eligibility != Int8.min else {
                    throw .invalid(field: at, detail: "weight and eligibility must be within -127...127")
                }
                if shifts {
                    guard syn.shift <= 20 else {
                        throw .invalid(field: "\(at).reserved", detail: "0x\(String(syn.reserved, radix: 16)) has a weight shift above 20")
                    }
                } else {
                    guard syn.shift == 0 else { throw .invalid(field: "\(at).reserved", detail: "0x\(String(syn.reserved, radix: 16)) sets a weight shift in a shorthand pool") }
                }
                synapses.append(syn)
            }
        }
        return (rowPtr, synapses)
    }
}

extension PoolConfig {
    /// The config as the `.pool` format's sequence of 32-bit words (seed excluded: it is in
    /// the header). New fields are only ever appended; words 13, 14 and 22 held constants of
    /// an earlier plasticity rule and are written as 0.
    var encodedWords: [Int32] {
        [Int32(excitatoryProfile.rawValue), Int32(inhibitoryProfile.rawValue),
         Int32(excitatoryWeight.lowerBound), Int32(excitatoryWeight.upperBound),
         Int32(inhibitoryWeight.lowerBound), Int32(inhibitoryWeight.upperBound),
         Int32(maxDelay), Int32(weightShift), stdp ? 1 : 0,
         Int32(stdpPotentiation), Int32(stdpDepression), Int32(traceMax), Int32(traceDecay),
         0, 0,
         Int32(homeostasisStep), Int32(homeostasisTarget),
         Int32(thresholdBounds.lowerBound), Int32(thresholdBounds.upperBound),
         Int32(dopamineBaseline), Int32(cortisolBaseline), Int32(acetylcholineGate), 0,
         Int32(maxSynapsesPerNeuron), Int32(maxNewSynapses), Int32(activeTrace),
         Int32(stdpTauPlus), Int32(stdpTauMinus), Int32(eligibilityTau),
         Int32(truncatingIfNeeded: learningGain), Int32(truncatingIfNeeded: learningGain >> 32),
         Int32(weightBounds.lowerBound), Int32(weightBounds.upperBound), Int32(dopamineTau)]
    }

    /// Words in a config written before the plasticity rule's constants were added.
    static let earlierWordCount = 26

    /// Decodes `encodedWords`, validating every field. A config of `earlierWordCount` words
    /// (an earlier rule's) gets this build's default plasticity constants.
    init(words w: [Int32]) throws(PoolFileError) {
        let count = PoolConfig().encodedWords.count
        guard w.count == count || w.count == Self.earlierWordCount else {
            throw .invalid(field: "config", detail: "\(w.count) words, expected \(count)")
        }
        guard let exc = NeuronProfile(rawValue: UInt8(clamping: w[0])), w[0] >= 0,
              let inh = NeuronProfile(rawValue: UInt8(clamping: w[1])), w[1] >= 0 else {
            throw .invalid(field: "config.profiles", detail: "\(w[0]), \(w[1]) are not profiles 0...3")
        }
        guard w[2] <= w[3], w[4] <= w[5], w[17] <= w[18], w[8] == 0 || w[8] == 1 else {
            throw .invalid(field: "config", detail: "a range is reversed or stdp is not 0/1")
        }
        self.init()
        excitatoryProfile = exc
        inhibitoryProfile = inh
        excitatoryWeight = Int(w[2]) ... Int(w[3])
        inhibitoryWeight = Int(w[4]) ... Int(w[5])
        maxDelay = Int(w[6]); weightShift = Int(w[7]); stdp = w[8] == 1
        traceMax = Int(w[11]); traceDecay = Int(w[12])
        homeostasisStep = Int(w[15]); homeostasisTarget = Int(w[16])
        thresholdBounds = Int(w[17]) ... Int(w[18])
        dopamineBaseline = Int(w[19]); cortisolBaseline = Int(w[20]); acetylcholineGate = Int(w[21])
        maxSynapsesPerNeuron = Int(w[23]); maxNewSynapses = Int(w[24]); activeTrace = Int(w[25])
        if w.count == count {
            guard w[13] == 0, w[14] == 0, w[22] == 0 else {
                throw .invalid(field: "config", detail: "words 13, 14 and 22 are unused and must be 0, found \(w[13]), \(w[14]), \(w[22])")
            }
            guard w[31] <= w[32] else { throw .invalid(field: "config.weightBounds", detail: "\(w[31])...\(w[32]) is reversed") }
            stdpPotentiation = Int(w[9]); stdpDepression = Int(w[10])
            stdpTauPlus = Int(w[26]); stdpTauMinus = Int(w[27]); eligibilityTau = Int(w[28])
            learningGain = Int64(UInt32(bitPattern: w[29])) | Int64(w[30]) << 32
            weightBounds = Int(w[31]) ... Int(w[32]); dopamineTau = Int(w[33])
        }
        do { try validate() } catch { throw .invalid(field: "config", detail: error.description) }
    }
}
