import CSPBasics
import CSPCrypto

/// One named argument of a contract call. Values are bytes; UTF-8 text for most calls.
public struct TransactionArgument: Equatable, Hashable, Sendable {
    public var name: String
    public var value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }

    public init(name: String, text: String) {
        self.init(name: name, value: Array(text.utf8))
    }
}

/// The signed-over part of a transaction (docs/FORMAT.md, "Transaction body"). Its
/// SHA-256 is the transaction id, so the id is known before submission and does not
/// change if the signature is re-encoded.
public struct TransactionBody: Equatable, Sendable {
    public static let magic: [UInt8] = Array("CSPT".utf8)
    public static let version: UInt8 = 1

    public var channel: String
    /// Milliseconds since 1970-01-01T00:00:00Z, set by the creator.
    public var timestamp: UInt64
    /// Random bytes that make two otherwise identical calls two transactions.
    public var nonce: [UInt8]
    /// The creator's X.509 certificate, DER.
    public var creator: [UInt8]
    public var contract: String
    public var function: String
    /// Sorted by name (byte order of UTF-8), names unique: the canonical order.
    public private(set) var arguments: [TransactionArgument]

    /// Throws when names repeat; sorts the arguments into canonical order.
    public init(channel: String, timestamp: UInt64, nonce: [UInt8], creator: [UInt8],
                contract: String, function: String, arguments: [TransactionArgument]) throws {
        let sorted = arguments.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.name == next.name {
            throw FormatError(structure: "transaction", offset: 0, reason: "argument '\(next.name)' given twice")
        }
        try self.init(decoded: channel, timestamp: timestamp, nonce: nonce, creator: creator,
                      contract: contract, function: function, arguments: sorted)
    }

    /// Arguments already in canonical order and unique (the decoder checks that as it
    /// reads): only the limits remain.
    private init(decoded channel: String, timestamp: UInt64, nonce: [UInt8], creator: [UInt8],
                 contract: String, function: String, arguments: [TransactionArgument]) throws {
        self.channel = channel
        self.timestamp = timestamp
        self.nonce = nonce
        self.creator = creator
        self.contract = contract
        self.function = function
        self.arguments = arguments
        try validateLimits()
    }

    func validateLimits() throws {
        // The reason is built only when a check fails: this runs for every transaction.
        func check(_ ok: Bool, _ reason: @autoclosure () -> String) throws {
            if !ok { throw FormatError(structure: "transaction", offset: 0, reason: reason()) }
        }
        try check(!channel.isEmpty && channel.utf8.count <= FormatLimits.name, "channel name must be 1 to \(FormatLimits.name) bytes")
        try check(!contract.isEmpty && contract.utf8.count <= FormatLimits.name, "contract name must be 1 to \(FormatLimits.name) bytes")
        try check(!function.isEmpty && function.utf8.count <= FormatLimits.name, "function name must be 1 to \(FormatLimits.name) bytes")
        try check(!nonce.isEmpty && nonce.count <= FormatLimits.nonce, "nonce must be 1 to \(FormatLimits.nonce) bytes")
        try check(creator.count <= FormatLimits.certificate, "creator certificate is larger than \(FormatLimits.certificate) bytes")
        try check(arguments.count <= FormatLimits.arguments, "more than \(FormatLimits.arguments) arguments")
        for argument in arguments {
            try check(!argument.name.isEmpty && argument.name.utf8.count <= FormatLimits.name, "argument name must be 1 to \(FormatLimits.name) bytes")
            try check(argument.value.count <= FormatLimits.argumentValue, "argument '\(argument.name)' is larger than \(FormatLimits.argumentValue) bytes")
        }
    }

    public func encoded() -> [UInt8] {
        var writer = CanonicalWriter(capacity: 128 + creator.count + arguments.reduce(0) { $0 + 8 + $1.name.utf8.count + $1.value.count })
        writer.fixed(Self.magic)
        writer.u8(Self.version)
        writer.string(channel)
        writer.u64(timestamp)
        writer.lengthPrefixed(nonce)
        writer.lengthPrefixed(creator)
        writer.string(contract)
        writer.string(function)
        writer.u32(UInt32(arguments.count))
        for argument in arguments {
            writer.string(argument.name)
            writer.lengthPrefixed(argument.value)
        }
        return writer.bytes
    }

    /// The reserved argument that carries an idempotency key (`csp-tx submit --once`):
    /// no contract may declare it (workflow fields are identifiers, without '.'), and
    /// contracts never see it (docs/CHANNELS.md, "Submitting once").
    public static let onceArgument = "csp.once"

    /// The idempotency key, when the body carries one (as text; admission checks it).
    public var onceKey: String? {
        arguments.first { $0.name == Self.onceArgument }.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// The transaction id: SHA-256 of the encoded body.
    public var id: SHA256Digest { SHA256.hash(encoded()) }

    public init(decoding bytes: [UInt8]) throws {
        var reader = CanonicalReader(bytes, structure: "transaction body")
        try self.init(reading: &reader)
        try reader.finish()
    }

    init(reading reader: inout CanonicalReader) throws {
        try reader.expectMagic(Self.magic, version: Self.version)
        let channel = try reader.string("channel", max: FormatLimits.name)
        let timestamp = try reader.u64("timestamp")
        let nonce = try reader.lengthPrefixed("nonce", max: FormatLimits.nonce)
        let creator = try reader.lengthPrefixed("creator certificate", max: FormatLimits.certificate)
        let contract = try reader.string("contract", max: FormatLimits.name)
        let function = try reader.string("function", max: FormatLimits.name)
        let count = try reader.count("arguments", minimumElementSize: 8, max: FormatLimits.arguments)
        var arguments: [TransactionArgument] = []
        arguments.reserveCapacity(count)
        for _ in 0..<count {
            let at = reader.offset
            let name = try reader.string("argument name", max: FormatLimits.name)
            if let last = arguments.last, !last.name.utf8.lexicographicallyPrecedes(name.utf8) {
                throw reader.error("argument '\(name)' is out of canonical order or repeated", at: at)
            }
            arguments.append(TransactionArgument(name: name, value: try reader.lengthPrefixed("argument value", max: FormatLimits.argumentValue)))
        }
        do {
            try self.init(decoded: channel, timestamp: timestamp, nonce: nonce, creator: creator,
                          contract: contract, function: function, arguments: arguments)
        } catch let error as FormatError {
            throw reader.error(error.reason)
        }
    }
}

/// A co-signature on a transaction: another participant's certificate and its low-S
/// DER ECDSA signature over the same transaction id the creator signed
/// (docs/FORMAT.md, "Signed transaction").
public struct Endorsement: Equatable, Hashable, Sendable {
    /// The endorser's X.509 certificate, DER.
    public let certificate: [UInt8]
    public let signature: [UInt8]

    public init(certificate: [UInt8], signature: [UInt8]) {
        self.certificate = certificate
        self.signature = signature
    }
}

/// A signed transaction as it travels and as blocks hold it: the body, the creator's
/// DER ECDSA signature over SHA-256(body), which is the transaction id, and any
/// endorsements (co-signatures over the same id).
public struct Transaction: Equatable, Sendable {
    public let body: TransactionBody
    public let signature: [UInt8]
    /// Co-signatures over `id`, in the order they were added; empty for most transactions
    /// (and then absent from the encoding, so it stays what it was before endorsements).
    public let endorsements: [Endorsement]
    /// The exact body bytes, kept so the id never depends on re-encoding.
    public let bodyBytes: [UInt8]
    public let id: SHA256Digest

    public init(body: TransactionBody, signature: [UInt8]) {
        self.body = body
        self.signature = signature
        self.endorsements = []
        self.bodyBytes = body.encoded()
        self.id = SHA256.hash(bodyBytes)
    }

    /// Signs `body` with the creator's key.
    public init(signing body: TransactionBody, with key: P256PrivateKey) throws {
        let bytes = body.encoded()
        let id = SHA256.hash(bytes)
        self.body = body
        self.bodyBytes = bytes
        self.id = id
        self.signature = try key.signature(forDigest: id)
        self.endorsements = []
    }

    /// The same transaction carrying `endorsements` instead of its own; throws when the
    /// list breaks the format's rules (count, sizes, distinct certificates).
    public init(_ transaction: Transaction, endorsements: [Endorsement]) throws {
        try Self.checkEndorsements(endorsements, creator: transaction.body.creator, offset: 0)
        self.body = transaction.body
        self.bodyBytes = transaction.bodyBytes
        self.id = transaction.id
        self.signature = transaction.signature
        self.endorsements = endorsements
    }

    /// This transaction with one more endorsement, signed over its id by `key`, whose
    /// certificate is `certificate`.
    public func endorsed(certificate: [UInt8], key: P256PrivateKey) throws -> Transaction {
        try Transaction(self, endorsements: endorsements + [Endorsement(certificate: certificate, signature: try key.signature(forDigest: id))])
    }

    public func encoded() -> [UInt8] {
        var writer = CanonicalWriter(capacity: encodedSize)
        writer.lengthPrefixed(bodyBytes)
        writer.lengthPrefixed(signature)
        // One encoding per value: no endorsements is no list at all, not an empty one.
        if !endorsements.isEmpty {
            writer.u32(UInt32(endorsements.count))
            for endorsement in endorsements {
                writer.lengthPrefixed(endorsement.certificate)
                writer.lengthPrefixed(endorsement.signature)
            }
        }
        return writer.bytes
    }

    /// The length of `encoded()`, without encoding.
    public var encodedSize: Int {
        8 + bodyBytes.count + signature.count
            + (endorsements.isEmpty ? 0 : 4 + endorsements.reduce(0) { $0 + 8 + $1.certificate.count + $1.signature.count })
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = CanonicalReader(bytes, structure: "transaction")
        try self.init(reading: &reader)
        try reader.finish()
    }

    /// Reads a whole signed transaction: the endorsements, when present, run to the end
    /// of the input, so this reader must hold exactly one transaction.
    init(reading reader: inout CanonicalReader) throws {
        let start = reader.offset
        let bodyBytes = try reader.lengthPrefixed("transaction body", max: FormatLimits.transactionBody)
        let body: TransactionBody
        do {
            body = try TransactionBody(decoding: bodyBytes)
        } catch let error as FormatError {
            throw FormatError(structure: "transaction body", offset: start + 4 + error.offset, reason: error.reason)
        }
        let signature = try reader.lengthPrefixed("signature", max: FormatLimits.signature)
        var endorsements: [Endorsement] = []
        if reader.remaining > 0 {
            let at = reader.offset
            let count = try reader.count("endorsements", minimumElementSize: 8, max: FormatLimits.endorsements)
            guard count > 0 else { throw reader.error("an empty endorsement list must be left out, not encoded", at: at) }
            for _ in 0..<count {
                let certificate = try reader.lengthPrefixed("endorser certificate", max: FormatLimits.certificate)
                endorsements.append(Endorsement(certificate: certificate, signature: try reader.lengthPrefixed("endorser signature", max: FormatLimits.signature)))
            }
            do {
                try Self.checkEndorsements(endorsements, creator: body.creator, offset: at)
            } catch let error as FormatError {
                throw reader.error(error.reason, at: at)
            }
        }
        self.body = body
        self.bodyBytes = bodyBytes
        self.signature = signature
        self.endorsements = endorsements
        self.id = SHA256.hash(bodyBytes)
    }

    /// The format's rules for a present list: 1 to `FormatLimits.endorsements` entries,
    /// sizes within the limits, every certificate distinct and none the creator's.
    static func checkEndorsements(_ endorsements: [Endorsement], creator: [UInt8], offset: Int) throws {
        func fail(_ reason: String) -> FormatError { FormatError(structure: "transaction", offset: offset, reason: reason) }
        guard endorsements.count <= FormatLimits.endorsements else {
            throw fail("\(endorsements.count) endorsements, more than the limit of \(FormatLimits.endorsements)")
        }
        var seen = Set<[UInt8]>()
        for (index, endorsement) in endorsements.enumerated() {
            guard !endorsement.certificate.isEmpty, endorsement.certificate.count <= FormatLimits.certificate else {
                throw fail("endorsement \(index + 1): certificate must be 1 to \(FormatLimits.certificate) bytes")
            }
            guard endorsement.signature.count <= FormatLimits.signature else {
                throw fail("endorsement \(index + 1): signature is larger than \(FormatLimits.signature) bytes")
            }
            guard endorsement.certificate != creator else { throw fail("endorsement \(index + 1) is by the creator's own certificate") }
            guard seen.insert(endorsement.certificate).inserted else {
                throw fail("endorsement \(index + 1) repeats the certificate of an earlier endorsement")
            }
        }
    }

    /// Checks the signature against the creator's public key. Whether that key belongs to
    /// an admitted certificate is the node's question, not the format's.
    public func hasValidSignature(by key: P256PublicKey) throws -> Bool {
        try key.isValidLowSSignature(signature, digest: id)
    }
}
