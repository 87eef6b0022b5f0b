/// Constants and limits of the NeuroBus wire protocol (protocol/SPEC.md §3, §8).
public enum WireFormat {
    /// The two magic bytes every message frame starts with: ASCII `NB`.
    public static let magic: (UInt8, UInt8) = (0x4E, 0x42)
    /// The major version this codec speaks; other majors are rejected.
    public static let majorVersion: UInt8 = 1
    /// The minor version this codec writes, and the newest whose fields it knows.
    public static let minorVersion: UInt8 = 0
    /// Bytes in the fixed header.
    public static let headerSize = 20
    /// Largest payload, as sent and decompressed: 16 MiB.
    public static let maxPayload = 16 * 1024 * 1024
    /// Largest pool, in neurons (ids are 16-bit).
    public static let maxNeurons = 65_536
    /// Most spike sets (ticks) in one batch.
    public static let maxTicksPerBatch = 1024
    /// Most entries in one modulator broadcast.
    public static let maxModulators = 32
    /// Most rows in one status reply.
    public static let maxStatusRows = 4096
    /// Longest text field, in UTF-8 bytes.
    public static let maxText = 4096
    /// Largest snapshot chunk, in bytes.
    public static let maxChunk = 1024 * 1024
    /// Spike batches with a larger payload are compressed when deflate makes them smaller
    /// (`WireEncoder.Compression.automatic`).
    public static let compressionThreshold = 1024
    /// The zlib level NeuroBus compresses with (the vectors were made with it).
    public static let compressionLevel: Int32 = 6
}
