import NeuroPool
import NeuroWire
import NeuroNetwork

/// The sending side of one snapshot part (protocol/SPEC.md §4.10): announces the part, then
/// sends chunks only within the credit the store grants, and resumes from whatever offset the
/// store says it holds — so no queue ever fills and an interrupted transfer continues.
public struct PartSender: Sendable {
    public let snapshot: UInt64
    public let pool: UInt16
    public let tick: UInt64
    public let part: SnapshotPart
    public let chunkSize: Int
    /// One past the last byte sent.
    public private(set) var sent = 0
    /// Whether the store has said it holds the whole part, verified.
    public private(set) var complete = false
    /// The `received` of the last ack, and the offset last resent from (once per offset).
    private var lastAck: Int?
    private var resentFrom: Int?

    public init(snapshot: UInt64, pool: UInt16, tick: UInt64, part: SnapshotPart, chunkSize: Int = 256 << 10) {
        self.snapshot = snapshot
        self.pool = pool
        self.tick = tick
        self.part = part
        self.chunkSize = max(1, min(chunkSize, 1 << 20))
    }

    public var announce: WireMessage {
        .snapshotAnnounce(SnapshotAnnounce(snapshot: snapshot, pool: pool, tick: tick, size: UInt64(part.bytes.count), crc: part.crc32, chunkSize: UInt32(chunkSize)))
    }

    /// The chunks to send after `ack`: from the store's `received` offset (resuming if it holds
    /// less than was sent) up to `credit` chunks beyond it. Throws if the store refused.
    public mutating func handle(_ ack: SnapshotAck) throws(NodeError) -> [WireMessage] {
        guard ack.snapshot == snapshot, ack.pool == pool else { return [] }
        switch ack.status {
        case .complete:
            complete = true
            return []
        case .refused:
            throw .failed("the snapshot store refused pool \(part.pool)'s part of snapshot \(hex(snapshot))")
        case .inProgress, .crcMismatch:
            break
        }
        let held = Int(min(ack.received, UInt64(part.bytes.count)))
        // Acks trail the chunks in flight, so `held < sent` is normal. A chunk was lost when
        // an ack does not move forward (the store acks each later chunk at the same offset),
        // and the store restarted when one moves back: then go back to what it holds, once
        // per offset. A CRC mismatch has reset the store: start over.
        if ack.status == .crcMismatch {
            sent = held
            resentFrom = nil
        } else if let last = lastAck, held <= last, held < sent, resentFrom != held {
            sent = held
            resentFrom = held
        }
        lastAck = held
        let limit = min(part.bytes.count, held + Int(ack.credit) * chunkSize)
        var out: [WireMessage] = []
        while sent < limit {
            let end = min(sent + chunkSize, limit)
            out.append(.snapshotChunk(SnapshotChunk(snapshot: snapshot, pool: pool, offset: UInt64(sent), data: Array(part.bytes[sent ..< end]))))
            sent = end
        }
        return out
    }
}

/// The receiving side of one snapshot part: keeps the bytes held contiguously from offset 0,
/// grants a fixed credit, and verifies the CRC when the last byte arrives.
public struct PartReceiver: Sendable {
    public let announce: SnapshotAnnounce
    public let credit: UInt32
    public private(set) var bytes: [UInt8] = []
    public private(set) var verified = false

    public init(announce: SnapshotAnnounce, credit: UInt32 = 8) {
        self.announce = announce
        self.credit = credit
        bytes.reserveCapacity(Int(min(announce.size, 1 << 30)))
    }

    /// The acknowledgement to send now (after the announce, or after a chunk).
    public var ack: SnapshotAck {
        SnapshotAck(snapshot: announce.snapshot, pool: announce.pool, received: UInt64(bytes.count), credit: verified ? 0 : credit,
                    status: verified ? .complete : .inProgress)
    }

    /// Takes one chunk: in order it extends the part; out of order (after a loss) it is
    /// dropped and the ack asks again from the held offset. A full part whose CRC fails is
    /// discarded and the ack says `crc_mismatch` (the sender starts over).
    public mutating func accept(_ chunk: SnapshotChunk) -> SnapshotAck {
        guard !verified, chunk.snapshot == announce.snapshot, chunk.pool == announce.pool,
              chunk.offset == UInt64(bytes.count), UInt64(bytes.count + chunk.data.count) <= announce.size else { return ack }
        bytes.append(contentsOf: chunk.data)
        if UInt64(bytes.count) == announce.size {
            if CRC32.checksum(bytes) == announce.crc {
                verified = true
            } else {
                bytes.removeAll()
                return SnapshotAck(snapshot: announce.snapshot, pool: announce.pool, received: 0, credit: credit, status: .crcMismatch)
            }
        }
        return ack
    }
}
