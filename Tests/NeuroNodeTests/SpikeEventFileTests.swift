import Foundation
import Testing
@testable import NeuroNode
@testable import NeuroNetwork
@testable import NeuroEngine

/// Parses `bytes` in chunks of `chunk` bytes (all at once if nil).
private func parse(_ bytes: [UInt8], _ format: SpikeFileFormat, chunk: Int? = nil, file: String = "f") throws(SpikeFileError) -> [SpikeEvent] {
    var parser = SpikeEventParser(format: format, file: file)
    var events: [SpikeEvent] = []
    let size = max(chunk ?? bytes.count, 1)
    var at = 0
    while at < bytes.count {
        let end = min(at + size, bytes.count)
        let part = Array(bytes[at ..< end])
        var failure: SpikeFileError?
        part.withUnsafeBytes { raw in
            do throws(SpikeFileError) { try parser.feed(raw, into: &events) } catch { failure = error }
        }
        if let failure { throw failure }
        at = end
    }
    try parser.finish(into: &events)
    return events
}

private func parse(_ text: String, chunk: Int? = nil) throws(SpikeFileError) -> [SpikeEvent] {
    try parse(Array(text.utf8), .csv, chunk: chunk)
}

/// The error `body` throws, nil if none. (Untyped, since closures in `#expect` infer `any Error`.)
private func failure(_ body: () throws -> Void) -> SpikeFileError? {
    do {
        try body()
        return nil
    } catch {
        return error as? SpikeFileError ?? SpikeFileError(file: "?", message: "not a SpikeFileError: \(error)")
    }
}

private func events(_ pairs: [(UInt64, UInt16)]) -> [SpikeEvent] { pairs.map { SpikeEvent(tick: $0.0, neuron: $0.1) } }

/// An `.npy` file as NumPy lays it out: magic, version, length, the dict padded with spaces and
/// ended by a newline to a multiple of 64 bytes, then `data`.
private func npy(descr: String, shape: String, fortran: Bool = false, version: UInt8 = 1, data: [UInt8]) -> [UInt8] {
    var dict = Array("{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }".utf8)
    let preamble = version == 1 ? 10 : 12
    while (preamble + dict.count + 1) % 64 != 0 { dict.append(0x20) }
    dict.append(0x0A)
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let n = dict.count
    out += version == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
    return out + dict + data
}

/// `values` as `width`-byte two's-complement integers.
private func ints(_ values: [Int64], width: Int, bigEndian: Bool = false) -> [UInt8] {
    var out: [UInt8] = []
    for v in values {
        let bits = UInt64(bitPattern: v)
        let bytes = (0 ..< width).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }
        out += bigEndian ? bytes.reversed() : bytes
    }
    return out
}

/// A fresh empty directory, removed by `body`'s end.
private func withDirectory(_ body: (String) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spike-events-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try body(dir)
}

private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

/// `np.save(f, np.array([[0,1],[5,2]], dtype='<i8'))` with NumPy 2.4.6, byte for byte.
private let numpyBytes: [UInt8] = [
    0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7B, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3A, 0x20, 0x27, 0x3C, 0x69, 0x38, 0x27, 0x2C, 0x20, 0x27, 0x66, 0x6F, 0x72, 0x74,
    0x72, 0x61, 0x6E, 0x5F, 0x6F, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3A, 0x20, 0x46, 0x61, 0x6C, 0x73,
    0x65, 0x2C, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3A, 0x20, 0x28, 0x32, 0x2C, 0x20,
    0x32, 0x29, 0x2C, 0x20, 0x7D, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0A,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
]

@Suite("Spike-event files: CSV and NPY")
struct SpikeEventFileTests {
    // MARK: Formats and errors

    @Test func formatFromExtensionAndSniffing() throws {
        #expect(SpikeFileFormat(path: "a/b.csv") == .csv)
        #expect(SpikeFileFormat(path: "B.NPY") == .npy)
        #expect(SpikeFileFormat(path: "x.Csv") == .csv)
        #expect(SpikeFileFormat(path: "x.txt") == nil)
        #expect(SpikeFileFormat(path: "-") == nil)
        #expect(SpikeFileFormat(path: ".csv") == nil)
        #expect(SpikeFileFormat(path: "dir.npy/events") == nil)
        #expect(SpikeEventFile.format(ofPath: "x.csv", firstBytes: numpyBytes) == .csv)
        #expect(SpikeEventFile.format(ofPath: "-", firstBytes: numpyBytes) == .npy)
        #expect(SpikeEventFile.format(ofPath: "-", firstBytes: [0x93, 0x4E]) == .npy)
        #expect(SpikeEventFile.format(ofPath: "x.dat", firstBytes: Array("1,2\n".utf8)) == .csv)
        #expect(SpikeEventFile.format(ofPath: "x", firstBytes: [UInt8]()) == .csv)
    }

    @Test func errorDescriptionNamesFileAndStdin() throws {
        let e = failure { _ = try parse(Array("1,x\n".utf8), .csv, file: "-") }
        #expect(e?.file == "<stdin>")
        #expect(e?.description == "<stdin>: line 1: not a non-negative decimal number, expected `tick,neuron`: \"1,x\"")
    }

    // MARK: CSV

    @Test func csvRoundTripThroughWriterAndReader() throws {
        try withDirectory { dir in
            let path = dir + "/out.csv"
            let writer = try SpikeEventWriter(path: path, format: .csv)
            try writer.append(tick: 0, neuron: 0)
            try writer.append(tick: 0, neuron: 65535)
            try writer.append(tick: 7, neurons: [3, 1, 2, 1])
            try writer.append(tick: 8, neurons: [UInt16]())
            try writer.append(tick: SpikeEvent.maxTick, neuron: 9)
            #expect(writer.count == 7)
            try writer.finish()
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == "tick,neuron\n0,0\n0,65535\n7,3\n7,1\n7,2\n7,1\n9223372036854775807,9\n")
            let read = try SpikeEventFile.readAll(path)
            #expect(read == events([(0, 0), (0, 65535), (7, 3), (7, 1), (7, 2), (7, 1), (SpikeEvent.maxTick, 9)]))
        }
    }

    @Test func csvHeaderCommentsBlankLinesCRLFAndSpaces() throws {
        // A BOM, a comment before the header, CRLF, blank and space-only lines, leading zeros,
        // a last line without newline.
        let text = "\u{FEFF}# made by hand\r\n  TICK , Neuron \r\n\r\n1,2\r\n  # a comment\n \t\n 3 ,\t4 \n\n007,0008\n9,6"
        #expect(try parse(text) == events([(1, 2), (3, 4), (7, 8), (9, 6)]))
        #expect(try parse("tick,neuron\n1,2\n") == events([(1, 2)]))
        #expect(try parse("") == [])
        #expect(try parse("tick,neuron\n") == [])
        #expect(try parse("tick,neuron") == [])
        #expect(try parse("\n\n# only comments\n") == [])
        #expect(try parse("1,2\r") == events([(1, 2)]))
        #expect(try parse("1,2\n3,4\n") == events([(1, 2), (3, 4)]))
    }

    @Test func csvErrorsNameTheLineAndQuoteIt() throws {
        let cases: [(text: String, message: String)] = [
            ("1\n", "line 1: missing neuron field, expected `tick,neuron`: \"1\""),
            ("tick,neuron\n1,\n", "line 2: missing neuron field, expected `tick,neuron`: \"1,\""),
            ("1,2\n,5\n", "line 2: missing tick field, expected `tick,neuron`: \",5\""),
            ("# c\n\n1,2,3\n", "line 3: extra field, expected `tick,neuron`: \"1,2,3\""),
            ("1,2 ,3", "line 1: extra field, expected `tick,neuron`: \"1,2 ,3\""),
            ("x,1", "line 1: not a non-negative decimal number, expected `tick,neuron`: \"x,1\""),
            ("1 2,3", "line 1: not a non-negative decimal number, expected `tick,neuron`: \"1 2,3\""),
            ("1.5,3", "line 1: not a non-negative decimal number, expected `tick,neuron`: \"1.5,3\""),
            ("+1,3", "line 1: not a non-negative decimal number, expected `tick,neuron`: \"+1,3\""),
            ("1,0x10", "line 1: not a non-negative decimal number, expected `tick,neuron`: \"1,0x10\""),
            ("0,1\n-1,2", "line 2: negative number, expected `tick,neuron`: \"-1,2\""),
            ("1, -2", "line 1: negative number, expected `tick,neuron`: \"1, -2\""),
            ("9223372036854775808,1", "line 1: tick exceeds 2^63-1 (9223372036854775807), expected `tick,neuron`: \"9223372036854775808,1\""),
            ("99999999999999999999999,1", "line 1: tick exceeds 2^63-1 (9223372036854775807), expected `tick,neuron`: \"99999999999999999999999,1\""),
            ("1,65536", "line 1: neuron exceeds 65535, expected `tick,neuron`: \"1,65536\""),
            ("1,99999999999999999999", "line 1: neuron exceeds 65535, expected `tick,neuron`: \"1,99999999999999999999\""),
            ("1,2\ntick,neuron\n", "line 2: not a non-negative decimal number, expected `tick,neuron`: \"tick,neuron\""),
            ("tick,neuron\ntick,neuron\n", "line 2: not a non-negative decimal number, expected `tick,neuron`: \"tick,neuron\""),
            ("tick,neuron,x\n", "line 1: not a non-negative decimal number, expected `tick,neuron`: \"tick,neuron,x\""),
            ("1,2\r3\n", "line 1: not a non-negative decimal number, expected `tick,neuron`: \"1,2\\x0D3\""),
            ("1,\u{1}\n", "line 1: not a non-negative decimal number, expected `tick,neuron`: \"1,\\x01\""),
        ]
        for c in cases {
            let e = failure { _ = try parse(c.text) }
            #expect(e?.message == c.message, "\(c.text.debugDescription)")
            // The same error whatever the chunking.
            #expect(failure { _ = try parse(c.text, chunk: 1) } == e, "\(c.text.debugDescription)")
        }
        // Part of a BOM, and bytes that are not UTF-8, are shown as hex.
        let partialBOM = failure { _ = try parse([0xEF, 0xBB, 0x31, 0x2C, 0x32, 0xFF], .csv) }
        #expect(partialBOM?.message == "line 1: not a non-negative decimal number, expected `tick,neuron`: \"\\xEF\\xBB1,2\\xFF\"")
        #expect(failure { _ = try parse([0xEF, 0xBB], .csv, chunk: 1) }?.message == "line 1: not a non-negative decimal number, expected `tick,neuron`: \"\\xEF\\xBB\"")
        #expect(failure { _ = try parse([0xEF, 0x0D, 0x0A, 0x31, 0x2C, 0x32], .csv) }?.message == "line 1: not a non-negative decimal number, expected `tick,neuron`: \"\\xEF\"")
        #expect(try parse([0xEF, 0xBB, 0xBF], .csv) == [])
    }

    @Test func csvLongBadLineIsQuotedTruncated() throws {
        let e = failure { _ = try parse("1,2\n3,4," + String(repeating: "x", count: 500) + "\n") }
        let expected = "line 2: extra field, expected `tick,neuron`: \"3,4," + String(repeating: "x", count: 56) + "…\""
        #expect(e?.message == expected)
        // A cut inside a multi-byte character drops the character rather than show U+FFFD.
        let wide = failure { _ = try parse("1,x" + String(repeating: "é", count: 40)) }
        #expect(wide?.message.hasSuffix("\"1,x" + String(repeating: "é", count: 28) + "…\"") == true, "\(wide?.message ?? "")")
    }

    @Test func csvTicksMustNotDecrease() throws {
        let e = failure { _ = try parse("1,0\n9,1\n9,0\n9,0\n5,2\n") }
        #expect(e?.description == "f: line 5: tick 5 after tick 9: ticks must not decrease")
        // Equal ticks in any neuron order, and duplicates, pass through.
        #expect(try parse("3,5\n3,1\n3,5\n") == events([(3, 5), (3, 1), (3, 5)]))
    }

    @Test func csvInOneByteChunksMatchesWhole() throws {
        var text = "\u{FEFF}Tick,Neuron\r\n# comment, with a comma\n"
        for i in 0 ..< 300 { text += i % 7 == 0 ? " \(i / 3) ,\t\(i * 211 % 65536)\r\n" : "\(i / 3),\(i)\n" }
        text += "\n# end\n1000,1"
        let whole = try parse(text)
        #expect(whole.count == 301)
        for chunk in [1, 2, 3, 7, 64] {
            #expect(try parse(text, chunk: chunk) == whole, "chunk \(chunk)")
        }
    }

    @Test func parserStaysFailedAndRefusesInputAfterFinish() throws {
        var parser = SpikeEventParser(format: .csv, file: "p.csv")
        var out: [SpikeEvent] = []
        func feed(_ parser: inout SpikeEventParser, _ bytes: [UInt8]) -> SpikeFileError? {
            bytes.withUnsafeBytes { raw in failure { try parser.feed(raw, into: &out) } }
        }
        let first = feed(&parser, Array("0,1\n1,x\n2,3\n".utf8))
        #expect(first?.message.hasPrefix("line 2: ") == true)
        #expect(out == events([(0, 1)]))  // what came before the bad line
        #expect(failure { try parser.finish(into: &out) } == first)
        #expect(feed(&parser, Array("4,5\n".utf8)) == first)

        var done = SpikeEventParser(format: .npy, file: "p.npy")
        #expect(feed(&done, numpyBytes) == nil)
        #expect(failure { try done.finish(into: &out) } == nil)
        #expect(feed(&done, numpyBytes)?.message == "input fed after finish()")
    }

    // MARK: NPY

    @Test func npyRoundTripThroughWriterAndReader() throws {
        try withDirectory { dir in
            for n in [0, 1, 10_000] {
                let path = dir + "/out\(n).npy"
                let writer = try SpikeEventWriter(path: path, format: .npy)
                var expected: [SpikeEvent] = []
                for i in 0 ..< n {
                    let e = SpikeEvent(tick: UInt64(i / 4) * 1_000_003, neuron: UInt16(truncatingIfNeeded: i * 7919))
                    expected.append(e)
                    try writer.append(tick: e.tick, neuron: e.neuron)
                }
                if n == 1 { try writer.append(tick: SpikeEvent.maxTick, neurons: [65535]); expected.append(SpikeEvent(tick: SpikeEvent.maxTick, neuron: 65535)) }
                try writer.finish()
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(bytes.count == 128 + 16 * expected.count)
                #expect(Array(bytes[..<128]) == NPYHeader.encode(rows: expected.count))
                #expect(try SpikeEventFile.readAll(path) == expected)
                #expect(try parse(bytes, .npy, chunk: 1000) == expected)
            }
        }
    }

    @Test func npyExactlyAsNumpyWritesIt() throws {
        #expect(try parse(numpyBytes, .npy) == events([(0, 1), (5, 2)]))
        #expect(try parse(numpyBytes, .npy, chunk: 1) == events([(0, 1), (5, 2)]))
        // The writer produces the same bytes as np.save.
        try withDirectory { dir in
            let writer = try SpikeEventWriter(path: dir + "/np.npy", format: .npy)
            try writer.append(tick: 0, neuron: 1)
            try writer.append(tick: 5, neuron: 2)
            try writer.finish()
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/np.npy"))) == numpyBytes)
        }
        // NumPy's header for an (n, 2) array is 128 bytes for any n.
        #expect(NPYHeader.encode(rows: 2) == Array(numpyBytes[..<128]))
        #expect(NPYHeader.encode(rows: Int.max).count == 128)
    }

    @Test func npyReadsEveryIntegerDtypeBothByteOrdersAndVersions() throws {
        let values: [Int64] = [0, 1, 5, 2, 5, 127, 100, 0]
        let expected = events([(0, 1), (5, 2), (5, 127), (100, 0)])
        for descr in ["<i8", "<u8", "<i4", "<u4", "<i2", "<u2", "|i1", "|u1", ">i8", ">u8", ">i4", ">u4", ">i2", ">u2"] {
            let width = Int(String(descr.last ?? "8")) ?? 8
            let data = ints(values, width: width, bigEndian: descr.hasPrefix(">"))
            for version: UInt8 in [1, 2, 3] {
                let file = npy(descr: descr, shape: "(4, 2)", version: version, data: data)
                #expect(try parse(file, .npy) == expected, "\(descr) v\(version)")
                #expect(try parse(file, .npy, chunk: 1) == expected, "\(descr) v\(version) bytewise")
            }
        }
        // The full ranges: neuron 65535 in >u2, the largest tick in >i8 and <u8.
        #expect(try parse(npy(descr: ">u2", shape: "(1, 2)", data: [0xFF, 0xFE, 0xFF, 0xFF]), .npy) == events([(65534, 65535)]))
        #expect(try parse(npy(descr: ">i8", shape: "(1, 2)", data: ints([Int64.max, 3], width: 8, bigEndian: true)), .npy) == events([(SpikeEvent.maxTick, 3)]))
        #expect(try parse(npy(descr: "<u8", shape: "(1, 2)", data: ints([Int64.max, 3], width: 8)), .npy) == events([(SpikeEvent.maxTick, 3)]))
        // Header variations NumPy and Python 2 wrote: other key order, double quotes, `2L`.
        let odd = Array("{\"shape\": (1L, 2L), \"fortran_order\": False, \"descr\": \"<i4\"}\n".utf8)
        let oddFile: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(odd.count), 0] + odd + ints([4, 2], width: 4)
        #expect(try parse(oddFile, .npy) == events([(4, 2)]))
        #expect(try parse(npy(descr: "<i8", shape: "(0, 2)", data: []), .npy) == [])
    }

    @Test func npyErrorsNameTheProblem() throws {
        let good = ints([0, 1, 5, 2], width: 8)
        let cases: [(bytes: [UInt8], message: String)] = [
            (Array("tick,neuron\n1,2\n".utf8), "not a .npy file: it does not begin with \\x93NUMPY (it begins \"tick,n\")"),
            ([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x5A], "not a .npy file: it does not begin with \\x93NUMPY (it begins \"\\x93NUMPZ\")"),
            (Array("1,2".utf8), "not a .npy file: it does not begin with \\x93NUMPY (it begins \"1,2\")"),
            ([0x93] + Array("NUMPY".utf8) + [4, 0, 0, 0], "unsupported .npy format version 4.0 (this reader knows 1.0, 2.0, 3.0)"),
            ([], "empty file: a .npy file needs at least a header"),
            (Array(numpyBytes[..<9]), "incomplete .npy header: the file ends after 9 bytes"),
            (Array(numpyBytes[..<100]), "incomplete .npy header of 128 bytes: the file ends after 100 bytes"),
            ([0x93] + Array("NUMPY".utf8) + [2, 0, 0, 0, 2, 0], ".npy header of 131072 bytes is too long (limit 65536)"),
            (npy(descr: "<i8", shape: "(2, 2)", fortran: true, data: good), "Fortran-order array: save with np.ascontiguousarray"),
            (npy(descr: "<i8", shape: "(4,)", data: good), "shape (4,) is not (n, 2): expected a 2-D array of [tick, neuron] rows"),
            (npy(descr: "<i8", shape: "(1, 3)", data: ints([0, 1, 2], width: 8)), "shape (1, 3) is not (n, 2): expected a 2-D array of [tick, neuron] rows"),
            (npy(descr: "<i8", shape: "(1, 2, 2)", data: good), "shape (1, 2, 2) is not (n, 2): expected a 2-D array of [tick, neuron] rows"),
            (npy(descr: "<i8", shape: "()", data: ints([1], width: 8)), "shape () is not (n, 2): expected a 2-D array of [tick, neuron] rows"),
            (npy(descr: "<i8", shape: "(4)", data: good), "shape is not a tuple"),
            (npy(descr: "<i8", shape: "(99999999999999999999, 2)", data: good), "shape (99999999999999999999, 2) is too large"),
            (npy(descr: "<i8", shape: "(3, 2)", data: good), "truncated data: shape (3, 2) needs 48 bytes of data but the file has 32 (row 2 is incomplete)"),
            (npy(descr: "<i8", shape: "(2, 2)", data: Array(good.dropLast())), "truncated data: shape (2, 2) needs 32 bytes of data but the file has 31 (row 1 is incomplete)"),
            (npy(descr: "<i8", shape: "(2, 2)", data: good + [0, 0, 0]), "3 trailing bytes after the data of shape (2, 2) (32 bytes)"),
            (npy(descr: "<i8", shape: "(1, 2)", data: good), "16 trailing bytes after the data of shape (1, 2) (16 bytes)"),
            (npy(descr: "<i4", shape: "(2, 2)", data: ints([0, 1, -3, 2], width: 4)), "row 1: negative tick -3"),
            (npy(descr: ">i2", shape: "(2, 2)", data: ints([0, 1, 3, -1], width: 2, bigEndian: true)), "row 1: negative neuron -1"),
            (npy(descr: "<u4", shape: "(2, 2)", data: ints([0, 1, 3, 70000], width: 4)), "row 1: neuron 70000 exceeds 65535"),
            (npy(descr: "<i8", shape: "(1, 2)", data: ints([0, 65536], width: 8)), "row 0: neuron 65536 exceeds 65535"),
            (npy(descr: "<u8", shape: "(1, 2)", data: ints([-1, 0], width: 8)), "row 0: tick 18446744073709551615 exceeds 2^63-1 (9223372036854775807)"),
            (npy(descr: "<i8", shape: "(3, 2)", data: ints([9, 1, 9, 0, 5, 2], width: 8)), "row 2: tick 5 after tick 9: ticks must not decrease"),
            (npy(descr: "<f8", shape: "(2, 2)", data: good), "unsupported descr '<f8': expected an integer dtype: <i8 <u8 <i4 <u4 <i2 <u2 |i1 |u1, or big-endian >i8 …"),
            (npy(descr: "|i8", shape: "(2, 2)", data: good), "unsupported descr '|i8': expected an integer dtype: <i8 <u8 <i4 <u4 <i2 <u2 |i1 |u1, or big-endian >i8 …"),
        ]
        for c in cases {
            let e = failure { _ = try parse(c.bytes, .npy, file: "x.npy") }
            #expect(e?.message == c.message, "\(e?.message ?? "no error") for \(c.message)")
            #expect(e?.file == "x.npy")
            #expect(failure { _ = try parse(c.bytes, .npy, chunk: 1, file: "x.npy") } == e, "bytewise: \(c.message)")
        }
    }

    @Test func npyHeaderSyntaxErrors() throws {
        func headerError(_ text: String) -> String? {
            let dict = Array(text.utf8)
            let file: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(dict.count), 0] + dict
            return failure { _ = try parse(file, .npy) }?.message
        }
        #expect(headerError("{'descr': [('a', '<i8'), ('b', '<i8')], 'fortran_order': False, 'shape': (2,), }")
            == "unsupported descr (a structured dtype): expected an integer dtype: <i8 <u8 <i4 <u4 <i2 <u2 |i1 |u1, or big-endian >i8 …")
        #expect(headerError("{'descr': '<i8', 'fortran_order': False}") == "header lacks one of the keys descr, fortran_order, shape")
        #expect(headerError("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), 'x': 1}")
            == "header has an unexpected key 'x' (expected descr, fortran_order, shape)")
        #expect(headerError("{'descr': '<i8', 'fortran_order': 0, 'shape': (1, 2)}") == "fortran_order is not True or False")
        #expect(headerError("{'descr': '<i8', 'fortran_order': False, 'shape': (-1, 2)}") == "shape has a negative dimension -1")
        #expect(headerError("[1, 2]") == "header is not a Python dict")
        #expect(headerError("{'descr': '<i8'")?.hasPrefix("header is not a valid Python literal: unexpected end") == true)
        #expect(headerError("{'descr': '<i8'} junk")?.hasPrefix("header is not a valid Python literal: unexpected text after the header's dict at offset 17") == true)
        #expect(headerError(String(repeating: "(", count: 200))?.contains("nested too deeply") == true)
        #expect(headerError("{'descr': '<i8', 'fortran_order': False, 'shape': (1.5, 2)}")?.contains("not an integer") == true)
    }

    /// Random damage to valid files must give errors, never a crash or a hang.
    @Test func damagedFilesGiveErrorsNotCrashes() throws {
        var state: UInt64 = 0x5EED
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let csv = Array("tick,neuron\n0,1\n5,2\n# c\n5,3\r\n".utf8)
        for (original, format) in [(numpyBytes, SpikeFileFormat.npy), (csv, .csv)] {
            for _ in 0 ..< 1500 {
                var bytes = original
                for _ in 0 ... next() % 3 {
                    let at = next() % bytes.count
                    switch next() % 3 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: next())
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(UInt8(truncatingIfNeeded: next()), at: at)
                    }
                }
                let chunk = 1 + next() % 9
                let whole = Result { () throws(SpikeFileError) in try parse(bytes, format) }
                let split = Result { () throws(SpikeFileError) in try parse(bytes, format, chunk: chunk) }
                #expect(whole == split)
            }
        }
    }

    // MARK: Writer

    @Test func writerPublishesOnlyAtFinish() throws {
        try withDirectory { dir in
            for format in SpikeFileFormat.allCases {
                let path = dir + "/events." + format.rawValue
                let writer = try SpikeEventWriter(path: path, format: format)
                for tick in 0 ..< 20_000 as Range<UInt64> { try writer.append(tick: tick, neuron: 1) }  // past one 64 KiB buffer
                #expect(!exists(path) && exists(path + ".tmp"))
                try writer.finish()
                #expect(exists(path) && !exists(path + ".tmp"))
                try writer.finish()  // again: nothing
                #expect(failure { try writer.append(tick: 30_000, neuron: 1) }?.message == "the file is already finished")
                writer.discard()  // after finish: keeps the file
                #expect(exists(path))
                #expect(try SpikeEventFile.readAll(path).count == 20_000)
            }
        }
    }

    /// A rollback cuts the file before the first event of a tick ≥ T (ticks of one event and
    /// of several, past a buffer's worth, at 0, at the end and beyond it), and writing goes
    /// on from there: the result is as if the later ticks had never been written.
    @Test func truncateCutsAtATickAndWritingGoesOn() throws {
        try withDirectory { dir in
            for format in SpikeFileFormat.allCases {
                for cut in [0, 1, 3, 7_777, 9_999, 10_000, 12_345] as [UInt64] {
                    let path = dir + "/cut\(cut)." + format.rawValue
                    let writer = try SpikeEventWriter(path: path, format: format)
                    var expected: [SpikeEvent] = []
                    for tick in 0 ..< 10_000 as Range<UInt64> {
                        let neurons = (0 ..< tick % 3).map { UInt16($0 * 100 + 7) }  // 0, 1 or 2 events
                        try writer.append(tick: tick, neurons: neurons)
                        if tick < cut { expected += neurons.map { SpikeEvent(tick: tick, neuron: $0) } }
                    }
                    try writer.truncate(fromTick: cut)
                    #expect(writer.count == expected.count, "\(format) cut at \(cut)")
                    // A tick before the last one kept would decrease: refused as before.
                    if cut > 2, cut <= 10_000 { #expect(failure { try writer.append(tick: cut - 3, neuron: 1) } != nil, "\(format) cut at \(cut)") }
                    for tick in cut ..< cut + 5 {
                        try writer.append(tick: tick, neuron: 42)
                        expected.append(SpikeEvent(tick: tick, neuron: 42))
                    }
                    try writer.finish()
                    #expect(try SpikeEventFile.readAll(path) == expected, "\(format) cut at \(cut)")
                }
            }
        }
    }

    @Test func discardRemovesTheTemporaryFile() throws {
        try withDirectory { dir in
            for format in SpikeFileFormat.allCases {
                let path = dir + "/gone." + format.rawValue
                let writer = try SpikeEventWriter(path: path, format: format)
                try writer.append(tick: 1, neuron: 2)
                #expect(exists(path + ".tmp"))
                writer.discard()
                #expect(!exists(path) && !exists(path + ".tmp"))
                #expect(failure { try writer.append(tick: 2, neuron: 2) }?.message == "the writer was discarded")
                #expect(failure { try writer.finish() }?.message == "the writer was discarded")
                #expect(!exists(path))
            }
        }
    }

    @Test func writerRefusesWhatTheReadersWouldRefuse() throws {
        try withDirectory { dir in
            let writer = try SpikeEventWriter(path: dir + "/w.npy", format: .npy)
            try writer.append(tick: 9, neuron: 1)
            #expect(failure { try writer.append(tick: 5, neuron: 1) }?.description == "\(dir)/w.npy: event 1: tick 5 after tick 9: ticks must not decrease")
            #expect(failure { try writer.append(tick: SpikeEvent.maxTick + 1, neurons: [1]) }?.message == "event 1: tick 9223372036854775808 exceeds 2^63-1 (9223372036854775807)")
            #expect(writer.count == 1)
            try writer.finish()
            #expect(try SpikeEventFile.readAll(dir + "/w.npy") == events([(9, 1)]))
        }
        let missing = failure { _ = try SpikeEventWriter(path: "/nonexistent-dir-\(getpid())/x.csv", format: .csv) }
        #expect(missing?.message.hasPrefix("cannot create: No such file or directory") == true)
    }

    @Test func readAllSniffsTheFormatAndReportsMissingFiles() throws {
        try withDirectory { dir in
            try Data(numpyBytes).write(to: URL(fileURLWithPath: dir + "/events.dat"))
            try Data("1,2\n".utf8).write(to: URL(fileURLWithPath: dir + "/events.txt"))
            #expect(try SpikeEventFile.readAll(dir + "/events.dat") == events([(0, 1), (5, 2)]))
            #expect(try SpikeEventFile.readAll(dir + "/events.txt") == events([(1, 2)]))
            #expect(failure { _ = try SpikeEventFile.readAll(dir + "/events.dat", format: .csv) }?.message.hasPrefix("line 1: ") == true)
            let missing = failure { _ = try SpikeEventFile.readAll(dir + "/none.csv") }
            #expect(missing?.description == "\(dir)/none.csv: cannot open: No such file or directory (errno 2)")
        }
    }
}
