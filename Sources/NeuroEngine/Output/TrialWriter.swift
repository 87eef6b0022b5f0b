import NeuroPool
import NeuroNetwork
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a task's trials as CSV, a row per decided trial:
/// `trial,phase,label,decision,correct,dopamine,spikes_LABEL…` (`decision` is `none` when no
/// readout won, `dopamine` empty when nothing was broadcast). Rows go to `trials.csv.tmp` as
/// trials are decided (flushed, so a crash keeps every row so far) and `finish()` renames the
/// file into place.
public final class TrialWriter {
    /// Where the finished file goes.
    public let path: String
    let temporaryPath: String
    let labels: [String]
    let answers: [String]
    private var file: UnsafeMutablePointer<FILE>?

    /// Opens `PATH.tmp` and writes the header.
    public init(path: String, task: TaskSpec) throws(NodeError) {
        self.path = path
        temporaryPath = path + ".tmp"
        labels = task.labels
        answers = task.answers
        guard let f = fopen(temporaryPath, "w") else {
            throw .io("cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        file = f
        try put("trial,phase,label,decision,correct,dopamine," + task.answers.map { "spikes_\($0)" }.joined(separator: ",") + "\n")
    }

    deinit {
        if let file { fclose(file) }
    }

    /// Appends the rows of `trials`.
    public func record(_ trials: [TrialResult]) throws(NodeError) {
        guard !trials.isEmpty else { return }
        var text = ""
        for r in trials {
            text += "\(r.trial),\(r.training ? "train" : "test"),\(labels[r.label]),\(r.decision.map { answers[$0] } ?? "none"),"
            text += "\(r.correct ? 1 : 0),\(r.broadcast.map(String.init) ?? ""),"
            text += r.counts.map(String.init).joined(separator: ",") + "\n"
        }
        try put(text)
        guard let f = file, fflush(f) == 0 else { throw .io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))") }
    }

    /// Drops the rows of trial `trial` and later (a rollback to a snapshot before they were
    /// decided): rewrites the file with the header and the earlier rows. O(file).
    public func truncate(before trial: Int) throws(NodeError) {
        guard let f = file else { throw .io("trials \(path) is already finished") }
        guard fflush(f) == 0 else { throw .io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))") }
        let lines = Self.lines(temporaryPath)
        let kept = lines.prefix(1) + lines.dropFirst().filter { line in
            guard let comma = line.firstIndex(of: UInt8(ascii: ",")), let k = Int(String(decoding: line[..<comma], as: UTF8.self)) else { return false }
            return k < trial
        }
        fclose(f)
        guard let g = fopen(temporaryPath, "w") else { throw .io("cannot rewrite \(temporaryPath): \(String(cString: strerror(errno)))") }
        file = g
        try put(kept.map { String(decoding: $0, as: UTF8.self) + "\n" }.joined())
        guard fflush(g) == 0 else { throw .io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))") }
    }

    /// The score of the rows written so far.
    public var score: TaskScore {
        if let f = file { fflush(f) }
        return TaskScore.read(path: temporaryPath) ?? TaskScore()
    }

    /// The complete lines of the file at `path` (a last line without its newline is left out).
    static func lines(_ path: String) -> [ArraySlice<UInt8>] {
        guard let f = fopen(path, "r") else { return [] }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n == 0 { break }
            bytes += buffer[0 ..< n]
        }
        return Array(bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast())
    }

    /// Syncs and renames the file into place.
    public func finish() throws(NodeError) {
        guard let f = file else { return }
        file = nil
        do { try AtomicFile.commit(f, temporary: temporaryPath, to: path) } catch { throw .io("trials: \(error)") }
    }

    private func put(_ text: String) throws(NodeError) {
        guard let f = file else { throw .io("trials \(path) is already finished") }
        let bytes = Array(text.utf8)
        guard fwrite(bytes, 1, bytes.count, f) == bytes.count else {
            throw .io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))")
        }
    }
}

/// Accuracy of a task's trials so far, by phase.
public struct TaskScore: Sendable, Equatable {
    public var trainTrials = 0, trainCorrect = 0
    public var testTrials = 0, testCorrect = 0

    public init() {}

    /// Counts `trials` in.
    public mutating func add(_ trials: [TrialResult]) {
        for r in trials {
            if r.training {
                trainTrials += 1
                if r.correct { trainCorrect += 1 }
            } else {
                testTrials += 1
                if r.correct { testCorrect += 1 }
            }
        }
    }

    /// The score of a trials file (`TrialWriter`'s format, finished or still `.tmp`): rows
    /// that are complete count, a last line cut short does not. Nil when the file cannot be read.
    public static func read(path: String) -> TaskScore? {
        guard access(path, R_OK) == 0 else { return nil }
        var score = TaskScore()
        for line in TrialWriter.lines(path).dropFirst() {
            let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            guard fields.count >= 5 else { continue }
            let correct = fields[4].elementsEqual("1".utf8)
            if fields[1].elementsEqual("train".utf8) {
                score.trainTrials += 1
                if correct { score.trainCorrect += 1 }
            } else if fields[1].elementsEqual("test".utf8) {
                score.testTrials += 1
                if correct { score.testCorrect += 1 }
            }
        }
        return score
    }

    /// Fraction correct of the training and test trials (nil before the first of each).
    public var trainAccuracy: Double? { trainTrials == 0 ? nil : Double(trainCorrect) / Double(trainTrials) }
    public var testAccuracy: Double? { testTrials == 0 ? nil : Double(testCorrect) / Double(testTrials) }

    /// `train 81.3 % (160 trials), test 95.0 % (40)` — what is known so far.
    public var summary: String {
        var parts: [String] = []
        if let a = trainAccuracy { parts.append("train \(formatFixed(100 * a, 1)) % (\(trainTrials) trials)") }
        if let a = testAccuracy { parts.append("test \(formatFixed(100 * a, 1)) % (\(testTrials) trials)") }
        return parts.isEmpty ? "no trial decided yet" : parts.joined(separator: ", ")
    }
}
