import CSPCLI
import CSPFormat
import CSPNodeProtocol
import Foundation

/// The two exchanges every node client makes, written once.
extension NodeClient {
    /// A read signed by this client's identity; "no" (refused, not found) throws with
    /// exit 1 and "could not answer" with exit 2, through `check`.
    public func signedRead(_ op: String, channel: String, configure: (inout NodeRequest) -> Void) throws -> NodeResponse {
        var request = makeRequest(op, channel: channel)
        configure(&request)
        try sign(&request)
        let response = try call(request)
        try check(response)
        return response
    }

    /// Submits `transaction` and waits for its block. A lost answer throws with exit 75
    /// (outcome unknown): the transaction may still commit, so the message says how to
    /// look it up or that a retry with the same once key is safe. The response is
    /// returned whatever its status.
    public func submitWaiting(_ transaction: Transaction, channel: String) throws -> NodeResponse {
        var request = makeRequest("submit", channel: channel)
        request.tx = Data(transaction.encoded()).base64EncodedString()
        request.wait = true
        let response: NodeResponse
        do {
            response = try call(request)
        } catch {
            throw outcomeUnknown(error, txid: transaction.id.hex, once: transaction.body.onceKey != nil)
        }
        if response.outcome == SubmitOutcome.unknown.rawValue {
            throw outcomeUnknown(response.error ?? "outcome unknown", txid: transaction.id.hex, once: transaction.body.onceKey != nil)
        }
        return response
    }
}

/// A transaction was sent but no answer came: it may still commit (exit 75).
public func outcomeUnknown(_ error: any Error, txid: String, once: Bool) -> CommandFailure {
    outcomeUnknown("\(error)", txid: txid, once: once)
}

/// The node said it cannot tell whether the transaction committed (exit 75).
public func outcomeUnknown(_ error: String, txid: String, once: Bool) -> CommandFailure {
    CommandFailure("\(error); the outcome of transaction \(txid) is unknown: "
        + (once ? "running the same command again with the same --once key is safe" : "look it up with 'csp-tx tx \(txid)' before submitting again"),
        status: .outcomeUnknown)
}
