import CSPBasics

/// A field's type and its constraints (docs/CONTRACTS.md, "Field types").
public enum FieldType: Equatable, Sendable {
    case string(max: Int)
    case integer(min: Int?, max: Int?)
    case enumeration([String])
    case amount
    case date
    case fingerprint
    case reference(definition: String)
    case account(role: String?, organization: String?)
    case accounts(role: String?, organization: String?)

    var holdsAccounts: Bool {
        switch self {
        case .account, .accounts: return true
        default: return false
        }
    }
}

public struct FieldSpec: Equatable, Sendable {
    public let type: FieldType
    /// The stored value is an object from each firing creator's account to its value,
    /// so several accounts (the departments of a demand) each record their own.
    public let perAccount: Bool
}

/// A party: the account an instance binds to a name, with the role (and organisation)
/// that account must have. With `field`, the party is the account in that field.
public struct PartySpec: Equatable, Sendable {
    public let role: String
    public let organization: String?
    public let field: String?
}

/// Who may fire a transition, or whose turn it is next.
public enum Selector: Equatable, Hashable, Sendable {
    case role(String, organization: String?)
    case party(String)
    case field(String)
    case operators
}

public struct TransitionSpec: Equatable, Sendable {
    public let name: String
    public let from: [String]
    public let to: String
    public let by: [Selector]
    public let bind: [String]
    public let requires: [String]
    public let optional: [String]
    public let operators: [Selector]
    /// Milliseconds the next operators have, or nil for no deadline.
    public let deadline: UInt64?
    public let signers: [String]

    public var creates: Bool { from.isEmpty }
}

/// Names of definitions, transitions, states, parties and fields.
enum Names {
    /// A definition's name is a contract name: 1-32 of a-z 0-9 '-', starting with a letter.
    static func isContractName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0]) else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }

    /// States, transitions, parties, fields: 1-32 of a-z A-Z 0-9 '-' '_', starting with a letter.
    static func isIdentifier(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count), isLetter(bytes[0]) else { return false }
        return bytes.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// Instance ids: 1-64 of A-Z a-z 0-9 '-' '_' '.'.
    static func isInstanceID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// Organisation names, roles and account ids as parts of todo keys: 1-64 bytes of
    /// UTF-8 without control characters, '/' or '*'.
    static func isKeyPart(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7f && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "*") }
    }

    /// An account: ORGANIZATION/ID, each part as `isKeyPart` says.
    static func isAccount(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && isKeyPart(String(parts[0])) && isKeyPart(String(parts[1]))
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
