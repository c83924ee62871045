import Foundation

/// Writes results to stdout: JSON lines or text, as --format asks.
public struct Output: Sendable {
    public let format: OutputFormat
    public let quiet: Bool

    public init(format: OutputFormat, quiet: Bool = false) {
        self.format = format
        self.quiet = quiet
    }

    /// Prints one result: `json` as a single line with sorted keys, or `text` as given.
    public func emit(json: [String: JSONValue], text: @autoclosure () -> String) {
        guard !quiet else { return }
        switch format {
        case .json: Swift.print(JSONValue.object(json).serialized)
        case .text: Swift.print(text())
        }
    }

    /// Prints a line that only the text format shows (headings, summaries).
    public func textOnly(_ line: @autoclosure () -> String) {
        guard !quiet, format == .text else { return }
        Swift.print(line())
    }
}

/// A JSON value with a deterministic serialization (sorted keys, no spaces), so output
/// can be compared byte for byte in tests and diffs.
public enum JSONValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += value.isFinite ? String(value) : "null"
        case .string(let value): JSONValue.escape(value, into: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONValue.escape(key, into: &out)
                out += ":"
                fields[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    private static func escape(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension JSONValue {
    /// Reads JSON text; nil when it is not JSON. Prints back in the deterministic form.
    public static func parse(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(Decoded.self, from: Data(text.utf8)).value
    }

    /// Decodes any JSON value. Booleans are tried before numbers (JSONDecoder never
    /// reads `true` as 1 or 1 as `true`), integers before fractions.
    private struct Decoded: Decodable {
        let value: JSONValue

        init(from decoder: any Decoder) throws {
            if var list = try? decoder.unkeyedContainer() {
                var values: [JSONValue] = []
                while !list.isAtEnd { values.append(try list.decode(Decoded.self).value) }
                value = .array(values)
                return
            }
            if let object = try? decoder.container(keyedBy: Key.self) {
                var members: [String: JSONValue] = [:]
                for key in object.allKeys { members[key.stringValue] = try object.decode(Decoded.self, forKey: key).value }
                value = .object(members)
                return
            }
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                value = .null
            } else if let flag = try? single.decode(Bool.self) {
                value = .bool(flag)
            } else if let number = try? single.decode(Int64.self) {
                value = .int(number)
            } else if let number = try? single.decode(Double.self) {
                value = .double(number)
            } else {
                value = .string(try single.decode(String.self))
            }
        }
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension Output {
    /// Flushes stdout before a tool exits. Results that could not all be written (a full
    /// disk, an I/O error) must not end in exit 0, or a script would take a truncated list
    /// for a whole one: says so, and returns `.failure`. A reader that stopped reading
    /// (EPIPE: `| head`) chose to; that is not an error.
    public static func flushStandardOutput() -> ExitStatus? {
        // Every stream: Swift 6 refuses `stdout` itself (a shared C global). A failed write
        // of a buffer that later output refilled fails again here, and errno says why.
        if fflush(nil) != 0 {
            let code = errno
            if code == EPIPE { return nil }
            return unwritten(code)
        }
        // glibc drops a buffer whose write failed and keeps only the stream's error flag:
        // one large print into a full disk leaves nothing for the flush to fail on.
        guard let stream = standardOutputStream(), ferror(stream) != 0 else { return nil }
        // errno still holds the failed write's reason unless a later call changed it.
        let code = errno
        if code == EPIPE || readerIsGone() { return nil }
        return unwritten(code)
    }

    private static func unwritten(_ code: Int32) -> ExitStatus {
        Diagnostics.error("cannot write output: " + (code == 0 ? "write error" : String(cString: strerror(code))))
        return .failure
    }

    /// C's `stdout`, looked up by name (Swift 6 refuses the shared global itself).
    private static func standardOutputStream() -> UnsafeMutablePointer<FILE>? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "stdout")?.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
    }

    /// Whether stdout is a pipe or socket whose reader has closed it (poll says POLLERR).
    private static func readerIsGone() -> Bool {
        var descriptor = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
        return poll(&descriptor, 1, 0) == 1 && descriptor.revents & Int16(POLLERR) != 0
    }
}
