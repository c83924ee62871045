import CSPBasics
import CSPFormat

/// One call as a contract sees it: the function, its arguments by name, the verified
/// creator and the verified endorsers (co-signers of the same transaction).
public struct ContractCall: Sendable {
    public let transaction: Transaction
    public let creator: Creator
    /// Accounts that co-signed the transaction's id, admitted like the creator; only a
    /// transition with signers accepts any (docs/CONTRACTS.md, "Co-signatures").
    public let endorsers: [Creator]
    public let arguments: [String: [UInt8]]
    /// The block it executes in, and its position there.
    public let block: BlockContext
    public let position: Int

    public init(transaction: Transaction, creator: Creator, endorsers: [Creator] = [], block: BlockContext, position: Int) {
        self.transaction = transaction
        self.creator = creator
        self.endorsers = endorsers
        self.block = block
        self.position = position
        // Names are unique: the format refuses a body that repeats one. The idempotency
        // key is the executor's, never a contract argument.
        self.arguments = Dictionary(transaction.body.arguments.lazy.filter { $0.name != TransactionBody.onceArgument }.map { ($0.name, $0.value) },
                                    uniquingKeysWith: { first, _ in first })
    }

    public var contract: String { transaction.body.contract }
    public var function: String { transaction.body.function }

    public func failure(_ problem: String) -> ContractFailure {
        ContractFailure(reason: "\(contract).\(function): \(problem)")
    }

    /// Refuses missing required and unexpected arguments: a misspelt optional argument
    /// must not be silently ignored.
    public func expect(required: [String], optional: [String] = []) throws(ContractFailure) {
        for name in required where arguments[name] == nil {
            throw failure("missing argument \(quoted(name))")
        }
        for name in arguments.keys.sorted() where !required.contains(name) && !optional.contains(name) {
            throw failure("unexpected argument \(quoted(name))")
        }
    }

    public func bytes(_ name: String) throws(ContractFailure) -> [UInt8] {
        guard let value = arguments[name] else { throw failure("missing argument \(quoted(name))") }
        return value
    }

    public func text(_ name: String) throws(ContractFailure) -> String {
        guard let text = String(validating: try bytes(name), as: UTF8.self) else {
            throw failure("argument \(quoted(name)) is not UTF-8 text")
        }
        return text
    }

    /// A decimal integer without sign, spaces or leading zeros; nil when absent.
    public func integer(_ name: String) throws(ContractFailure) -> Int? {
        guard arguments[name] != nil else { return nil }
        let text = try self.text(name)
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              text == "0" || !text.hasPrefix("0"), let value = Int(text) else {
            throw failure("argument \(quoted(name)) must be a decimal integer, not \(quoted(String(text.prefix(32))))")
        }
        return value
    }
}
