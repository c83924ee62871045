extension SQLiteDatabase {
    /// How an outermost transaction takes its locks.
    public enum TransactionKind: String, Sendable {
        /// Locks on first read or write; may fail with "database is locked" at the first write.
        case deferred = "DEFERRED"
        /// Takes the write lock at BEGIN, so a writer learns at once whether it can proceed.
        case immediate = "IMMEDIATE"
        /// Like immediate; in WAL mode readers are still allowed.
        case exclusive = "EXCLUSIVE"
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws and
    /// rethrows the body's own error.
    ///
    /// Inside an open transaction this uses a SAVEPOINT instead (and ignores `kind`), so an
    /// inner failure undoes only the inner work and the outer caller decides what to do.
    /// It is `throws` rather than `rethrows` because BEGIN and COMMIT can fail on their own
    /// (busy database, deferred foreign keys), and those failures must not be hidden.
    public func inTransaction<T>(_ kind: TransactionKind = .deferred, _ body: () throws -> T) throws -> T {
        if isInTransaction {
            return try inSavepoint(body)
        }
        try execute("BEGIN \(kind.rawValue) TRANSACTION")
        let result: T
        do {
            result = try body()
        } catch {
            rollbackIfActive()
            throw error
        }
        do {
            try execute("COMMIT TRANSACTION")
        } catch {
            // A failed COMMIT leaves the transaction open; close it so the connection is usable.
            rollbackIfActive()
            throw error
        }
        return result
    }

    private func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "csp_savepoint_\(savepointDepth)"
        try execute("SAVEPOINT \(name)")
        let result: T
        do {
            result = try body()
        } catch {
            // Some errors (full disk, I/O) make SQLite roll back everything itself.
            if isInTransaction {
                try? execute("ROLLBACK TO SAVEPOINT \(name)")
                try? execute("RELEASE SAVEPOINT \(name)")
            }
            throw error
        }
        try execute("RELEASE SAVEPOINT \(name)")
        return result
    }

    /// Best effort: the caller is already reporting a more useful error.
    private func rollbackIfActive() {
        if isInTransaction {
            try? execute("ROLLBACK TRANSACTION")
        }
    }
}
