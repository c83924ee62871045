import CSPContracts
import CSPCrypto
import CSPFormat
import CSPLedger
import CSPTestSupport
import Foundation
import XCTest

/// A small real ledger for the KV-R tests: kv puts and deletes, an invalid transaction,
/// an account, a workflow definition and an instance with its timeline, committed through
/// `LedgerStore` so the block files are exactly what a node writes.
struct KVRTestLedger {
    let directory: String
    let builder: ChainBuilder

    static let definition = #"{"name":"demand","version":1,"organizations":["Acme"],"parties":{"customer":{"role":"customer"}},"fields":{"category":{"type":"enum","values":["complaint"]},"score":{"type":"integer"},"report":{"type":"fingerprint"}},"states":["submitted","closed"],"initial":"submitted","final":["closed"],"transitions":{}}"#

    static func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Commits the standard content; `extraBlocks` adds that many blocks of two kv puts each.
    static func make(_ testCase: XCTestCase, channel: String = "consortium", extraBlocks: Int = 0) throws -> KVRTestLedger {
        let directory = try temporaryDirectory(testCase) + "/" + channel
        let builder = ChainBuilder(channel: channel)
        let store = try LedgerStore(directory: directory, channel: channel, options: .init())
        defer { store.close() }
        let definition = #"{"definition":\#(Self.definition),"hash":"ab","name":"demand","proposed":{"block":1,"by":"Acme/root","time":5},"status":"active","version":1}"#
        let instance1 = #"{"created":{"block":2,"by":"Acme/alice","time":7,"tx":"aa"},"definition":"demand","fields":{"category":"complaint","report":{"name":"r.pdf","sha256":"\#(String(repeating: "c", count: 64))","size":12}},"id":"D-1","parties":{"customer":"Acme/alice"},"state":"submitted","timeline":1,"version":1}"#
        let instance2 = #"{"created":{"block":2,"by":"Acme/alice","time":7,"tx":"aa"},"definition":"demand","fields":{"category":"complaint","score":5},"id":"D-1","parties":{"customer":"Acme/alice"},"state":"closed","timeline":2,"version":1}"#
        let entry0 = #"{"block":2,"by":"Acme/alice","fields":{"category":"complaint","report":{"name":"r.pdf","sha256":"\#(String(repeating: "c", count: 64))","size":12}},"from":null,"seq":0,"time":7,"to":"submitted","transition":"submit","tx":"aa"}"#
        let entry1 = #"{"block":3,"by":"Acme/alice","fields":{"score":5},"from":"submitted","seq":1,"time":8,"to":"closed","transition":"confirm","tx":"bb"}"#
        let account = #"{"account":"Acme/alice","contact":{"phone":"+86 555 0101"},"displayName":"Alice Wu","id":"alice","organization":"Acme","registered":{"block":0,"by":"Acme/alice","time":1},"role":"customer","status":"active"}"#
        let blocks: [[ChainBuilder.Entry]] = [
            [try builder.put("kv/a", "1"), try builder.put("kv/b", "2"),
             try builder.writes([("account/Acme/alice", account)], accounts: ["Acme/alice"])],
            [try builder.writes([("contract/def/demand/1", definition), ("contract/active/demand", #"{"hash":"ab","version":1}"#)]),
             try builder.invalid(.contractFailed, reason: "no", writes: [StateWrite(key: Array("kv/x".utf8), value: Array("bad".utf8))])],
            [ChainBuilder.Entry(transaction: try builder.transaction(contract: "demand", function: "submit"), validation: .valid,
                                effects: TransactionEffects(writes: [StateWrite(key: json("wf/D-1"), value: json(instance1)),
                                                                     StateWrite(key: json("wft/D-1/0000000000"), value: json(entry0))],
                                                            events: [ContractEvent(name: "submit", payload: json(#"{"id":"D-1"}"#))],
                                                            accounts: ["Acme/alice"]))],
            [ChainBuilder.Entry(transaction: try builder.transaction(contract: "demand", function: "confirm"), validation: .valid,
                                effects: TransactionEffects(writes: [StateWrite(key: json("wf/D-1"), value: json(instance2)),
                                                                     StateWrite(key: json("wft/D-1/0000000001"), value: json(entry1))])),
             try builder.delete("kv/a"), try builder.put("kv/b", "3")],
        ]
        for entries in blocks { try store.commit(try builder.block(entries)) }
        for record in try builder.blocks(extraBlocks) { try store.commit(record) }
        return KVRTestLedger(directory: directory, builder: builder)
    }

    /// Appends `count` more blocks of kv puts.
    func append(_ count: Int) throws {
        let store = try LedgerStore(directory: directory, channel: builder.channel, options: .init())
        defer { store.close() }
        for record in try builder.blocks(count) { try store.commit(record) }
    }
}
