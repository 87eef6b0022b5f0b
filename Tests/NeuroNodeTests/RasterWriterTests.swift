import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

/// The raster file across crashes: a node that takes over continues the file it finds.
@Suite("Raster writer resume")
struct RasterWriterTests {
    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Resuming at a tick cuts every line of that tick and later; resuming past the end keeps
    /// every complete line and drops one a crash left without its newline.
    @Test func resumingCutsAtTheTickAndDropsAHalfWrittenLine() throws {
        let dir = NSTemporaryDirectory() + "rw-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try RasterWriter(directory: dir, pool: "p", neurons: 8)
        for t in [3, 5, 9, 12] { try first.record(tick: UInt64(t), spikes: [UInt16(1), 4]) }
        try first.sync()
        // A crash mid-line: bytes of tick 14 without their newline.
        let tmp = "\(dir)/p.raster.tmp"
        let handle = try #require(FileHandle(forWritingAtPath: tmp))
        handle.seekToEndOfFile()
        handle.write(Data("14 2".utf8))
        try handle.close()

        let past = try RasterWriter(directory: dir, pool: "p", neurons: 8, resumingAt: .max)
        try past.record(tick: 20, spikes: [UInt16(7)])
        try past.sync()
        #expect(try Self.lines(tmp) == ["# neurobus raster v1 pool=p neurons=8", "3 1 4", "5 1 4", "9 1 4", "12 1 4", "20 7"])

        let back = try RasterWriter(directory: dir, pool: "p", neurons: 8, resumingAt: 9)
        try back.record(tick: 10, spikes: [UInt16(0)])
        try back.finish()
        #expect(try Self.lines("\(dir)/p.raster") == ["# neurobus raster v1 pool=p neurons=8", "3 1 4", "5 1 4", "10 0"])
    }
}
