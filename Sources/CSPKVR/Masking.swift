import CSPBasics
import CSPContracts
import CSPCrypto
import CSPSQLite

/// Data-masking rules (docs/KVR.md, "Masking"): per table and column, or per field of a
/// JSON value, keep the last N characters, keep the first N, replace with a keyed hash (the
/// same input gives the same output, so joins still work) or drop. Applied to every row
/// before it reaches a sink, so unmasked values are never written.
public struct MaskRules: Sendable {
    public enum Action: Sendable, Equatable {
        case keepFirst(Int)
        case keepLast(Int)
        case hash
        case drop
    }

    public struct Rule: Sendable, Equatable {
        /// nil: any table (`*`).
        public var table: String?
        /// nil: any column (`*`).
        public var column: String?
        /// Members from the JSON value's root; empty: the column itself.
        public var path: [String]
        public var action: Action
    }

    public let rules: [Rule]
    private let key: [UInt8]?

    /// Reads a rules file: one `TABLE.COLUMN[.FIELD...] ACTION [N]` per line, `*` for any
    /// table or column, `#` to the end of a line is a comment. `key` is the secret of `hash`.
    public init(text: String, source: String, key: [UInt8]?, tables: [Table] = Tables.tables) throws {
        var rules: [Rule] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard !words.isEmpty else { continue }
            func invalid(_ reason: String) -> KVRError {
                KVRError(.failure, "invalid mask file \(quoted(source)) line \(index + 1): \(reason)")
            }
            guard words.count >= 2 else { throw invalid("expected 'TABLE.COLUMN ACTION', e.g. 'accounts.phone keep-last 4'") }
            let parts = words[0].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts.contains(where: \.isEmpty) else {
                throw invalid("\(quoted(words[0])) is not TABLE.COLUMN or TABLE.COLUMN.FIELD")
            }
            let table = parts[0] == "*" ? nil : parts[0]
            let column = parts[1] == "*" ? nil : parts[1]
            if let table {
                guard let known = tables.first(where: { $0.name == table }) else { throw invalid("no table \(quoted(table))") }
                if let column, known.column(column) == nil { throw invalid("table \(quoted(table)) has no column \(quoted(column))") }
            }
            let action: Action
            func count() throws -> Int {
                guard words.count == 3, let n = Int(words[2]), n >= 0 else { throw invalid("\(quoted(words[1])) needs a number of characters") }
                return n
            }
            switch words[1] {
            case "keep-first": action = .keepFirst(try count())
            case "keep-last": action = .keepLast(try count())
            case "hash": action = .hash
            case "drop": action = .drop
            default: throw invalid("unknown action \(quoted(words[1])) (keep-first N, keep-last N, hash, drop)")
            }
            if action == .hash || action == .drop, words.count > 2 { throw invalid("\(quoted(words[1])) takes no number") }
            rules.append(Rule(table: table, column: column, path: Array(parts.dropFirst(2)), action: action))
        }
        if rules.contains(where: { $0.action == .hash }), key == nil {
            throw KVRError(.failure, "mask file \(quoted(source)) uses 'hash': give its secret with --mask-key FILE")
        }
        self.rules = rules
        self.key = key
    }

    /// The rules that touch `table`, by column position.
    func compiled(for table: Table) -> [(Int, [String], Action)] {
        rules.flatMap { rule -> [(Int, [String], Action)] in
            guard rule.table == nil || rule.table == table.name else { return [] }
            return table.columns.indices.compactMap { index in
                let column = table.columns[index]
                guard rule.column == nil || rule.column == column.name else { return nil }
                // A JSON path only applies to columns that can hold JSON.
                guard rule.path.isEmpty || column.type == .json || column.type == .text else { return nil }
                return (index, rule.path, rule.action)
            }
        }
    }

    /// The transform for `RowDeriver.transform`: every rule of the row's table, in order.
    public func transform() -> (Table, inout [SQLiteValue]) -> Void {
        var cache: [String: [(Int, [String], Action)]] = [:]
        return { table, values in
            let rules: [(Int, [String], Action)]
            if let known = cache[table.name] {
                rules = known
            } else {
                rules = compiled(for: table)
                cache[table.name] = rules
            }
            for (index, path, action) in rules {
                values[index] = apply(action, path: path, to: values[index])
            }
        }
    }

    func apply(_ action: Action, path: [String], to value: SQLiteValue) -> SQLiteValue {
        guard !path.isEmpty else {
            switch value {
            case .null: return .null
            case let .text(text): return mask(text, action).map(SQLiteValue.text) ?? .null
            case let .integer(number): return mask(String(number), action).map(SQLiteValue.text) ?? .null
            case .real, .blob: return action == .drop ? .null : value
            }
        }
        guard case let .text(text) = value, let json = try? CanonicalJSON.parse(Array(text.utf8)) else { return value }
        let masked = apply(action, path: path[...], to: json)
        return masked == json ? value : .text(String(decoding: CanonicalJSON.encode(masked), as: UTF8.self))
    }

    private func apply(_ action: Action, path: ArraySlice<String>, to json: CanonicalJSON.Value) -> CanonicalJSON.Value {
        guard let name = path.first, var object = json.objectValue, let member = object[name] else { return json }
        if path.count > 1 {
            object[name] = apply(action, path: path.dropFirst(), to: member)
            return .object(object)
        }
        let text: String?
        switch member {
        case let .string(string): text = string
        case let .integer(number): text = String(number)
        case .null: return json
        default: text = nil  // objects and arrays: only drop or hash (of their canonical text) make sense
        }
        let source = text ?? String(decoding: CanonicalJSON.encode(member), as: UTF8.self)
        if let masked = mask(source, text == nil && !(action == .hash || action == .drop) ? .drop : action) {
            object[name] = .string(masked)
        } else {
            object[name] = nil
        }
        return .object(object)
    }

    /// One value masked; nil when dropped.
    func mask(_ text: String, _ action: Action) -> String? {
        switch action {
        case .drop:
            return nil
        case let .keepFirst(n):
            return String(text.prefix(n)) + String(repeating: "*", count: max(0, text.count - n))
        case let .keepLast(n):
            return String(repeating: "*", count: max(0, text.count - n)) + String(text.suffix(n))
        case .hash:
            return "h:" + Hex.encode(Self.hmac(key: key ?? [], Array(text.utf8)).prefix(16))
        }
    }

    /// HMAC-SHA256 (RFC 2104).
    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256.hash(key).bytes : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256Hasher()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        let outer = SHA256Hasher()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize().bytes)
        return outer.finalize().bytes
    }
}
