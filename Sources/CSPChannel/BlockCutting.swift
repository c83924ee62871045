import CSPContracts
/// When the orderer cuts a block: whichever limit is reached first. A transaction
/// larger than `maxBytes` on its own is cut into a block of its own.
public struct BlockCutting: Codable, Equatable, Sendable {
    public static let defaultMaxTransactions = 500
    public static let defaultMaxBytes = 2 << 20
    public static let defaultTimeoutMilliseconds = 200

    public var maxTransactions: Int
    public var maxBytes: Int
    /// How long the first pending transaction waits for others before a block is cut.
    public var timeoutMilliseconds: Int

    public init(maxTransactions: Int = BlockCutting.defaultMaxTransactions, maxBytes: Int = BlockCutting.defaultMaxBytes,
                timeoutMilliseconds: Int = BlockCutting.defaultTimeoutMilliseconds) {
        self.maxTransactions = maxTransactions
        self.maxBytes = maxBytes
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxTransactions, maxBytes, timeoutMilliseconds
    }

    /// Every field may be left out; the defaults suit one site with a few hundred
    /// transactions a second.
    public init(from decoder: any Decoder) throws {
        try ConfigDecoding.rejectUnknownKeys(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxTransactions = try container.decodeIfPresent(Int.self, forKey: .maxTransactions) ?? Self.defaultMaxTransactions
        maxBytes = try container.decodeIfPresent(Int.self, forKey: .maxBytes) ?? Self.defaultMaxBytes
        timeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .timeoutMilliseconds) ?? Self.defaultTimeoutMilliseconds
    }

    var jsonValue: CanonicalJSON.Value {
        .object([
            "maxTransactions": .integer(maxTransactions),
            "maxBytes": .integer(maxBytes),
            "timeoutMilliseconds": .integer(timeoutMilliseconds),
        ])
    }
}
