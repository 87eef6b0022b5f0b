import Foundation
import NeuroPool
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// A network's key directory: one CURVE key pair per principal, as `STEM.key` (public and
/// secret half, readable by its owner only) and `STEM.pub` (public half), where STEM is the
/// principal with `/` written `.` (`node.motor.key`, `operator.pub`).
///
/// The `.pub` files are the allow-list: a peer whose public key has no `.pub` here is refused
/// at the handshake. A process needs its own `.key` and the `.pub` files; give each secret only
/// to its owner. To rotate a key, write a new pair (`neurobus keys --only PRINCIPAL --force`)
/// and restart the processes that use the directory; to revoke one, delete its `.pub`.
///
/// File format, one `name = "value"` per line (`#` starts a comment):
/// `principal = "node/motor"`, `public = "<40 Z85 chars>"`, and in `.key` files
/// `secret = "<40 Z85 chars>"`.
public struct KeyDirectory: Sendable {
    public let path: String
    /// The allow-list: every principal with a `.pub` file, and its public key (Z85).
    public let publicKeys: [BusPrincipal: String]

    /// Longest key file read, bytes; most files listed in one directory.
    static let maxFileBytes = 4096
    static let maxFiles = 100_000

    /// Reads every `.pub` file of `path`. Throws naming the file for a malformed one, a
    /// principal given twice, or one public key under two principals.
    public init(path: String) throws(NodeError) {
        self.path = path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .io("no key directory at \(path) (make one with `neurobus keys`)")
        }
        guard isFolder.boolValue else { throw .io("the key directory \(path) is not a folder") }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw .io("cannot list the key directory \(path): \(error)")
        }
        guard names.count <= Self.maxFiles else { throw .io("the key directory \(path) holds \(names.count) files, more than \(Self.maxFiles)") }
        var keys: [BusPrincipal: String] = [:], owners: [String: BusPrincipal] = [:]
        for name in names.sorted() where name.hasSuffix(".pub") {
            let file = "\(path)/\(name)"
            let fields = try Self.fields(file)
            let (principal, publicKey) = try Self.identity(fields, file: file)
            guard principal.fileStem + ".pub" == name else {
                throw .io("\(file) holds the key of \(principal), whose file is \(principal.fileStem).pub")
            }
            if let other = owners[publicKey] { throw .io("\(file): the same public key is also \(other)'s; every principal needs its own key") }
            keys[principal] = publicKey
            owners[publicKey] = principal
        }
        publicKeys = keys
    }

    /// The key pair of `principal`, from its `.key` file (whose public half must match the
    /// secret half and the `.pub` file).
    public func keyPair(of principal: BusPrincipal) throws(NodeError) -> CurveKeyPair {
        let file = "\(path)/\(principal.fileStem).key"
        let fields = try Self.fields(file)
        let (owner, publicKey) = try Self.identity(fields, file: file)
        guard owner == principal else { throw .io("\(file) holds the key of \(owner), not of \(principal)") }
        guard let secret = fields["secret"], let pair = CurveKeyPair(secretKey: secret) else {
            throw .io("\(file): no secret = \"…\" of 40 Z85 characters")
        }
        guard pair.publicKey == publicKey else { throw .io("\(file): its public key is not the one its secret key makes") }
        guard publicKeys[principal] == publicKey else {
            throw .io("\(file): \(principal) has no matching \(principal.fileStem).pub in \(path) (the allow-list)")
        }
        return pair
    }

    /// The principals a network's processes use: the controller, one node per pool, one
    /// source per `[[source]]`, an operator and an observer.
    public static func principals(of network: NetworkDescription) -> [BusPrincipal] {
        [BusPrincipal(.controller)] + network.pools.map { BusPrincipal(.node, $0.name) }
            + network.sources.map { BusPrincipal(.source, $0.name) } + [BusPrincipal(.operator), BusPrincipal(.observer)]
    }

    /// Writes a new key pair for each of `principals` into `path` (created with mode 0700 if
    /// missing; secrets 0600). Existing files are kept unless `replace`; returns the principals
    /// written.
    @discardableResult
    public static func generate(at path: String, principals: [BusPrincipal], replace: Bool = false) throws(NodeError) -> [BusPrincipal] {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch { throw .io("cannot create the key directory \(path): \(error.localizedDescription)") }
        var written: [BusPrincipal] = []
        for principal in principals {
            let stem = "\(path)/\(principal.fileStem)"
            if !replace, FileManager.default.fileExists(atPath: stem + ".key") || FileManager.default.fileExists(atPath: stem + ".pub") { continue }
            let pair: CurveKeyPair
            do { pair = try CurveKeyPair.generate() } catch { throw .transport(error) }
            let head = "principal = \"\(principal)\"\npublic = \"\(pair.publicKey)\"\n"
            do {
                try AtomicFile.write(Array(("# NeuroBus CURVE key pair of \(principal): give this file only to it.\n" + head
                    + "secret = \"\(pair.secretKey)\"\n").utf8), to: stem + ".key", mode: 0o600)
                try AtomicFile.write(Array(("# NeuroBus CURVE public key of \(principal): its presence here admits the key.\n" + head).utf8),
                                     to: stem + ".pub")
            } catch { throw .poolFile(error) }
            written.append(principal)
        }
        return written
    }

    /// Fresh keys for `principals` in `path` (what `neurobus up` makes for one run): every
    /// `.key` and `.pub` file already there is removed first, so keys of an earlier run admit
    /// nothing.
    public static func makeThrowaway(at path: String, principals: [BusPrincipal]) throws(NodeError) {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names where name.hasSuffix(".key") || name.hasSuffix(".pub") {
                try? FileManager.default.removeItem(atPath: "\(path)/\(name)")
            }
        }
        try generate(at: path, principals: principals, replace: true)
    }

    /// `name = "value"` lines of a key file (bounded size, regular files only).
    static func fields(_ file: String) throws(NodeError) -> [String: String] {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(file, atMost: maxFileBytes) } catch { throw .poolFile(error) }
        var fields: [String: String] = [:]
        for (n, raw) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[1].count >= 2, parts[1].hasPrefix("\""), parts[1].hasSuffix("\"") else {
                throw .io("\(file):\(n + 1): expected name = \"value\"")
            }
            guard fields[parts[0]] == nil else { throw .io("\(file):\(n + 1): \(parts[0]) given twice") }
            fields[parts[0]] = String(parts[1].dropFirst().dropLast())
        }
        return fields
    }

    static func identity(_ fields: [String: String], file: String) throws(NodeError) -> (BusPrincipal, String) {
        guard let text = fields["principal"], let principal = BusPrincipal(text) else {
            throw .io("\(file): no principal = \"…\" (controller, node/POOL, source/NAME, operator[/NAME] or observer[/NAME])")
        }
        guard let publicKey = fields["public"], CurveKeyPair.isKey(publicKey) else {
            throw .io("\(file): no public = \"…\" of 40 Z85 characters")
        }
        return (principal, publicKey)
    }
}
