import ArgumentParser
import NeuroNode

/// Loads the network file given on the command line, or the built-in default network.
func loadNetwork(_ path: String?) throws -> NetworkDescription {
    guard let path else { return NetworkDescription.builtInDefault() }
    do { return try NetworkDescription.load(path: path) } catch { throw CommandFailure("\(error)") }
}

/// Seconds since an arbitrary start, from the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Writes a line to standard error (progress and diagnostics; results go to standard output).
func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
