import CSPBasics
import CSPCertificates
import CSPChannel
import CSPCrypto
import CSPFormat
import CSPLedger
import CSPNodeProtocol
import Foundation

/// Queries: each one signed by its reader and checked against the channel's read policy.
struct Reads {
    let service: ChannelService
    /// How far a read's timestamp may be from the node's clock.
    static let window: Double = 300

    /// The policy kind each read op needs.
    static let kinds = ["query": "state", "range": "state", "history": "history", "tx": "transaction",
                        "block": "block", "blocks": "block", "follow": "block", "account": "account", "subscribe": "events"]

    /// A `blocks` answer holds at most this many blocks, and stops before passing this
    /// many bytes of encoded blocks (one block is always sent, however large).
    static let deliverBlocks = 256
    static let deliverBytes = 8 << 20

    /// Committed blocks from `from` (below `height`) as `blocks` and `follow` send them:
    /// base64 of each stored encoding, at most `limit` (1–256) and 8 MiB; and the number
    /// to ask for next.
    static func deliver(_ ledger: LedgerStore, from: UInt64, height: UInt64, limit: Int) throws -> ([String], UInt64) {
        var blocks: [String] = [], bytes = 0, number = from
        let count = min(max(limit, 1), deliverBlocks)
        while number < height && blocks.count < count {
            // As stored: the receiver decodes and verifies it itself.
            guard let encoded = try ledger.blockPayload(number: number) else { break }
            if !blocks.isEmpty && bytes + encoded.count > deliverBytes { break }
            blocks.append(Data(encoded).base64EncodedString())
            bytes += encoded.count
            number += 1
        }
        return (blocks, number)
    }

    func answer(_ request: NodeRequest) -> NodeResponse {
        guard let kind = Self.kinds[request.op] else {
            return NodeResponse(id: request.id, status: 2, error: "unknown operation \(quoted(request.op))")
        }
        if let refusal = authorize(request, kind: kind) { return refusal }
        do {
            return try read(request)
        } catch {
            return NodeResponse(id: request.id, status: 2, error: String(describing: error))
        }
    }

    /// nil when the reader may read; otherwise the refusal to send.
    func authorize(_ request: NodeRequest, kind: String) -> NodeResponse? {
        Self.authorize(request, kind: kind, rules: service.currentRules)
    }

    /// nil when the read's signature verifies and `rules` (the channel's read policy in
    /// force) let its certificate read `kind`; otherwise the refusal to send.
    static func authorize(_ request: NodeRequest, kind: String, rules: ChannelRules) -> NodeResponse? {
        guard let auth = request.auth else { return NodeResponse(id: request.id, status: 1, error: "read refused: reads must be signed (auth)") }
        guard let der = Data(base64Encoded: auth.certificate), let signature = Data(base64Encoded: auth.signature) else {
            return NodeResponse(id: request.id, status: 2, error: "malformed auth: certificate and signature must be base64")
        }
        let now = Date()
        guard abs(Double(auth.timestamp) / 1000 - now.timeIntervalSince1970) <= Self.window else {
            return NodeResponse(id: request.id, status: 1, error: "read refused: timestamp is more than \(Int(Self.window)) s from the node's clock")
        }
        do {
            let key = try Certificate(der: Array(der)).publicKey
            let bytes = ReadAuthorization.signedBytes(subject: request.readSubject, timestamp: auth.timestamp)
            guard try key.isValidSignature(Array(signature), for: bytes) else {
                // A client from before `blocks` signed its range: say so rather than "does not verify".
                if request.op == "blocks",
                   try key.isValidSignature(Array(signature), for: ReadAuthorization.signedBytes(subject: request.legacyReadSubject, timestamp: auth.timestamp)) {
                    return NodeResponse(id: request.id, status: 1, error: "read refused: the signature does not cover 'from' and 'limit' (a client older than this node signed it): upgrade the client")
                }
                return NodeResponse(id: request.id, status: 1, error: "read refused: signature does not verify")
            }
        } catch {
            return NodeResponse(id: request.id, status: 1, error: "read refused: \(error)")
        }
        if case .failure(let validation) = rules.mayRead(certificate: Array(der), kind, now: now) {
            return NodeResponse(id: request.id, status: 1, error: "read refused: \(validation.reason)")
        }
        return nil
    }

    private func read(_ request: NodeRequest) throws -> NodeResponse {
        let ledger = service.ledger
        var response = NodeResponse(id: request.id, status: 0)
        let limit = min(max(request.limit ?? 100, 1), 1000)
        switch request.op {
        case "query":
            guard let key = request.key else { return NodeResponse(id: request.id, status: 2, error: "query needs a key") }
            guard let found = try ledger.state(Array(key.utf8)) else {
                return NodeResponse(id: request.id, status: 1, error: "no value for key \(quoted(key))")
            }
            response.value = Self.text(found.value)
            response.version = "\(found.block).\(found.transaction)"
        case "range":
            let page = try ledger.range(prefix: Array((request.key ?? "").utf8), limit: limit, after: request.after)
            response.items = page.items.map { entry in
                var item = NodeItem()
                item.key = String(decoding: entry.key, as: UTF8.self)
                item.value = Self.text(entry.value.value)
                item.block = entry.value.block
                item.index = entry.value.transaction
                return item
            }
            response.next = page.next
        case "history":
            guard let key = request.key else { return NodeResponse(id: request.id, status: 2, error: "history needs a key") }
            let page = try ledger.history(Array(key.utf8), limit: limit, after: request.after)
            response.items = page.items.map { entry in
                var item = NodeItem()
                item.key = key
                item.block = entry.block
                item.index = entry.transaction
                item.txid = entry.txid.hex
                item.timestamp = entry.timestamp
                if let value = entry.value { item.value = Self.text(value) } else { item.deleted = true }
                return item
            }
            response.next = page.next
        case "tx":
            guard let target = request.target, let id = SHA256Digest(hex: target) else {
                return NodeResponse(id: request.id, status: 2, error: "tx needs a transaction id (64 hex digits)")
            }
            guard let record = try ledger.transaction(id) else {
                return NodeResponse(id: request.id, status: 1, error: "no transaction \(target)")
            }
            response.record = Self.item(record.transaction, validation: record.validation, block: record.block, index: record.index)
            if request.proof == true {
                guard let stored = try ledger.block(number: record.block), Int(record.index) < stored.block.transactions.count else {
                    return NodeResponse(id: request.id, status: 2, error: "block \(record.block) holding \(target) cannot be read")
                }
                let proof = InclusionProof(block: stored.block, index: Int(record.index))
                response.proof = NodeInclusionProof(
                    transaction: Data(proof.transaction).base64EncodedString(), block: record.block, index: proof.index,
                    path: proof.path.map(\.hex), header: Data(stored.block.header.encoded()).base64EncodedString(),
                    signature: Data(stored.block.signature).base64EncodedString())
            }
        case "block":
            let target = request.target ?? ""
            let found: CommittedBlock?
            if let number = UInt64(target) {
                found = try ledger.block(number: number)
            } else if let hash = SHA256Digest(hex: target) {
                found = try ledger.block(hash: hash)
            } else {
                return NodeResponse(id: request.id, status: 2, error: "block needs a number or a block hash")
            }
            guard let found else { return NodeResponse(id: request.id, status: 1, error: "no block \(target)") }
            response.record = Self.item(found)
            if request.raw == true { response.value = Data(found.encoded()).base64EncodedString() }
        case "blocks":
            // Deliver: committed blocks as they are stored, for a node to verify and commit.
            let from = request.from ?? 0, height = ledger.height
            guard from < height else {
                return NodeResponse(id: request.id, status: 1, error: "no block \(from): the channel's height is \(height)")
            }
            (response.blocks, response.block) = try Self.deliver(ledger, from: from, height: height, limit: request.limit ?? Self.deliverBlocks)
        case "account":
            guard let account = request.target else { return NodeResponse(id: request.id, status: 2, error: "account needs an account (ORG/ID)") }
            let page = try ledger.transactions(account: account, limit: limit, after: request.after)
            response.items = page.items.map { Self.item($0.transaction, validation: $0.validation, block: $0.block, index: $0.index) }
            response.next = page.next
        default:
            return NodeResponse(id: request.id, status: 2, error: "unknown operation \(quoted(request.op))")
        }
        return response
    }

    /// Values are shown as UTF-8 text when they are text, else as "base64:…".
    static func text(_ bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self) ?? "base64:" + Data(bytes).base64EncodedString()
    }

    static func item(_ transaction: Transaction, validation: Validation, block: UInt64, index: UInt32) -> NodeItem {
        var item = NodeItem()
        item.txid = transaction.id.hex
        item.block = block
        item.index = index
        item.timestamp = transaction.body.timestamp
        item.contract = transaction.body.contract
        item.function = transaction.body.function
        item.code = validation.code.description
        item.reason = validation.reason.isEmpty ? nil : validation.reason
        func account(_ der: [UInt8]) -> String? {
            (try? Certificate(der: der)).map { "\($0.subject.organization ?? "")/\($0.subject.commonName)" }
        }
        item.creator = account(transaction.body.creator)
        if !transaction.endorsements.isEmpty { item.endorsers = transaction.endorsements.map { account($0.certificate) ?? "?" } }
        item.arguments = Dictionary(uniqueKeysWithValues: transaction.body.arguments.map { ($0.name, text($0.value)) })
        return item
    }

    static func item(_ record: CommittedBlock) -> NodeItem {
        let header = record.block.header
        var block = NodeItem()
        block.block = header.number
        block.hash = header.hash.hex
        block.previousHash = header.previousHash.hex
        block.commitHash = header.commitHash.hex
        block.timestamp = header.timestamp
        block.transactions = zip(record.block.transactions, record.block.validations).enumerated().map { index, pair in
            item(pair.0, validation: pair.1, block: header.number, index: UInt32(index))
        }
        return block
    }
}
