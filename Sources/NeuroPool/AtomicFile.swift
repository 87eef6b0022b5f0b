#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes with plain POSIX calls.
public enum AtomicFile {
    /// Writes `bytes` to `path` so that `path` holds either its old contents or all of the new
    /// ones, never a mix: write a temporary file beside it, fsync, rename over, fsync the
    /// directory. The temporary file is removed on failure. `mode`: the new file's permissions
    /// (before the umask), e.g. 0o600 for a secret.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(PoolFileError) {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io(path: temporary, operation: "create", errno: errno) }
        // 0 on success, otherwise the errno of the failed call; `failed` names the call.
        var failed = "write"
        let code: Int32 = bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            if fsync(fd) != 0 { failed = "fsync"; return errno }
            return 0
        }
        if code != 0 {
            close(fd)
            unlink(temporary)
            throw .io(path: temporary, operation: failed, errno: code)
        }
        do { try commit(fd: fd, temporary: temporary, to: path, synced: true) } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Completes a file written under the name `temporary`: fsync it (unless `synced`), close
    /// `fd`, rename `temporary` onto `path` and fsync the directory, so `path` holds either its
    /// old contents or all of the new ones. `fd` is closed in every case; on failure the
    /// temporary file is left for the caller to keep or remove.
    public static func commit(fd: Int32, temporary: String, to path: String, synced: Bool = false) throws(PoolFileError) {
        if !synced, fsync(fd) != 0 {
            let e = errno
            close(fd)
            throw .io(path: temporary, operation: "fsync", errno: e)
        }
        guard close(fd) == 0 else { throw .io(path: temporary, operation: "close", errno: errno) }
        guard rename(temporary, path) == 0 else { throw .io(path: path, operation: "rename \(temporary) onto", errno: errno) }
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// `commit(fd:temporary:to:)` for a file written through a stdio stream: flushes it first,
    /// and closes it in every case.
    public static func commit(_ stream: UnsafeMutablePointer<FILE>, temporary: String, to path: String) throws(PoolFileError) {
        guard fflush(stream) == 0 else {
            let e = errno
            fclose(stream)
            throw .io(path: temporary, operation: "write", errno: e)
        }
        // The descriptor is the stream's: dup it, so the stream is closed by fclose and the
        // commit closes its own copy.
        let fd = dup(fileno(stream))
        let e = errno
        fclose(stream)
        guard fd >= 0 else { throw .io(path: temporary, operation: "dup", errno: e) }
        try commit(fd: fd, temporary: temporary, to: path)
    }

    /// Opens `path` for reading if it is a regular file (symbolic links followed) and returns
    /// the descriptor, in blocking mode, and the file's size in bytes. A FIFO, device, socket or
    /// directory is refused before any read could wait for a writer or never end: the open
    /// itself does not block.
    public static func openRegularFile(_ path: String) throws(PoolFileError) -> (fd: Int32, size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .io(path: path, operation: "stat", errno: code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .notRegularFile(path: path)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, Int(info.st_size))
    }

    /// Whether the regular file at `path` starts with `prefix` (reads only those bytes).
    public static func starts(_ path: String, with prefix: [UInt8]) throws(PoolFileError) -> Bool {
        let (fd, _) = try openRegularFile(path)
        defer { close(fd) }
        return try pread(fd, path: path, count: prefix.count, at: 0) == prefix
    }

    /// Up to `count` bytes of the open file `fd` from offset `offset` (fewer at its end).
    public static func pread(_ fd: Int32, path: String, count: Int, at offset: Int) throws(PoolFileError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return Array(out[0 ..< done])
    }

    /// Reads the whole regular file at `path` (see `openRegularFile`); a file whose size is
    /// above `limit` bytes is refused before it is read.
    public static func read(_ path: String, atMost limit: Int = Int.max) throws(PoolFileError) -> [UInt8] {
        let (fd, size) = try openRegularFile(path)
        defer { close(fd) }
        guard size <= limit else { throw .tooLarge(path: path, size: size, limit: limit) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0 ..< n])
        }
        return result
    }
}
