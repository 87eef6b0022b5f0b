import NeuroNetwork
import NeuroEngine
/// Who a key belongs to on a network's bus: a role, and for most roles a name.
///
/// Written `controller`, `node/POOL`, `source/NAME`, `operator[/NAME]`, `observer[/NAME]`; this
/// text is the ZAP user id every message of the key's holder carries, so the controller can
/// tell a pool's real node from a peer claiming its routing id.
public struct BusPrincipal: Hashable, Sendable, CustomStringConvertible {
    /// What a key may do.
    public enum Role: String, Sendable, CaseIterable {
        /// Runs the clock: the only one that may permit ticks and broadcast modulators.
        case controller
        /// Runs one pool (or stands by as its replica): named by the pool.
        case node
        /// Injects spikes into a pool (`neurobus inject`): named by the `[[source]]`.
        case source
        /// May run, pause, step, stop, modulate and snapshot the network (`neurobus ctl`).
        case `operator`
        /// May watch: record spikes, ask for the status.
        case observer
    }

    public var role: Role
    /// The pool or source name (`node`, `source`); an optional label (`operator`,
    /// `observer`); nil for `controller`.
    public var name: String?

    public init(_ role: Role, _ name: String? = nil) {
        self.role = role
        self.name = name
    }

    /// Parses `role` or `role/name`; nil when the role is unknown, a name is missing where one
    /// is needed (`node`, `source`), given where none is allowed (`controller`), or not made of
    /// letters, digits, `_`, `-` and `.` (1…64 bytes).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let role = Role(rawValue: String(parts[0])) else { return nil }
        let name = parts.count > 1 ? String(parts[1]) : nil
        if let name, !Self.isName(name) { return nil }
        switch role {
        case .controller: guard name == nil else { return nil }
        case .node, .source: guard name != nil else { return nil }
        case .operator, .observer: break
        }
        self.init(role, name)
    }

    public var description: String { name.map { "\(role.rawValue)/\($0)" } ?? role.rawValue }

    /// The file name stem of this principal's key files: the text with `/` as `.`.
    public var fileStem: String { name.map { "\(role.rawValue).\($0)" } ?? role.rawValue }

    static func isName(_ s: String) -> Bool {
        (1 ... 64).contains(s.utf8.count) && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D || c == 0x2E
        }
    }
}
