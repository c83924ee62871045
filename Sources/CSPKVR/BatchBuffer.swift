import CSPSQLite

/// The changes of one batch per table, reduced to the last one per natural key: what a
/// text sink writes at the end of the batch. A key both written and deleted in one batch
/// leaves only its last change, so COPY-and-upsert never meets a key twice.
struct BatchBuffer {
    enum Operation {
        case upsert([SQLiteValue])
        case delete
    }

    struct TableChanges {
        var table: Table
        var keys: [[SQLiteValue]] = []
        var operations: [[SQLiteValue]: Operation] = [:]
    }

    private(set) var tables: [String: TableChanges] = [:]
    /// Table names in the order their first change came (the deriver's order: blocks first).
    private var order: [String] = []

    /// The checkpoint row that ends a batch.
    static func checkpointRow(_ checkpoint: Checkpoint) -> Change {
        .upsert(Tables.checkpoint, [.text(checkpoint.channel), .integer(Int64(bitPattern: checkpoint.block)),
                                    .text(checkpoint.hash.hex), .text(checkpoint.commitHash.hex)])
    }
    private(set) var views: [String: DefinitionCatalog] = [:]
    var isEmpty: Bool { tables.isEmpty && views.isEmpty }

    mutating func add(_ change: Change) {
        switch change {
        case let .upsert(table, values):
            record(table, table.keyPositions.map { values[$0] }, .upsert(values))
        case let .delete(table, key):
            record(table, key, .delete)
        case let .view(definition, catalog):
            views[definition] = catalog
        }
    }

    private mutating func record(_ table: Table, _ key: [SQLiteValue], _ operation: Operation) {
        // Mutated in place through the subscript, so the arrays are never copied.
        if tables[table.name] == nil {
            tables[table.name] = TableChanges(table: table)
            order.append(table.name)
        }
        if tables[table.name]!.operations.updateValue(operation, forKey: key) == nil { tables[table.name]!.keys.append(key) }
    }

    /// The tables with changes, in the order their first change came.
    var ordered: [TableChanges] {
        order.compactMap { tables[$0] }
    }

    mutating func removeAll() {
        tables = [:]
        order = []
        views = [:]
    }
}
