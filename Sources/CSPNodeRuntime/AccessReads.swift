import CSPBasics
import CSPChannel
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import Foundation

/// The reads an access node answers (docs/NETWORK.md, "Access nodes"). It checks the
/// reader first, as any node does: the read's signature, and the channel's read policy in
/// force for the reader's role. Then it relays the request unchanged, still signed by the
/// reader (so the bookkeeping node applies the policy too), to its peers first and then
/// the orderer, and checks the answer against the headers it verified:
///
/// - `tx` is asked with `proof`: the transaction must be the one asked for and its Merkle
///   audit path must lead to the root of the header this node keeps for that block. Its
///   validation code is not covered by that root and is marked unproven.
/// - `block` is asked with `raw`: the whole block must have the header this node keeps,
///   its transactions that header's Merkle root, and its codes and writes that header's
///   commit hash; the answer is then built from it, all proven.
/// - state reads (`query`, `range`, `history`, `account`) need state or an index the
///   access node does not keep: relayed and marked `unproven`, naming the node that answered.
/// - `subscribe` streams events from blocks fetched from a source and proven against the
///   headers (AccessSubscription.swift).
///
/// An answer that does not verify is never returned: the next source is asked, and when
/// none gives one that verifies the read fails with status 2, naming what did not verify.
extension AccessChannel {
    /// How long a read waits for this node to verify the block a source already has.
    static let readWaitSeconds: Double = 5
    /// How long a source may take to answer a read before the next one is asked (within
    /// a client's default 30 s).
    static let relayTimeout: Double = 10

    func answer(read request: NodeRequest) async -> NodeResponse {
        guard let kind = Reads.kinds[request.op] else {
            return NodeResponse(id: request.id, status: 2, error: "unknown operation \(quoted(request.op))")
        }
        if ["blocks", "follow"].contains(request.op) {
            return NodeResponse(id: request.id, status: 1, error: "\(request.op) refused: this access node keeps block headers only; ask a node that keeps the channel's blocks (its orderer is \(target.orderer))")
        }
        if let refusal = Reads.authorize(request, kind: kind, rules: currentRules) { return refusal }
        var relayed = request
        if request.op == "tx" { relayed.proof = true }
        if request.op == "block" { relayed.raw = true }
        var unreachable: [String] = []
        var unverified: [String] = []
        for source in readSources {
            switch await source.relay(relayed, config: currentRules.config, timeout: Self.relayTimeout) {
            case .failure(.unreachable(let why)), .failure(.lost(let why)):
                unreachable.append("cannot read from \(source.address): \(why)")
            case .success(let response) where response.status == 2:
                unreachable.append("\(source.address) could not answer: \(response.error ?? "status 2")")
            case .success(let response):
                do {
                    return try await check(response, for: request, from: source.address)
                } catch {
                    let line = "the answer from \(source.address) does not verify against this node's block headers: \(error)"
                    nodeLog.error("channel \(quoted(name)): refused \(request.op) \(request.target ?? request.key ?? ""): \(line)",
                                  metadata: ["channel": "\(name)"])
                    unverified.append(line)
                }
            }
        }
        let reasons = unverified + unreachable
        let prefix = unverified.isEmpty ? "" : "refused an answer that does not verify: "
        return NodeResponse(id: request.id, status: 2, error: prefix + (reasons.isEmpty ? "no node to read from" : reasons.joined(separator: "; ")))
    }

    /// The answer to return for `response` (from `source`), checked as far as this node can.
    private func check(_ response: NodeResponse, for request: NodeRequest, from source: String) async throws -> NodeResponse {
        var answer = response
        answer.id = request.id
        guard response.status == 0 else {
            answer.unproven = "\(source) answered it: headers cannot show that something is absent or refused"
            return answer
        }
        switch request.op {
        case "tx":
            answer.record = try await checkTransaction(response, target: request.target ?? "")
            if request.proof != true { answer.proof = nil }
            answer.unproven = "the validation code is \(source)'s word: the inclusion proof covers the transaction and its place in the block, not its code"
        case "block":
            answer.record = Reads.item(try await checkBlock(response, target: request.target ?? ""))
            if request.raw != true { answer.value = nil }
        default:
            answer.unproven = "answered by \(source) and relayed unproven: an access node keeps block headers only, no state or index to check it against"
        }
        return answer
    }

    /// The header this node verified for block `number`, waiting a little when a source
    /// is ahead of it.
    private func verifiedHeader(_ number: UInt64) async throws -> BlockHeader {
        if ledger.headers.height <= number { await waitForHeight(above: number, timeout: Self.readWaitSeconds) }
        guard let header = ledger.headers.header(number) else {
            throw NodeError("block \(number) is past this node's verified headers (height \(ledger.headers.height))")
        }
        return header
    }

    /// A `tx` answer's transaction, proven in its block by its inclusion proof.
    private func checkTransaction(_ response: NodeResponse, target: String) async throws -> NodeItem {
        guard let proof = response.proof else { throw NodeError("it carries no inclusion proof") }
        guard let bytes = Data(base64Encoded: proof.transaction) else { throw NodeError("its transaction is not base64") }
        let path = try proof.path.map { hex in
            guard let digest = SHA256Digest(hex: hex) else { throw NodeError("its audit path holds \(quoted(hex)), not a digest") }
            return digest
        }
        let header = try await verifiedHeader(proof.block)
        if let failure = InclusionProof(transaction: Array(bytes), index: proof.index, path: path).failure(against: header) {
            throw NodeError(failure)
        }
        let transaction: Transaction
        do { transaction = try Transaction(decoding: Array(bytes)) } catch { throw NodeError("its transaction does not decode: \(error)") }
        guard transaction.id == SHA256Digest(hex: target) else {
            throw NodeError("it proves transaction \(transaction.id.hex), not \(target)")
        }
        guard let text = response.record?.code, let code = ValidationCode.allCases.first(where: { $0.description == text }) else {
            throw NodeError("its validation code \(quoted(response.record?.code ?? "")) is not one csp knows")
        }
        return Reads.item(transaction, validation: Validation(code: code, reason: response.record?.reason ?? ""),
                          block: proof.block, index: proof.index)
    }

    /// A `block` answer's block, whole (`raw`), proven against this node's header for it.
    private func checkBlock(_ response: NodeResponse, target: String) async throws -> CommittedBlock {
        guard let text = response.value, let bytes = Data(base64Encoded: text) else { throw NodeError("it carries no block record") }
        let record: CommittedBlock
        do { record = try CommittedBlock(decoding: Array(bytes)) } catch { throw NodeError("its block does not decode: \(error)") }
        let number = record.block.header.number
        guard UInt64(target) == number || SHA256Digest(hex: target) == record.block.header.hash else {
            throw NodeError("it holds block \(number), not \(target)")
        }
        let header = try await verifiedHeader(number)
        var previous = SHA256Digest.zero
        if number > 0 { previous = try await verifiedHeader(number - 1).commitHash }
        try Self.prove(record, header: header, previousCommitHash: previous)
        return record
    }

    /// Proves a whole block against the header this node verified for it: the same
    /// header, its transactions that header's Merkle root, its validation codes and
    /// writes that header's commit hash (over `previousCommitHash`, the header before's).
    static func prove(_ record: CommittedBlock, header: BlockHeader, previousCommitHash previous: SHA256Digest) throws {
        let number = record.block.header.number
        guard record.block.header == header else { throw NodeError("block \(number) differs from the header this node verified") }
        guard Block.merkleRoot(of: record.block.transactions) == header.merkleRoot else {
            throw NodeError("block \(number)'s transactions do not give its header's Merkle root")
        }
        guard try record.commitHash(previous: previous) == header.commitHash else {
            throw NodeError("block \(number)'s validation codes and writes do not give its header's commit hash")
        }
    }
}
