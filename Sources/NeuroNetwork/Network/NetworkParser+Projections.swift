import NeuroPool
/// `[[projection]]`, including the zero-delay loop check.
extension NetworkParser {
    /// All projections. Three passes, so the order of errors is fixed: every projection's keys
    /// and values except the delay range, then zero-delay loops, then each delay range.
    func projections(_ top: NetworkFields, pools: [PoolSpec], names: [String: Int],
                     networkSeed: UInt64, tickMicroseconds: Int = 1000, format: Int = 1) throws(NetworkFileError) -> [ProjectionSpec] {
        let tables = try arrayOfTables(top, "projection", header: "[[projection]]")
        var specs: [ProjectionSpec] = []
        var delays: [(low: Int, high: Int)] = []
        var kindCache: [Int: [Bool]] = [:]
        func kinds(_ pool: Int) -> [Bool] {
            if let k = kindCache[pool] { return k }
            let k = pools[pool].inhibitoryNeurons
            kindCache[pool] = k
            return k
        }
        for (i, f) in tables.enumerated() {
            if f.has("rule") {
                let spec = try ruleProjection(f, index: i, pools: pools, names: names, networkSeed: networkSeed,
                                              tickMicroseconds: tickMicroseconds, format: format, kinds: kinds)
                specs.append(spec)
                delays.append((spec.delay.lowerBound, spec.delay.upperBound))
                continue
            }
            try checkKeys(f, allowed: NetworkKeys.projection)
            let from = try poolReference(f, "from", names: names)
            let to = try poolReference(f, "to", names: names)
            let source = pools[from], target = pools[to]
            guard target.populations.isEmpty else {
                throw fail(f.keyPath("to"), "pool \(target.name) is a pool of [[pool.population]]: a projection into it needs a rule and weights in mV (rule = \"fixed_indegree\", …)")
            }
            let fromNeurons = try neuronRange(f, "from_neurons", pool: source.name, size: source.neurons)
            let toNeurons = try neuronRange(f, "to_neurons", pool: target.name, size: target.neurons)
            let connectivity = try self.connectivity(f, maxOutDegree: toNeurons.count,
                                                     limit: "at most the \(toNeurons.count) neurons of to_neurons")
            let (wLow, wHigh) = try required(f, "weight", pair(f, "weight"))
            let weight = try inclusiveRange(f, "weight", within: 1 ... 127, wLow, wHigh)
            let delay = try required(f, "delay", pair(f, "delay"))
            delays.append((delay.0, delay.1))
            let seed = try uint64(f, "seed") ?? NetworkDescription.derivedProjectionSeed(networkSeed: networkSeed, index: i)
            specs.append(ProjectionSpec(index: i, from: from, fromNeurons: fromNeurons, to: to, toNeurons: toNeurons,
                                        connectivity: connectivity, weight: weight, delay: 1 ... 1, seed: seed))
        }

        let zeroDelay = specs.indices.filter { delays[$0].low == 0 }
        if let loop = Self.findLoop(edges: zeroDelay.map { (specs[$0].index, specs[$0].from, specs[$0].to) },
                                    poolCount: pools.count) {
            let route = ([specs[loop[0]].from] + loop.map { specs[$0].to }).map { pools[$0].name }
            let list = loop.map(String.init).joined(separator: ", ")
            throw fail("projection[\(loop[0])].delay",
                       "projections \(list) form a loop with total delay 0 (\(route.joined(separator: " → "))): give at least one of them a delay of 1 or more")
        }

        for (i, f) in tables.enumerated() where specs[i].physical == nil {
            specs[i].delay = try inclusiveRange(f, "delay", within: 1 ... 8, delays[i].low, delays[i].high)
        }
        return specs
    }

    /// A directed cycle among `edges` (projection index, from, to), as projection indices in
    /// path order starting at the smallest index; nil if there is none. Iterative DFS, edges
    /// visited in index order, so the answer is deterministic and deep graphs cannot overflow
    /// the stack.
    static func findLoop(edges: [(index: Int, from: Int, to: Int)], poolCount: Int) -> [Int]? {
        guard !edges.isEmpty else { return nil }
        var outgoing = [[(index: Int, to: Int)]](repeating: [], count: poolCount)
        for e in edges where e.from >= 0 && e.from < poolCount && e.to >= 0 && e.to < poolCount {
            outgoing[e.from].append((e.index, e.to))
        }
        enum Color { case white, grey, black }
        var color = [Color](repeating: .white, count: poolCount)
        for start in 0 ..< poolCount where color[start] == .white && !outgoing[start].isEmpty {
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            var path: [Int] = []  // path[k] is the edge from stack[k].node to stack[k + 1].node
            color[start] = .grey
            while let top = stack.last {
                if top.next < outgoing[top.node].count {
                    let edge = outgoing[top.node][top.next]
                    stack[stack.count - 1].next += 1
                    switch color[edge.to] {
                    case .grey:
                        guard let k = stack.firstIndex(where: { $0.node == edge.to }) else { continue }
                        let cycle = Array(path[k...]) + [edge.index]
                        guard let smallest = cycle.indices.min(by: { cycle[$0] < cycle[$1] }) else { return cycle }
                        return Array(cycle[smallest...] + cycle[..<smallest])
                    case .white:
                        color[edge.to] = .grey
                        stack.append((edge.to, 0))
                        path.append(edge.index)
                    case .black:
                        continue
                    }
                } else {
                    color[top.node] = .black
                    stack.removeLast()
                    if !path.isEmpty { path.removeLast() }
                }
            }
        }
        return nil
    }
}
