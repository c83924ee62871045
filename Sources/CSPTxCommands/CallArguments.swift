import CSPBasics
import CSPCLI
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation

/// The `field=value` arguments of `csp-tx call`.
enum CallArguments {
    enum Value: Equatable {
        /// Sent as it is.
        case text(String)
        /// `field=@file`: the file's fingerprint is sent, never its content.
        case file(String)
    }

    struct Field: Equatable {
        let name: String
        let value: Value
    }

    /// `name=value`; `name=@path` is a file to fingerprint; `name=@@x` is the literal
    /// text `@x`. `@-` is refused (a fingerprint records a file name), and so is `id`
    /// (it is `--id`) and a name given twice.
    static func parse(_ pairs: [String]) throws -> [Field] {
        var fields: [Field] = []
        for pair in pairs {
            let (name, value) = try split(pair, what: "field")
            guard name != "id" else { throw CommandFailure("give the instance id with --id, not as a field", status: .usage) }
            guard !fields.contains(where: { $0.name == name }) else {
                throw CommandFailure("field \(quoted(name)) is given twice", status: .usage)
            }
            if case .file("-") = value {
                throw CommandFailure("field \(quoted(name)): a fingerprint needs a file name, not standard input ('@-'); write '@@-' for the text '@-'", status: .usage)
            }
            fields.append(Field(name: name, value: value))
        }
        return fields
    }

    /// One `name=value` pair, its value read as `call` and `submit` both read it:
    /// `@path` names a file, `@@x` is the text `@x`, anything else is text.
    static func split(_ pair: String, what: String) throws -> (String, Value) {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
            throw CommandFailure("argument \(quoted(pair)) is not \(what)=value", status: .usage)
        }
        let name = String(pair[..<equals])
        let raw = String(pair[pair.index(after: equals)...])
        if raw.hasPrefix("@@") { return (name, .text(String(raw.dropFirst()))) }
        guard raw.hasPrefix("@") else { return (name, .text(raw)) }
        let path = String(raw.dropFirst())
        guard !path.isEmpty else { throw CommandFailure("\(what) \(quoted(name)): '@' needs a file name", status: .usage) }
        return (name, .file(path))
    }

    /// `csp-tx submit`'s arguments. Unlike a workflow call, which records a file's
    /// fingerprint, submit passes `name=@file`'s content (`crl=@crl.pem` for
    /// config.set-crl), `@-` standard input; the content must be UTF-8 text, as every
    /// argument of the built-in contracts is. Files are read before anything is signed.
    static func contents(_ pairs: [String]) throws -> [TransactionArgument] {
        let split = try pairs.map { try self.split($0, what: "name") }
        if split.filter({ $0.1 == .file("-") }).count > 1 {
            throw CommandFailure("only one argument can read standard input ('@-')", status: .usage)
        }
        return try split.map { name, value in
            switch value {
            case .text(let text):
                return TransactionArgument(name: name, text: text)
            case .file(let path):
                let bytes: [UInt8]
                do { bytes = try FileIO.read(path, limit: FormatLimits.argumentValue) } catch is SizeLimitError {
                    throw CommandFailure("argument \(quoted(name)): \(quoted(path)) is larger than an argument may be (\(FormatLimits.argumentValue) bytes)")
                }
                guard String(validating: bytes, as: UTF8.self) != nil else {
                    throw CommandFailure("argument \(quoted(name)): \(quoted(path == "-" ? "standard input" : path)) is not UTF-8 text")
                }
                return TransactionArgument(name: name, value: bytes)
            }
        }
    }

    /// The transaction's arguments: `id` first, then the fields in the order given, each
    /// file replaced by its fingerprint. Reads every file before anything is sent, so a
    /// missing file submits nothing.
    static func arguments(id: String, fields: [Field]) throws -> [TransactionArgument] {
        var arguments = [TransactionArgument(name: "id", text: id)]
        for field in fields {
            switch field.value {
            case .text(let text): arguments.append(TransactionArgument(name: field.name, text: text))
            case .file(let path): arguments.append(TransactionArgument(name: field.name, text: try Fingerprint(file: path).json))
            }
        }
        return arguments
    }
}

/// A file's fingerprint as a workflow field records it (docs/CONTRACTS.md, type
/// `fingerprint`): its base name, SHA-256 and size, never its content.
struct Fingerprint: Equatable {
    let name: String
    let sha256: SHA256Digest
    let size: Int64

    init(name: String, sha256: SHA256Digest, size: Int64) {
        self.name = name
        self.sha256 = sha256
        self.size = size
    }

    /// Hashes the file in chunks: a gigabyte video never sits in memory.
    init(file path: String) throws {
        let hasher = SHA256Hasher()
        var size: Int64 = 0
        try FileIO.forEachChunk(path) { chunk in
            hasher.update(chunk)
            size += Int64(chunk.count)
        }
        self.init(name: URL(fileURLWithPath: path).lastPathComponent, sha256: hasher.finalize(), size: size)
    }

    /// `{"name":"report.pdf","sha256":"…","size":1234}`: canonical JSON (keys sorted, no
    /// spaces), the text the field carries.
    var json: String {
        let value = CanonicalJSON.Value.object(["name": .string(name), "sha256": .string(sha256.hex), "size": .integer(Int(size))])
        return String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }
}

/// Ids for new instances, readable and unique: the definition's initials, the date and
/// random hex, e.g. `D-20261130-9f2c41ab` for a demand, `SC-…` for a service-contract.
enum InstanceID {
    static func generate(definition: String, now: Date = Date(), random: [UInt8]) -> String {
        let days = Int64((now.timeIntervalSince1970 / 86_400).rounded(.down))
        let (year, month, day) = WorkflowText.civil(days: days)
        let date = String(format: "%04lld%02lld%02lld", year, month, day)
        return "\(initials(definition))-\(date)-\(Hex.encode(random))"
    }

    static func generate(definition: String) throws -> String {
        generate(definition: definition, random: try SecureRandom.bytes(4))
    }

    /// The id a creating call with `--once KEY` gets: derived from the account and key,
    /// so a retry names the same instance (e.g. D-once-3fa9c2e1b4d07a55).
    static func once(definition: String, account: String, key: String) -> String {
        "\(initials(definition))-once-\(Hex.encode(Array(SHA256.hash(Array("\(account)\n\(key)".utf8)).bytes.prefix(8))))"
    }

    private static func initials(_ definition: String) -> String {
        let initials = definition.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            .compactMap { $0.first.map { String($0).uppercased() } }.joined()
        return initials.isEmpty ? "ID" : initials
    }
}
