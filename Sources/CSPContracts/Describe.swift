/// A key or name for a message: quoted text when it is printable UTF-8, else hex, and
/// never longer than 64 characters.
public func describeKey(_ bytes: [UInt8]) -> String {
    if let text = String(validating: bytes, as: UTF8.self),
       !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
        return "'" + (text.count > 64 ? String(text.prefix(61)) + "..." : text) + "'"
    }
    let hex = bytes.prefix(30).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    return "0x" + hex + (bytes.count > 30 ? "..." : "")
}
