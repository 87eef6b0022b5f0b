import NeuroNetwork
import NeuroEngine
/// Wall-clock pacing of a real-time node: tick t is due at `epoch + (t − firstTick) · tick`,
/// on absolute times, so a slow tick delays the next ones but never shifts the schedule (no
/// drift accumulates).
///
/// Measures each tick's lateness (how long after its due time it started) into a histogram
/// of 1 µs bins up to 10 ms, for the median and the 99th percentile, and counts overruns:
/// ticks that started more than one tick length late — the previous tick took longer than its
/// budget, or the node had fallen behind. O(1) per tick, no allocation after `init`.
public struct RealtimePacer: Sendable {
    /// Tick length, microseconds.
    public let tickMicroseconds: UInt64
    /// Monotonic time (µs) at which `firstTick` was due; nil until `start`.
    public private(set) var epoch: UInt64?
    private var firstTick: UInt64 = 0
    /// Ticks measured, overruns among them, and the largest lateness seen (µs).
    public private(set) var ticks: UInt64 = 0
    public private(set) var overruns: UInt64 = 0
    public private(set) var worstLateness: UInt64 = 0
    private var bins: ContiguousArray<UInt64>
    /// When the last recorded tick ended (monotonic µs).
    public private(set) var lastEnd: UInt64?

    static let binCount = 10_000

    public init(tickMicroseconds: UInt64) {
        self.tickMicroseconds = max(tickMicroseconds, 1)
        bins = ContiguousArray(repeating: 0, count: Self.binCount + 1)
    }

    /// Starts the clock: `tick` is due at `now`.
    public mutating func start(tick: UInt64, now: UInt64) {
        epoch = now
        firstTick = tick
    }

    /// When `tick` is due (monotonic µs). Requires `start`.
    public func due(_ tick: UInt64) -> UInt64 {
        (epoch ?? 0) &+ (tick &- firstTick) &* tickMicroseconds
    }

    /// Records that `tick` starts at `now`.
    public mutating func record(tick: UInt64, now: UInt64) {
        let due = due(tick)
        let lateness = now > due ? now - due : 0
        ticks &+= 1
        if lateness > tickMicroseconds { overruns &+= 1 }
        worstLateness = max(worstLateness, lateness)
        bins[Int(min(lateness, UInt64(Self.binCount)))] &+= 1
    }

    /// Records that the last recorded tick ended at `now`.
    public mutating func ended(now: UInt64) { lastEnd = now }

    /// The lateness (µs) below which a fraction `p` (0…1) of the ticks started; values of
    /// 10 ms and more read as 10,000. O(bins).
    public func lateness(percentile p: Double) -> UInt64 {
        guard ticks > 0 else { return 0 }
        let rank = UInt64((Double(ticks) * min(max(p, 0), 1)).rounded(.up))
        var seen: UInt64 = 0
        for (micros, count) in bins.enumerated() {
            seen &+= count
            if seen >= max(rank, 1) { return UInt64(micros) }
        }
        return UInt64(Self.binCount)
    }

    /// One line for logs: ticks, lateness median / p99 / worst, overruns, and wall time from
    /// the first tick's due time to the last tick's end against simulated time.
    public var summary: String {
        let simulated = Double(ticks) * Double(tickMicroseconds) / 1e6
        let end = lastEnd ?? epoch ?? 0
        let wall = Double(end &- (epoch ?? end)) / 1e6
        let drift = simulated > 0 ? (wall / simulated - 1) * 100 : 0
        return "\(ticks) ticks paced at \(tickMicroseconds) µs: lateness median \(lateness(percentile: 0.5)) µs, "
            + "p99 \(lateness(percentile: 0.99)) µs, worst \(worstLateness) µs; \(overruns) overrun(s); "
            + "wall \(formatFixed(wall, 3)) s for \(formatFixed(simulated, 3)) s simulated (\(drift >= 0 ? "+" : "")\(formatFixed(drift, 3)) %)"
    }
}
