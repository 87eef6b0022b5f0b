import NeuroPool

/// How a projection between two neuron ranges chooses its (source, target) pairs: NEST 3's
/// connection rules, drawn deterministically from a `PoolRandom` (see `connect`).
///
/// The options follow NEST: without multapses no (source, target) pair occurs twice; without
/// autapses no pair joins a neuron to itself (only possible when sources and targets are
/// neurons of the same pool).
public enum ConnectionRule: Sendable, Equatable {
    /// Each allowed pair independently with probability `p` (0...1).
    case pairwiseBernoulli(p: Double)
    /// Each target gets exactly K sources (K >= 0).
    case fixedIndegree(Int)
    /// Each source gets exactly K targets (K >= 0).
    case fixedOutdegree(Int)
    /// Exactly N pairs in all (N >= 0), uniform over the allowed pairs.
    case fixedTotalNumber(Int)
    /// Source `sources.lowerBound + i` to target `targets.lowerBound + i`; equal sizes.
    case oneToOne
    /// Every allowed pair once.
    case allToAll

    /// NEST's name of the rule: "pairwise_bernoulli", "fixed_indegree", "fixed_outdegree",
    /// "fixed_total_number", "one_to_one" or "all_to_all".
    public var name: String {
        switch self {
        case .pairwiseBernoulli: "pairwise_bernoulli"
        case .fixedIndegree: "fixed_indegree"
        case .fixedOutdegree: "fixed_outdegree"
        case .fixedTotalNumber: "fixed_total_number"
        case .oneToOne: "one_to_one"
        case .allToAll: "all_to_all"
        }
    }

    /// The most connections one `connect` call returns: 2^31 − 1.
    public static let maxConnections = Int(Int32.max)

    /// The most neurons a source or target range may hold: 65,536, the size of the largest pool.
    public static let maxRangeCount = 65_536

    /// Checks the rule's own parameter (NEST's name for it in the error): `p` finite in 0...1,
    /// `indegree`, `outdegree` and `N` at least 0. O(1).
    public func validate() throws(ModelError) {
        switch self {
        case .pairwiseBernoulli(let p):
            guard p.isFinite, (0 ... 1).contains(p) else {
                throw .invalidParameter(name: "p", value: "\(p)", expected: "a finite probability in 0...1")
            }
        case .fixedIndegree(let k):
            guard k >= 0 else { throw .invalidParameter(name: "indegree", value: "\(k)", expected: "a count >= 0") }
        case .fixedOutdegree(let k):
            guard k >= 0 else { throw .invalidParameter(name: "outdegree", value: "\(k)", expected: "a count >= 0") }
        case .fixedTotalNumber(let n):
            guard n >= 0 else { throw .invalidParameter(name: "N", value: "\(n)", expected: "a count >= 0") }
        case .oneToOne, .allToAll:
            break
        }
    }
}

/// One drawn connection: global neuron indices of its source and target.
public struct Connection: Sendable, Hashable {
    /// Index of the presynaptic neuron.
    public var source: Int32
    /// Index of the postsynaptic neuron.
    public var target: Int32

    public init(source: Int32, target: Int32) {
        self.source = source
        self.target = target
    }
}

extension ConnectionRule {
    /// Draws the connections of this rule from `sources` onto `targets`.
    ///
    /// - Parameters:
    ///   - sources, targets: neuron index ranges in one numbering, each within 0...2^31 − 1 and
    ///     of at most `maxRangeCount` neurons.
    ///   - samePool: whether sources and targets are neurons of the same pool, so that an index
    ///     in both ranges is one neuron and the pair (i, i) is an autapse. When false no pair is
    ///     an autapse, whatever the indices.
    ///   - allowAutapses: NEST's `allow_autapses` (default true there).
    ///   - allowMultapses: NEST's `allow_multapses` (default true there). With it, the
    ///     fixed-count rules draw with replacement; without it, distinct pairs (Floyd's sampling).
    ///   - random: every random choice comes from it; the result is a deterministic function of
    ///     the arguments and its state, which it is left advanced past.
    ///
    /// Empty ranges are not an error: a rule returns `[]` when nothing is asked of it (no
    /// targets for `fixed_indegree`, no sources for `fixed_outdegree`, K or N = 0, and always
    /// for `pairwise_bernoulli` and `all_to_all`); a rule that must make connections and has no
    /// allowed pair to make them from throws `unsatisfiableRule`.
    ///
    /// Output order (not sorted unless stated):
    /// - `pairwise_bernoulli`, `all_to_all`: sorted by (source, target); `pairwise_bernoulli`
    ///   makes one 64-bit draw per allowed pair in that order, except that p = 0 and p = 1
    ///   make none.
    /// - `one_to_one`: ascending i.
    /// - `fixed_indegree`: targets ascending, each target's K sources in draw order.
    /// - `fixed_outdegree`: sources ascending, each source's K targets in draw order.
    /// - `fixed_total_number`: draw order.
    ///
    /// Complexity: O(S·T) for `pairwise_bernoulli` and `all_to_all`, O(S) for `one_to_one`,
    /// O(K·T + S) / O(K·S + T) for fixed in/outdegree, O(N) expected for `fixed_total_number`.
    ///
    /// - Throws: `invalidParameter` for a bad rule parameter or range, `unsatisfiableRule` when
    ///   the rule cannot be met (K or N too large without multapses, no allowed pair at all,
    ///   unequal sizes for `one_to_one`), `tooManyConnections` beyond `maxConnections`.
    public func connect(sources: Range<Int>, targets: Range<Int>, samePool: Bool,
                        allowAutapses: Bool, allowMultapses: Bool,
                        random: inout PoolRandom) throws(ModelError) -> [Connection] {
        try validate()
        try Self.checkRange(sources, name: "sources")
        try Self.checkRange(targets, name: "targets")
        let space = PairSpace(sources: sources, targets: targets, excludeSelf: samePool && !allowAutapses)
        switch self {
        case .pairwiseBernoulli(let p):
            return try space.bernoulli(p: p, rule: name, random: &random)
        case .allToAll:
            try Self.checkCount(space.count, rule: name)
            return space.all()
        case .oneToOne:
            guard sources.count == targets.count else {
                throw .unsatisfiableRule(rule: name, detail: "needs as many sources as targets, got \(sources.count) sources and \(targets.count) targets")
            }
            return space.oneToOne()
        case .fixedIndegree(let k):
            try space.checkDegree(k, perTarget: true, multapses: allowMultapses, rule: name)
            return space.fixedIndegree(k, multapses: allowMultapses, random: &random)
        case .fixedOutdegree(let k):
            try space.checkDegree(k, perTarget: false, multapses: allowMultapses, rule: name)
            return space.fixedOutdegree(k, multapses: allowMultapses, random: &random)
        case .fixedTotalNumber(let n):
            let allowed = space.count
            if n > 0, allowed == 0 {
                throw .unsatisfiableRule(rule: name, detail: "N = \(n) needs at least one allowed pair, but there is none")
            }
            if !allowMultapses, n > allowed {
                throw .unsatisfiableRule(rule: name, detail: "N = \(n) exceeds the \(allowed) allowed pairs without multapses")
            }
            try Self.checkCount(n, rule: name)
            return space.fixedTotal(n, multapses: allowMultapses, random: &random)
        }
    }

    /// Throws unless `range` holds valid Int32 neuron indices and at most `maxRangeCount` neurons.
    static func checkRange(_ range: Range<Int>, name: String) throws(ModelError) {
        guard range.lowerBound >= 0, range.upperBound <= Int(Int32.max) + 1 else {
            throw .invalidParameter(name: name, value: "\(range)", expected: "neuron indices within 0...\(Int32.max)")
        }
        guard range.count <= maxRangeCount else {
            throw .invalidParameter(name: name, value: "\(range) (\(range.count) neurons)", expected: "at most \(maxRangeCount) neurons")
        }
    }

    /// Throws `tooManyConnections` when `count` exceeds `maxConnections`.
    static func checkCount(_ count: Int, rule: String) throws(ModelError) {
        guard count <= maxConnections else { throw .tooManyConnections(rule: rule, atLeast: count, limit: maxConnections) }
    }
}
