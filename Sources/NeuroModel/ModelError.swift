/// Errors from describing or quantizing a model in physical units. Each names the bad value.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter is outside what the model or the integer substrate can hold.
    case invalidParameter(name: String, value: String, expected: String)
    /// A connection rule cannot be met with the given neurons and options.
    case unsatisfiableRule(rule: String, detail: String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let expected): "\(name) = \(value) is invalid: expected \(expected)"
        case .unsatisfiableRule(let rule, let detail): "connection rule \(rule) cannot be met: \(detail)"
        }
    }
}
