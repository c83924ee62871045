import CSPBasics

/// Why a channel configuration could not be read or is not acceptable. One git-style
/// line: lower case, subjects quoted, prefixed with the file (or other source) when one
/// is known, e.g. `'/x/genesis.yaml': organization 'Acme': no CA certificate`.
public struct ChannelConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// The same problem, said of `source`.
    func located(in source: String) -> ChannelConfigError {
        ChannelConfigError("\(quoted(source)): \(message)")
    }
}
