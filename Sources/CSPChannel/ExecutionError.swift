/// Why a block could not be executed at all (as opposed to a transaction being
/// invalid, which is an ordinary outcome recorded in the block).
public struct ExecutionError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
