/// One value of a row whose text and blob bytes lie in a buffer the caller owns: a number,
/// or a byte range of that buffer. A bulk writer keeps a batch of rows as cells over one
/// buffer and binds them where they lie (`Statement.run(rows:width:)`), with no String,
/// array or reference count per value.
public struct SQLiteCell: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case null, integer, real, text, blob
    }

    public var kind: Kind
    /// Bytes of a text or blob.
    public var length: Int32
    /// The integer, the real's bit pattern, or where a text's or blob's bytes start in the buffer.
    public var payload: Int64

    public init(kind: Kind, length: Int32, payload: Int64) {
        self.kind = kind
        self.length = length
        self.payload = payload
    }

    public static let null = SQLiteCell(kind: .null, length: 0, payload: 0)

    public static func integer(_ value: Int64) -> SQLiteCell { SQLiteCell(kind: .integer, length: 0, payload: value) }

    public static func real(_ value: Double) -> SQLiteCell {
        SQLiteCell(kind: .real, length: 0, payload: Int64(bitPattern: value.bitPattern))
    }

    /// The value as a `SQLiteValue`, its bytes read from `buffer`.
    public func value(in buffer: UnsafeRawPointer) -> SQLiteValue {
        switch kind {
        case .null: return .null
        case .integer: return .integer(payload)
        case .real: return .real(Double(bitPattern: UInt64(bitPattern: payload)))
        case .text:
            return .text(String(decoding: UnsafeRawBufferPointer(start: buffer + Int(payload), count: Int(length)), as: UTF8.self))
        case .blob:
            return .blob(Array(UnsafeRawBufferPointer(start: buffer + Int(payload), count: Int(length))))
        }
    }
}

/// Where one row's cells start, and the buffer their byte ranges point into.
public struct SQLiteRowCells {
    public var cells: UnsafePointer<SQLiteCell>
    public var buffer: UnsafeRawPointer

    public init(cells: UnsafePointer<SQLiteCell>, buffer: UnsafeRawPointer) {
        self.cells = cells
        self.buffer = buffer
    }
}
