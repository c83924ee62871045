import CSPBasics
import CSPContracts
import CSPCrypto
import CSPFormat

/// Idempotency keys (`csp-tx submit --once KEY`, docs/CHANNELS.md, "Submitting once"):
/// a transaction carrying the reserved argument `csp.once` takes effect at most once per
/// creator account and key on a channel. The first one to commit valid records its id
/// and place at `once/<ACCOUNT>/<KEY>`; every later one with that key is refused with
/// `once-key-used` wherever it is ordered, so every node reaches the same verdict.
public enum OnceKeys {
    /// Where a creator's key is recorded.
    public static func stateKey(account: String, key: String) -> [UInt8] { Array("once/\(account)/\(key)".utf8) }

    /// Why a key is not acceptable, or nil: 1-128 bytes of A-Z a-z 0-9 and . _ : @ + -,
    /// so it is safe in a state key and a shell line.
    public static func problem(_ key: String) -> String? {
        let bytes = Array(key.utf8)
        let allowed = bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || Array("._:@+-".utf8).contains(byte)
        }
        guard (1...128).contains(bytes.count), allowed else {
            return "once key \(quoted(String(key.prefix(140)))) must be 1-128 of A-Z a-z 0-9 . _ : @ + -"
        }
        return nil
    }

    /// The transaction that used a key: its id, block and position there.
    public struct Record: Equatable, Sendable {
        public let txid: String
        public let block: UInt64
        public let index: UInt32

        public init(txid: String, block: UInt64, index: UInt32) {
            self.txid = txid
            self.block = block
            self.index = index
        }

        public var json: [UInt8] {
            CanonicalJSON.encode(.object(["txid": .string(txid), "block": .integer(Int(clamping: block)), "index": .integer(Int(index))]))
        }

        public init?(json: [UInt8]) {
            guard let value = try? CanonicalJSON.parse(json), let txid = value["txid"]?.stringValue,
                  let block = value["block"]?.integerValue, block >= 0, let index = value["index"]?.integerValue, index >= 0 else { return nil }
            self.init(txid: txid, block: UInt64(block), index: UInt32(clamping: index))
        }
    }

    /// The record of `account`'s `key` in `state`, if the key was used.
    public static func record(account: String, key: String, in state: any StateReader) throws -> Record? {
        try state.value(for: stateKey(account: account, key: key)).map { bytes in
            // A record this code did not write is damage, told as such rather than ignored.
            Record(json: bytes) ?? Record(txid: "(damaged record)", block: 0, index: 0)
        }
    }

    /// The refusal of a repeated key.
    static func refusal(_ key: String, _ record: Record) -> Validation {
        .refused(.onceKeyUsed, "once key \(quoted(key)) was used by transaction \(record.txid) in block \(record.block)")
    }
}
