/// `[[source]]`: external spike sources (`neurobus inject`).
extension NetworkParser {
    /// Every `[[source]]`: names unique among pools and sources (a source's name is its
    /// heartbeat topic), at most one per pool (it owns the pool's `stim/POOL/` topic),
    /// endpoints distinct from every other endpoint.
    func sources(_ top: NetworkFields, pools: [PoolSpec], names: [String: Int],
                 endpoints: inout EndpointRegistry) throws(NetworkFileError) -> [SourceSpec] {
        var sources: [SourceSpec] = []
        var seen: [String: Int] = [:]
        var feeding: [Int: Int] = [:]  // pool index → source index
        for (i, f) in try arrayOfTables(top, "source", header: "[[source]]").enumerated() {
            try checkKeys(f, allowed: NetworkKeys.source)
            let name = try self.name(f, "name")
            if let pool = names[name] {
                throw fail(f.keyPath("name"), "source name \"\(name)\" is already the name of pool[\(pool)]: sources and pools need distinct names")
            }
            if let other = seen[name] {
                throw fail(f.keyPath("name"), "duplicate source name \"\(name)\": source[\(other)].name has it already")
            }
            seen[name] = i
            let pool = try poolReference(f, "pool", names: names)
            if let other = feeding[pool] {
                throw fail(f.keyPath("pool"), "pool \"\(pools[pool].name)\" already has source[\(other)]: a pool takes at most one source")
            }
            feeding[pool] = i
            let neurons = try neuronRange(f, "neurons", pool: pools[pool].name, size: pools[pool].neurons)
            let drive = try required(f, "drive", int(f, "drive", in: Int(Int16.min) ... Int(Int16.max)))
            guard drive != 0 else {
                throw fail(f.keyPath("drive"), "drive = 0 does nothing: expected a non-zero Q8.8 mV value in -32768...32767")
            }
            let endpoint = try self.endpoint(f, "endpoint")
            try endpoints.add(endpoint, key: f.keyPath("endpoint"), parser: self)
            sources.append(SourceSpec(name: name, index: i, pool: pool, neurons: neurons, drive: Int16(drive), endpoint: endpoint))
        }
        return sources
    }
}
