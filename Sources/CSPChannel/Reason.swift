import CSPFormat

extension Validation {
    /// A refusal with its reason made fit for a block: one line, at most
    /// `FormatLimits.reason` bytes (cut on a character boundary), so no message a
    /// certificate or an argument smuggles in can make the block unencodable.
    static func refused(_ code: ValidationCode, _ reason: String) -> Validation {
        Validation(code: code, reason: clipReason(reason))
    }
}

func clipReason(_ reason: String) -> String {
    var text = reason.replacing("\r\n", with: " ").replacing("\n", with: " ").replacing("\r", with: " ")
    if text.utf8.count > FormatLimits.reason {
        var clipped = ""
        for character in text {
            if clipped.utf8.count + character.utf8.count > FormatLimits.reason - 3 { break }
            clipped.append(character)
        }
        text = clipped + "..."
    }
    return text
}

/// A key or name for a message: quoted text when it is printable UTF-8, else hex, and
/// never longer than 64 characters.
func describeKey(_ bytes: [UInt8]) -> String {
    if let text = String(validating: bytes, as: UTF8.self),
       !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
        return "'" + (text.count > 64 ? String(text.prefix(61)) + "..." : text) + "'"
    }
    let hex = bytes.prefix(30).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    return "0x" + hex + (bytes.count > 30 ? "..." : "")
}
