#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One spike: neuron `neuron` fired at tick `tick`. The unit of a spike-event file, which
/// `neurobus inject` reads and `neurobus record` writes.
public struct SpikeEvent: Equatable, Hashable, Sendable {
    /// Simulation tick, 0 … 2^63−1 (the files store it as a signed 64-bit integer).
    public var tick: UInt64
    /// Neuron index within its pool.
    public var neuron: UInt16

    public init(tick: UInt64, neuron: UInt16) {
        self.tick = tick
        self.neuron = neuron
    }

    /// The largest tick a file may hold: 2^63−1, so that NumPy's `int64` holds every tick.
    public static let maxTick = UInt64(Int64.max)
}

/// The two spike-event file formats.
///
/// - `csv`: text lines `tick,neuron`, optionally after a header line `tick,neuron`.
/// - `npy`: a NumPy array of shape (n, 2), rows `[tick, neuron]`.
public enum SpikeFileFormat: String, CaseIterable, Sendable {
    case csv, npy

    /// From a path's extension (`.csv` / `.npy`, case-insensitive); nil otherwise (also for `-`).
    public init?(path: String) {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "csv": self = .csv
        case "npy": self = .npy
        default: return nil
        }
    }
}

/// Why a spike-event file could not be read or written. `message` names the problem and, for
/// bad contents, where: `line N: …` (CSV, 1-based) or `row N: …` (NPY, 0-based like NumPy's
/// `a[N]`).
public struct SpikeFileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file's name as the user gave it; `<stdin>` for `-`.
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `FILE: message`.
    public var description: String { "\(file): \(message)" }

    /// A system call's failure: `cannot OPERATION: strerror (errno N)`.
    package static func system(_ file: String, _ operation: String, _ code: Int32) -> SpikeFileError {
        SpikeFileError(file: file, message: "cannot \(operation): \(String(cString: strerror(code))) (errno \(code))")
    }

    /// The name errors show for `path`: `<stdin>` for `-`.
    static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    /// `bytes` as a quoted, readable excerpt of at most `limit` bytes (`…` marks a cut, also when
    /// `truncated` says the caller cut them). Control characters and bytes that are not UTF-8
    /// appear as `\xNN`, so a stray CR or NUL is visible; a character the cut splits is dropped.
    static func quote(_ bytes: some Collection<UInt8>, truncated: Bool = false, limit: Int = 60) -> String {
        let cut = truncated || bytes.count > limit
        let kept = Array(bytes.prefix(limit))
        var text = "\""
        var i = 0
        func hex(_ b: UInt8) -> String { "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }
        while i < kept.count {
            let lead = kept[i]
            if lead < 0x80 {
                switch lead {
                case 0x20 ..< 0x7F where lead != 0x22 && lead != 0x5C: text.unicodeScalars.append(Unicode.Scalar(lead))
                case 0x22, 0x5C: text += "\\" + String(Unicode.Scalar(lead))
                default: text += hex(lead)
                }
                i += 1
                continue
            }
            let length = lead >= 0xF5 ? 0 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0
            if length > 0, i + length > kept.count, cut, kept[(i + 1)...].allSatisfy({ $0 & 0xC0 == 0x80 }) {
                break  // a character the cut splits
            }
            if length > 0, i + length <= kept.count {
                let sequence = kept[i ..< i + length]
                // Decoding catches overlong forms and surrogates; they come out as U+FFFD.
                let decoded = String(decoding: sequence, as: UTF8.self)
                if decoded.unicodeScalars.count == 1, decoded != "\u{FFFD}" || sequence.elementsEqual([0xEF, 0xBF, 0xBD]) {
                    text += decoded
                    i += length
                    continue
                }
            }
            text += hex(lead)
            i += 1
        }
        return text + (cut ? "…" : "") + "\""
    }
}

/// Whole-file reading and format detection.
public enum SpikeEventFile {
    /// NumPy's magic: the first 6 bytes of every `.npy` file.
    static let npyMagic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// The format for `path`: its extension if that says `.csv` or `.npy`; otherwise NPY if the
    /// file begins with NumPy's magic `\x93NUMPY` (or with a start of it and nothing more, so
    /// that a cut-off NPY file is reported as one); otherwise CSV.
    public static func format(ofPath path: String, firstBytes: some Collection<UInt8>) -> SpikeFileFormat {
        if let format = SpikeFileFormat(path: path) { return format }
        let head = firstBytes.prefix(npyMagic.count)
        return !head.isEmpty && head.elementsEqual(npyMagic.prefix(head.count)) ? .npy : .csv
    }

    /// Reads every event of the file at `path` (`-` for standard input), in file order.
    /// `format` nil: from the extension, else sniffed (see `format(ofPath:firstBytes:)`).
    /// Streams in 64 KiB chunks: O(file size) time, memory O(events).
    public static func readAll(_ path: String, format: SpikeFileFormat? = nil) throws(SpikeFileError) -> [SpikeEvent] {
        let name = SpikeFileError.displayName(path)
        let fd: Int32 = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(name, "open", errno) }
        defer { if fd != STDIN_FILENO { close(fd) } }

        let capacity = 1 << 16
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        // Fills buffer[from...]; returns the new fill level (unchanged at end of input).
        func fill(from: Int) throws(SpikeFileError) -> Int {
            while true {
                let n = read(fd, buffer.baseAddress! + from, capacity - from)
                if n >= 0 { return from + n }
                if errno != EINTR { throw .system(name, "read", errno) }
            }
        }

        // Sniffing needs the first 6 bytes; a pipe may deliver fewer per read.
        var used = 0
        var ended = false
        while used < npyMagic.count {
            let next = try fill(from: used)
            if next == used { ended = true; break }
            used = next
        }
        let chosen = format ?? Self.format(ofPath: path, firstBytes: UnsafeRawBufferPointer(rebasing: buffer[..<used]))
        var parser = SpikeEventParser(format: chosen, file: path)
        var events: [SpikeEvent] = []
        while used > 0 {
            try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[..<used]), into: &events)
            used = ended ? 0 : try fill(from: 0)
            ended = used == 0
        }
        try parser.finish(into: &events)
        return events
    }
}
