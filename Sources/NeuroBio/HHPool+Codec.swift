import NeuroPool

extension HHPool {
    /// The 8-byte magic of HH pool data: 0x89 "NBHH" CR LF 0x1A.
    public static let fileMagic: [UInt8] = [0x89, 0x4E, 0x42, 0x48, 0x48, 0x0D, 0x0A, 0x1A]
    /// The format version this build writes and reads.
    public static let fileVersion: UInt16 = 1

    /// The pool's complete state as bytes (protocol/HH-POOL-FORMAT.md): a loaded pool continues
    /// exactly as this one would. O(N + S).
    public func encoded() -> [UInt8] {
        let count = neuronCount
        var w = ByteWriter(capacity: 128 + count * 8 * 15 + count * 64 + synapses.count * 8)
        w.write(HHPool.fileMagic)
        w.write(HHPool.fileVersion)
        w.write(UInt32(0))   // total length, patched below
        w.write(features.rawValue)
        w.write(string: name)
        w.write(UInt32(count))
        let fields = HHParameters.fields
        w.write(UInt16(fields.count))
        for field in fields { w.write(parameters[keyPath: field.path]) }
        w.write(modulators.dopamine)
        w.write(modulators.serotonin)
        w.write(modulators.acetylcholine)
        w.write(UInt8(0))
        let state = random.state
        for x in [state.0, state.1, state.2, state.3] { w.write(x) }
        w.write(tickCount)
        w.write(totalSpikes)
        for array in stateArrays { w.write(doubles: array) }
        w.write(array: inhibitory)
        Self.write(&w, rowPtr: rowPtr, synapses: synapses)
        // The ring's two channels as two arrays: excitatory sums, inhibitory magnitudes.
        let ring = delays.input
        w.write(array: ContiguousArray((0 ..< ring.count / 2).lazy.map { ring[2 * $0] }))
        w.write(array: ContiguousArray((0 ..< ring.count / 2).lazy.map { 0 &- ring[2 * $0 + 1] }))
        w.write(UInt16(afferents.count))
        for a in afferents {
            w.write(string: a.source)
            w.write(UInt32(a.sourceCount))
            w.write(UInt8(a.lag))
            Self.write(&w, rowPtr: a.rowPtr, synapses: a.synapses)
        }
        w.write(UInt32(lastSpikeCount))
        w.write(array: ContiguousArray(lastSpikes))
        var bytes = w.bytes
        let total = UInt32(truncatingIfNeeded: bytes.count + 4)
        for k in 0 ..< 4 { bytes[10 + k] = UInt8(truncatingIfNeeded: total >> (8 * k)) }
        let crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
        for k in 0 ..< 4 { bytes.append(UInt8(truncatingIfNeeded: crc >> (8 * k))) }
        return bytes
    }

    /// The per-neuron Float64 arrays in save order.
    var stateArrays: [ContiguousArray<Double>] {
        [v, m, h, n, ampaDecay, ampaRise, nmdaDecay, nmdaRise, gabaDecay, gabaRise, calcium, atp, bias, lastSpikeTime]
    }

    private static func write(_ w: inout ByteWriter, rowPtr: ContiguousArray<UInt32>, synapses: ContiguousArray<Synapse>) {
        w.write(array: rowPtr)
        w.write(UInt32(synapses.count))
        for s in synapses {
            w.write(s.target)
            w.write(UInt8(bitPattern: s.weight))
            w.write(s.delay)
        }
    }

    private static func readCSR(_ r: inout ByteReader<HHPoolFileError>, rows: Int, targets: Int, minDelay: Int, section: String)
        throws(HHPoolFileError) -> (ContiguousArray<UInt32>, ContiguousArray<Synapse>) {
        let rowPtr = try r.read(array: UInt32.self, count: rows + 1, "\(section) row starts")
        let count = Int(try r.read(UInt32.self, "\(section) synapse count"))
        try r.need(count.multipliedReportingOverflow(by: 4).partialValue, "\(section) synapses")
        var synapses = ContiguousArray<Synapse>()
        synapses.reserveCapacity(count)
        for _ in 0 ..< count {
            let target = try r.read(UInt16.self, "\(section) synapses")
            let weight = Int8(bitPattern: try r.read(UInt8.self, "\(section) synapses"))
            let delay = try r.read(UInt8.self, "\(section) synapses")
            guard Int(target) < targets else { throw .invalid(field: "\(section) synapses", detail: "target \(target) is outside the pool of \(targets) neurons") }
            synapses.append(Synapse(target: target, weight: weight, delay: delay))
        }
        do throws(HHError) {
            try HHProjection.checkCSR(rowPtr: rowPtr, synapses: synapses, rows: rows, minDelay: minDelay)
        } catch {
            throw .invalid(field: "\(section) synapses", detail: error.description)
        }
        return (rowPtr, synapses)
    }

    /// Decodes bytes written by `encoded()`. Checks, in order: magic, version, length, CRC-32, then
    /// every section's length and every field's range; throws `HHPoolFileError` naming the
    /// first problem. O(N + S).
    public init(decoding bytes: [UInt8]) throws(HHPoolFileError) {
        var result: Result<HHPool, HHPoolFileError> = .failure(.trailingBytes(0))
        bytes.withUnsafeBytes { raw in
            do throws(HHPoolFileError) { result = .success(try HHPool(decoding: raw)) } catch { result = .failure(error) }
        }
        self = try result.get()
    }

    private init(decoding bytes: UnsafeRawBufferPointer) throws(HHPoolFileError) {
        guard bytes.count >= 8 else { throw .truncated(section: "magic", offset: 0, needed: 8, available: bytes.count) }
        guard Array(bytes[0 ..< 8]) == HHPool.fileMagic else { throw .badMagic(Array(bytes[0 ..< 8])) }
        var r = ByteReader<HHPoolFileError>(bytes)
        _ = try r.read(UInt64.self, "magic")
        let version = try r.read(UInt16.self, "version")
        guard version == HHPool.fileVersion else { throw .unsupportedVersion(found: version, supported: HHPool.fileVersion) }
        let length = Int(try r.read(UInt32.self, "length"))
        guard length >= 18 else { throw .invalid(field: "length", detail: "\(length) bytes is shorter than the header") }
        guard bytes.count >= length else { throw .truncated(section: "pool", offset: bytes.count, needed: length - bytes.count, available: 0) }
        guard bytes.count == length else { throw .trailingBytes(bytes.count - length) }
        let stored = UInt32(bytes[bytes.count - 4]) | UInt32(bytes[bytes.count - 3]) << 8
            | UInt32(bytes[bytes.count - 2]) << 16 | UInt32(bytes[bytes.count - 1]) << 24
        let body = UnsafeRawBufferPointer(rebasing: bytes[0 ..< bytes.count - 4])
        let computed = CRC32.checksum(body)
        guard stored == computed else { throw .checksumMismatch(stored: stored, computed: computed) }
        r = ByteReader<HHPoolFileError>(body)
        _ = try r.read(UInt64.self, "magic")
        _ = try r.read(UInt16.self, "version")
        _ = try r.read(UInt32.self, "length")

        let rawFeatures = try r.read(UInt16.self, "features")
        let features = HHFeatures(rawValue: rawFeatures)
        guard HHFeatures.all.isSuperset(of: features) else {
            throw .invalid(field: "features", detail: "unknown feature bits 0x\(String(rawFeatures & ~HHFeatures.all.rawValue, radix: 16))")
        }
        let name = try r.readString("name")
        let count = Int(try r.read(UInt32.self, "neuron count"))
        guard (1 ... 65536).contains(count) else { throw .invalid(field: "neuron count", detail: "\(count) is not 1...65536") }
        let fieldCount = Int(try r.read(UInt16.self, "parameter count"))
        let fields = HHParameters.fields
        guard fieldCount == fields.count else {
            throw .invalid(field: "parameter count", detail: "\(fieldCount) parameters, version 1 has \(fields.count)")
        }
        var parameters = HHParameters()
        for field in fields { parameters[keyPath: field.path] = try r.readDouble("parameter \(field.name)") }
        do throws(HHError) { try parameters.validate() } catch {
            throw .invalid(field: "parameters", detail: error.description)
        }
        let levels = HHModulators(dopamine: try r.read(UInt8.self, "modulators"), serotonin: try r.read(UInt8.self, "modulators"),
                                  acetylcholine: try r.read(UInt8.self, "modulators"))
        _ = try r.read(UInt8.self, "modulators")
        let s0 = try r.read(UInt64.self, "generator"), s1 = try r.read(UInt64.self, "generator")
        let s2 = try r.read(UInt64.self, "generator"), s3 = try r.read(UInt64.self, "generator")
        guard (s0, s1, s2, s3) != (0, 0, 0, 0) else { throw .invalid(field: "generator", detail: "an all-zero xoshiro state") }
        let tickCount = try r.read(UInt64.self, "tick count")
        let totalSpikes = try r.read(UInt64.self, "spike count")
        let names = ["v", "m", "h", "n", "ampaDecay", "ampaRise", "nmdaDecay", "nmdaRise", "gabaDecay", "gabaRise", "calcium", "atp", "bias", "lastSpikeTime"]
        var arrays: [ContiguousArray<Double>] = []
        for field in names {
            let a = try r.readDoubles(count: count, "state \(field)")
            let allowsMinusInfinity = field == "lastSpikeTime"
            if let bad = a.firstIndex(where: { !($0.isFinite || (allowsMinusInfinity && $0 == -.infinity)) }) {
                throw .invalid(field: "state \(field)", detail: "neuron \(bad) holds \(a[bad])")
            }
            if ["m", "h", "n"].contains(field), let bad = a.firstIndex(where: { !(0 ... 1).contains($0) }) {
                throw .invalid(field: "state \(field)", detail: "neuron \(bad) holds \(a[bad]), expected 0...1")
            }
            arrays.append(a)
        }
        let inhibitory = try r.read(array: UInt8.self, count: count, "kinds")
        if let bad = inhibitory.firstIndex(where: { $0 > 1 }) { throw .invalid(field: "kinds", detail: "neuron \(bad) has kind \(inhibitory[bad]), expected 0 or 1") }
        let (rowPtr, synapses) = try Self.readCSR(&r, rows: count, targets: count, minDelay: 1, section: "local")
        let ringE = try r.read(array: Int32.self, count: 8 * count, "excitatory ring")
        let ringI = try r.read(array: Int32.self, count: 8 * count, "inhibitory ring")
        let afferentCount = Int(try r.read(UInt16.self, "afferent count"))
        var afferents: [HHProjection] = []
        for k in 0 ..< afferentCount {
            let source = try r.readString("afferent \(k) source")
            let sourceCount = Int(try r.read(UInt32.self, "afferent \(k) source count"))
            guard (1 ... 65536).contains(sourceCount) else { throw .invalid(field: "afferent \(k) source count", detail: "\(sourceCount) is not 1...65536") }
            let lag = Int(try r.read(UInt8.self, "afferent \(k) lag"))
            guard (1 ... 8).contains(lag) else { throw .invalid(field: "afferent \(k) lag", detail: "\(lag) is not 1...8") }
            let (rows, syn) = try Self.readCSR(&r, rows: sourceCount, targets: count, minDelay: lag, section: "afferent \(k)")
            do throws(HHError) {
                afferents.append(try HHProjection(source: source, sourceCount: sourceCount, lag: lag, rowPtr: rows, synapses: syn))
            } catch { throw .invalid(field: "afferent \(k)", detail: error.description) }
        }
        let spikeCount = Int(try r.read(UInt32.self, "last spikes"))
        guard spikeCount <= count else { throw .invalid(field: "last spikes", detail: "\(spikeCount) spikes in a pool of \(count)") }
        let spikes = try r.read(array: UInt16.self, count: spikeCount, "last spikes")
        for k in spikes.indices where Int(spikes[k]) >= count || (k > 0 && spikes[k] <= spikes[k - 1]) {
            throw .invalid(field: "last spikes", detail: "ids must be ascending and below \(count)")
        }
        if r.remaining > 0 { throw .invalid(field: "length", detail: "\(r.remaining) bytes between the last section and the checksum") }

        self.init(name: name, parameters: parameters, features: features, random: PoolRandom(state: (s0, s1, s2, s3)),
                  inhibitory: inhibitory, rowPtr: rowPtr, synapses: synapses)
        apply(levels)
        self.tickCount = tickCount
        self.totalSpikes = totalSpikes
        (v, m, h, n) = (arrays[0], arrays[1], arrays[2], arrays[3])
        (ampaDecay, ampaRise, nmdaDecay, nmdaRise, gabaDecay, gabaRise) = (arrays[4], arrays[5], arrays[6], arrays[7], arrays[8], arrays[9])
        (calcium, atp, bias, lastSpikeTime) = (arrays[10], arrays[11], arrays[12], arrays[13])
        var ring = ContiguousArray<Int32>(repeating: 0, count: 16 * count)
        for k in 0 ..< 8 * count {
            ring[2 * k] = ringE[k]
            ring[2 * k + 1] = 0 &- ringI[k]
        }
        delays = DelayBuffer(neuronCount: count, input: ring, channels: 2)
        self.afferents = afferents
        for (k, s) in spikes.enumerated() { spikeBuffer[k] = s }
        lastSpikeCount = spikeCount
    }
}
