import CSPBasics
import CSPContracts
import CSPSQLite

/// `--mapping FILE` (docs/KVR.md, "Mapping"): tables of the state of any other namespace
/// or definition. Each mapped table follows the current state of the keys under a prefix
/// (its key column is the rest of the key), or of the instances of one workflow definition
/// (keyed by instance id), with columns taken from members of the JSON value.
public struct Mapping: Sendable {
    public enum Source: Sendable, Equatable {
        case prefix(String)
        case definition(String)
    }

    public struct Mapped: Sendable {
        public var table: Table
        public var source: Source
        /// Per mapped column: its position in the row and its member path in the value
        /// (`$value` maps the whole value, as text).
        var columns: [(position: Int, path: [String], type: ColumnType)]
    }

    public let mapped: [Mapped]
    public var tables: [Table] { mapped.map(\.table) }

    public init(text: String, source: String) throws {
        func invalid(_ reason: String) -> KVRError { KVRError(.failure, "invalid mapping file \(quoted(source)): \(reason)") }
        let json: CanonicalJSON.Value
        do {
            json = try CanonicalJSON.parse(Array(text.utf8))
        } catch {
            throw invalid("\(error)")
        }
        guard let object = json.objectValue, Set(object.keys) == ["tables"], let list = object["tables"]?.arrayValue, !list.isEmpty else {
            throw invalid("expected {\"tables\": [ … ]} with at least one table")
        }
        func isName(_ name: String) -> Bool {
            guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.utf8.count <= 63 else { return false }
            return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        }
        var mapped: [Mapped] = []
        for entry in list {
            guard let spec = entry.objectValue, let name = spec["name"]?.stringValue else { throw invalid("every table needs a \"name\"") }
            func tableError(_ reason: String) -> KVRError { invalid("table \(quoted(name)): \(reason)") }
            guard isName(name) else { throw tableError("a name is 1 to 63 of a-z 0-9 _, starting with a letter") }
            guard Tables.table(named: name) == nil, !mapped.contains(where: { $0.table.name == name }) else {
                throw tableError("the name is taken")
            }
            if let unknown = Set(spec.keys).subtracting(["name", "prefix", "definition", "key", "columns"]).sorted().first {
                throw tableError("unknown key \(quoted(unknown))")
            }
            let origin: Source
            switch (spec["prefix"]?.stringValue, spec["definition"]?.stringValue) {
            case let (prefix?, nil) where !prefix.isEmpty: origin = .prefix(prefix)
            case let (nil, definition?) where !definition.isEmpty: origin = .definition(definition)
            default: throw tableError("give either \"prefix\" (a state key prefix) or \"definition\" (a workflow definition)")
            }
            var keyName = "key"
            if case .definition = origin { keyName = "id" }
            keyName = spec["key"]?.stringValue ?? keyName
            guard isName(keyName) else { throw tableError("key column \(quoted(keyName)) is not a valid name") }
            var columns = [Tables.channel, Column(keyName, .text, keyLength: 600)]
            var paths: [(Int, [String], ColumnType)] = []
            for column in spec["columns"]?.arrayValue ?? [] {
                guard let name = column["name"]?.stringValue, isName(name) else { throw tableError("every column needs a valid \"name\"") }
                guard !columns.contains(where: { $0.name == name }), !["block", "position"].contains(name) else {
                    throw tableError("column \(quoted(name)) appears twice or is reserved")
                }
                if let unknown = Set(column.objectValue?.keys ?? [:].keys).subtracting(["name", "from", "type"]).sorted().first {
                    throw tableError("column \(quoted(name)): unknown key \(quoted(unknown))")
                }
                let from = column["from"]?.stringValue ?? name
                let type: ColumnType
                switch column["type"]?.stringValue ?? "text" {
                case "text": type = .text
                case "integer": type = .integer
                case "json": type = .json
                case let other: throw tableError("column \(quoted(name)): unknown type \(quoted(other)) (text, integer, json)")
                }
                paths.append((columns.count, from == "$value" ? [] : from.split(separator: ".").map(String.init), type))
                columns.append(Column(name, type))
            }
            guard !paths.isEmpty else { throw tableError("needs at least one column") }
            columns += [Tables.block, Tables.position]
            mapped.append(Mapped(table: Table(name, columns, key: ["channel", keyName], currentState: true), source: origin,
                                 columns: paths.map { (position: $0.0, path: $0.1, type: $0.2) }))
        }
        self.mapped = mapped
    }

    /// The changes one final write of a block makes to the mapped tables.
    func changes(channel: String, key: String, value: [UInt8]?, block: SQLiteValue, position: SQLiteValue) -> [Change] {
        var changes: [Change] = []
        for entry in mapped {
            let rowKey: String
            switch entry.source {
            case let .prefix(prefix):
                guard key.hasPrefix(prefix) else { continue }
                rowKey = String(key.dropFirst(prefix.count))
            case .definition:
                guard key.hasPrefix("wf/") else { continue }
                rowKey = String(key.dropFirst(3))
            }
            guard let value else {
                changes.append(.delete(entry.table, key: [.text(channel), .text(rowKey)]))
                continue
            }
            let json = try? CanonicalJSON.parse(value)
            if case let .definition(name) = entry.source, json?["definition"]?.stringValue != name { continue }
            var row = [SQLiteValue](repeating: .null, count: entry.table.columns.count)
            row[0] = .text(channel)
            row[1] = .text(rowKey)
            for (position, path, type) in entry.columns {
                guard !path.isEmpty else {
                    row[position] = UTF8Text.decode(value).map(SQLiteValue.text) ?? .blob(value)
                    continue
                }
                var member = json
                for name in path { member = member?[name] }
                guard let member, member != .null else { continue }
                switch (type, member) {
                case let (.integer, .integer(number)): row[position] = .integer(Int64(number))
                case let (.integer, .string(text)): row[position] = Int64(text).map(SQLiteValue.integer) ?? .null
                case let (.text, .string(text)): row[position] = .text(text)
                default: row[position] = .text(String(decoding: CanonicalJSON.encode(member), as: UTF8.self))
                }
            }
            row[row.count - 2] = block
            row[row.count - 1] = position
            changes.append(.upsert(entry.table, row))
        }
        return changes
    }
}
