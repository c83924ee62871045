import ArgumentParser

/// How long to wait for a node's answer: `500ms`, `30s`, `2m`, `1h`, or a bare number of
/// seconds (`1.5`); `0` waits without limit.
public struct WaitTimeout: ExpressibleByArgument, Equatable, Sendable, CustomStringConvertible {
    public let seconds: Double
    public let description: String

    public init?(argument: String) {
        let scales: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("", 1)]
        guard let (suffix, scale) = scales.first(where: { argument.hasSuffix($0.suffix) }),
              let value = Double(argument.dropLast(suffix.count)), value >= 0, value.isFinite,
              argument.first.map({ $0.isNumber || $0 == "." }) == true else { return nil }
        seconds = value * scale
        description = argument
    }

    /// nil for no limit, as the node client takes it.
    public var limit: Double? { seconds == 0 ? nil : seconds }

    public static var defaultCompletionKind: CompletionKind { .default }
}
