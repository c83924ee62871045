import CSPBasics
import CSPContracts
import CSPSQLite

/// The changes derived from one or more blocks, in order, held flat: each row as cells over
/// one byte buffer (`SQLiteCell`), not an array and a string per value. A million-transaction
/// export makes five million rows; as arrays of `SQLiteValue` that was some twenty million
/// allocations made on the reader thread and freed after the writer, and a reference count
/// per text value bound. The SQLite sink binds the cells where they lie; other sinks read
/// each change back as a `Change` (`change(at:)`).
///
/// Written by one thread, then handed whole to another, which only reads it: the buffers
/// never move once the batch is handed over, so SQLite may bind pointers into them.
public final class RowBatch: @unchecked Sendable {
    public enum Kind: UInt8 {
        /// A row to insert or replace by its natural key: `count` cells, one per column.
        case upsert
        /// A row to delete: `count` cells, its key.
        case delete
        /// A business view to (re)create: `first` indexes `views`.
        case view
    }

    public struct Entry {
        public var table: Table
        public var kind: Kind
        public var first: Int
        public var count: Int
    }

    public private(set) var entries: [Entry] = []
    private var views: [(definition: String, catalog: DefinitionCatalog)] = []
    /// The cells, and the bytes of their texts and blobs; both grow by doubling (the cells
    /// hold offsets, never pointers, so the buffer may move while it is being written).
    private var cells: UnsafeMutablePointer<SQLiteCell>
    private var cellCount = 0
    private var cellCapacity: Int
    private var buffer: UnsafeMutableRawPointer
    private var byteCount = 0
    private var byteCapacity: Int
    /// Applied to every row as it ends (masking): the unmasked values never leave the batch.
    private let transform: ((Table, inout [SQLiteValue]) -> Void)?
    /// The row being written: its table and first cell.
    private var rowTable: Table?
    private var rowStart = 0

    public init(transform: ((Table, inout [SQLiteValue]) -> Void)? = nil, cells: Int = 1024, bytes: Int = 16 << 10) {
        self.transform = transform
        cellCapacity = max(16, cells)
        byteCapacity = max(256, bytes)
        self.cells = .allocate(capacity: cellCapacity)
        buffer = .allocate(byteCount: byteCapacity, alignment: 16)
    }

    deinit {
        cells.deallocate()
        buffer.deallocate()
    }

    /// The bytes its buffers take (for a holder that bounds what it keeps).
    public var footprint: Int { cellCapacity * MemoryLayout<SQLiteCell>.stride + byteCapacity }

    // MARK: Writing rows

    /// Starts a row of `table`; its cells follow, one per column, then `endRow`.
    func beginRow(_ table: Table) {
        precondition(rowTable == nil, "a row of \(rowTable?.name ?? "") is not ended")
        rowTable = table
        rowStart = cellCount
    }

    /// Ends the row begun last, through the transform when there is one.
    func endRow() {
        guard let table = rowTable else { preconditionFailure("no row begun") }
        rowTable = nil
        if let transform {
            var values = (rowStart..<cellCount).map { cells[$0].value(in: buffer) }
            transform(table, &values)
            cellCount = rowStart
            for value in values { self.value(value) }
        }
        entries.append(Entry(table: table, kind: .upsert, first: rowStart, count: cellCount - rowStart))
    }

    /// A whole row at once (the tables off the hot path, mapped rows).
    public func appendRow(_ table: Table, _ values: [SQLiteValue]) {
        beginRow(table)
        for value in values { self.value(value) }
        endRow()
    }

    /// A delete by `key` (already masked where masking applies).
    public func appendDelete(_ table: Table, key: [SQLiteValue]) {
        let first = cellCount
        for value in key { self.value(value) }
        entries.append(Entry(table: table, kind: .delete, first: first, count: key.count))
    }

    public func appendView(definition: String, catalog: DefinitionCatalog) {
        entries.append(Entry(table: Tables.checkpoint, kind: .view, first: views.count, count: 0))
        views.append((definition, catalog))
    }

    /// `change` as it is (no transform: a Change is already what a sink receives).
    public func append(_ change: Change) {
        switch change {
        case let .upsert(table, values):
            let first = cellCount
            for value in values { self.value(value) }
            entries.append(Entry(table: table, kind: .upsert, first: first, count: values.count))
        case let .delete(table, key):
            appendDelete(table, key: key)
        case let .view(definition, catalog):
            appendView(definition: definition, catalog: catalog)
        }
    }

    // MARK: Writing cells

    private func cell(_ cell: SQLiteCell) {
        if cellCount == cellCapacity {
            let larger = UnsafeMutablePointer<SQLiteCell>.allocate(capacity: cellCapacity * 2)
            larger.moveInitialize(from: cells, count: cellCount)
            cells.deallocate()
            cells = larger
            cellCapacity *= 2
        }
        (cells + cellCount).initialize(to: cell)
        cellCount += 1
    }

    /// Room for `count` more bytes; returns where they go.
    private func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        if byteCount + count > byteCapacity {
            var capacity = byteCapacity * 2
            while byteCount + count > capacity { capacity *= 2 }
            let larger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            larger.copyMemory(from: buffer, byteCount: byteCount)
            buffer.deallocate()
            buffer = larger
            byteCapacity = capacity
        }
        return buffer + byteCount
    }

    /// A cell for the `count` bytes just written at the end of the buffer.
    private func bytesCell(_ kind: SQLiteCell.Kind, _ count: Int) {
        precondition(count <= Int(Int32.max), "a value of \(count) bytes is too big for SQLite")
        cell(SQLiteCell(kind: kind, length: Int32(count), payload: Int64(byteCount)))
        byteCount += count
    }

    func null() { cell(.null) }

    func integer(_ value: Int64) { cell(.integer(value)) }

    /// Text from bytes that are valid UTF-8.
    func text(utf8 bytes: UnsafeRawBufferPointer) {
        if bytes.count > 0 { reserve(bytes.count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        bytesCell(.text, bytes.count)
    }

    func text(_ string: String) {
        var string = string
        string.withUTF8 { text(utf8: UnsafeRawBufferPointer($0)) }
    }

    func blob(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            if raw.count > 0 { reserve(raw.count).copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
        }
        bytesCell(.blob, bytes.count)
    }

    /// Lower-case hex of `bytes`, written straight into the buffer.
    func hex(_ bytes: [UInt8]) {
        let out = reserve(bytes.count * 2).assumingMemoryBound(to: UInt8.self)
        bytes.withUnsafeBufferPointer { Hex.encode($0, into: out) }
        bytesCell(.text, bytes.count * 2)
    }

    /// Text written by `body` into room for at most `capacity` bytes; `body` returns how many it wrote.
    func text(capacity: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        let written = body(reserve(capacity).assumingMemoryBound(to: UInt8.self))
        bytesCell(.text, written)
    }

    func value(_ value: SQLiteValue) {
        switch value {
        case .null: null()
        case .integer(let number): integer(number)
        case .real(let number): cell(.real(number))
        case .text(let string): text(string)
        case .blob(let bytes): blob(bytes)
        }
    }

    // MARK: Reading

    /// The values of `entry`'s cells.
    public func values(_ entry: Entry) -> [SQLiteValue] {
        (entry.first..<entry.first + entry.count).map { cells[$0].value(in: buffer) }
    }

    /// `entry` as the change it stands for.
    public func change(_ entry: Entry) -> Change {
        switch entry.kind {
        case .upsert: return .upsert(entry.table, values(entry))
        case .delete: return .delete(entry.table, key: values(entry))
        case .view: return .view(definition: views[entry.first].definition, catalog: views[entry.first].catalog)
        }
    }

    /// Every change in order.
    public func forEachChange(_ body: (Change) throws -> Void) rethrows {
        for entry in entries { try body(change(entry)) }
    }

    /// The cells of `entry` where they lie, for binding (valid while the batch lives, unchanged).
    public func rowCells(_ entry: Entry) -> SQLiteRowCells {
        SQLiteRowCells(cells: UnsafePointer(cells + entry.first), buffer: UnsafeRawPointer(buffer))
    }

    /// The definition and catalog of a view entry.
    public func view(_ entry: Entry) -> (definition: String, catalog: DefinitionCatalog) {
        views[entry.first]
    }
}
