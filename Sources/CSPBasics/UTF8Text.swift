/// Bytes as text when they are valid UTF-8.
///
/// `String(validating:as:)` is generic and looks up type metadata at every call, which
/// showed as a tenth of a block reader's time; the keys, names and JSON the ledger carries
/// are nearly always ASCII, which needs no validation beyond the byte check.
public enum UTF8Text {
    public static func decode(_ bytes: [UInt8]) -> String? {
        let ascii = bytes.withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0 < 0x80 } }
        return ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }
}
