/// Errors from describing or quantizing a model in physical units. Each names the bad value.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter is outside what the model or the integer substrate can hold.
    case invalidParameter(name: String, value: String, expected: String)
    /// A connection rule cannot be met with the given neurons and options.
    case unsatisfiableRule(rule: String, detail: String)
    /// A connection rule would make more connections than one call may return (`limit`,
    /// 2^31 − 1). `atLeast` is the exact count when the rule fixes it in advance, and for
    /// `pairwise_bernoulli` the count reached when drawing stopped (`limit + 1`).
    case tooManyConnections(rule: String, atLeast: Int, limit: Int)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let expected): "\(name) = \(value) is invalid: expected \(expected)"
        case .unsatisfiableRule(let rule, let detail): "connection rule \(rule) cannot be met: \(detail)"
        case .tooManyConnections(let rule, let atLeast, let limit):
            "connection rule \(rule) would make at least \(atLeast) connections, more than the limit of \(limit)"
        }
    }
}
