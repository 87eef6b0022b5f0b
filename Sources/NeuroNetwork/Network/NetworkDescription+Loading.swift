#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NeuroPool

extension NetworkDescription {
    /// Reads and parses the network file at `path`; read errors name the path and the reason.
    public static func load(path: String) throws(NetworkFileError) -> NetworkDescription {
        try parse(NetworkText.readFile(path), file: path)
    }
}

/// Reading a network file and checking its bytes are text toml++ can be given.
enum NetworkText {
    /// Largest network file accepted (a network of 0xEFFF pools fits many times over).
    static let maxBytes = 64 << 20
    /// Longest line of a network file, bytes.
    static let maxLineBytes = 1 << 20

    /// The whole file at `path`, with plain POSIX calls.
    static func readFile(_ path: String) throws(NetworkFileError) -> [UInt8] {
        func failure(_ operation: String) -> NetworkFileError {
            let code = errno
            return NetworkFileError(file: path, message: "cannot \(operation) the file: \(String(cString: strerror(code)))")
        }
        let fd: Int32
        do { fd = try AtomicFile.openRegularFile(path).fd } catch {
            switch error {
            case .io(_, let operation, let code):
                throw NetworkFileError(file: path, message: "cannot \(operation) the file: \(String(cString: strerror(code)))")
            default:
                throw NetworkFileError(file: path, message: "not a regular file (a FIFO, device or directory is not read)")
            }
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return read(fd, base, buffer.count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read")
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0 ..< n])
            if result.count > maxBytes {
                throw NetworkFileError(file: path, message: "the file is larger than \(maxBytes) bytes")
            }
        }
        return result
    }

    /// `bytes` as a String, rejecting what toml++ cannot be handed as a C string: NUL bytes
    /// (they would silently end the document) and invalid UTF-8. Errors carry the line.
    static func decode(_ bytes: [UInt8], file: String) throws(NetworkFileError) -> String {
        guard bytes.count <= maxBytes else {
            throw NetworkFileError(file: file, message: "the file is larger than \(maxBytes) bytes")
        }
        if let nul = bytes.firstIndex(of: 0) {
            throw NetworkFileError(file: file, line: line(of: nul, in: bytes),
                                   message: "the file contains a NUL byte (at byte offset \(nul)); a network file is UTF-8 text")
        }
        // A very long line costs the TOML parser seconds per megabyte; no network needs one.
        var lineNumber = 1, lineStart = 0
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") || offset == bytes.count - 1 {
            let length = offset - lineStart + (byte == UInt8(ascii: "\n") ? 0 : 1)
            if length > maxLineBytes {
                throw NetworkFileError(file: file, line: lineNumber, message: "line \(lineNumber) is \(length) bytes long; a network file's lines are at most \(maxLineBytes) bytes")
            }
            lineNumber += 1
            lineStart = offset + 1
        }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if String(validating: line, as: UTF8.self) == nil { break }
        }
        throw NetworkFileError(file: file, line: lineNumber, message: "the file is not valid UTF-8 text")
    }

    /// 1-based line of byte `offset`.
    private static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }
}
