/// The `.pool` plasticity section (header flag bit 2, any version; written when STDP is on):
/// the rules, the modulator levels and the last-spike times STDP pairs against. Its length (u32)
/// follows the config words (before a version 4 file's population length); the section itself
/// follows the afferent section (before the held section, if any).
extension NeuronPool {
    /// Header flag bit marking a plasticity section.
    static let plasticityFlag: UInt16 = 4
    /// Bytes per rule in the section: five i32, an i64 and two i32.
    static let bytesPerRule = 36
    /// Bytes of the modulator levels in the section: dopamine, cortisol (i32) and integral (i64).
    static let bytesOfLevels = 16
    /// The modulation integral a file holds must be smaller in magnitude: a sweep multiplies
    /// it by a gain of up to 2^39, and the product must stay within 64 bits. (A running pool's
    /// stays below 64 ticks × 2^17.)
    static let integralLimit: Int64 = 1 << 24

    /// The section: rule count (u32); per rule potentiation, depression, tauPlus, tauMinus,
    /// eligibilityTau (i32 each), gain (i64), bounds low and high (i32 each); dopamine,
    /// cortisol (i32 each) and their integral (i64); the pool's last-spike ticks (u32 × N);
    /// then each afferent projection's mirror of its source's (u32 × source size).
    func encodedPlasticity() -> [UInt8] {
        var w = ByteWriter(capacity: 4 + plasticity.rules.count * Self.bytesPerRule + Self.bytesOfLevels + lastSpike.count * 4
                           + afferents.reduce(0) { $0 + $1.sourceCount * 4 })
        w.write(UInt32(plasticity.rules.count))
        for rule in plasticity.rules {
            w.write(Int32(rule.potentiation)); w.write(Int32(rule.depression))
            w.write(Int32(rule.tauPlus)); w.write(Int32(rule.tauMinus)); w.write(Int32(rule.eligibilityTau))
            w.write(rule.gain)
            w.write(Int32(rule.bounds.lowerBound)); w.write(Int32(rule.bounds.upperBound))
        }
        w.write(plasticity.dopamine); w.write(plasticity.cortisol); w.write(plasticity.integral)
        w.write(array: lastSpike)
        for a in afferents { w.write(array: a.sourceLastSpike) }
        return w.bytes
    }

    /// Reads the section's rule count at `r` (moving past it) and checks it (1…8), then that
    /// the section's `length` is what that many rules, `n` neurons and the sources of
    /// `afferents` take. Returns that length.
    static func plasticityLengthNeeded(_ r: inout ByteReader<PoolFileError>, neurons n: Int, afferents: [AfferentProjection],
                                       length: Int) throws(PoolFileError) -> Int {
        guard length >= 4 else {
            throw .invalid(field: "plasticityLength", detail: "the file says \(length) bytes, too few for the rule count")
        }
        let count = Int(try r.read(UInt32.self, "plasticity"))
        guard (1 ... maxPlasticityRules).contains(count) else {
            throw .invalid(field: "plasticity.rules", detail: "\(count) rules is outside 1...\(maxPlasticityRules)")
        }
        let needed = 4 + count * bytesPerRule + bytesOfLevels + 4 * n + afferents.reduce(0) { $0 + 4 * $1.sourceCount }
        guard needed == length else {
            throw .invalid(field: "plasticityLength", detail: "the file says \(length) bytes, \(count) rules, \(n) neurons and the projections' sources take \(needed)")
        }
        return needed
    }

    /// Reads the section into `pool` (whose afferents are decoded), checking every field:
    /// 1…8 valid rules covering every synapse's rule index, levels within their limits.
    static func decodePlasticity(_ r: inout ByteReader<PoolFileError>, into pool: inout NeuronPool) throws(PoolFileError) {
        let count = Int(try r.read(UInt32.self, "plasticity"))
        guard (1 ... maxPlasticityRules).contains(count) else {
            throw .invalid(field: "plasticity.rules", detail: "\(count) rules is outside 1...\(maxPlasticityRules)")
        }
        var rules: [PlasticityRule] = []
        for k in 0 ..< count {
            let a = try r.read(array: Int32.self, count: 5, "plasticity.rules[\(k)]")
            let gain = try r.read(Int64.self, "plasticity.rules[\(k)]")
            let low = try r.read(Int32.self, "plasticity.rules[\(k)]"), high = try r.read(Int32.self, "plasticity.rules[\(k)]")
            guard low <= high else { throw .invalid(field: "plasticity.rules[\(k)].bounds", detail: "\(low)...\(high) is reversed") }
            let rule = PlasticityRule(potentiation: Int(a[0]), depression: Int(a[1]), tauPlus: Int(a[2]), tauMinus: Int(a[3]),
                                      eligibilityTau: Int(a[4]), gain: gain, bounds: Int(low) ... Int(high))
            do { try rule.validate() } catch { throw .invalid(field: "plasticity.rules[\(k)]", detail: error.description) }
            rules.append(rule)
        }
        let dopamine = try r.read(Int32.self, "plasticity.dopamine")
        let cortisol = try r.read(Int32.self, "plasticity.cortisol")
        let integral = try r.read(Int64.self, "plasticity.integral")
        guard abs(Int64(dopamine)) <= Int64(PlasticityState.dopamineLimit) else {
            throw .invalid(field: "plasticity.dopamine", detail: "\(dopamine) is outside ±\(PlasticityState.dopamineLimit)")
        }
        guard (0 ... PlasticityState.cortisolLimit).contains(cortisol) else {
            throw .invalid(field: "plasticity.cortisol", detail: "\(cortisol) is outside 0...\(PlasticityState.cortisolLimit)")
        }
        guard integral.magnitude < integralLimit else {
            throw .invalid(field: "plasticity.integral", detail: "\(integral) is outside ±\(integralLimit - 1)")
        }
        do { try pool.setPlasticityRules(rules) } catch { throw .invalid(field: "plasticity.rules", detail: error.description) }
        pool.plasticity.dopamine = dopamine
        pool.plasticity.cortisol = cortisol
        pool.plasticity.integral = integral
        pool.lastSpike = try r.read(array: UInt32.self, count: pool.neuronCount, "plasticity.lastSpike")
        for p in pool.afferents.indices {
            pool.afferents[p].sourceLastSpike = try r.read(array: UInt32.self, count: pool.afferents[p].sourceCount, "plasticity.afferents[\(p)]")
        }
    }
}
