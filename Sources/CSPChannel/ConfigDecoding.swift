import CSPBasics
import Foundation
import Yams

/// Turns genesis files and configuration arguments (JSON or YAML, one schema) into
/// values, with errors of one line that name the field at fault.
enum ConfigDecoding {
    enum Format: Equatable {
        case json, yaml

        /// By extension when the source has a known one; otherwise JSON when the text
        /// opens with `{`. Sniffing rather than "try JSON, then YAML" keeps the error
        /// of the format the author meant: a broken JSON file would otherwise report a
        /// YAML complaint about a line it never intended as YAML.
        init(source: String, bytes: [UInt8]) {
            let lowered = source.lowercased()
            if lowered.hasSuffix(".json") {
                self = .json
            } else if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
                self = .yaml
            } else {
                let first = bytes.first { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }
                self = first == UInt8(ascii: "{") ? .json : .yaml
            }
        }
    }

    /// The deepest nesting a configuration document may have. The schema needs five or
    /// six levels; the YAML and JSON parsers recurse once per level, and a few thousand
    /// levels exhaust the stack (docs/CHANNELS.md, "Limits").
    static let maximumNesting = 64

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], format: Format) throws(ChannelConfigError) -> T {
        try NestingScan.check(bytes, format: format, limit: maximumNesting)
        do {
            switch format {
            case .json:
                return try JSONDecoder().decode(type, from: Data(bytes))
            case .yaml:
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw ChannelConfigError("not UTF-8 text")
                }
                return try YAMLDecoder().decode(type, from: text)
            }
        } catch let error as ChannelConfigError {
            throw error
        } catch let error as UnknownField {
            throw ChannelConfigError("unknown field \(quoted(path(error.path)))")
        } catch let error as DecodingError {
            // Yams wraps what init(from:) and its parser throw in dataCorrupted.
            if case .dataCorrupted(let context) = error, let underlying = context.underlyingError {
                if let unknown = underlying as? UnknownField {
                    throw ChannelConfigError("unknown field \(quoted(path(unknown.path)))")
                }
                if let yaml = underlying as? YamlError { throw ChannelConfigError("not valid YAML: \(describe(yaml))") }
            }
            throw ChannelConfigError(describe(error, format: format))
        } catch let error as YamlError {
            throw ChannelConfigError("not valid YAML: \(describe(error))")
        } catch {
            throw ChannelConfigError(oneLine("\(error)"))
        }
    }

    // MARK: Strict keys

    /// Thrown by `init(from:)` when a mapping has a field the schema does not know: a
    /// misspelt `blockcutting` must not silently fall back to the defaults.
    struct UnknownField: Error {
        let path: [any CodingKey]
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        let intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
        init(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
    }

    static func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ decoder: any Decoder, _ keys: Keys.Type) throws {
        let known = Set(Keys.allCases.map(\.stringValue))
        let container = try decoder.container(keyedBy: AnyKey.self)
        // Sorted so the same file always names the same field first.
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw UnknownField(path: decoder.codingPath + [AnyKey(stringValue: unknown)])
        }
    }

    // MARK: Messages

    /// "organizations[0].crls", `policy.invoke["kv.put"]` for names holding a dot.
    static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let index = key.intValue {
                out += "[\(index)]"
            } else if key.stringValue.contains(".") || key.stringValue.contains("*") {
                out += "[\"\(key.stringValue)\"]"
            } else {
                out += (out.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return out
    }

    private static func describe(_ error: DecodingError, format: Format) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \(quoted(path(context.codingPath + [key])))"
        case .typeMismatch(let type, let context):
            return "field \(quoted(path(context.codingPath))): expected \(kind(of: type))"
        case .valueNotFound(let type, let context):
            return "field \(quoted(path(context.codingPath))): expected \(kind(of: type)), found nothing"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let detail = context.underlyingError.map { underlying in
                    (underlying as NSError).userInfo[NSDebugDescriptionErrorKey].map { "\($0)" } ?? "\(underlying)"
                } ?? context.debugDescription
                return "not valid \(format == .json ? "JSON" : "YAML"): \(oneLine(detail))"
            }
            return "field \(quoted(path(context.codingPath))): \(oneLine(context.debugDescription))"
        @unknown default:
            return oneLine("\(error)")
        }
    }

    private static func kind(of type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Int.self { return "an integer" }
        let name = "\(type)"
        if name.hasPrefix("Array") { return "a list" }
        return "a mapping"
    }

    /// Yams' own text spans several lines with a snippet and a caret; a log line wants
    /// the position and the problem.
    private static func describe(_ error: YamlError) -> String {
        func place(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> String {
            let during = context.map { " (\($0.text), which began at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "line \(mark.line), column \(mark.column): \(problem)\(during)"
        }
        if case let .scanner(context, problem, mark, _) = error { return place(context, problem, mark) }
        if case let .parser(context, problem, mark, _) = error { return place(context, problem, mark) }
        if case let .composer(context, problem, mark, _) = error { return place(context, problem, mark) }
        return oneLine("\(error)")
    }
}

/// The first line of a message, trimmed: every csp diagnostic is one line.
func oneLine(_ text: String) -> String {
    let first = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
    return first.trimmingCharacters(in: .whitespaces)
}

/// A cheap pass over a document before any parser sees it, refusing nesting deeper than a
/// limit: flow collections (`[[[`, `{a: {a:`, and all of JSON) by their brackets, YAML
/// block collections by their indentation (each `- ` of a compact sequence counting as a
/// level). It errs towards counting more, never fewer: text inside quoted scalars,
/// comments and block scalars (`|`, `>`) is skipped, brackets in plain scalars count.
enum NestingScan {
    static func check(_ bytes: [UInt8], format: ConfigDecoding.Format, limit: Int) throws(ChannelConfigError) {
        var flow = 0
        var block: [Int] = []  // indentation columns of the open block collections (YAML)
        var blockScalarParent: Int?  // inside a block scalar: the indentation of its key
        var quote: UInt8?  // inside a quoted scalar or JSON string
        var escaped = false
        var lineNumber = 0
        var start = 0
        func refuse() -> ChannelConfigError {
            ChannelConfigError("nested deeper than \(limit) levels at line \(lineNumber)")
        }
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0a { end += 1 }
            lineNumber += 1
            let line = bytes[start..<end]
            start = end + 1
            let indent = line.prefix { $0 == 0x20 }.count
            let blank = line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }
            if format == .yaml && quote == nil && flow == 0 {
                if let parent = blockScalarParent {
                    if blank || indent > parent { continue }
                    blockScalarParent = nil
                }
                if blank || line.dropFirst(indent).first == UInt8(ascii: "#") { continue }
                // Each "- " opens one more level, one column further in.
                var column = indent
                var columns = [indent]
                while column + 1 < line.count, line[line.startIndex + column] == UInt8(ascii: "-"),
                      [0x20, 0x09].contains(line[line.startIndex + column + 1]) {
                    column += 2
                    while column < line.count && line[line.startIndex + column] == 0x20 { column += 1 }
                    columns.append(column)
                }
                while let last = block.last, last >= indent { block.removeLast() }
                block.append(contentsOf: columns)
                if block.count > limit { throw refuse() }
            }
            // Brackets, quotes and comments within the line.
            var previous: UInt8 = 0x20
            var index = line.startIndex
            while index < line.endIndex {
                let byte = line[index]
                defer { previous = byte; index += 1 }
                if let open = quote {
                    if escaped { escaped = false; continue }
                    if byte == 0x5c && open == 0x22 { escaped = true; continue }
                    if byte == open { quote = nil }
                    continue
                }
                switch byte {
                case 0x22:  // "
                    quote = byte
                case 0x27 where format == .yaml && [0x20, 0x09, 0x5b, 0x7b, 0x2c, 0x3a].contains(previous):  // ' opening a scalar
                    quote = byte
                case 0x23 where format == .yaml && (previous == 0x20 || previous == 0x09):  // # comment
                    index = line.endIndex - 1
                    continue
                case 0x5b, 0x7b:  // [ {
                    flow += 1
                    if flow + (format == .yaml ? block.count : 0) > limit { throw refuse() }
                case 0x5d, 0x7d:  // ] }
                    flow = max(0, flow - 1)
                default:
                    break
                }
            }
            // "key: |" or "- >-": the lines below, indented deeper, are text.
            if format == .yaml && quote == nil && flow == 0 {
                let content = line.reversed().drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }
                var indicator = content.prefix { (0x30...0x39).contains($0) || $0 == 0x2b || $0 == 0x2d }
                indicator = content.prefix(indicator.count + 1)
                if let mark = indicator.last, mark == UInt8(ascii: "|") || mark == UInt8(ascii: ">") {
                    let before = content.dropFirst(indicator.count).first
                    if before == nil || before == 0x20 || before == 0x09 { blockScalarParent = indent }
                }
            }
        }
    }
}
