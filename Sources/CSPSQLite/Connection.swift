import CSQLite

/// The `sqlite3*` shared by a database and its statements.
///
/// Statements check it before each call, so using one after `close()` throws instead of
/// touching a closed connection. Not Sendable: a connection is opened NOMUTEX for one thread.
final class Connection {
    var pointer: OpaquePointer?

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// The open handle, or the error every call on a closed database reports.
    func checkedPointer(context: SQLiteError.Context) throws -> OpaquePointer {
        guard let pointer else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "database is closed", context: context)
        }
        return pointer
    }
}
