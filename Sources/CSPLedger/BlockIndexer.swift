import CSPCrypto
import CSPFormat
import CSPKeyValue

/// Builds the one LevelDB batch that indexes a block (docs/STORAGE.md, "Index keys"):
/// its location and hash, every transaction id, the state writes of valid transactions
/// with their versions, per-key history, per-account entries and the new savepoint.
/// One batch so a crash leaves the index at the previous block or this one, never in
/// between; applying it twice gives the same index, which is what makes replay safe.
enum BlockIndexer {
    static func batch(for record: CommittedBlock, location: BlockLocation, accepted: ChainVerifier.Accepted,
                      index: LevelDB) throws -> WriteBatch {
        let batch = WriteBatch()
        var seen = Set<SHA256Digest>()
        try add(record, location: location, accepted: accepted, index: index, to: batch, seen: &seen)
        return batch
    }

    /// Adds one block's entries to `batch`, which may already hold earlier blocks' (a
    /// batched commit): `seen` holds the transaction ids those blocks indexed, which the
    /// index does not know yet, so the first occurrence still wins.
    static func add(_ record: CommittedBlock, location: BlockLocation, accepted: ChainVerifier.Accepted,
                    index: LevelDB, to batch: WriteBatch, seen: inout Set<SHA256Digest>) throws {
        let block = record.block
        let number = block.header.number

        var locationValue: [UInt8] = []
        locationValue.appendBigEndian(location.file)
        locationValue.appendBigEndian(location.offset)
        locationValue.appendBigEndian(location.length)
        batch.put(IndexKey.blockNumber(number), locationValue)
        var numberValue: [UInt8] = []
        numberValue.appendBigEndian(number)
        batch.put(IndexKey.blockHash(accepted.blockHash), numberValue)

        seen.reserveCapacity(seen.count + block.transactions.count)
        for (position, transaction) in block.transactions.enumerated() {
            let tx = UInt32(position)
            // Every transaction, valid or not, so a resubmitted id is recognised; the first
            // occurrence wins so the id keeps pointing at the transaction that used it first.
            let idKey = IndexKey.transaction(transaction.id)
            if seen.insert(transaction.id).inserted, try index.get(idKey) == nil {
                var value: [UInt8] = []
                value.appendBigEndian(number)
                value.appendBigEndian(tx)
                batch.put(idKey, value)
            }
            let effects = record.effects[position]
            for account in Set(effects.accounts) {
                batch.put(IndexKey.account(account, block: number, transaction: tx), [])
            }
            guard block.validations[position].code == .valid else { continue }
            for write in effects.writes {
                var history: [UInt8] = []
                history.reserveCapacity(41 + (write.value?.count ?? 0))
                history.append(write.value == nil ? 0 : 1)
                history.append(contentsOf: transaction.id.bytes)
                history.appendBigEndian(transaction.body.timestamp)
                if let value = write.value {
                    var state: [UInt8] = []
                    state.reserveCapacity(12 + value.count)
                    state.appendBigEndian(number)
                    state.appendBigEndian(tx)
                    state.append(contentsOf: value)
                    batch.put(IndexKey.state(write.key), state)
                    history.append(contentsOf: value)
                } else {
                    batch.delete(IndexKey.state(write.key))
                }
                batch.put(IndexKey.history(write.key, block: number, transaction: tx), history)
            }
        }
        batch.put(IndexKey.savepoint, Savepoint(height: number + 1, lastBlockHash: accepted.blockHash,
                                                lastCommitHash: accepted.commitHash).encoded())
    }

    /// Reads back a location value written by `batch`.
    static func location(from value: [UInt8], block number: UInt64) throws -> BlockLocation {
        var cursor = ByteCursor(value, what: "the location of block \(number)")
        let location = BlockLocation(file: try cursor.u32(), offset: try cursor.u64(), length: try cursor.u32())
        try cursor.finish()
        return location
    }
}
