import CSPBasics

/// Why the CA said no (exit 1): the request is understood and refused.
public struct CARefusal: Refusal, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Why the CA could not answer (exit 2): a missing or unsafe home, unreadable files,
/// malformed input.
public struct CAFailure: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
