import CSPBasics

/// Checks one field's argument against its type and gives the value to store
/// (docs/CONTRACTS.md, "Field types").
struct FieldValues {
    let call: ContractCall
    let state: TransactionState

    func typed(_ name: String, _ spec: FieldSpec, _ raw: [UInt8]) throws -> CanonicalJSON.Value {
        guard let text = String(validating: raw, as: UTF8.self) else { throw problem(name, "is not UTF-8 text") }
        guard !text.isEmpty else { throw problem(name, "is empty") }
        switch spec.type {
        case .string(let max):
            guard text.unicodeScalars.count <= max else { throw problem(name, "is longer than \(max) characters") }
            return .string(text)
        case .integer(let min, let max):
            guard let number = Self.integer(text) else { throw problem(name, "must be a decimal integer, not \(shown(text))") }
            if let min, number < min { throw problem(name, "must be at least \(min), not \(number)") }
            if let max, number > max { throw problem(name, "must be at most \(max), not \(number)") }
            return .integer(number)
        case .enumeration(let values):
            guard values.contains(text) else { throw problem(name, "must be one of \(values.joined(separator: ", ")), not \(shown(text))") }
            return .string(text)
        case .amount:
            guard Self.isAmount(text) else {
                throw problem(name, "must be an amount like \"1234.50 CNY\" (at most 2 decimals, a 3-letter currency), not \(shown(text))")
            }
            return .string(text)
        case .date:
            guard Self.isDate(text) else { throw problem(name, "must be a calendar date YYYY-MM-DD, not \(shown(text))") }
            return .string(text)
        case .fingerprint:
            guard let fingerprint = Self.fingerprint(raw) else {
                throw problem(name, "must be a fingerprint {\"name\",\"sha256\",\"size\"}: a name of 1-255 bytes, 64 lower-case hex digits, a size ≥ 0")
            }
            return fingerprint
        case .reference(let definition):
            guard Names.isInstanceID(text) else { throw problem(name, "must be an instance id, not \(shown(text))") }
            guard let bytes = try state.value(for: Array("wf/\(text)".utf8)) else { throw problem(name, "names no instance: \(quoted(text))") }
            guard let instance = WorkflowInstance(json: bytes), instance.definition == definition else {
                throw problem(name, "must name an instance of \(quoted(definition)); \(quoted(text)) is not one")
            }
            return .string(text)
        case .account(let role, let organization):
            try checkAccount(name, text, role: role, organization: organization)
            return .string(text)
        case .accounts(let role, let organization):
            guard case .array(let elements)? = try? CanonicalJSON.parse(raw), !elements.isEmpty, elements.count <= 64 else {
                throw problem(name, "must be a JSON array of 1 to 64 accounts")
            }
            var accounts: [String] = []
            for element in elements {
                guard let account = element.stringValue else { throw problem(name, "must be a JSON array of 1 to 64 accounts") }
                guard !accounts.contains(account) else { throw problem(name, "names \(quoted(account)) twice") }
                try checkAccount(name, account, role: role, organization: organization)
                accounts.append(account)
            }
            return .array(accounts.map(CanonicalJSON.Value.string))
        }
    }

    /// Accounts named in fields must be registered and active, with the role (and
    /// organisation) the field asks for: the ledger knows them only by their record.
    func checkAccount(_ name: String, _ account: String, role: String?, organization: String?) throws {
        guard Names.isAccount(account) else { throw problem(name, "must be an account ORGANIZATION/ID, not \(shown(account))") }
        guard let record = try Self.accountRecord(account, state) else { throw problem(name, "names \(quoted(account)), which is not a registered account") }
        guard record.active else { throw problem(name, "names \(quoted(account)), which is deregistered") }
        if let role, record.role != role { throw problem(name, "names \(quoted(account)), whose role is \(quoted(record.role)), not \(quoted(role))") }
        if let organization, record.organization != organization {
            throw problem(name, "names \(quoted(account)), which is not of organisation \(quoted(organization))")
        }
    }

    struct AccountRecord {
        var role: String
        var organization: String
        var active: Bool
    }

    /// `account/<ACCOUNT>` as the account contract writes it.
    static func accountRecord(_ account: String, _ state: TransactionState) throws -> AccountRecord? {
        guard let bytes = try state.value(for: Array("account/\(account)".utf8)) else { return nil }
        guard let value = try? CanonicalJSON.parse(bytes) else { return nil }
        let organization = value["organization"]?.stringValue ?? String(account.prefix { $0 != "/" })
        return AccountRecord(role: value["role"]?.stringValue ?? "", organization: organization,
                             active: value["status"]?.stringValue == "active")
    }

    private func problem(_ name: String, _ text: String) -> ContractFailure {
        call.failure("field \(quoted(name)) \(text)")
    }

    private func shown(_ text: String) -> String { quoted(text.count > 40 ? String(text.prefix(37)) + "..." : text) }

    /// An optional '-', then digits without leading zeros.
    static func integer(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              digits == "0" || !digits.hasPrefix("0"), text != "-0" else { return nil }
        return Int(text)
    }

    /// "1234.50 CNY": digits without leading zeros (at most 18), optionally '.' and 1-2
    /// digits, one space, three upper-case letters.
    static func isAmount(_ text: String) -> Bool {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].utf8.count == 3,
              parts[1].utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else { return false }
        let number = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(number.count) else { return false }
        let whole = number[0]
        guard (1...18).contains(whole.utf8.count), isDigits(whole), whole == "0" || !whole.hasPrefix("0") else { return false }
        if number.count == 2 { guard (1...2).contains(number[1].utf8.count), isDigits(number[1]) else { return false } }
        return true
    }

    /// YYYY-MM-DD, a real day of the proleptic Gregorian calendar, years 0001-9999.
    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        func number(_ range: Range<Int>) -> Int? {
            let slice = bytes[range]
            guard slice.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            return Int(String(decoding: slice, as: UTF8.self))
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), year >= 1, (1...12).contains(month) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// {"name": 1-255 bytes, "sha256": 64 lower-case hex, "size": integer ≥ 0}, nothing else.
    static func fingerprint(_ raw: [UInt8]) -> CanonicalJSON.Value? {
        guard let value = try? CanonicalJSON.parse(raw), let members = value.objectValue, members.count == 3,
              let name = members["name"]?.stringValue, (1...255).contains(name.utf8.count),
              let digest = members["sha256"]?.stringValue, digest.utf8.count == 64,
              digest.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }),
              let size = members["size"]?.integerValue, size >= 0 else { return nil }
        return value
    }

    private static func isDigits(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
