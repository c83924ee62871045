
/// Writes JSON in one canonical form, the one RFC 8785 (JCS) prescribes for these
/// shapes: object members sorted by the UTF-16 code units of their names, no
/// whitespace, strings escaped minimally (`"`, `\`, and control characters, with the
/// short escapes where JSON has them), everything else as literal UTF-8.
///
/// Why not `JSONEncoder(.sortedKeys)`: these bytes go into the world state and so into
/// the commit hash, and Foundation's key order and escaping have differed between
/// platforms and releases. A node on another Foundation must still produce the same
/// bytes, or it would report a state fork that is not one.
public enum CanonicalJSON {
    /// The JSON shapes the ledger stores: no floats (amounts are decimal strings), so
    /// every node reads and writes the same bytes.
    public indirect enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case bool(Bool)
        case null
        case array([Value])
        case object([String: Value])
    }

    public static func encode(_ value: Value) -> [UInt8] {
        // Most values are small (to-do entries, timeline entries): a fixed 4 KiB reserve
        // was kept by every stored value until its block committed.
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    private static func write(_ value: Value, into out: inout [UInt8]) {
        switch value {
        case .string(let text):
            writeString(text, into: &out)
        case .integer(let number):
            writeInteger(number, into: &out)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null:
            out.append(contentsOf: "null".utf8)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let names = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, name) in names.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(name, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[name]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The decimal digits of `number` (and a leading '-'), as `String(number)` gives them,
    /// without making the String.
    private static func writeInteger(_ number: Int, into out: inout [UInt8]) {
        if number < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // up to 20 digits, never a heap buffer
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0a: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0c: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0d: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            default:
                // UTF-8 continuation and lead bytes pass through: the text stays UTF-8.
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension CanonicalJSON.Value {
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var integerValue: Int? {
        if case .integer(let number) = self { return number }
        return nil
    }

    public var arrayValue: [CanonicalJSON.Value]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var objectValue: [String: CanonicalJSON.Value]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// An object's member; nil for a missing member or a value that is not an object.
    public subscript(_ key: String) -> CanonicalJSON.Value? { objectValue?[key] }
}
