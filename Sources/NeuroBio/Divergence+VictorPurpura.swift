extension Divergence {
    /// Victor–Purpura (1996) distance with shift cost `q` per ms: the least total cost of
    /// turning train `a` into `b` by inserting or deleting spikes (cost 1 each) and moving a
    /// spike by Δt (cost q·|Δt|). Dynamic programming, O(n·m) time, O(m) memory.
    public static func victorPurpura(_ a: [Double], _ b: [Double], q: Double) -> Double {
        if a.isEmpty || b.isEmpty { return Double(a.count + b.count) }
        if q == .infinity { return Double(a.count + b.count) - 2 * Double(Set(a).intersection(b).count) }
        var previous = (0 ... b.count).map(Double.init)
        var row = previous
        for i in 1 ... a.count {
            row[0] = Double(i)
            for j in 1 ... b.count {
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + q * abs(a[i - 1] - b[j - 1]))
            }
            swap(&previous, &row)
        }
        return previous[b.count]
    }
}
