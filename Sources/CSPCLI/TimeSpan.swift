import ArgumentParser

/// A span of time written as a number and a unit: 90s, 15m, 12h, 30d, 2w, 1y.
public struct TimeSpan: ExpressibleByArgument, Equatable, Sendable, CustomStringConvertible {
    public let seconds: Double
    public let description: String

    public init?(argument: String) {
        guard let unit = argument.last, let value = Double(argument.dropLast()), value >= 0, value.isFinite else { return nil }
        let scale: Double
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3_600
        case "d": scale = 86_400
        case "w": scale = 7 * 86_400
        case "y": scale = 365 * 86_400
        default: return nil
        }
        seconds = value * scale
        description = argument
    }

    public var days: Int { max(1, Int((seconds / 86_400).rounded(.up))) }

    public static var defaultCompletionKind: CompletionKind { .default }
}
