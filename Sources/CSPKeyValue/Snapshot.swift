import CLevelDB

/// A frozen, consistent view of a database: reads through it ignore every write
/// made after `LevelDB.snapshot()`, so a multi-key read sees one moment in time.
///
/// `@unchecked Sendable`: LevelDB snapshots are immutable and may be read from any
/// thread; the C objects are only freed under the database's exclusive lock or by
/// this object's deinit, when no other reference can exist.
public final class Snapshot: @unchecked Sendable {
    let database: LevelDB
    let handle: SnapshotHandle

    init(database: LevelDB, handle: SnapshotHandle) {
        self.database = database
        self.handle = handle
    }

    deinit {
        // A held snapshot stops compaction from dropping old versions, so release it promptly.
        database.retire(handle)
    }
}
