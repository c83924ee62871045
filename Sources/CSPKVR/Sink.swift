import CSPContracts

/// Where rows go. A sink receives a batch of changes, then `commit` with the checkpoint
/// that ends the batch; a target that can hold a transaction makes the batch and its
/// checkpoint one transaction, so an export killed at any point resumes with no
/// duplicates and no gaps.
public protocol Sink: AnyObject {
    /// A name for messages: the file, folder or URL.
    var target: String { get }
    /// Creates `tables` and returns the checkpoint the target holds for `channel`.
    func prepare(channel: String, tables: [Table]) throws -> Checkpoint?
    /// The definitions the target already holds for `channel` (to type the views of a
    /// resumed export), or nil when the sink cannot read its target.
    func storedDefinitions(channel: String) throws -> [CanonicalJSON.Value]?
    func apply(_ change: Change) throws
    /// Every change of `batch`, in order (a sink that can take the cells as they lie says so).
    func apply(_ batch: RowBatch) throws
    /// Ends the current batch with its checkpoint.
    func commit(_ checkpoint: Checkpoint) throws
    /// After the backlog is in (the last batch of an export, or the catch-up of a follow):
    /// secondary indexes, views. Batches may follow it.
    func finish(catalog: DefinitionCatalog) throws
    /// Discards the current batch after a failure.
    func abandon()
}

extension Sink {
    public func apply(_ batch: RowBatch) throws {
        try batch.forEachChange(apply)
    }
}
