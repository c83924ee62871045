import CSPCrypto

/// The key layout of the ledger index (docs/STORAGE.md, "Index keys"). Every family
/// starts with its own byte so a prefix scan never strays into another family, and
/// numbers are fixed-width big-endian so LevelDB's byte order is numeric order: a
/// key's history and an account's transactions come out oldest first for free.
/// Variable parts followed by more key bytes carry a u32 length, so key `a` and key
/// `ab` can never interleave.
enum IndexKey {
    /// `01` → layout version and channel name; written once, checked at every open.
    static let metadata: [UInt8] = [0x01]
    /// `02` → the savepoint: the height, hash and commit hash the index has applied.
    static let savepoint: [UInt8] = [0x02]

    static let blockNumberFamily: UInt8 = 0x10
    static let blockHashFamily: UInt8 = 0x11
    static let transactionFamily: UInt8 = 0x12
    static let stateFamily: UInt8 = 0x20
    static let historyFamily: UInt8 = 0x21
    static let accountFamily: UInt8 = 0x22

    /// `10 | u64 number` → the block's location.
    static func blockNumber(_ number: UInt64) -> [UInt8] {
        var key: [UInt8] = [blockNumberFamily]
        key.appendBigEndian(number)
        return key
    }

    /// `11 | digest` → u64 block number.
    static func blockHash(_ hash: SHA256Digest) -> [UInt8] {
        [blockHashFamily] + hash.bytes
    }

    /// `12 | txid` → u64 block, u32 index of the first transaction with this id.
    static func transaction(_ id: SHA256Digest) -> [UInt8] {
        [transactionFamily] + id.bytes
    }

    /// `20 | state key` → u64 block, u32 transaction, value. The key is last and
    /// unprefixed so a prefix of state keys is a prefix of index keys (range queries).
    static func state(_ key: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [stateFamily]
        bytes.append(contentsOf: key)
        return bytes
    }

    /// `21 | u32 length | state key`: every history entry of that key.
    static func historyPrefix(_ key: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [historyFamily]
        bytes.appendLengthPrefixed(key)
        return bytes
    }

    /// `21 | u32 length | state key | u64 block | u32 transaction` → the write.
    static func history(_ key: [UInt8], block: UInt64, transaction: UInt32) -> [UInt8] {
        var bytes = historyPrefix(key)
        bytes.appendBigEndian(block)
        bytes.appendBigEndian(transaction)
        return bytes
    }

    /// `22 | u32 length | account (UTF-8)`: every transaction involving that account.
    static func accountPrefix(_ account: String) -> [UInt8] {
        var bytes: [UInt8] = [accountFamily]
        bytes.appendLengthPrefixed(Array(account.utf8))
        return bytes
    }

    /// `22 | u32 length | account | u64 block | u32 transaction` → empty.
    static func account(_ account: String, block: UInt64, transaction: UInt32) -> [UInt8] {
        var bytes = accountPrefix(account)
        bytes.appendBigEndian(block)
        bytes.appendBigEndian(transaction)
        return bytes
    }

    /// The smallest key above every key starting with `prefix`; the prefixes here all
    /// start with a family byte below 0xFF, so one always exists.
    static func upperBound(_ prefix: [UInt8]) -> [UInt8] {
        var bound = prefix
        while let last = bound.last {
            if last != 0xFF {
                bound[bound.count - 1] = last + 1
                return bound
            }
            bound.removeLast()
        }
        return [0xFF]
    }

    /// The smallest key strictly after `key`: where the next page starts.
    static func successor(_ key: [UInt8]) -> [UInt8] {
        key + [0]
    }
}
