import Foundation
import NeuroNode
import NeuroPool
import NeuroWire
import Testing
import NeuroNetwork
import NeuroEngine

@Suite("Snapshot manifests and part transfer")
struct SnapshotUnitTests {
    static let manifest = SnapshotManifest(
        id: 0x1234_5678_9ABC_DEF0, parent: 7, network: "default", networkHash: 0xFEED_FACE_CAFE_BEEF, tick: 1537,
        createdMilliseconds: 1_700_000_000_000, rewardCounts: [12, 0],
        parts: [SnapshotManifest.Part(pool: "a", file: "a.pool.z", bytes: 10, rawBytes: 30, crc32: 0xDEAD_BEEF)])

    @Test func manifestRoundTrips() throws {
        let text = Self.manifest.rendered()
        #expect(try SnapshotManifest.parse(text, file: "m") == Self.manifest)
        #expect(text.contains("id = \"123456789abcdef0\"") && text.contains("crc32 = \"deadbeef\""))
    }

    @Test func badManifestsNameTheirLine() {
        let text = Self.manifest.rendered()
        func expectBad(_ edited: String, _ fragment: String) {
            do {
                _ = try SnapshotManifest.parse(edited, file: "m")
                Issue.record("accepted: \(fragment)")
            } catch {
                #expect("\(error)".contains(fragment), "\(error)")
            }
        }
        expectBad(text.replacingOccurrences(of: "tick = 1537\n", with: ""), "missing key tick")
        expectBad(text.replacingOccurrences(of: "tick = 1537", with: "tick = 1537\nticks = 2"), "m:9: bad snapshot manifest: unknown key ticks")
        expectBad(text.replacingOccurrences(of: "id = \"123456789abcdef0\"", with: "id = \"12345\""), "not 16 hex digits")
        expectBad(text.replacingOccurrences(of: "id = \"123456789abcdef0\"", with: "id = \"0000000000000000\""), "id 0 is not a snapshot id")
        expectBad(text.replacingOccurrences(of: "tick = 1537", with: "tick = -3"), "not a non-negative integer")
        expectBad(text.replacingOccurrences(of: "file = \"a.pool.z\"", with: "file = \"../x\""), "must be a plain file name")
        expectBad(text.replacingOccurrences(of: "[snapshot]", with: "[snap]"), "expected `key = value`")
        expectBad("", "must start with [snapshot]")
        // Sizes are bounded before anything is allocated from them.
        expectBad(text.replacingOccurrences(of: "raw_bytes = 30", with: "raw_bytes = 1000000000000"),
                  "raw_bytes = 1000000000000 is more than a deflate stream of bytes = 10 can hold (at most 11344)")
        expectBad(text.replacingOccurrences(of: "bytes = 10\n", with: "bytes = 18446744073709551615\n"), "bytes = 18446744073709551615 is more than a part may hold")
        do {
            _ = try SnapshotManifest.parse(text.replacingOccurrences(of: "format = 1", with: "format = 2"), file: "m")
            Issue.record("accepted a newer format")
        } catch {
            #expect(error == .newerFormat(file: "m", found: 2, supported: 1))
        }
    }

    static func part(size: Int) -> SnapshotPart {
        let bytes = (0 ..< size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        return SnapshotPart(pool: "a", bytes: bytes, rawBytes: size, crc32: CRC32.checksum(bytes))
    }

    /// Chunks go only as far as the credit, a lost chunk is asked for again from the held
    /// offset, and the part completes verified.
    @Test func transferRespectsCreditAndResumesAfterALoss() throws {
        var sender = PartSender(snapshot: 5, pool: 0, tick: 9, part: Self.part(size: 10_000), chunkSize: 1000)
        guard case .snapshotAnnounce(let announce) = sender.announce else { Issue.record("no announce"); return }
        var receiver = PartReceiver(announce: announce, credit: 3)
        var inFlight = try sender.handle(receiver.ack)
        #expect(inFlight.count == 3)
        var dropped = false
        var rounds = 0
        while !sender.complete, rounds < 100 {
            rounds += 1
            var acks: [SnapshotAck] = []
            for message in inFlight {
                guard case .snapshotChunk(let chunk) = message else { continue }
                if chunk.offset == 4000, !dropped { dropped = true; continue }  // lost on the way
                acks.append(receiver.accept(chunk))
            }
            if acks.isEmpty { acks.append(receiver.ack) }
            inFlight = []
            for ack in acks { inFlight += try sender.handle(ack) }
            #expect(sender.sent - Int(receiver.ack.received) <= 3 * 1000, "more than the credit in flight")
        }
        #expect(dropped && sender.complete && receiver.verified && receiver.bytes == Self.part(size: 10_000).bytes)
    }

    @Test func aCorruptPartIsRefetchedAndARefusalThrows() throws {
        var sender = PartSender(snapshot: 5, pool: 0, tick: 9, part: Self.part(size: 2500), chunkSize: 1000)
        guard case .snapshotAnnounce(var announce) = sender.announce else { return }
        announce.crc ^= 1  // the store expects another CRC: the whole part fails its check
        var receiver = PartReceiver(announce: announce, credit: 8)
        var last = receiver.ack
        for message in try sender.handle(receiver.ack) {
            if case .snapshotChunk(let c) = message { last = receiver.accept(c) }
        }
        #expect(last.status == .crcMismatch && last.received == 0 && !receiver.verified)
        let again = try sender.handle(last)
        guard case .snapshotChunk(let first) = again.first else { Issue.record("no resend"); return }
        #expect(first.offset == 0 && again.count == 3)
        #expect(throws: NodeError.self) {
            _ = try sender.handle(SnapshotAck(snapshot: 5, pool: 0, received: 0, credit: 0, status: .refused))
        }
    }
}

/// The controller's schedule (`nextDue`) and the single-process run's (`isDue`) are the same:
/// the next due tick after t is the first tick after t that `isDue` accepts.
@Test func snapshotScheduleNextDueAgreesWithIsDue() {
    for plan in [SnapshotPlan(root: "", every: 7, at: [3, 10, 30]), SnapshotPlan(root: "", every: nil, at: [5, 6]),
                 SnapshotPlan(root: "", every: 100), SnapshotPlan(root: "")] {
        for t in UInt64(0) ..< 400 {
            let expected = (t + 1 ..< 401).first(where: plan.isDue).map { $0 == 400 && !plan.isDue(400) ? nil : $0 } ?? nil
            let next = plan.nextDue(after: t)
            #expect(next == expected || (expected == nil && next.map { $0 > 400 } ?? true), "plan \(plan), after \(t): \(String(describing: next))")
        }
    }
}
