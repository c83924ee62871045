import CSPBasics
import CSPChannel
import CSPCrypto
import CSPFormat
import CSPNodeProtocol
import Foundation

/// A follower's connection for its clients' submissions to the orderer it follows
/// (docs/NETWORK.md, "Submitting through a follower"): the signed transaction goes on
/// unchanged, as this node (mutual TLS with its node certificate), on a connection of its
/// own so that the block fetching never waits behind it. Many submissions share the
/// connection; one reader thread hands each answer to its submitter by request id.
final class SubmitForwarder: @unchecked Sendable {
    /// Why a forwarded submission got no answer from the orderer.
    enum Failure: Error {
        /// Nothing reached the orderer (cannot connect, or the frame was not sent): safe to submit again.
        case unreachable(String)
        /// Sent, but the connection ended before the answer: the transaction may commit.
        case lost(String)
    }

    let target: FollowTarget
    let channelDirectory: String
    /// The node requests go to: the orderer, unless told otherwise (an access node relays
    /// reads to its peers too).
    let address: String
    private let lock = NSLock()
    // Guarded by `lock`:
    private var client: NodeClient?
    private var waiting: [UInt64: CheckedContinuation<Result<NodeResponse, Failure>, Never>] = [:]
    /// Serialises writes: a NodeClient takes one sender at a time.
    private let sendLock = NSLock()

    init(target: FollowTarget, channelDirectory: String, address: String? = nil) {
        self.target = target
        self.channelDirectory = channelDirectory
        self.address = address ?? target.orderer
    }

    /// Sends the signed transaction (`encoded`, base64, as the client sent it) and waits
    /// for the orderer's answer. A connection found dead at sending is replaced once.
    func forward(encoded: String, channel: String, wait: Bool, config: ChannelConfig) async -> Result<NodeResponse, Failure> {
        var request = NodeRequest(id: 0, op: "submit", channel: channel)
        request.tx = encoded
        request.wait = wait
        return await relay(request, config: config)
    }

    /// Sends `request` as it is (a client's signed read keeps its signature, which does
    /// not cover the id) under an id of this connection, and waits for the answer, which
    /// comes back with the client's id. A connection found dead at sending is replaced once.
    /// With `timeout`, an answer that does not come within that many seconds is `lost`
    /// (a read; a submission's answer waits for its block, however long that takes).
    func relay(_ original: NodeRequest, config: ChannelConfig, timeout: Double? = nil) async -> Result<NodeResponse, Failure> {
        for attempt in 0..<2 {
            let client: NodeClient
            do { client = try connection(config: config) } catch { return .failure(.unreachable("\(error)")) }
            var request = original
            request.id = client.makeRequest(original.op, channel: original.channel).id
            let id = request.id
            let sent: Result<NodeResponse, Failure>? = await withCheckedContinuation { continuation in
                lock.lock()
                waiting[request.id] = continuation
                lock.unlock()
                if let timeout {
                    DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                        lock.lock()
                        let mine = waiting.removeValue(forKey: id)
                        lock.unlock()
                        mine?.resume(returning: .failure(.lost("no answer within \(Int(timeout)) s")))
                    }
                }
                sendLock.lock()
                defer { sendLock.unlock() }
                do {
                    try client.send(request)
                } catch {
                    // A frame that was not sent whole is dropped by the orderer unread.
                    lock.lock()
                    let mine = waiting.removeValue(forKey: request.id)
                    lock.unlock()
                    drop(client)
                    mine?.resume(returning: .failure(.unreachable("\(error)")))
                }
            }
            if case .failure(.unreachable)? = sent, attempt == 0 { continue }
            guard case .success(var response)? = sent else { return sent ?? .failure(.unreachable("no answer")) }
            response.id = original.id
            return .success(response)
        }
        return .failure(.unreachable("the connection failed twice"))
    }

    /// What a forwarded submission's answer from the orderer (this forwarder's address)
    /// makes of it. A transaction the orderer committed is answered only as this node
    /// confirms it: `confirm(block)` waits until this node holds that block and gives its
    /// own place and verdict, or why it cannot; an already-done one waits for the
    /// original's block with `reached(block)` (nil once this node holds it).
    func outcome(of answer: Result<NodeResponse, Failure>, for transaction: Transaction,
                 confirm: (UInt64) async -> SubmitResult, reached: (UInt64) async -> SubmitResult?) async -> CommitOutcome {
        func outcome(_ result: SubmitResult) -> CommitOutcome { CommitOutcome(txid: transaction.id, result: result) }
        let orderer = address
        let response: NodeResponse
        switch answer {
        case .failure(.unreachable(let why)):
            return outcome(.notCommitted("cannot reach the orderer at \(orderer) to forward the transaction: \(why)"))
        case .failure(.lost(let why)):
            return outcome(.unknown("the connection to the orderer at \(orderer) ended before it answered: \(why)"))
        case .success(let answered):
            response = answered
        }
        let code = ValidationCode.allCases.first { $0.description == response.code }
        switch SubmitOutcome(rawValue: response.outcome ?? "") {
        case .accepted?:
            return outcome(.accepted)
        case .refused?:
            return outcome(.refused(Validation(code: code ?? .malformed, reason: response.reason ?? response.error ?? "refused by the orderer")))
        case .committed?:
            guard let block = response.block else { break }
            return outcome(await confirm(block))
        case .alreadyDone?:
            guard let block = response.block, let index = response.index, let txid = response.txid,
                  let original = SHA256Digest(hex: txid), let key = transaction.body.onceKey else { break }
            if let failure = await reached(block) { return outcome(failure) }
            return CommitOutcome(txid: original, result: .alreadyDone(OnceKeys.Record(txid: txid, block: block, index: index), key: key))
        case .notCommitted?:
            return outcome(.notCommitted("the orderer at \(orderer): \(response.error ?? "not committed")"))
        case .unknown?:
            return outcome(.unknown("the orderer at \(orderer): \(response.error ?? "outcome unknown")"))
        case nil:
            break
        }
        // An answer without an outcome: a node older than outcomes, or a malformed request.
        if response.status == 2 { return outcome(.notCommitted("the orderer at \(orderer): \(response.error ?? "could not answer")")) }
        return outcome(.unknown("the orderer at \(orderer) answered without an outcome: \(response.error ?? "status \(response.status)")"))
    }

    /// Ends the connection; every submission waiting on it learns its outcome is unknown.
    func close() {
        lock.lock()
        let client = self.client
        lock.unlock()
        if let client { drop(client) }
    }

    private func connection(config: ChannelConfig) throws -> NodeClient {
        lock.lock()
        if let client { lock.unlock(); return client }
        lock.unlock()
        let fresh = try target.connect(address, channelDirectory: channelDirectory, config: config, timeout: 10)
        // Answers come when blocks commit: the reader waits without limit.
        fresh.timeout = nil
        lock.lock()
        if let client {
            lock.unlock()
            fresh.close()
            return client
        }
        client = fresh
        lock.unlock()
        let thread = Thread { [self] in read(fresh) }
        thread.name = "csp-node forward"
        thread.start()
        return fresh
    }

    /// Hands each answer to its submitter until the connection ends.
    private func read(_ client: NodeClient) {
        while true {
            let response: NodeResponse
            do {
                response = try client.receive()
            } catch {
                drop(client, because: "\(error)")
                return
            }
            lock.lock()
            let continuation = waiting.removeValue(forKey: response.id)
            lock.unlock()
            continuation?.resume(returning: .success(response))
        }
    }

    private func drop(_ client: NodeClient, because reason: String = "the connection was closed") {
        lock.lock()
        let current = self.client === client
        if current { self.client = nil }
        let lost = current ? waiting : [:]
        if current { waiting = [:] }
        lock.unlock()
        client.close()
        for continuation in lost.values { continuation.resume(returning: .failure(.lost(reason))) }
    }
}

extension ChannelService {
    /// A follower's answer to a client's submission: forwarded to the orderer, and answered
    /// once the transaction is committed in this node's own verified ledger, with the
    /// validation this node's re-execution gave it (equal to the orderer's, or the channel
    /// has forked and says so). With `wait` false, the orderer's "accepted".
    func forwardSubmission(_ transaction: Transaction, encoded: String, wait: Bool, to target: FollowTarget,
                           via forwarder: SubmitForwarder) async -> CommitOutcome {
        func outcome(_ result: SubmitResult) -> CommitOutcome { CommitOutcome(txid: transaction.id, result: result) }
        if let fork = currentFork { return outcome(.notCommitted(fork.refusal(channel: name))) }
        let orderer = target.orderer
        async let forwarded = forwarder.forward(encoded: encoded, channel: name, wait: wait, config: currentRules.config)
        // While the orderer orders it: its signatures, verified here once, need no second
        // ECDSA verification when its block arrives (admission at the block's time still runs).
        // Off the cooperative threads, which run this node's sockets: a block arriving first
        // has it verified in full instead.
        if let sources {
            let (verified, keys) = (sources.verified, sources.keys)
            DispatchQueue.global().async { verified.record(transaction, keys: keys) }
        }
        let answer = await forwarded
        return await forwarder.outcome(of: answer, for: transaction, confirm: { block in
            if let failure = await waitUntilCommitted(block: block, orderer: orderer) { return failure }
            // This node's own verdict, from its ledger.
            guard let record = try? ledger.transaction(transaction.id), record.block == block else {
                return .unknown("the orderer at \(orderer) committed it in block \(block), but this node's block \(block) does not hold it")
            }
            return .committed(block: record.block, index: record.index, record.validation)
        }, reached: { block in await waitUntilCommitted(block: block, orderer: orderer) })
    }

    /// Waits until this node has committed `block`; nil then, else why it never will.
    private func waitUntilCommitted(block: UInt64, orderer: String) async -> SubmitResult? {
        while ledger.height <= block {
            if let fork = currentFork {
                return .unknown("the orderer at \(orderer) committed it in block \(block), which this node cannot confirm: \(fork.message(channel: name))")
            }
            if isStopping { return .unknown("the orderer at \(orderer) committed it in block \(block); this node stopped before it committed that block") }
            await waitForHeight(above: block)
        }
        return nil
    }
}
