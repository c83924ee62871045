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

    /// Submits `transaction` and waits for its block. A lost answer throws: the
    /// transaction may still commit, so the message says how to look it up. The response
    /// is returned whatever its status.
    public func submitWaiting(_ transaction: Transaction, channel: String) throws -> NodeResponse {
        var request = makeRequest("submit", channel: channel)
        request.tx = Data(transaction.encoded()).base64EncodedString()
        request.wait = true
        do {
            return try call(request)
        } catch {
            let txid = transaction.id.hex
            throw CommandFailure("\(error); the outcome of transaction \(txid) is unknown: look it up with 'csp-tx tx \(txid)' before submitting it again")
        }
    }
}
