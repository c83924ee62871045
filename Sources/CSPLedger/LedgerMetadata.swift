import CSPBasics

/// The one-time facts about an index: its layout version, so a future layout is not
/// misread, and its channel, so a node pointed at another channel's directory refuses
/// to open it instead of mixing two ledgers.
struct LedgerMetadata: Equatable {
    static let layoutVersion: UInt8 = 1

    var channel: String

    /// u8 layout version | channel (UTF-8, the rest of the value).
    func encoded() -> [UInt8] {
        [Self.layoutVersion] + Array(channel.utf8)
    }

    init(channel: String) { self.channel = channel }

    init(decoding bytes: [UInt8], path: String) throws {
        guard let version = bytes.first else {
            throw LedgerError(.corrupt, "ledger index entry for the metadata is malformed")
        }
        guard version == Self.layoutVersion else {
            throw LedgerError(.unavailable, "ledger index \(quoted(path)) has layout version \(version); this build reads version \(Self.layoutVersion)")
        }
        guard let channel = String(validating: bytes.dropFirst(), as: UTF8.self) else {
            throw LedgerError(.corrupt, "ledger index entry for the metadata is malformed")
        }
        self.channel = channel
    }
}
