import CSPContracts

/// The workflow definitions seen so far, merged per name over every version: the typed
/// columns of the business views (demands, service_contracts, orders, invoices, feedback,
/// and one per any other definition). Instances live in the `instances` table; each view
/// selects one definition's instances and turns the fields and parties its definitions
/// declare into typed columns. Views rather than tables: a new definition or version only
/// replaces a view, so the tables never change shape while a follow runs, and replaying a
/// range into any dialect stays idempotent.
public struct DefinitionCatalog: Sendable, Equatable {
    /// How a declared field is read out of an instance's `fields`.
    public enum FieldKind: String, Sendable { case text, integer, json }

    public struct Definition: Sendable, Equatable {
        public var fields: [String: FieldKind] = [:]
        public var parties: Set<String> = []
    }

    public private(set) var definitions: [String: Definition] = [:]

    public init() {}

    /// Merges one stored definition (`contract/def/<NAME>/<VERSION>`'s `definition`);
    /// returns the definition's name when its view changes.
    @discardableResult
    public mutating func add(_ definition: CanonicalJSON.Value) -> String? {
        guard let name = definition["name"]?.stringValue else { return nil }
        var entry = definitions[name] ?? Definition()
        for (field, spec) in definition["fields"]?.objectValue ?? [:] where entry.fields[field] == nil {
            let kind: FieldKind
            if spec["perAccount"] == .bool(true) {
                kind = .json
            } else {
                switch spec["type"]?.stringValue {
                case "integer": kind = .integer
                case "fingerprint", "accounts": kind = .json
                default: kind = .text
                }
            }
            entry.fields[field] = kind
        }
        entry.parties.formUnion((definition["parties"]?.objectValue ?? [:]).keys)
        guard entry != definitions[name] else { return nil }
        definitions[name] = entry
        return name
    }

    /// The view's name: the definition's name in snake case, plural (`service-contract` →
    /// `service_contracts`, `feedback` stays), prefixed `wf_` if a built-in table has it.
    public static func viewName(_ definition: String) -> String {
        var name = snake(definition)
        let uncountable = ["feedback", "data", "information", "equipment", "news"]
        if !uncountable.contains(where: { name.hasSuffix($0) }) {
            if name.hasSuffix("s") || name.hasSuffix("x") || name.hasSuffix("ch") || name.hasSuffix("sh") {
                name += "es"
            } else if name.hasSuffix("y"), let before = name.dropLast().last, !"aeiou".contains(before) {
                name = name.dropLast() + "ies"
            } else {
                name += "s"
            }
        }
        return Tables.table(named: name) == nil ? name : "wf_" + name
    }

    static func snake(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// Columns every business view has before the declared fields.
    static let fixedColumns = ["channel", "id", "version", "state", "parties", "operators", "deadline", "signatures",
                               "documents", "links", "timeline_length", "created_block", "created_time", "created_by",
                               "updated_block", "updated_time", "updated_by"]

    /// `DROP VIEW` + `CREATE VIEW` for one definition's view, in the dialect.
    public func viewDDL(_ name: String, _ dialect: Dialect) -> String {
        guard let entry = definitions[name] else { return "" }
        let view = Self.viewName(name)
        var taken = Set(Self.fixedColumns)
        var columns = Self.fixedColumns.map { "i." + dialect.quote($0) }
        func column(_ proposed: String) -> String {
            var alias = Self.snake(proposed)
            while taken.contains(alias) { alias = "field_" + alias }
            taken.insert(alias)
            return dialect.quote(alias)
        }
        for party in entry.parties.sorted() {
            columns.append("\(extract("parties", party, .text, dialect)) AS \(column("party_" + party))")
        }
        for (field, kind) in entry.fields.sorted(by: { $0.key < $1.key }) {
            columns.append("\(extract("fields", field, kind, dialect)) AS \(column(field))")
        }
        let literal = "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
        let select = "SELECT \(columns.joined(separator: ", ")) FROM \(dialect.quote("instances")) i WHERE i.\(dialect.quote("definition")) = \(literal)"
        switch dialect {
        case .mysql: return "CREATE OR REPLACE VIEW \(dialect.quote(view)) AS \(select);"
        default: return "DROP VIEW IF EXISTS \(dialect.quote(view));\nCREATE VIEW \(dialect.quote(view)) AS \(select);"
        }
    }

    /// Every view's DDL, by definition name.
    public func allViewsDDL(_ dialect: Dialect) -> String {
        definitions.keys.sorted().map { viewDDL($0, dialect) + "\n" }.joined()
    }

    /// One member of a JSON column, typed.
    private func extract(_ object: String, _ member: String, _ kind: FieldKind, _ dialect: Dialect) -> String {
        let column = "i." + dialect.quote(object)
        let escaped = member.replacingOccurrences(of: "'", with: "''")
        switch dialect {
        case .sqlite:
            let value = "json_extract(\(column), '$.\"\(escaped)\"')"
            switch kind {
            case .text: return value
            case .integer: return "CAST(\(value) AS INTEGER)"
            case .json: return value
            }
        case .postgres:
            switch kind {
            case .text: return "(\(column) ->> '\(escaped)')"
            case .integer: return "((\(column) ->> '\(escaped)')::bigint)"
            case .json: return "(\(column) -> '\(escaped)')"
            }
        case .mysql:
            let value = "JSON_EXTRACT(\(column), '$.\"\(escaped)\"')"
            switch kind {
            case .text: return "JSON_UNQUOTE(\(value))"
            case .integer: return "CAST(\(value) AS SIGNED)"
            case .json: return value
            }
        }
    }
}
