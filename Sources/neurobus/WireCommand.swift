import ArgumentParser
import Foundation
import NeuroWire
import NeuroNetwork
import NeuroEngine

/// `neurobus wire …`: tools for the wire protocol (protocol/SPEC.md).
struct WireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Inspect NeuroBus wire messages (protocol/SPEC.md).",
        subcommands: [Decode.self]
    )

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print wire messages as JSON.",
            discussion: """
            Reads message frames from FILE (or standard input with -) and prints each as the \
            JSON form of protocol/SPEC.md §9. The input is either hex text (whitespace ignored, \
            as in protocol/vectors/*.hex) or raw binary; several frames may follow one another \
            — each header's length says where the next begins, so a capture of message frames \
            can be read whole. A frame that fails to decode is reported with its index, byte \
            offset and the protocol error (e.g. bad_crc), and the command exits with status 1.
            """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case auto, hex, binary
        }

        @Argument(help: "A file of frames, or - for standard input.")
        var input: String

        @Option(help: "Input format: auto (hex if the input is only hex digits and whitespace), hex or binary.")
        var format: Format = .auto

        func run() throws {
            let data: Data
            if input == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: input) else {
                    throw CommandFailure("cannot read '\(input)': no such file or not readable")
                }
                data = contents
            }
            let bytes = try Self.frameBytes(Array(data), format: format, name: input)
            guard !bytes.isEmpty else { throw CommandFailure("'\(input)' is empty: no frames to decode") }
            var offset = 0
            var index = 0
            while offset < bytes.count {
                let rest = Array(bytes[offset...])
                var length = rest.count
                if rest.count >= WireFormat.headerSize {
                    let announced = rest.withUnsafeBytes { raw in
                        Int(raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
                    }
                    if announced <= WireFormat.maxPayload { length = min(rest.count, WireFormat.headerSize + announced) }
                }
                do {
                    let envelope = try WireDecoder.decode(Array(rest[..<length]))
                    print(envelope.json.rendered(), terminator: "")
                } catch {
                    throw CommandFailure("frame \(index) at byte \(offset): \(error)")
                }
                offset += length
                index += 1
            }
        }

        static func frameBytes(_ raw: [UInt8], format: Format, name: String) throws -> [UInt8] {
            switch format {
            case .binary:
                return raw
            case .hex:
                guard let bytes = WireHex.parse(raw) else {
                    throw CommandFailure("'\(name)' is not hex text (a non-hex character or an odd number of digits)")
                }
                return bytes
            case .auto:
                return WireHex.parse(raw) ?? raw
            }
        }
    }
}
