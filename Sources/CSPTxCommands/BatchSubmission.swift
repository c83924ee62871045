import CSPBasics
import CSPCLI
import CSPFormat
import CSPNodeProtocol
import Foundation

/// `csp-tx submit --batch`: NDJSON calls in, one result line per input line out, in input
/// order, with up to `window` transactions in flight on one connection. Signing happens
/// on this side while the node admits and commits earlier ones.
struct BatchSubmission {
    let participant: Participant
    let channel: String
    let socket: String
    let window: Int
    let wait: Bool
    let output: Output

    func run(input: String) throws -> ExitStatus {
        let text = try FileIO.readText(input)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .enumerated().filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }
        let client = try participant.client(socket: socket)
        defer { client.close() }
        let results = OrderedResults(count: lines.count, output: output)
        let slots = DispatchSemaphore(value: window)
        let receiveError = Locked<Error?>(nil)
        // Request id = position in `lines` + 1. The receiver runs until the connection
        // closes; the sender stops waiting once every answer is in.
        let receiver = Thread {
            while true {
                do {
                    let response = try client.receive()
                    if response.id >= 1, Int(response.id) <= lines.count { results.set(Int(response.id) - 1, .response(response)) }
                    slots.signal()
                } catch {
                    receiveError.value = error
                    slots.signal()
                    return
                }
            }
        }
        receiver.start()
        var sent = 0
        for (position, entry) in lines.enumerated() {
            let request: NodeRequest
            do {
                request = try makeRequest(entry.element, line: entry.offset + 1, id: UInt64(position + 1))
            } catch {
                results.set(position, .failure(line: entry.offset + 1, message: String(describing: error)))
                continue
            }
            slots.wait()
            if receiveError.value != nil { break }
            try client.send(request)
            sent += 1
        }
        while results.responses < sent && receiveError.value == nil { usleep(500) }
        results.flush()
        if results.responses < sent {
            throw CommandFailure("connection to \(quoted(socket)) lost after \(results.responses) of \(sent) results: \(receiveError.value.map { String(describing: $0) } ?? "closed")")
        }
        return results.worst
    }

    private func makeRequest(_ line: String, line number: Int, id: UInt64) throws -> NodeRequest {
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
        return request
    }
}

/// Results arrive in any order and leave in input order.
final class OrderedResults: @unchecked Sendable {
    enum Result {
        case response(NodeResponse)
        case failure(line: Int, message: String)
    }

    private let lock = NSLock()
    private var slots: [Result?]
    private var printed = 0
    private let output: Output
    private(set) var worst = ExitStatus.success
    private var responseCount = 0

    init(count: Int, output: Output) {
        slots = Array(repeating: nil, count: count)
        self.output = output
    }

    var responses: Int { lock.lock(); defer { lock.unlock() }; return responseCount }

    func set(_ index: Int, _ result: Result) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = result
        if case .response = result { responseCount += 1 }
        printReady()
    }

    func flush() {
        lock.lock()
        defer { lock.unlock() }
        printReady()
    }

    private func printReady() {
        while printed < slots.count, let result = slots[printed] {
            switch result {
            case .response(let response):
                CSPTx.Submit.print(response, txid: "", output: output)
                if response.status == 2 { worst = .failure } else if response.status != 0 && worst == .success { worst = .no }
            case .failure(let line, let message):
                output.emit(json: ["line": .int(Int64(line)), "status": 2, "error": .string(message)], text: "line \(line): \(message)")
                worst = .failure
            }
            slots[printed] = nil
            printed += 1
        }
    }
}
