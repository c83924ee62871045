import CSPBasics
import CSPCrypto
import CSPFormat

/// A definition that passed every rule of docs/CONTRACTS.md ("Valid definitions"),
/// with its canonical JSON (what the ledger stores and approvals hash).
public struct WorkflowDefinition: Sendable {
    public let name: String
    public let version: Int
    public let organizations: [String]
    /// The definition as canonical JSON: the bytes stored and hashed.
    public let canonicalJSON: [UInt8]

    public var hash: SHA256Digest { SHA256.hash(canonicalJSON) }

    /// Parses and validates a definition (JSON); throws `ContractFailure`-style problems as
    /// `DefinitionError` with the first problem found.
    public init(json: [UInt8]) throws(DefinitionError) {
        throw DefinitionError("the workflow engine is not implemented yet")
    }
}

/// Why a definition is not valid: one line.
public struct DefinitionError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A call names a contract that is neither built in nor an active definition, nor an
/// instance's definition: the executor records it as unknown-contract.
public struct UnknownContract: Error, CustomStringConvertible, Equatable, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Interprets definitions: one transition of one instance per call (docs/CONTRACTS.md,
/// "Instances"). Reads the definition from state (`contract/active/<NAME>`,
/// `contract/def/<NAME>/<VERSION>`), the instance from `wf/<ID>`.
public enum WorkflowEngine {
    /// Throws `ContractFailure` for an illegal call (contract-failed) and `UnknownContract`
    /// when no definition answers to the call's contract name.
    public static func execute(_ call: ContractCall, _ state: inout TransactionState) throws -> ContractOutcome {
        throw UnknownContract("no contract \(quoted(call.contract))")
    }
}
