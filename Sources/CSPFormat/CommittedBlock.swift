import CSPBasics
import CSPCrypto

/// An event a contract emits; subscribers filter on the contract and the name.
public struct ContractEvent: Equatable, Sendable {
    public var name: String
    public var payload: [UInt8]

    public init(name: String, payload: [UInt8]) {
        self.name = name
        self.payload = payload
    }
}

/// What executing one transaction did: its writes in order, its events, and the
/// accounts it involves (for the per-account index). Empty for invalid transactions.
public struct TransactionEffects: Equatable, Sendable {
    public var writes: [StateWrite]
    public var events: [ContractEvent]
    public var accounts: [String]

    public init(writes: [StateWrite] = [], events: [ContractEvent] = [], accounts: [String] = []) {
        self.writes = writes
        self.events = events
        self.accounts = accounts
    }

    public static let none = TransactionEffects()
}

/// A block with the effects of executing it: the record the block files hold
/// (docs/FORMAT.md, "Block file record"). Effects are not hashed into the block; the
/// commit hash in its header covers the final write set and every reader can re-execute
/// to check them. Storing them lets csp-kvr and a restarting node rebuild state from the
/// block files alone.
public struct CommittedBlock: Equatable, Sendable {
    public static let magic: [UInt8] = Array("CSPR".utf8)
    public static let version: UInt8 = 1

    public var block: Block
    /// One per transaction, in block order.
    public var effects: [TransactionEffects]

    public init(block: Block, effects: [TransactionEffects]) {
        precondition(block.transactions.count == effects.count, "one effects entry per transaction")
        self.block = block
        self.effects = effects
    }

    /// The block's final write per key (the last transaction to write a key wins),
    /// as the commit hash takes it.
    public var finalWrites: [StateWrite] {
        var latest: [[UInt8]: [UInt8]?] = [:]
        for (effects, validation) in zip(effects, block.validations) where validation.code == .valid {
            for write in effects.writes { latest[write.key] = .some(write.value) }
        }
        return latest.map { StateWrite(key: $0.key, value: $0.value) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }

    /// The commit hash this block's effects produce after `previous`.
    public func commitHash(previous: SHA256Digest) throws -> SHA256Digest {
        try CommitHash.compute(previous: previous, number: block.header.number,
                               validations: block.validations.map(\.code), writes: finalWrites)
    }

    public func encoded() -> [UInt8] {
        var writer = CanonicalWriter(capacity: 1024)
        writer.fixed(Self.magic)
        writer.u8(Self.version)
        writer.lengthPrefixed(block.encoded())
        writer.u32(UInt32(effects.count))
        for entry in effects {
            writer.u32(UInt32(entry.writes.count))
            for write in entry.writes {
                writer.lengthPrefixed(write.key)
                if let value = write.value {
                    writer.u8(1)
                    writer.lengthPrefixed(value)
                } else {
                    writer.u8(0)
                }
            }
            writer.u32(UInt32(entry.events.count))
            for event in entry.events {
                writer.string(event.name)
                writer.lengthPrefixed(event.payload)
            }
            writer.u32(UInt32(entry.accounts.count))
            for account in entry.accounts { writer.string(account) }
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = CanonicalReader(bytes, structure: "block record")
        try reader.expectMagic(Self.magic, version: Self.version)
        let blockStart = reader.offset + 4
        let blockBytes = try reader.lengthPrefixed("block", max: Int(UInt32.max))
        do {
            block = try Block(decoding: blockBytes)
        } catch let error as FormatError {
            throw FormatError(structure: error.structure, offset: blockStart + error.offset, reason: error.reason)
        }
        let count = try reader.count("effects", minimumElementSize: 12, max: FormatLimits.transactions)
        guard count == block.transactions.count else {
            throw reader.error("\(count) effects for \(block.transactions.count) transactions")
        }
        effects = []
        effects.reserveCapacity(count)
        for _ in 0..<count {
            var entry = TransactionEffects()
            let writes = try reader.count("writes", minimumElementSize: 5, max: 1 << 20)
            for _ in 0..<writes {
                let key = try reader.lengthPrefixed("key", max: FormatLimits.argumentValue)
                let at = reader.offset
                switch try reader.u8("write kind") {
                case 0: entry.writes.append(StateWrite(key: key, value: nil))
                case 1: entry.writes.append(StateWrite(key: key, value: try reader.lengthPrefixed("value", max: 16 << 20)))
                case let other: throw reader.error("unknown write kind \(other)", at: at)
                }
            }
            let events = try reader.count("events", minimumElementSize: 8, max: 1 << 16)
            for _ in 0..<events {
                entry.events.append(ContractEvent(name: try reader.string("event name", max: FormatLimits.name),
                                                  payload: try reader.lengthPrefixed("event payload", max: FormatLimits.argumentValue)))
            }
            let accounts = try reader.count("accounts", minimumElementSize: 4, max: 1 << 16)
            for _ in 0..<accounts { entry.accounts.append(try reader.string("account", max: FormatLimits.name)) }
            effects.append(entry)
        }
        try reader.finish()
    }
}
