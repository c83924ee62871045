import ArgumentParser
import CSPBasics
import CSPCLI
import CSPNodeProtocol
import Foundation

/// Options every paged read takes.
struct PageOptions: ParsableArguments {
    @Option(name: .long, help: "At most this many items (1 to 1000).")
    var limit: Int = 100

    @Option(name: .long, help: "Continue after this token (printed on stderr as 'next page: --after TOKEN' by the previous page).")
    var after: String?

    func validate() throws {
        if !(1...1000).contains(limit) { throw ValidationError("--limit must be 1 to 1000") }
    }
}

/// Sends one signed read and prints its answer.
struct Reader {
    let global: GlobalOptions
    let channel: String
    let timeout: ReadTimeoutOption

    func read(_ op: String, configure: (inout NodeRequest) -> Void) throws -> NodeResponse {
        let participant = try Participant(home: global.resolvedHome)
        let client = try participant.client(socket: global.resolvedSocket, timeout: timeout.limit)
        defer { client.close() }
        return try client.signedRead(op, channel: channel, configure: configure)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }
}

/// Prints read results: JSON lines (items as the node describes them) or short text.
enum ReadOutput {
    static func line(_ item: NodeItem) -> String {
        String(decoding: (try? JSONEncoder.sorted.encode(item)) ?? Data(), as: UTF8.self)
    }

    static func text(_ item: NodeItem) -> String {
        if let key = item.key {
            return "\(key)  \(item.deleted == true ? "(deleted)" : item.value ?? "")\(item.block.map { "  block \($0).\(item.index ?? 0)" } ?? "")"
        }
        if let event = item.event {
            return "block \(item.block ?? 0).\(item.index ?? 0)  \(item.contract ?? "").\(event)  \(item.payload ?? "")"
        }
        if let hash = item.hash {
            // The block, then one indented line per transaction: what 'csp-tx tx' prints.
            let transactions = item.transactions ?? []
            return (["block \(item.block ?? 0)  \(hash)  \(transactions.count) tx  commit \(item.commitHash ?? "")"]
                + transactions.map { "  " + text($0) }).joined(separator: "\n")
        }
        return "\(item.txid ?? "")  block \(item.block ?? 0).\(item.index ?? 0)  \(item.contract ?? "").\(item.function ?? "")  \(item.creator ?? "")\(item.endorsers.map { $0.map { " + " + $0 }.joined() } ?? "")  \(item.code ?? "")\(item.reason.map { ": " + $0 } ?? "")"
    }

    /// Items on stdout; the paging token on stderr, so data lines stay data for a pipe.
    static func print(_ items: [NodeItem], next: String?, global: GlobalOptions) {
        guard !global.quiet else { return }
        let json = (global.format ?? .text) == .json
        for item in items { Swift.print(json ? line(item) : text(item)) }
        if let next { Diagnostics.note("next page: --after \(next)") }
    }
}

extension CSPTx {
    /// `csp-tx query`: a key's current value, or a range by prefix.
    struct Query: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Read a key's current value, or every key under --prefix (paged).",
            discussion: "Keys are namespaced by contract, e.g. kv/customer-42. Exits 1 when the key has no value or the policy refuses the read.")

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption
        @OptionGroup var page: PageOptions

        @Argument(help: "The key.")
        var key: String?

        @Option(name: .long, help: "Read every key starting with this prefix instead.")
        var prefix: String?

        func validate() throws {
            if (key == nil) == (prefix == nil) { throw ValidationError("give a key or --prefix") }
        }

        func execute() throws -> ExitStatus {
            let reader = Reader(global: global, channel: try channel.resolved, timeout: timeout)
            if let prefix {
                let response = try reader.read("range") { $0.key = prefix; $0.limit = page.limit; $0.after = page.after }
                ReadOutput.print(response.items ?? [], next: response.next, global: global)
            } else {
                let response = try reader.read("query") { $0.key = key }
                // The fields a --prefix item has: key, value, and the block and index that wrote it.
                var item = NodeItem()
                item.key = key
                item.value = response.value ?? ""
                if let version = response.version?.split(separator: "."), version.count == 2 {
                    item.block = UInt64(version[0])
                    item.index = UInt32(version[1])
                }
                if !global.quiet { Swift.print(global.output.format == .json ? ReadOutput.line(item) : response.value ?? "") }
            }
            return .success
        }
    }

    /// `csp-tx history`: every value a key had.
    struct History: CSPCommand {
        static let configuration = CommandConfiguration.csp(abstract: "Print a key's history, oldest first (paged; exit 1 when the key never had a value).")
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption
        @OptionGroup var page: PageOptions
        @Argument(help: "The key.") var key: String

        func execute() throws -> ExitStatus {
            let response = try Reader(global: global, channel: try channel.resolved, timeout: timeout).read("history") {
                $0.key = key; $0.limit = page.limit; $0.after = page.after
            }
            guard !(response.items ?? []).isEmpty || page.after != nil else {
                throw CommandFailure("no history for key \(quoted(key))", status: .no)
            }
            ReadOutput.print(response.items ?? [], next: response.next, global: global)
            return .success
        }
    }

    /// `csp-tx tx`: one transaction with its validation code.
    struct Tx: CSPCommand {
        static let configuration = CommandConfiguration.csp(abstract: "Print a committed transaction and its validation code (exit 1 when unknown).")
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption
        @Argument(help: "The transaction id (64 hex digits).") var txid: String

        func execute() throws -> ExitStatus {
            let response = try Reader(global: global, channel: try channel.resolved, timeout: timeout).read("tx") { $0.target = txid }
            ReadOutput.print(response.record.map { [$0] } ?? [], next: nil, global: global)
            return .success
        }
    }

    /// `csp-tx block`: a block by number or hash.
    struct Block: CSPCommand {
        static let configuration = CommandConfiguration.csp(abstract: "Print a block by number or hash, with its transactions.")
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption
        @Argument(help: "A block number, or a block hash (64 hex digits).") var block: String

        func execute() throws -> ExitStatus {
            let response = try Reader(global: global, channel: try channel.resolved, timeout: timeout).read("block") { $0.target = block }
            ReadOutput.print(response.record.map { [$0] } ?? [], next: nil, global: global)
            return .success
        }
    }

    /// `csp-tx account`: the transactions that involve an account.
    struct Account: CSPCommand {
        static let configuration = CommandConfiguration.csp(abstract: "Print the transactions that involve an account (ORG/ID), in commit order (paged; exit 1 when none does).")
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption
        @OptionGroup var timeout: ReadTimeoutOption
        @OptionGroup var page: PageOptions
        @Argument(help: "The account, as ORG/ID.") var account: String

        func execute() throws -> ExitStatus {
            let response = try Reader(global: global, channel: try channel.resolved, timeout: timeout).read("account") {
                $0.target = account; $0.limit = page.limit; $0.after = page.after
            }
            guard !(response.items ?? []).isEmpty || page.after != nil else {
                throw CommandFailure("no transactions involve account \(quoted(account))", status: .no)
            }
            ReadOutput.print(response.items ?? [], next: response.next, global: global)
            return .success
        }
    }
}
