import ArgumentParser
import CSPBasics
import CSPCLI
import CSPFormat
import Foundation

extension CSPTx {
    /// `csp-tx encode`: the canonical bytes of a transaction body and its id.
    struct Encode: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Print the canonical bytes and the id of a transaction body given as JSON.",
            discussion: """
                The JSON object has the fields channel, timestamp (milliseconds since the \
                Unix epoch), nonce (hex), creator (hex of the DER certificate), contract, \
                function and args (an object of string values). Prints the id (SHA-256 of \
                the body, the bytes the creator signs) and the body in hex, as described in \
                docs/FORMAT.md, so another implementation can be checked against this one.
                """)

        @OptionGroup(title: "Global Options") var global: LocalOptions

        @Option(name: .long, help: ArgumentHelp("The transaction as JSON; - for standard input.", valueName: "file"), completion: .file())
        var json: String = "-"

        func execute() throws -> ExitStatus {
            let body = try TransactionJSON.parse(try FileIO.read(json, limit: 4 << 20), source: json)
            let bytes = body.encoded()
            let id = body.id
            global.output.emit(
                json: ["txid": .string(id.hex), "body": .string(Hex.encode(bytes)), "length": .int(Int64(bytes.count))],
                text: "txid \(id.hex)\nlength \(bytes.count)\nbody \(Hex.encode(bytes))")
            return .success
        }
    }
}

/// The JSON form of a transaction body that people and scripts write.
enum TransactionJSON {
    static func parse(_ data: [UInt8], source: String) throws -> TransactionBody {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(data))
        } catch {
            throw CommandFailure("\(quoted(source)) is not valid JSON")
        }
        guard let fields = object as? [String: Any] else {
            throw CommandFailure("\(quoted(source)) must hold a JSON object")
        }
        func text(_ name: String) throws -> String {
            guard let value = fields[name] as? String else { throw CommandFailure("\(quoted(source)): field '\(name)' must be a string") }
            return value
        }
        func hex(_ name: String) throws -> [UInt8] {
            guard let bytes = Hex.decode(try text(name)) else { throw CommandFailure("\(quoted(source)): field '\(name)' must be hex") }
            return bytes
        }
        guard let number = fields["timestamp"] as? NSNumber, let timestamp = UInt64(exactly: number.doubleValue) else {
            throw CommandFailure("\(quoted(source)): field 'timestamp' must be a whole number of milliseconds")
        }
        var arguments: [TransactionArgument] = []
        if let args = fields["args"] {
            guard let map = args as? [String: Any] else { throw CommandFailure("\(quoted(source)): field 'args' must be an object") }
            for (name, value) in map {
                guard let string = value as? String else { throw CommandFailure("\(quoted(source)): argument '\(name)' must be a string") }
                arguments.append(TransactionArgument(name: name, text: string))
            }
        }
        do {
            return try TransactionBody(channel: try text("channel"), timestamp: timestamp, nonce: try hex("nonce"),
                                       creator: try hex("creator"), contract: try text("contract"),
                                       function: try text("function"), arguments: arguments)
        } catch let error as FormatError {
            throw CommandFailure("\(quoted(source)): \(error.reason)")
        }
    }
}
