import CSPSQLite

/// One thing a sink must do, in order: a row to insert or replace by its natural key, a row
/// to delete by key, or a business view to (re)create because a definition arrived.
public enum Change {
    case upsert(Table, [SQLiteValue])
    case delete(Table, key: [SQLiteValue])
    case view(definition: String, catalog: DefinitionCatalog)
}
