import CSPCrypto
import Foundation

/// One line of `sha256sum` output: `<64 hex>  <name>` (text mode) or `<64 hex> *<name>`
/// (binary mode). Names holding a backslash or a newline are escaped and the line starts
/// with a backslash, as GNU coreutils does, so any file name round-trips.
struct SHA256SumLine: Equatable {
    var digest: SHA256Digest
    var name: String

    var formatted: String {
        let needsEscape = name.contains("\\") || name.contains("\n")
        guard needsEscape else { return "\(digest.hex)  \(name)" }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
        return "\\\(digest.hex)  \(escaped)"
    }

    /// Parses a line; nil when it is not in sha256sum's format.
    init?(parsing line: Substring) {
        var rest = line
        let escaped = rest.first == "\\"
        if escaped { rest = rest.dropFirst() }
        guard rest.count > 66 else { return nil }
        let hexEnd = rest.index(rest.startIndex, offsetBy: 64)
        guard let digest = SHA256Digest(hex: rest[..<hexEnd]) else { return nil }
        let separator = rest[hexEnd...].prefix(2)
        guard separator == "  " || separator == " *" else { return nil }
        var name = String(rest[rest.index(hexEnd, offsetBy: 2)...])
        if escaped {
            guard let unescaped = Self.unescape(name) else { return nil }
            name = unescaped
        }
        self.digest = digest
        self.name = name
    }

    init(digest: SHA256Digest, name: String) {
        self.digest = digest
        self.name = name
    }

    private static func unescape(_ text: String) -> String? {
        var out = ""
        var iterator = text.makeIterator()
        while let c = iterator.next() {
            guard c == "\\" else { out.append(c); continue }
            switch iterator.next() {
            case "\\": out.append("\\")
            case "n": out.append("\n")
            default: return nil
            }
        }
        return out
    }
}
