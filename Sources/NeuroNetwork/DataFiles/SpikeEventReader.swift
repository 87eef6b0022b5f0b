/// Push parser for spike-event files: the caller reads bytes from wherever (a file, standard
/// input through poll) and feeds them in chunks of any size, down to one byte; the events come
/// out the same. Both formats require ticks that never decrease (the injector streams in tick
/// order); equal ticks, in any neuron order, and duplicate events are passed through.
///
/// CSV: lines `tick,neuron` of decimal non-negative integers (tick ≤ 2^63−1, neuron ≤ 65535),
/// spaces or tabs around fields allowed, LF or CRLF endings, a UTF-8 byte-order mark at the
/// start skipped. Blank lines and lines whose first non-blank character is `#` are ignored. One
/// header line `tick,neuron` (any case, spaces allowed) may come before the first event.
///
/// NPY: versions 1.0, 2.0, 3.0; a C-order array of shape (n, 2) of `<i8 <u8 <i4 <u4 <i2 <u2 |i1
/// |u1` or the big-endian `>` forms, rows `[tick, neuron]`.
///
/// Errors name the file and the place: `line N` (1-based) for CSV, `row N` (0-based, NumPy's
/// `a[N]`) for NPY. After an error the parser stays failed: every later call throws the same
/// error. Events before the bad record have already been appended to `events`.
public struct SpikeEventParser: Sendable {
    public let format: SpikeFileFormat
    private var csv: CSVEventParser?
    private var npy: NPYEventParser?
    private var failure: SpikeFileError?
    private var ended = false
    private let file: String

    /// `file` is the name used in errors (`-` is shown as `<stdin>`).
    public init(format: SpikeFileFormat, file: String) {
        self.format = format
        self.file = SpikeFileError.displayName(file)
        switch format {
        case .csv: csv = CSVEventParser(file: self.file)
        case .npy: npy = NPYEventParser(file: self.file)
        }
    }

    /// Parses every complete record in `bytes` (plus what was buffered from earlier calls),
    /// appending its events to `events`; keeps an incomplete last record for the next call.
    /// O(bytes) time; buffers at most one CSV line's first 64 bytes or one NPY header or row.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into events: inout [SpikeEvent]) throws(SpikeFileError) {
        if let failure { throw failure }
        guard !ended else { throw SpikeFileError(file: file, message: "input fed after finish()") }
        do {
            try csv?.feed(bytes, into: &events)
            try npy?.feed(bytes, into: &events)
        } catch {
            failure = error
            throw error
        }
    }

    /// End of input: parses a last CSV line that has no newline; for NPY checks that the header
    /// and the data are complete and nothing follows them. Throws for an incomplete file.
    public mutating func finish(into events: inout [SpikeEvent]) throws(SpikeFileError) {
        if let failure { throw failure }
        guard !ended else { return }
        ended = true
        do {
            try csv?.finish(into: &events)
            try npy?.finish()
        } catch {
            failure = error
            throw error
        }
    }
}

// MARK: - CSV

/// The CSV half of `SpikeEventParser`: a byte-at-a-time state machine, so that a record split
/// across chunks needs no buffering beyond the line's first bytes (kept only to quote it in an
/// error).
private struct CSVEventParser: Sendable {
    /// Where in `tick,neuron` the line is.
    private enum Position: UInt8, Sendable {
        case lineStart, tick, afterTick, beforeNeuron, neuron, afterNeuron, comment, bad
    }

    /// What is wrong with a bad line (reported at its end, so the quote is complete).
    private enum Problem: Sendable {
        case missingTick, missingNeuron, extraField, notNumber, negative, tickTooLarge, neuronTooLarge
    }

    let file: String
    private var line = 1
    private var position = Position.lineStart
    private var problem = Problem.notNumber
    private var tick: UInt64 = 0
    private var neuron: UInt32 = 0
    private var lastTick: UInt64 = 0
    /// The line's first `headLimit` bytes, for the error quote and the header test.
    private var head: [UInt8] = []
    private var headTruncated = false
    /// A CR waits for the next byte: before LF it ends the line, elsewhere it is a bad byte.
    private var pendingCR = false
    /// A header is allowed until the first event or header.
    private var headerAllowed = true
    /// Bytes of the UTF-8 byte-order mark seen at the start of the file; 3 once past it.
    private var bomMatched = 0

    private static let headLimit = 64
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    init(file: String) {
        self.file = file
        head.reserveCapacity(Self.headLimit)
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, into events: inout [SpikeEvent]) throws(SpikeFileError) {
        for b in bytes {
            if pendingCR {
                pendingCR = false
                if b == 0x0A {
                    try endLine(into: &events)
                    continue
                }
                consume(0x0D)
            }
            switch b {
            case 0x0A: try endLine(into: &events)
            case 0x0D: pendingCR = true
            default: consume(b)
            }
        }
    }

    mutating func finish(into events: inout [SpikeEvent]) throws(SpikeFileError) {
        pendingCR = false
        try endLine(into: &events)
    }

    /// One byte of the current line (not LF, not a CR that ends it).
    private mutating func consume(_ b: UInt8) {
        if bomMatched < 3 {
            if b == Self.bom[bomMatched] {
                bomMatched += 1
                return
            }
            endBOM()
        }
        if head.count < Self.headLimit { head.append(b) } else { headTruncated = true }

        let isSpace = b == 0x20 || b == 0x09
        let digit = b &- 0x30
        switch position {
        case .comment, .bad:
            return
        case .lineStart:
            if isSpace { return }
            if digit < 10 {
                tick = UInt64(digit)
                position = .tick
            } else if b == UInt8(ascii: "#") {
                position = .comment
            } else {
                fail(b == UInt8(ascii: ",") ? .missingTick : b == UInt8(ascii: "-") ? .negative : .notNumber)
            }
        case .tick:
            if digit < 10 {
                // tick * 10 + digit ≤ maxTick  ⇔  tick ≤ (maxTick − digit) / 10
                guard tick <= (SpikeEvent.maxTick - UInt64(digit)) / 10 else { return fail(.tickTooLarge) }
                tick = tick * 10 + UInt64(digit)
            } else if isSpace {
                position = .afterTick
            } else if b == UInt8(ascii: ",") {
                position = .beforeNeuron
            } else {
                fail(.notNumber)
            }
        case .afterTick:
            if isSpace { return }
            if b == UInt8(ascii: ",") { position = .beforeNeuron } else { fail(.notNumber) }
        case .beforeNeuron:
            if isSpace { return }
            if digit < 10 {
                neuron = UInt32(digit)
                position = .neuron
            } else {
                fail(b == UInt8(ascii: ",") ? .missingNeuron : b == UInt8(ascii: "-") ? .negative : .notNumber)
            }
        case .neuron:
            if digit < 10 {
                neuron = neuron * 10 + UInt32(digit)
                if neuron > UInt32(UInt16.max) { fail(.neuronTooLarge) }
            } else if isSpace {
                position = .afterNeuron
            } else {
                fail(b == UInt8(ascii: ",") ? .extraField : .notNumber)
            }
        case .afterNeuron:
            if isSpace { return }
            fail(b == UInt8(ascii: ",") ? .extraField : .notNumber)
        }
    }

    /// Past the start of the file: a partial byte-order mark becomes line 1's (bad) first bytes.
    private mutating func endBOM() {
        let partial = Self.bom[..<bomMatched]
        bomMatched = 3
        for b in partial { consume(b) }
    }

    private mutating func fail(_ why: Problem) {
        problem = why
        position = .bad
    }

    /// Ends the current line: appends its event, or ignores it, or throws.
    private mutating func endLine(into events: inout [SpikeEvent]) throws(SpikeFileError) {
        if bomMatched < 3 { endBOM() }
        let number = line
        let ended = position
        let t = tick
        let n = neuron
        line += 1
        position = .lineStart
        tick = 0
        neuron = 0
        defer {
            head.removeAll(keepingCapacity: true)
            headTruncated = false
        }
        switch ended {
        case .lineStart, .comment:
            return
        case .tick, .afterTick, .beforeNeuron:
            problem = .missingNeuron
        case .neuron, .afterNeuron:
            guard t >= lastTick else {
                throw SpikeFileError(file: file, message: "line \(number): tick \(t) after tick \(lastTick): ticks must not decrease")
            }
            lastTick = t
            headerAllowed = false
            events.append(SpikeEvent(tick: t, neuron: UInt16(truncatingIfNeeded: n)))
            return
        case .bad:
            if headerAllowed, !headTruncated, Self.isHeader(head) {
                headerAllowed = false
                return
            }
        }
        let quoted = SpikeFileError.quote(head, truncated: headTruncated)
        let what: String =
            switch problem {
            case .missingTick: "missing tick field"
            case .missingNeuron: "missing neuron field"
            case .extraField: "extra field"
            case .notNumber: "not a non-negative decimal number"
            case .negative: "negative number"
            case .tickTooLarge: "tick exceeds 2^63-1 (\(SpikeEvent.maxTick))"
            case .neuronTooLarge: "neuron exceeds 65535"
            }
        throw SpikeFileError(file: file, message: "line \(number): \(what), expected `tick,neuron`: \(quoted)")
    }

    /// `tick,neuron`, any case, spaces or tabs around either field.
    private static func isHeader(_ bytes: [UInt8]) -> Bool {
        let fields = bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard fields.count == 2 else { return false }
        func word(_ field: ArraySlice<UInt8>) -> String {
            let trimmed = field.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
            return String(decoding: Array(trimmed), as: UTF8.self).lowercased()
        }
        return word(fields[0]) == "tick" && word(fields[1]) == "neuron"
    }
}

// MARK: - NPY

/// The NPY half of `SpikeEventParser`: buffers the header (at most `maxHeader` bytes), then
/// decodes rows straight from the fed bytes, buffering only a row split across chunks.
private struct NPYEventParser: Sendable {
    let file: String
    /// Magic, version, length field and header text, until the header is parsed.
    private var head: [UInt8] = []
    /// Bytes before the header text: 10 for version 1.0, 12 for 2.0 and 3.0; nil until known.
    private var preamble: Int?
    /// Magic through the header's end; nil until the length field is read.
    private var headerEnd: Int?
    private var header: NPYHeader?
    /// `header`'s dtype, unwrapped for the row loop.
    private var dtype = NPYHeader.DType(width: 8, signed: true, bigEndian: false)
    private var rowSize = 0
    private var rows: UInt64 = 0
    private var rowsDone: UInt64 = 0
    /// A row split across chunks.
    private var partial: [UInt8] = []
    private var trailing: UInt64 = 0
    private var lastTick: UInt64 = 0

    /// NumPy's own loader refuses headers over 10,000 bytes by default; allow more, but bound it.
    private static let maxHeader = 1 << 16

    init(file: String) { self.file = file }

    private func error(_ message: String) -> SpikeFileError { SpikeFileError(file: file, message: message) }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, into events: inout [SpikeEvent]) throws(SpikeFileError) {
        var at = 0
        if header == nil {
            at = try feedHeader(bytes)
            guard header != nil else { return }
        }
        // Bytes still owed by the shape; anything beyond them is trailing garbage.
        let owed = (rows - rowsDone) * UInt64(rowSize) - UInt64(partial.count)
        let available = bytes.count - at
        let data = UInt64(available) <= owed ? available : Int(owed)
        trailing += UInt64(available - data)
        let end = at + data
        guard data > 0, let base = bytes.baseAddress else { return }

        if !partial.isEmpty {
            let take = min(rowSize - partial.count, end - at)
            partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[at ..< at + take]))
            at += take
            guard partial.count == rowSize else { return }
            let (t, n) = partial.withUnsafeBytes { p in
                guard let row = p.baseAddress else { return (UInt64(0), UInt64(0)) }
                return (Self.load(row, dtype), Self.load(row + dtype.width, dtype))
            }
            partial.removeAll(keepingCapacity: true)
            try accept(tick: t, neuron: n, into: &events)
        }
        while end - at >= rowSize {
            let row = base + at
            try accept(tick: Self.load(row, dtype), neuron: Self.load(row + dtype.width, dtype), into: &events)
            at += rowSize
        }
        if at < end {
            partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[at ..< end]))
        }
    }

    /// Takes header bytes from the start of `bytes`; parses the header once complete. Returns
    /// how many bytes it took.
    private mutating func feedHeader(_ bytes: UnsafeRawBufferPointer) throws(SpikeFileError) -> Int {
        var at = 0
        while header == nil {
            let want = headerEnd ?? preamble ?? 8
            if head.count < want {
                guard at < bytes.count else { break }
                let take = min(want - head.count, bytes.count - at)
                let before = head.count
                head.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[at ..< at + take]))
                at += take
                // Check the magic once its 6 bytes are in, whatever the chunking.
                if before < 6, head.count >= 6 { try checkMagic() }
                guard head.count == want else { continue }
            }
            if preamble == nil {
                switch head[6] {
                case 1: preamble = 10
                case 2, 3: preamble = 12
                default: throw error("unsupported .npy format version \(head[6]).\(head[7]) (this reader knows 1.0, 2.0, 3.0)")
                }
            } else if headerEnd == nil {
                var length = 0
                for i in (8 ..< want).reversed() { length = length << 8 | Int(head[i]) }
                guard length <= Self.maxHeader else {
                    throw error(".npy header of \(length) bytes is too long (limit \(Self.maxHeader))")
                }
                headerEnd = want + length
            } else {
                try startData()
            }
        }
        return at
    }

    private func checkMagic() throws(SpikeFileError) {
        guard !head.prefix(6).elementsEqual(SpikeEventFile.npyMagic.prefix(min(head.count, 6))) else { return }
        throw error("not a .npy file: it does not begin with \\x93NUMPY (it begins \(SpikeFileError.quote(head.prefix(6))))")
    }

    /// Parses the complete header and checks that it describes (n, 2) rows of integers.
    private mutating func startData() throws(SpikeFileError) {
        let parsed: NPYHeader
        do { parsed = try NPYHeader.parse(head[(preamble ?? 10)...]) } catch { throw self.error(error.message) }
        if parsed.fortranOrder {
            throw error("Fortran-order array: save with np.ascontiguousarray")
        }
        guard parsed.shape.count == 2, parsed.shape[1] == 2 else {
            throw error("shape \(parsed.shapeText) is not (n, 2): expected a 2-D array of [tick, neuron] rows")
        }
        rowSize = 2 * parsed.dtype.width
        guard let n = parsed.shape[0], n <= UInt64(Int64.max) / UInt64(rowSize) else {
            throw error("shape \(parsed.shapeText) is too large")
        }
        rows = n
        header = parsed
        dtype = parsed.dtype
        head = []
        partial.reserveCapacity(rowSize)
    }

    /// Checks and appends one row, its elements as `load` returns them.
    private mutating func accept(tick tickBits: UInt64, neuron neuronBits: UInt64, into events: inout [SpikeEvent]) throws(SpikeFileError) {
        let index = rowsDone
        if dtype.signed, Int64(bitPattern: tickBits) < 0 {
            throw error("row \(index): negative tick \(Int64(bitPattern: tickBits))")
        }
        if dtype.signed, Int64(bitPattern: neuronBits) < 0 {
            throw error("row \(index): negative neuron \(Int64(bitPattern: neuronBits))")
        }
        guard tickBits <= SpikeEvent.maxTick else {
            throw error("row \(index): tick \(tickBits) exceeds 2^63-1 (\(SpikeEvent.maxTick))")
        }
        guard neuronBits <= UInt64(UInt16.max) else {
            throw error("row \(index): neuron \(neuronBits) exceeds 65535")
        }
        guard tickBits >= lastTick else {
            throw error("row \(index): tick \(tickBits) after tick \(lastTick): ticks must not decrease")
        }
        lastTick = tickBits
        rowsDone += 1
        events.append(SpikeEvent(tick: tickBits, neuron: UInt16(truncatingIfNeeded: neuronBits)))
    }

    /// One element at `p`: unsigned values zero-extended, signed ones sign-extended (so a
    /// negative value reads as a UInt64 whose Int64 bit pattern is negative).
    @inline(__always)
    private static func load(_ p: UnsafeRawPointer, _ t: NPYHeader.DType) -> UInt64 {
        switch t.width {
        case 8:
            let raw = p.loadUnaligned(as: UInt64.self)
            return t.bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
        case 4:
            let raw = p.loadUnaligned(as: UInt32.self)
            let v = t.bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
            return t.signed ? UInt64(bitPattern: Int64(Int32(bitPattern: v))) : UInt64(v)
        case 2:
            let raw = p.loadUnaligned(as: UInt16.self)
            let v = t.bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
            return t.signed ? UInt64(bitPattern: Int64(Int16(bitPattern: v))) : UInt64(v)
        default:
            let v = p.load(as: UInt8.self)
            return t.signed ? UInt64(bitPattern: Int64(Int8(bitPattern: v))) : UInt64(v)
        }
    }

    mutating func finish() throws(SpikeFileError) {
        guard let header else {
            if head.isEmpty { throw error("empty file: a .npy file needs at least a header") }
            if head.count < 6 { try checkMagic() }
            let needed = headerEnd.map { " of \($0) bytes" } ?? ""
            throw error("incomplete .npy header\(needed): the file ends after \(head.count) bytes")
        }
        let size = UInt64(rowSize)
        if rowsDone < rows {
            let has = rowsDone * size + UInt64(partial.count)
            throw error(
                "truncated data: shape \(header.shapeText) needs \(rows * size) bytes of data but the file has \(has) (row \(rowsDone) is incomplete)"
            )
        }
        if trailing > 0 {
            throw error("\(trailing) trailing bytes after the data of shape \(header.shapeText) (\(rows * size) bytes)")
        }
    }
}
