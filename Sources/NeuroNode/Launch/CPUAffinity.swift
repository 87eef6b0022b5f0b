import NeuroNetwork
import NeuroEngine
#if canImport(Glibc)
import Glibc
#endif

/// Binding a process to CPU cores. A node pinned to its own core keeps its main thread and
/// libzmq's I/O thread together: the hand-over between them (an eventfd write, a wake-up)
/// then stays on one core instead of costing an inter-processor wake-up on every message,
/// which is most of a delay-1 loop's tick (BENCHMARKS.md, "Lockstep network"). Linux only;
/// elsewhere nothing is pinned and `allowed()` is empty.
public enum CPUAffinity {
    /// The CPUs this process may run on (its affinity mask: `taskset`, cgroup cpusets),
    /// ascending. O(CPUs).
    public static func allowed() -> [Int] {
        #if os(Linux)
        guard let call = affinityCall("sched_getaffinity") else { return [] }
        var set = [UInt8](repeating: 0, count: setBytes)
        guard set.withUnsafeMutableBytes({ call(0, setBytes, $0.baseAddress!) }) == 0 else { return [] }
        return (0 ..< setBytes * 8).filter { set[$0 / 8] & (1 << ($0 % 8)) != 0 }
        #else
        return []
        #endif
    }

    /// Binds the calling thread — and every thread it starts afterwards, such as libzmq's
    /// I/O thread — to CPU `cpu`. Call it before the first socket is made.
    public static func pin(toCPU cpu: Int) throws(NodeError) {
        #if os(Linux)
        let cpus = allowed()
        guard cpus.contains(cpu) else {
            throw .failed("cannot pin to CPU \(cpu): this process may run on CPUs \(describe(cpus))")
        }
        guard let call = affinityCall("sched_setaffinity") else { throw .failed("cannot pin to CPU \(cpu): no sched_setaffinity in the C library") }
        var set = [UInt8](repeating: 0, count: setBytes)
        set[cpu / 8] |= UInt8(1 << (cpu % 8))
        guard set.withUnsafeMutableBytes({ call(0, setBytes, $0.baseAddress!) }) == 0 else {
            throw .failed("cannot pin to CPU \(cpu): \(String(cString: strerror(errno)))")
        }
        #else
        throw .failed("cannot pin to CPU \(cpu): CPU affinity is supported on Linux only")
        #endif
    }

    #if os(Linux)
    /// glibc's `cpu_set_t`: 1,024 CPUs.
    private static let setBytes = 128

    /// `sched_getaffinity` / `sched_setaffinity` (pid 0: the calling thread). Glibc's Swift
    /// module leaves out the GNU extensions, so they are looked up in the C library.
    private static func affinityCall(_ name: String) -> (@convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32)? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32).self)
    }
    #endif

    /// One CPU per pool, in order, when there are at least as many usable CPUs as pools —
    /// then every node has a core of its own; nil otherwise (two busy nodes bound to one
    /// core would wait for each other while another core idles). O(pools + CPUs).
    public static func assignment(pools: Int, cpus: [Int]) -> [Int]? {
        guard pools > 0, cpus.count >= pools else { return nil }
        return Array(cpus.prefix(pools))
    }

    /// `0-3,6` for [0, 1, 2, 3, 6].
    public static func describe(_ cpus: [Int]) -> String {
        guard !cpus.isEmpty else { return "none" }
        var parts: [String] = []
        var start = cpus[0], previous = cpus[0]
        for c in cpus.dropFirst() + [Int.min] {
            if c == previous + 1 { previous = c; continue }
            parts.append(start == previous ? "\(start)" : "\(start)-\(previous)")
            start = c
            previous = c
        }
        return parts.joined(separator: ",")
    }
}
