import NeuroNetwork
import NeuroEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn`, its output sent to a log file.
public final class ChildProcess {
    /// What the child is, for messages ("pool motor", "controller").
    public let label: String
    public let pid: pid_t
    public let logPath: String
    /// Exit status once reaped: `.exited(code)` or `.signalled(signal)`.
    public private(set) var status: Status?

    public enum Status: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        public var description: String {
            switch self {
            case .exited(let code): "exit code \(code)"
            case .signalled(let signal): "signal \(signal)\(signal == SIGKILL ? " (killed)" : signal == SIGSEGV ? " (crashed)" : "")"
            }
        }
        public var succeeded: Bool { self == .exited(0) }
    }

    /// Starts `executable` with `arguments`; stdout and stderr go to `logPath`. With
    /// `ownProcessGroup` the child leads a process group of its own, so a Ctrl-C at the
    /// terminal reaches only the parent, which decides how its children stop.
    public init(label: String, executable: String, arguments: [String], ownProcessGroup: Bool = false, logPath: String) throws(NodeError) {
        self.label = label
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signal blocked and SIGINT/SIGTERM at their defaults,
        // whatever this process (a test runner, a shell) has set.
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if ownProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw .io("cannot start \(label) (\(executable)): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// Reaps the child if it has exited (non-blocking). Returns its status once known.
    @discardableResult
    public func poll() -> Status? {
        guard status == nil else { return status }
        var raw: Int32 = 0
        let rc = waitpid(pid, &raw, WNOHANG)
        guard rc == pid else { return nil }
        // WIFEXITED / WTERMSIG by hand: the C macros are not imported.
        let signal = raw & 0x7F
        status = signal == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(signal)
        return status
    }

    /// Sends `signal` if the child is still running.
    public func kill(_ signal: Int32) {
        if poll() == nil { _ = Glibc.kill(pid, signal) }
    }

    /// Kills the child (SIGKILL) if it is still running and reaps it, so no zombie is left
    /// for a process-wide child monitor to trip over. Blocks until the kernel reports the
    /// exit, which SIGKILL makes immediate.
    public func killAndReap() {
        guard poll() == nil else { return }
        _ = Glibc.kill(pid, SIGKILL)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
        status = .signalled(SIGKILL)
    }

    /// The last `lines` lines of the child's log (for failure messages).
    public func logTail(lines: Int = 5) -> String {
        guard let f = fopen(logPath, "r") else { return "" }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes += buffer[0 ..< n]
            if bytes.count > 1 << 20 { bytes.removeFirst(bytes.count - (1 << 16)) }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
