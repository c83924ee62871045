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
    private var waiting: [UInt64: @Sendable (Result<NodeResponse, Failure>) -> Void] = [:]
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
        await relay(Self.submission(encoded: encoded, channel: channel, wait: wait), config: config)
    }

    /// `forward`, with the answer handed to `done` (on this connection's reading thread)
    /// instead of awaited: no task waits on this node for the orderer's answer.
    func forward(encoded: String, channel: String, wait: Bool, config: ChannelConfig,
                 done: @escaping @Sendable (Result<NodeResponse, Failure>) -> Void) {
        send(Self.submission(encoded: encoded, channel: channel, wait: wait), config: config, done: done)
    }

    private static func submission(encoded: String, channel: String, wait: Bool) -> NodeRequest {
        var request = NodeRequest(id: 0, op: "submit", channel: channel)
        request.tx = encoded
        request.wait = wait
        return request
    }

    /// Sends `request` as it is (a client's signed read keeps its signature, which does
    /// not cover the id) under an id of this connection, and waits for the answer, which
    /// comes back with the client's id. A connection found dead at sending is replaced once.
    /// With `timeout`, an answer that does not come within that many seconds is `lost`
    /// (a read; a submission's answer waits for its block, however long that takes).
    func relay(_ original: NodeRequest, config: ChannelConfig, timeout: Double? = nil) async -> Result<NodeResponse, Failure> {
        await withCheckedContinuation { continuation in
            send(original, config: config, timeout: timeout) { continuation.resume(returning: $0) }
        }
    }

    /// `relay` with a callback: `done` is called exactly once, with the answer (on the
    /// connection's reading thread) or why none will come.
    func send(_ original: NodeRequest, config: ChannelConfig, timeout: Double? = nil,
              done: @escaping @Sendable (Result<NodeResponse, Failure>) -> Void) {
        for attempt in 0..<2 {
            let client: NodeClient
            do { client = try connection(config: config) } catch { return done(.failure(.unreachable("\(error)"))) }
            var request = original
            request.id = client.makeRequest(original.op, channel: original.channel).id
            let id = request.id
            lock.lock()
            waiting[id] = { result in
                done(result.map { answer in
                    var answer = answer
                    answer.id = original.id
                    return answer
                })
            }
            lock.unlock()
            if let timeout {
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                    lock.lock()
                    let mine = waiting.removeValue(forKey: id)
                    lock.unlock()
                    mine?(.failure(.lost("no answer within \(Int(timeout)) s")))
                }
            }
            let failure: (any Error)? = sendLock.withLock {
                do { try client.send(request) } catch { return error }
                return nil
            }
            guard let failure else { return }
            // A frame that was not sent whole is dropped by the orderer unread: nothing was
            // submitted, so a fresh connection may send it once more.
            lock.lock()
            let mine = waiting.removeValue(forKey: id)
            lock.unlock()
            drop(client)
            // Already answered (the reading thread found the connection dead first).
            guard let mine else { return }
            if attempt == 1 { return mine(.failure(.unreachable("\(failure)"))) }
        }
    }

    /// What the orderer's answer to a forwarded submission says, before this node
    /// confirms anything: an outcome already, or a block to confirm.
    enum Verdict {
        case answered(CommitOutcome)
        /// Committed in this block: answered as this node commits it.
        case committed(block: UInt64)
        /// A `--once` key used before, by the transaction of this outcome in that block:
        /// answered once this node holds the block.
        case alreadyDone(block: UInt64, CommitOutcome)
    }

    func verdict(of answer: Result<NodeResponse, Failure>, for transaction: Transaction) -> Verdict {
        func outcome(_ result: SubmitResult) -> Verdict { .answered(CommitOutcome(txid: transaction.id, result: result)) }
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
            return .committed(block: block)
        case .alreadyDone?:
            guard let block = response.block, let index = response.index, let txid = response.txid,
                  let original = SHA256Digest(hex: txid), let key = transaction.body.onceKey else { break }
            return .alreadyDone(block: block, CommitOutcome(txid: original, result: .alreadyDone(OnceKeys.Record(txid: txid, block: block, index: index), key: key)))
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

    /// What a forwarded submission's answer from the orderer (this forwarder's address)
    /// makes of it. A transaction the orderer committed is answered only as this node
    /// confirms it: `confirm(block)` waits until this node holds that block and gives its
    /// own place and verdict, or why it cannot; an already-done one waits for the
    /// original's block with `reached(block)` (nil once this node holds it).
    func outcome(of answer: Result<NodeResponse, Failure>, for transaction: Transaction,
                 confirm: (UInt64) async -> SubmitResult, reached: (UInt64) async -> SubmitResult?) async -> CommitOutcome {
        switch verdict(of: answer, for: transaction) {
        case .answered(let outcome):
            return outcome
        case .committed(let block):
            return CommitOutcome(txid: transaction.id, result: await confirm(block))
        case .alreadyDone(let block, let done):
            if let failure = await reached(block) { return CommitOutcome(txid: transaction.id, result: failure) }
            return done
        }
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
            let done = waiting.removeValue(forKey: response.id)
            lock.unlock()
            done?(.success(response))
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
        for done in lost.values { done(.failure(.lost(reason))) }
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
        // Answered by whichever comes first: this node committing the block that holds it
        // (`forwardedAnswersLocked`), or the orderer's answer when it is anything but a
        // commit. The orderer answers only after indexing the block, and its answer then
        // crosses the network: waiting for it would add both to every answer. Nothing waits
        // for it here either: it is handed over on the forwarding connection's thread.
        let answer = ForwardedAnswer()
        if wait { expectForwarded(transaction.id, answer) }
        defer { if wait { forgetForwarded(transaction.id, answer) } }
        forwarder.forward(encoded: encoded, channel: name, wait: wait, config: currentRules.config) { [self] result in
            switch forwarder.verdict(of: result, for: transaction) {
            case .answered(let outcome):
                answer.resume(outcome)
            case .committed(let block):
                confirmForwarded(transaction.id, in: block, answer: answer, orderer: orderer)
            case .alreadyDone(let block, let done):
                Task { [self] in
                    if let failure = await waitUntilCommitted(block: block, orderer: orderer) {
                        return answer.resume(CommitOutcome(txid: transaction.id, result: failure))
                    }
                    answer.resume(done)
                }
            }
        }
        // While the orderer orders it: its signatures, verified here once, need no second
        // ECDSA verification when its block arrives (admission at the block's time still runs).
        // Off the cooperative threads, which run this node's sockets: a block arriving first
        // has it verified in full instead.
        if let sources {
            let (verified, keys) = (sources.verified, sources.keys)
            DispatchQueue.global().async { _ = verified.record(transaction, keys: keys) }
        }
        return await answer.wait()
    }

    private func expectForwarded(_ id: SHA256Digest, _ answer: ForwardedAnswer) {
        condition.lock()
        forwardedAnswers[id, default: []].append(answer)
        condition.unlock()
    }

    private func forgetForwarded(_ id: SHA256Digest, _ answer: ForwardedAnswer) {
        condition.lock()
        if var list = forwardedAnswers[id] {
            list.removeAll { $0 === answer }
            forwardedAnswers[id] = list.isEmpty ? nil : list
        }
        condition.unlock()
    }

    /// The forwarded submissions `blocks` (just committed here) answer, taken out of the
    /// list (call with `condition` held; resume them after unlocking): one per occurrence of
    /// its id, in order, as the orderer answers its own submitters. A `--once` key already
    /// used is left to the orderer's answer, which names the original transaction.
    func forwardedAnswersLocked(_ blocks: [Block]) -> [(ForwardedAnswer, CommitOutcome)] {
        guard !forwardedAnswers.isEmpty else { return [] }
        var answered: [(ForwardedAnswer, CommitOutcome)] = []
        for block in blocks {
            for (index, transaction) in block.transactions.enumerated() {
                guard var list = forwardedAnswers[transaction.id], !list.isEmpty else { continue }
                let validation = block.validations[index]
                if validation.code == .onceKeyUsed { continue }
                answered.append((list.removeFirst(), CommitOutcome(txid: transaction.id, result: .committed(
                    block: block.header.number, index: UInt32(index), validation))))
                forwardedAnswers[transaction.id] = list.isEmpty ? nil : list
            }
        }
        return answered
    }

    /// The orderer committed a forwarded transaction in `block`. Normally this node's own
    /// commit of that block answers it (`forwardedAnswersLocked`); this covers the rest: a
    /// block that does not hold it, a fork, a stop. Checked now when the block is here
    /// already, else when it commits (`confirmationsDueLocked`), a fork, or a stop.
    func confirmForwarded(_ id: SHA256Digest, in block: UInt64, answer: ForwardedAnswer, orderer: String) {
        guard !answer.isAnswered else { return }
        condition.lock()
        let now = fork != nil || state == .stopping || ledger.height > block
        if !now { forwardConfirmations.append(ForwardConfirmation(id: id, block: block, answer: answer, orderer: orderer)) }
        condition.unlock()
        if now { confirm(ForwardConfirmation(id: id, block: block, answer: answer, orderer: orderer)) }
    }

    /// The confirmations whose block this node now holds (call with `condition` held;
    /// `confirm` them after unlocking).
    func confirmationsDueLocked() -> [ForwardConfirmation] {
        guard !forwardConfirmations.isEmpty else { return [] }
        let height = ledger.height
        var due: [ForwardConfirmation] = []
        forwardConfirmations.removeAll { confirmation in
            guard confirmation.block < height else { return false }
            due.append(confirmation)
            return true
        }
        return due
    }

    /// Every confirmation still waiting (on a fork or a stop: none will come by a commit).
    func allConfirmationsLocked() -> [ForwardConfirmation] {
        defer { forwardConfirmations = [] }
        return forwardConfirmations
    }

    /// This node's own verdict on a forwarded transaction the orderer committed in
    /// `confirmation.block`, unless its commit answered already.
    func confirm(_ confirmation: ForwardConfirmation) {
        let (id, block, orderer) = (confirmation.id, confirmation.block, confirmation.orderer)
        guard !confirmation.answer.isAnswered else { return }
        func answer(_ result: SubmitResult) { confirmation.answer.resume(CommitOutcome(txid: id, result: result)) }
        // Called before the block is here only on a fork or a stop.
        if ledger.height <= block { return answer(unconfirmable(block: block, orderer: orderer, stopped: true)!) }
        guard let record = try? ledger.transaction(id), record.block == block else {
            return answer(.unknown("the orderer at \(orderer) committed it in block \(block), but this node's block \(block) does not hold it"))
        }
        answer(.committed(block: record.block, index: record.index, record.validation))
    }

    /// Waits until this node has committed `block`; nil then, else why it never will.
    private func waitUntilCommitted(block: UInt64, orderer: String) async -> SubmitResult? {
        while ledger.height <= block {
            if let why = unconfirmable(block: block, orderer: orderer, stopped: isStopping) { return why }
            await waitForHeight(above: block)
        }
        return nil
    }

    /// Why this node will never confirm `block`, which the orderer says holds a forwarded
    /// transaction: the channel forked, or (`stopped`) the node stops first; nil otherwise.
    private func unconfirmable(block: UInt64, orderer: String, stopped: Bool) -> SubmitResult? {
        if let fork = currentFork {
            return .unknown("the orderer at \(orderer) committed it in block \(block), which this node cannot confirm: \(fork.message(channel: name))")
        }
        return stopped ? .unknown("the orderer at \(orderer) committed it in block \(block); this node stopped before it committed that block") : nil
    }
}

/// A forwarded transaction the orderer committed in `block`, for this node to confirm.
struct ForwardConfirmation {
    let id: SHA256Digest
    let block: UInt64
    let answer: ForwardedAnswer
    let orderer: String
}

/// A forwarded submission's answer, given once, by whichever side has it first.
final class ForwardedAnswer: @unchecked Sendable {
    private let lock = NSLock()
    private var outcome: CommitOutcome?
    private var continuation: CheckedContinuation<CommitOutcome, Never>?

    var isAnswered: Bool { lock.withLock { outcome != nil } }

    /// The first outcome given wins; later ones are dropped.
    func resume(_ given: CommitOutcome) {
        let waiting: CheckedContinuation<CommitOutcome, Never>? = lock.withLock {
            guard outcome == nil else { return nil }
            outcome = given
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: given)
    }

    func wait() async -> CommitOutcome {
        await withCheckedContinuation { continuation in
            let given: CommitOutcome? = lock.withLock {
                if outcome == nil { self.continuation = continuation }
                return outcome
            }
            if let given { continuation.resume(returning: given) }
        }
    }
}
