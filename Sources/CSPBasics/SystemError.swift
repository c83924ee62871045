#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An operating-system failure, worded the way git words them:
/// `cannot open '/x': permission denied`.
public struct SystemError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What we were trying to do, e.g. "cannot open '/x'".
    public let action: String
    /// The errno value the call failed with.
    public let code: Int32

    public init(_ action: String, code: Int32 = errno) {
        self.action = action
        self.code = code
    }

    /// strerror() text with a lower-case first letter, as git prints it.
    public static func reason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let reason = String(cString: text)
        return reason.prefix(1).lowercased() + reason.dropFirst()
    }

    public var description: String { "\(action): \(SystemError.reason(code))" }
}

/// Quotes a path or name the way every message in csp does.
public func quoted(_ subject: String) -> String { "'\(subject)'" }

/// An error that means "the answer is no" (exit status 1) rather than "could not
/// answer" (2): a refused request, an unknown id, a failed check. Tools map it so.
public protocol Refusal: Error, CustomStringConvertible {}
