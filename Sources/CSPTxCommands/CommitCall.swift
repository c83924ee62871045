import CSPBasics
import CSPCLI
import CSPFormat
import CSPNodeProtocol
import Foundation

/// Signs one call, submits it and waits for its block: what `call` and the `contract`
/// commands share. Returns only when the transaction committed valid; a refusal or an
/// invalid transaction ends the command with exit 1 and the node's reason (with
/// `--format json`, after the result object, as `submit` prints it).
struct CommitCall {
    let participant: Participant
    let client: NodeClient
    let channel: String
    let output: Output

    struct Committed {
        let response: NodeResponse
        let txid: String

        /// txid, status, block, index, code as `submit` prints them.
        var fields: [String: JSONValue] { CSPTx.Submit.fields(response, txid: txid) }
        var block: UInt64 { response.block ?? 0 }
        /// When the once key was used already: the note that says so (the answer is the
        /// first transaction's).
        var alreadyDone: String? { CSPTx.Submit.alreadyDoneNote(response) }
    }

    func commit(contract: String, function: String, arguments: [TransactionArgument]) throws -> Committed {
        let transaction = try participant.transaction(channel: channel, contract: contract, function: function, arguments: arguments)
        let txid = transaction.id.hex
        let response = try client.submitWaiting(transaction, channel: channel)
        if response.status == 2 { throw CommandFailure(response.error ?? "could not submit \(contract).\(function)") }
        if response.status != 0 {
            if output.format == .json { CSPTx.Submit.print(response, txid: txid, output: output) }
            let why = response.reason ?? response.error ?? "transaction refused"
            throw CommandFailure(response.code.map { "\(why) (\($0))" } ?? why, status: .no)
        }
        return Committed(response: response, txid: txid)
    }
}
