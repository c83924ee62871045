import CSPAudit
import CSPBasics
import CSPCertificates
import CSPChannel
import CSPCLI
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import CSPParticipant
import Foundation

/// One connection to the node as the participant in --home: signed reads, and calls
/// submitted and waited for, as csp-tx makes them.
struct NodeAccess {
    let participant: Participant
    let client: NodeClient
    let channel: String
    let socket: String

    init(global: GlobalOptions, channel: ChannelOption, timeout: ReadTimeoutOption) throws {
        participant = try Participant(home: global.resolvedHome)
        socket = global.resolvedSocket
        self.channel = try channel.resolved
        client = try participant.client(socket: global.resolvedSocket, timeout: timeout.limit)
    }

    func close() { client.close() }

    /// A signed read; a refusal or "not found" throws with exit 1, as csp-tx does.
    func read(_ op: String, configure: (inout NodeRequest) -> Void) throws -> NodeResponse {
        try client.signedRead(op, channel: channel, configure: configure)
    }

    /// Every item of a paged range read under `prefix`.
    func range(prefix: String) throws -> [NodeItem] {
        var items: [NodeItem] = []
        var after: String?
        repeat {
            let response = try read("range") {
                $0.key = prefix
                $0.limit = 1000
                $0.after = after
            }
            items += response.items ?? []
            after = response.next
        } while after != nil
        return items
    }

    /// Block `number` as stored, from its record (`raw`), checked to be that block.
    func block(_ number: UInt64) throws -> CommittedBlock {
        let response = try read("block") {
            $0.target = String(number)
            $0.raw = true
        }
        guard let text = response.value, let data = Data(base64Encoded: text) else {
            throw CommandFailure("the node did not send block \(number)'s record (is it older than csp-audit?)")
        }
        let record: CommittedBlock
        do { record = try CommittedBlock(decoding: Array(data)) } catch { throw CommandFailure("the node sent a malformed block \(number): \(error)") }
        guard record.block.header.number == number, record.block.header.channel == channel else {
            throw CommandFailure("the node sent another block than \(channel) block \(number)")
        }
        return record
    }

    /// Submits a call and waits for its block; exit 1 with the node's reason when it is
    /// refused or invalid.
    func commit(_ contract: String, _ function: String, _ arguments: [TransactionArgument]) throws -> (txid: String, block: UInt64) {
        let transaction = try participant.transaction(channel: channel, contract: contract, function: function, arguments: arguments)
        let txid = transaction.id.hex
        let response = try client.submitWaiting(transaction, channel: channel)
        if response.status == 2 { throw CommandFailure(response.error ?? "could not submit \(contract).\(function)") }
        if response.status != 0 {
            let why = response.reason ?? response.error ?? "transaction refused"
            throw CommandFailure(response.code.map { "\(why) (\($0))" } ?? why, status: .no)
        }
        return (txid, response.block ?? 0)
    }

    /// Every configuration the channel has had, oldest first, with the block whose
    /// transaction set it (0 for the genesis): the history of state key `config/channel`.
    /// Needs the `history` read.
    func configurations() throws -> [ProofTrust.Configuration] {
        var out: [ProofTrust.Configuration] = []
        var after: String?
        repeat {
            let response = try read("history") {
                $0.key = "config/channel"
                $0.limit = 1000
                $0.after = after
            }
            for item in response.items ?? [] {
                guard let text = item.value, let block = item.block else { continue }
                let bytes = text.hasPrefix("base64:") ? Array(Data(base64Encoded: String(text.dropFirst(7))) ?? Data()) : Array(text.utf8)
                let (cas, crls) = try ChannelConfig.decode(bytes, source: "the channel configuration of block \(block)").listedAuthorities()
                out.append(ProofTrust.Configuration(block: block, cas: cas, crls: crls))
            }
            after = response.next
        } while after != nil
        guard !out.isEmpty else { throw CommandFailure("the node sent no channel configuration") }
        return out
    }

    /// The proof of transaction `txid` in block `number`, for `document` (nil: a
    /// transaction proof), carrying the CA certificates above the orderer's and their
    /// CRLs as of the block; checked against the channel's CAs before it is handed out, so a node serving
    /// blocks that do not verify is caught here rather than by the proof's reader.
    func proof(document: SHA256Digest?, batch: ProofFile.Batch?, txid: String, block number: UInt64) throws -> ProofFile {
        let record = try block(number)
        guard let position = record.block.transactions.firstIndex(where: { $0.id.hex == txid }) else {
            throw CommandFailure("block \(number) does not hold transaction \(txid)")
        }
        let previous = number == 0 ? SHA256Digest.zero : try block(number - 1).block.header.commitHash
        var trust: (path: [Certificate], crls: [CertificateRevocationList], roots: [Certificate]) = ([], [], [])
        do {
            let orderer = try Certificate(der: record.block.header.orderer)
            trust = ProofTrust.select(forBlock: number, orderer: orderer, time: record.block.header.timestamp, configurations: try configurations())
        } catch {
            Diagnostics.warning("cannot read the channel's configurations (\(error)): the proof carries no CRL; verify it with --crl")
        }
        let proof = try ProofFile.make(document: document, batch: batch, record: record, position: position, previousCommit: previous,
                                       chain: trust.path.filter { !$0.isSelfSigned }.map(\.der), crls: trust.crls.map(\.der))
        let roots = trust.roots
        guard !roots.isEmpty else { return proof }
        do {
            let verifier = ProofVerifier(pinned: roots)
            if let document { _ = try verifier.verify(proof, document: document) } else { _ = try verifier.verify(proof, transaction: record.block.transactions[position].id) }
        } catch ProofError.undecided(let reason) {
            Diagnostics.warning(reason)
        } catch {
            throw CommandFailure("the proof built from the node's blocks does not verify: \(error)", status: .no)
        }
        return proof
    }
}
