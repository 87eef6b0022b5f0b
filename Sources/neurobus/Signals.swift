import NeuroNode
import Synchronization
import NeuroNetwork
import NeuroEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT/SIGTERM turn into a flag the command loops poll (every ≤ 100 ms).
enum Signals {
    /// How many SIGINT/SIGTERM have arrived (`up` stops gracefully on the first, at once on the second).
    static let count = Atomic<Int>(0)

    /// Installs the handlers. With `exitWithParent`, `stopRequested` also turns true when the
    /// process that started us goes away (so `neurobus up` never leaves orphans behind).
    static func install(exitWithParent: Bool = false) {
        signal(SIGINT) { _ in Signals.count.add(1, ordering: .relaxed) }
        signal(SIGTERM) { _ in Signals.count.add(1, ordering: .relaxed) }
        signal(SIGPIPE, SIG_IGN)
        // A launcher may have left them blocked (the mask is inherited across exec).
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &mask, nil)
        parent = exitWithParent ? getppid() : 0
    }

    nonisolated(unsafe) private static var parent: pid_t = 0

    /// The write end of the pipe `childExitPipe` returns (-1: none).
    static let childExitWriteEnd = Atomic<Int32>(-1)

    /// A pipe whose read end turns readable when a child process exits (SIGCHLD writes a
    /// byte), so a loop waiting in `zmq_poll` wakes at once instead of at its timeout. Both
    /// ends non-blocking and close-on-exec (children must not hold them). nil if no pipe.
    static func childExitPipe() -> Int32? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        childExitWriteEnd.store(fds[1], ordering: .relaxed)
        signal(SIGCHLD) { _ in
            let fd = Signals.childExitWriteEnd.load(ordering: .relaxed)
            guard fd >= 0 else { return }
            let saved = errno
            var byte: UInt8 = 1
            _ = write(fd, &byte, 1) // a full pipe already says "a child exited"
            errno = saved
        }
        return fds[0]
    }

    /// Empties the pipe `childExitPipe` returned.
    static func drainChildExitPipe(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fd, &buffer, buffer.count) > 0 {}
    }

    /// Polled by a node once per loop, i.e. every tick of a fast loop: the parent is asked
    /// for (a system call) at most every 10 ms. Read from one thread only (the command's).
    static var stopRequested: Bool {
        if count.load(ordering: .relaxed) != 0 { return true }
        guard parent != 0 else { return false }
        let now = monotonicMicroseconds() / 1000
        if parentGone || now &- parentCheckedAt >= 10 {
            parentCheckedAt = now
            parentGone = getppid() != parent
        }
        return parentGone
    }

    nonisolated(unsafe) private static var parentCheckedAt: UInt64 = 0
    nonisolated(unsafe) private static var parentGone = false
}
