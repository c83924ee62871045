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
