import CSPCrypto

/// One line of `sha256sum` output, read and written as GNU coreutils does, so that
/// `sha256sum -c` accepts what `csp-audit hash` prints and `csp-audit check` accepts
/// what `sha256sum` (or `sha256sum --tag`) prints, byte for byte.
///
/// Written: `<64 hex>  <name>`. A name holding a backslash, newline or carriage return
/// is escaped (`\\`, `\n`, `\r`) and the line starts with a backslash.
/// Read: the GNU form (`  ` or ` *` after the digest, or BSD `md5 -r`'s single space),
/// the BSD form `SHA256 (<name>) = <64 hex>` (`--tag`), either with the leading
/// backslash of an escaped name; leading blanks, upper-case hex and a CRLF ending are
/// accepted; blank lines and lines starting with `#` are skipped.
public struct SHA256SumLine: Equatable, Sendable {
    public var digest: SHA256Digest
    public var name: String

    public init(digest: SHA256Digest, name: String) {
        self.digest = digest
        self.name = name
    }

    /// What `sha256sum` prints for this file.
    public var formatted: String {
        guard name.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\n" || $0 == "\r" }) else { return "\(digest.hex)  \(name)" }
        return "\\\(digest.hex)  \(Self.escape(name))"
    }

    /// A name as `sha256sum -c` prints it before ": OK": escaped, with a leading
    /// backslash, only when it holds a newline (a name with only a backslash or a
    /// carriage return is printed as is).
    public static func checkedName(_ name: String) -> String {
        name.unicodeScalars.contains("\n") ? "\\" + escape(name) : name
    }

    /// What a line of a list holds.
    public enum Parsed: Equatable, Sendable {
        case entry(SHA256SumLine)
        /// Blank or a `#` comment: not counted, not a problem.
        case skip
        /// Not in any format sha256sum reads ("improperly formatted").
        case malformed
    }

    /// Parses one line without its `\n`.
    public static func parse(_ line: Substring) -> Parsed {
        if line.first == "#" { return .skip }
        var rest = line
        if rest.unicodeScalars.last == "\r" { rest = Substring(rest.unicodeScalars.dropLast()) }
        if rest.isEmpty { return .skip }
        rest = rest.drop { $0 == " " || $0 == "\t" }
        let escaped = rest.first == "\\"
        if escaped { rest = rest.dropFirst() }
        guard let entry = tagged(rest, escaped: escaped) ?? untagged(rest, escaped: escaped) else { return .malformed }
        return .entry(entry)
    }

    /// `SHA256 (<name>) = <hex>`; the name ends at the last ')' as coreutils reads it,
    /// since BSD tools do not escape names.
    private static func tagged(_ line: Substring, escaped: Bool) -> SHA256SumLine? {
        guard line.hasPrefix("SHA256") else { return nil }
        var rest = line.dropFirst(6)
        if rest.first == " " { rest = rest.dropFirst() }
        guard rest.first == "(", let close = rest.lastIndex(of: ")") else { return nil }
        let rawName = rest[rest.index(after: rest.startIndex)..<close]
        var tail = rest[rest.index(after: close)...].drop { $0 == " " || $0 == "\t" }
        guard tail.first == "=" else { return nil }
        tail = tail.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard tail.utf8.count == 64, let digest = SHA256Digest(hex: tail.lowercased()) else { return nil }
        return make(digest, rawName, escaped: escaped)
    }

    /// `<hex>  <name>`, `<hex> *<name>`, or `<hex> <name>`.
    private static func untagged(_ line: Substring, escaped: Bool) -> SHA256SumLine? {
        let utf8 = line.utf8
        guard utf8.count > 65 else { return nil }
        let hexEnd = utf8.index(utf8.startIndex, offsetBy: 64)
        guard let digest = SHA256Digest(hex: String(line[..<hexEnd]).lowercased()) else { return nil }
        let separator = utf8[hexEnd]
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "\t") else { return nil }
        var nameStart = utf8.index(after: hexEnd)
        if nameStart < utf8.endIndex, utf8[nameStart] == UInt8(ascii: " ") || utf8[nameStart] == UInt8(ascii: "*"),
           utf8.distance(from: nameStart, to: utf8.endIndex) > 1 {
            nameStart = utf8.index(after: nameStart)
        }
        return make(digest, line[nameStart...], escaped: escaped)
    }

    private static func make(_ digest: SHA256Digest, _ raw: Substring, escaped: Bool) -> SHA256SumLine? {
        guard !raw.isEmpty else { return nil }
        guard escaped else { return SHA256SumLine(digest: digest, name: String(raw)) }
        guard let name = unescape(raw) else { return nil }
        return SHA256SumLine(digest: digest, name: name)
    }

    static func escape(_ name: String) -> String {
        var out = ""
        for c in name.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private static func unescape(_ text: Substring) -> String? {
        var out = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let c = iterator.next() {
            guard c == "\\" else { out.unicodeScalars.append(c); continue }
            switch iterator.next() {
            case "\\": out += "\\"
            case "n": out += "\n"
            case "r": out += "\r"
            default: return nil
            }
        }
        return out
    }
}
