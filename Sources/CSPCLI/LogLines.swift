import Foundation
import Logging

/// csp's swift-log handler: one line per record on stderr, with a UTC timestamp to the
/// millisecond, as text for people or as one JSON object for log shippers.
///
///     2026-11-30T10:15:02.113Z info csp-node: block 12: 3 transactions, 2 valid, 1 invalid, 4 ms channel=consortium
///     {"channel":"consortium","level":"info","logger":"csp-node","message":"block 12: …","time":"2026-11-30T10:15:02.113Z"}
///
/// Metadata values go in as strings (text: `key=value` after the message, sorted).
public struct LogLines: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: OutputFormat
    let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, format: OutputFormat, write: @escaping @Sendable (String) -> Void = { Diagnostics.note($0) }) {
        self.label = label
        logLevel = level
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        write(Self.line(time: Date(), label: label, level: event.level, message: "\(event.message)", metadata: fields, format: format))
    }

    static func line(time: Date, label: String, level: Logger.Level, message: String, metadata: Logger.Metadata, format: OutputFormat) -> String {
        let stamp = timestamp(time)
        switch format {
        case .json:
            var object: [String: JSONValue] = ["time": .string(stamp), "level": .string(level.rawValue), "logger": .string(label), "message": .string(message)]
            for (key, value) in metadata where object[key] == nil { object[key] = .string("\(value)") }
            return JSONValue.object(object).serialized
        case .text:
            let extra = metadata.keys.sorted().map { "\($0)=\(metadata[$0]!)" }.joined(separator: " ")
            return "\(stamp) \(level.rawValue) \(label): \(message)" + (extra.isEmpty ? "" : " " + extra)
        }
    }

    /// RFC 3339 in UTC with milliseconds, formatted by hand: DateFormatter is slow and
    /// not safe to share across threads on every platform.
    static func timestamp(_ date: Date) -> String {
        timestamp(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// The same for milliseconds since 1970 (a transaction's or block's timestamp), so
    /// every tool prints an instant alike: `2026-11-30T10:15:02.113Z`.
    public static func timestamp(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = String(milliseconds % 1000)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))."
            + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }

    /// Installs the handler for the whole process, once: `--verbose` logs at info (one line
    /// per block, every refusal with its reason), `--quiet` only errors, else notices.
    public static func bootstrap(_ global: GlobalOptions) {
        let level: Logger.Level = global.verbose ? .info : global.quiet ? .error : .notice
        let format = global.format ?? .text
        LoggingSystem.bootstrap { label in LogLines(label: label, level: level, format: format) }
    }
}
