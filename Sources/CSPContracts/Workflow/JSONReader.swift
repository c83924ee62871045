/// Why bytes are not JSON of the shapes the ledger stores: what is wrong and where.
public struct JSONError: Error, CustomStringConvertible, Equatable, Sendable {
    public let offset: Int
    public let reason: String
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension CanonicalJSON {
    /// Deepest nesting of arrays and objects `parse` accepts: deep enough for any
    /// definition or instance, shallow enough that recursion cannot exhaust the stack.
    public static let maximumDepth = 64

    /// Reads one JSON value strictly (RFC 8259 with the ledger's restrictions): integers
    /// only (a fraction or exponent is refused: amounts are strings), no duplicate member
    /// names, valid UTF-8 only, lone surrogates refused, nothing but whitespace after the
    /// value, nesting at most `maximumDepth`. Whitespace between tokens is allowed, so
    /// any JSON a person writes reads; `encode` gives its canonical bytes.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> Value {
        var reader = JSONReader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.offset == bytes.count else { throw reader.error("unexpected bytes after the value") }
        return value
    }
}

private struct JSONReader {
    let bytes: [UInt8]
    var offset = 0

    func error(_ reason: String, at position: Int? = nil) -> JSONError {
        JSONError(offset: position ?? offset, reason: reason)
    }

    mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[offset]) { offset += 1 }
    }

    mutating func value(depth: Int) throws(JSONError) -> CanonicalJSON.Value {
        guard offset < bytes.count else { throw error("unexpected end of input") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try integer())
        default: throw error("unexpected character \(describe(bytes[offset]))")
        }
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21..<0x7f).contains(byte) ? "'\(Character(UnicodeScalar(byte)))'" : "0x" + String(byte, radix: 16)
    }

    private mutating func literal(_ word: String) throws(JSONError) {
        let expected = Array(word.utf8)
        guard bytes.count - offset >= expected.count, Array(bytes[offset..<offset + expected.count]) == expected else {
            throw error("unexpected character \(describe(bytes[offset]))")
        }
        offset += expected.count
    }

    private mutating func integer() throws(JSONError) -> Int {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let digitsStart = offset
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
        guard offset > digitsStart else { throw error("a number needs digits") }
        if bytes[digitsStart] == UInt8(ascii: "0"), offset - digitsStart > 1 {
            throw error("a number must not have leading zeros", at: digitsStart)
        }
        if offset < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[offset]) {
            throw error("only integers are allowed (write amounts as strings)", at: start)
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        guard let number = Int(text) else { throw error("integer \(text) is out of range", at: start) }
        return number
    }

    private mutating func array(depth: Int) throws(JSONError) -> CanonicalJSON.Value {
        guard depth <= CanonicalJSON.maximumDepth else { throw error("nesting deeper than \(CanonicalJSON.maximumDepth)") }
        offset += 1
        var elements: [CanonicalJSON.Value] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(elements) }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func object(depth: Int) throws(JSONError) -> CanonicalJSON.Value {
        guard depth <= CanonicalJSON.maximumDepth else { throw error("nesting deeper than \(CanonicalJSON.maximumDepth)") }
        offset += 1
        var members: [String: CanonicalJSON.Value] = [:]
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a member name in an object") }
            let at = offset
            let name = try string()
            guard members[name] == nil else { throw error("member \"\(name)\" appears twice", at: at) }
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
            offset += 1
            skipWhitespace()
            members[name] = try value(depth: depth)
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func string() throws(JSONError) -> String {
        offset += 1
        var scalars = String.UnicodeScalarView()
        while true {
            guard offset < bytes.count else { throw error("unterminated string") }
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                scalars.append(try escape())
            case 0x00..<0x20:
                throw error("control character 0x\(String(byte, radix: 16)) in a string must be escaped")
            case 0x00..<0x80:
                scalars.append(UnicodeScalar(byte))
                offset += 1
            default:
                scalars.append(try utf8Scalar())
            }
        }
    }

    /// One multi-byte UTF-8 sequence, checked as RFC 3629 says: shortest form, no surrogates.
    private mutating func utf8Scalar() throws(JSONError) -> UnicodeScalar {
        let lead = bytes[offset]
        let length: Int, minimum: UInt32
        var code: UInt32
        switch lead {
        case 0xc2...0xdf: length = 2; minimum = 0x80; code = UInt32(lead & 0x1f)
        case 0xe0...0xef: length = 3; minimum = 0x800; code = UInt32(lead & 0x0f)
        case 0xf0...0xf4: length = 4; minimum = 0x10000; code = UInt32(lead & 0x07)
        default: throw error("invalid UTF-8")
        }
        guard bytes.count - offset >= length else { throw error("invalid UTF-8") }
        for index in 1..<length {
            let next = bytes[offset + index]
            guard next & 0xc0 == 0x80 else { throw error("invalid UTF-8") }
            code = code << 6 | UInt32(next & 0x3f)
        }
        guard code >= minimum, let scalar = UnicodeScalar(code) else { throw error("invalid UTF-8") }
        offset += length
        return scalar
    }

    private mutating func escape() throws(JSONError) -> UnicodeScalar {
        let start = offset
        guard offset + 1 < bytes.count else { throw error("unterminated string") }
        let kind = bytes[offset + 1]
        offset += 2
        switch kind {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0c}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let first = try hex4()
            if (0xdc00...0xdfff).contains(first) { throw error("lone low surrogate", at: start) }
            guard (0xd800...0xdbff).contains(first) else { return UnicodeScalar(first)! }
            guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                throw error("high surrogate without a low surrogate", at: start)
            }
            offset += 2
            let second = try hex4()
            guard (0xdc00...0xdfff).contains(second) else { throw error("high surrogate without a low surrogate", at: start) }
            return UnicodeScalar(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))!
        default:
            throw error("invalid escape", at: start)
        }
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw error("\\u needs four hex digits") }
        var code: UInt32 = 0
        for byte in bytes[offset..<offset + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("\\u needs four hex digits")
            }
            code = code << 4 | UInt32(digit)
        }
        offset += 4
        return code
    }
}
