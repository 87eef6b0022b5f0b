import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT/SIGTERM turn into a flag the command loops poll (every ≤ 100 ms).
enum Signals {
    static let received = Atomic<Int32>(0)

    /// Installs the handlers. With `exitWithParent`, `stopRequested` also turns true when the
    /// process that started us goes away (so `neurobus up` never leaves orphans behind).
    static func install(exitWithParent: Bool = false) {
        signal(SIGINT) { Signals.received.store($0, ordering: .relaxed) }
        signal(SIGTERM) { Signals.received.store($0, ordering: .relaxed) }
        signal(SIGPIPE, SIG_IGN)
        parent = exitWithParent ? getppid() : 0
    }

    nonisolated(unsafe) private static var parent: pid_t = 0

    static var stopRequested: Bool {
        received.load(ordering: .relaxed) != 0 || (parent != 0 && getppid() != parent)
    }
}
