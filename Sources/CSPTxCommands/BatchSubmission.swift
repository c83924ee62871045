import CSPBasics
import CSPCLI
import CSPFormat
import CSPNodeProtocol
import Foundation

/// `csp-tx submit --batch`: NDJSON calls in, exactly one result line per non-empty input
/// line out, in input order, with up to `window` transactions in flight on one
/// connection. Signing happens on this side while the node admits and commits earlier
/// ones. When the connection is lost, every line still gets its line: transactions sent
/// but not answered are `unknown` (look their txid up before resubmitting), lines never
/// sent are `unsent`; the command then exits 75 when answers were lost and no line failed
/// on its own, else 2.
struct BatchSubmission {
    let participant: Participant
    let channel: String
    let socket: String
    let window: Int
    let wait: Bool
    /// Seconds to wait for each answer (nil: no limit).
    let timeout: Double?
    let output: Output

    func run(input: String) throws -> ExitStatus {
        let text = try FileIO.readText(input)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .enumerated().filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }
        let client = try participant.client(socket: socket, timeout: timeout)
        let batch = BatchProgress(lines: lines.map { $0.offset + 1 }, window: window, output: output)
        // Request id = position in `lines` + 1. The receiver reads until the connection
        // ends, which `client.close()` below forces once every answer is in.
        let receiver = Thread { batch.receive(from: client) }
        receiver.start()
        for (position, entry) in lines.enumerated() {
            let request: NodeRequest, txid: String
            do {
                (request, txid) = try makeRequest(entry.element, line: entry.offset + 1, id: UInt64(position + 1))
            } catch {
                batch.fail(position, message: String(describing: error))
                continue
            }
            guard batch.reserve(position, txid: txid) else { break }
            do {
                try client.send(request)
            } catch {
                batch.lose(error)
                break
            }
        }
        batch.waitForAnswers()
        client.close()
        batch.waitForReceiver()
        let summary = batch.finish()
        if summary.unknown > 0 || summary.unsent > 0 {
            throw CommandFailure("lost the connection to \(quoted(socket)) (\(summary.cause)): "
                + "\(summary.unknown) transaction(s) sent with no answer (outcome unknown: look each txid up with 'csp-tx tx' before resubmitting), "
                + "\(summary.unsent) line(s) not sent",
                // Only lost answers: 75, retry is safe for lines with a once key.
                status: summary.unknown > 0 && !summary.failedLines ? .outcomeUnknown : .failure)
        }
        return summary.worst
    }

    private func makeRequest(_ line: String, line number: Int, id: UInt64) throws -> (NodeRequest, String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw CommandFailure("line \(number): not a JSON object")
        }
        guard let call = object["call"] as? String else { throw CommandFailure("line \(number): missing \"call\": \"contract.function\"") }
        let (contract, function) = try CSPTx.Submit.split(call)
        var arguments: [TransactionArgument] = []
        if let args = object["args"] {
            let data = try JSONSerialization.data(withJSONObject: args, options: [.fragmentsAllowed])
            arguments = try CSPTx.Submit.parse(jsonObject: Array(data), source: "line \(number)")
        }
        let transaction = try participant.transaction(channel: object["channel"] as? String ?? channel, contract: contract,
                                                      function: function, arguments: arguments)
        var request = NodeRequest(id: id, op: "submit", channel: object["channel"] as? String ?? channel)
        request.tx = Data(transaction.encoded()).base64EncodedString()
        request.wait = wait
        return (request, transaction.id.hex)
    }
}

/// The state of a batch shared by the sending thread and the receiving one: which lines
/// were sent, their answers, how many are in flight, whether the connection is lost.
/// Results arrive in any order and are printed in input order as soon as they can be.
/// @unchecked Sendable: every field is guarded by `condition`.
final class BatchProgress: @unchecked Sendable {
    enum Result {
        case answered(NodeResponse)
        case failed(String)
    }

    struct Summary {
        var worst: ExitStatus
        var unknown: Int
        var unsent: Int
        var cause: String
        /// Whether a line failed on its own (malformed, or the node could not take it).
        var failedLines: Bool
    }

    private let condition = NSCondition()
    private let lines: [Int]
    private let window: Int
    private let output: Output
    private var results: [Result?]
    private var txids: [String?]
    private var inFlight = 0
    private var lost: Error?
    private var receiverDone = false
    private var printed = 0
    private var worst = ExitStatus.success

    /// `lines`: the input line number of each entry.
    init(lines: [Int], window: Int, output: Output) {
        self.lines = lines
        self.window = window
        self.output = output
        results = Array(repeating: nil, count: lines.count)
        txids = Array(repeating: nil, count: lines.count)
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    /// A line that could not become a transaction.
    func fail(_ position: Int, message: String) {
        locked {
            results[position] = .failed(message)
            printReady()
        }
    }

    /// Waits for a free slot in the window and marks the line sent; false once the
    /// connection is lost (the line stays unsent).
    func reserve(_ position: Int, txid: String) -> Bool {
        locked {
            while inFlight >= window && lost == nil { condition.wait() }
            guard lost == nil else { return false }
            inFlight += 1
            txids[position] = txid
            return true
        }
    }

    /// The connection failed (or was closed): wakes every waiter.
    func lose(_ error: Error) {
        locked {
            if lost == nil { lost = error }
            condition.broadcast()
        }
    }

    /// Waits until every sent transaction has its answer, or the connection is lost.
    func waitForAnswers() {
        locked { while inFlight > 0 && lost == nil { condition.wait() } }
    }

    /// The receiving thread's body: answers until the connection ends.
    func receive(from client: NodeClient) {
        while true {
            do {
                answer(try client.receive())
            } catch {
                locked {
                    if lost == nil { lost = error }
                    receiverDone = true
                    condition.broadcast()
                }
                return
            }
        }
    }

    func waitForReceiver() {
        locked { while !receiverDone { condition.wait() } }
    }

    private func answer(_ response: NodeResponse) {
        locked {
            // Ids are positions + 1; anything else (id 0 for a frame the node could not
            // read, a repeated id) answers nothing we sent.
            guard response.id >= 1, response.id <= UInt64(results.count) else { return }
            let position = Int(response.id) - 1
            guard txids[position] != nil, results[position] == nil else { return }
            results[position] = .answered(response)
            inFlight -= 1
            condition.broadcast()
            printReady()
        }
    }

    /// Gives every line still without a result its `unknown` or `unsent` line, prints
    /// the rest, and says how the batch went.
    func finish() -> Summary {
        locked {
            var unknown = 0, unsent = 0
            // Lines before `printed` are out already (and their slots cleared).
            for position in printed..<results.count where results[position] == nil {
                if txids[position] != nil { unknown += 1 } else { unsent += 1 }
            }
            // Print the lines that have answers up to the first gap, then everything
            // else in order, gaps included.
            while printed < results.count {
                if results[printed] != nil {
                    printReady()
                    continue
                }
                printMissing(printed)
                printed += 1
            }
            let failedLines = worst == .failure
            if unknown > 0 || unsent > 0 { worst = .failure }
            let cause = lost.map { "\($0)" } ?? "closed"
            return Summary(worst: worst, unknown: unknown, unsent: unsent, cause: cause, failedLines: failedLines)
        }
    }

    private func printReady() {
        while printed < results.count, let result = results[printed] {
            let line = Int64(lines[printed])
            switch result {
            case .answered(let response):
                var json = CSPTx.Submit.fields(response, txid: txids[printed] ?? "")
                json["line"] = .int(line)
                json["outcome"] = .string(Self.outcome(response))
                output.emit(json: json, text: "\(Self.outcome(response))  " + CSPTx.Submit.text(response, txid: txids[printed] ?? ""))
                if response.status == 2 { worst = .failure } else if response.status != 0 && worst == .success { worst = .no }
            case .failed(let message):
                output.emit(json: ["line": .int(line), "status": 2, "outcome": "failed", "error": .string(message)],
                            text: "failed  line \(line): \(message)")
                worst = .failure
            }
            results[printed] = nil
            txids[printed] = nil
            printed += 1
        }
    }

    private func printMissing(_ position: Int) {
        let line = Int64(lines[position])
        if let txid = txids[position] {
            let message = "connection lost before the node answered; the transaction may or may not commit"
            output.emit(json: ["line": .int(line), "txid": .string(txid), "status": 2, "outcome": "unknown", "error": .string(message)],
                        text: "unknown  \(txid)  line \(line): \(message)")
        } else {
            let message = "connection lost before it was sent"
            output.emit(json: ["line": .int(line), "status": 2, "outcome": "unsent", "error": .string(message)],
                        text: "unsent  line \(line): \(message)")
        }
    }

    /// committed, accepted (--no-wait), invalid (in a block, marked invalid), refused
    /// (never ordered), failed (the node could not take it).
    static func outcome(_ response: NodeResponse) -> String {
        switch response.outcome.flatMap(SubmitOutcome.init(rawValue:)) {
        case .committed: return response.status == 0 ? "committed" : "invalid"
        case .accepted: return "accepted"
        case .refused: return "refused"
        case .notCommitted: return "failed"
        case .unknown: return "unknown"
        case .alreadyDone: return "already-done"
        case nil: break
        }
        switch response.status {
        case 0: return response.block == nil ? "accepted" : "committed"
        case 1: return response.block == nil ? "refused" : "invalid"
        default: return "failed"
        }
    }
}
