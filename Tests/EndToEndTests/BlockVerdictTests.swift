import CSPBasics
import CSPCertificates
import CSPCrypto
import CSPFormat
import CSPKeyValue
import CSPLedger
import CSPTestSupport
import Foundation
import XCTest

/// Admission belongs to the block: a transaction is judged under the configuration in
/// force at its block and at the block's timestamp, and a node verifies what its block
/// files claim before it serves them.
final class BlockVerdictTests: XCTestCase {
    func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// A configuration change ordered before a transaction decides that transaction, even
    /// when the transaction was admitted under the old rules while both waited in the queue.
    func testRevocationOrderedFirstRefusesAQueuedTransaction() throws {
        let fixture = try NodeFixture.make(self, timeoutMilliseconds: 1500)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        try fixture.tx("alice", ["submit", "kv.put", "key=before", "value=1"])

        try NodeFixture.run("csp-ca", ["revoke", "alice", "--home", fixture.ca, "--reason", "keyCompromise"])
        let crl = try String(contentsOfFile: fixture.ca + "/crl.pem", encoding: .utf8)
        let update = json(try fixture.tx("root", ["submit", "config.set-crl", "organization=Acme", "crl=\(crl)", "--no-wait"]).stdout)
        XCTAssertEqual(update["outcome"] as? String, "accepted", "queued")
        XCTAssertNil(update["code"], "no verdict before the block")
        usleep(300_000)
        // Alice is admitted at submit time (the old CRL is in force) and queued behind it.
        let queued = try fixture.tx("alice", ["submit", "kv.put", "key=after", "value=2"], expect: 1)
        let verdict = json(queued.stdout)
        XCTAssertEqual(verdict["code"] as? String, "revoked-creator", queued.stdout)
        let block = try XCTUnwrap(verdict["block"] as? Int, "ordered into a block, with its code: \(queued.stdout)")
        XCTAssertTrue(queued.stderr.hasPrefix("error: invalid: creator"), queued.stderr)
        let crlBlock = json(try fixture.tx("rita", ["tx", try XCTUnwrap(update["txid"] as? String), "--format", "json"]).stdout)
        XCTAssertEqual(crlBlock["block"] as? Int, block - 1, "the CRL's block comes just before")
        try fixture.tx("alice", ["query", "kv/after"], expect: 1)
        // Now refused at once, never ordered.
        let refused = try fixture.tx("alice", ["submit", "kv.put", "key=later", "value=3"], expect: 1)
        XCTAssertNil(json(refused.stdout)["block"], refused.stdout)

        node.terminate()
        node.waitUntilExit()
        // The whole chain re-verifies from the block files: the orderer's verdicts are reproducible.
        let check = try NodeFixture.run("csp-node", ["check", "--home", fixture.node])
        XCTAssertTrue(check.stdout.hasPrefix("consortium: \(block + 1) blocks"), check.stdout)
    }

    /// The same for a policy change queued ahead of a call it forbids.
    func testPolicyChangeOrderedFirstDecidesAQueuedCall() throws {
        let fixture = try NodeFixture.make(self, timeoutMilliseconds: 1500)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        let policy = #"{"invoke":{"kv.*":["admin"],"config.*":["admin"]},"read":{"*":["customer","admin","regulator"]}}"#
        try fixture.tx("root", ["submit", "config.set-policy", "policy=\(policy)", "--no-wait"])
        usleep(300_000)
        let queued = try fixture.tx("alice", ["submit", "kv.put", "key=k", "value=v"], expect: 1)
        XCTAssertEqual(json(queued.stdout)["code"] as? String, "policy-denied", queued.stdout)
        XCTAssertEqual(json(queued.stdout)["block"] as? Int, 2, queued.stdout)
    }

    /// Config calls: the account must be in `admins` and the policy's config key (or, with
    /// none, role admin) must grant the role. Tested both ways.
    func testConfigCallsAnswerToAdminsAndTheConfigPolicyKey() throws {
        let fixture = try NodeFixture.make(self)
        let staff = try fixture.enroll("sam", role: "enterprise")
        _ = staff
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        // sam becomes an admin; the policy's config.* grants only admin: sam is refused.
        let admins = #"["Acme/root","Acme/sam"]"#
        try fixture.tx("root", ["submit", "config.set-admins", "admins=\(admins)"])
        let cutting = ["maxTransactions=100", "maxBytes=1048576", "timeoutMilliseconds=50"]
        let denied = try fixture.tx("sam", ["submit", "config.set-cutting"] + cutting, expect: 1)
        XCTAssertEqual(json(denied.stdout)["code"] as? String, "policy-denied", denied.stdout)
        // A policy granting config.* to enterprise: sam may, and root (role admin) may not.
        let policy = #"{"invoke":{"kv.*":["customer","admin"],"config.*":["enterprise"]},"read":{"*":["admin","regulator"]}}"#
        try fixture.tx("root", ["submit", "config.set-policy", "policy=\(policy)"])
        try fixture.tx("sam", ["submit", "config.set-cutting"] + cutting)
        let admin = try fixture.tx("root", ["submit", "config.set-cutting"] + cutting, expect: 1)
        XCTAssertEqual(json(admin.stdout)["code"] as? String, "policy-denied", admin.stdout)
        // A policy with no config key: role admin decides again, whatever "*" says.
        let open = #"{"invoke":{"*":["customer","admin","enterprise"]},"read":{"*":["admin"]}}"#
        try fixture.tx("sam", ["submit", "config.set-policy", "policy=\(open)"])
        try fixture.tx("root", ["submit", "config.set-cutting"] + cutting)
        let staffAgain = try fixture.tx("sam", ["submit", "config.set-cutting"] + cutting, expect: 1)
        XCTAssertEqual(json(staffAgain.stdout)["code"] as? String, "policy-denied", staffAgain.stdout)
        // Listed nowhere: refused whatever the policy says.
        let customer = try fixture.tx("alice", ["submit", "config.set-cutting"] + cutting, expect: 1)
        XCTAssertTrue(customer.stderr.contains("is not an admin of channel"), customer.stderr)
    }

    // MARK: Forged blocks

    /// A committed chain (alice writes, then is revoked), the node stopped.
    private func preparedLedger() throws -> NodeFixture {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        for i in 0..<3 { try fixture.tx("alice", ["submit", "kv.put", "key=k\(i)", "value=value-number-\(i)"]) }
        try fixture.tx("root", ["submit", "kv.put", "key=by-root", "value=1"])
        try NodeFixture.run("csp-ca", ["revoke", "alice", "--home", fixture.ca, "--reason", "keyCompromise"])
        let crl = try String(contentsOfFile: fixture.ca + "/crl.pem", encoding: .utf8)
        try fixture.tx("root", ["submit", "config.set-crl", "organization=Acme", "crl=\(crl)"])
        node.terminate()
        node.waitUntilExit()
        return fixture
    }

    private func lastBlock(_ channelDirectory: String) throws -> CommittedBlock {
        var last: CommittedBlock?
        try BlockFileReader(directory: channelDirectory).forEach(from: 0) { last = $1 }
        return try XCTUnwrap(last)
    }

    /// Builds the next block with consistent hashes (Merkle root, previous hash, commit
    /// hash), signed by `signer`, and writes it: to the block files only, or through the
    /// ledger store so the index and savepoint include it too.
    private func forge(_ fixture: NodeFixture, home: String, transactions: [Transaction], validations: [Validation],
                       effects: [TransactionEffects], signer: String, throughIndex: Bool, timestamp: UInt64? = nil) throws -> UInt64 {
        let directory = home + "/channels/consortium"
        let last = try lastBlock(directory)
        let key = try P256PrivateKey(pemFile: signer + "/key.pem")
        let certificate = try Certificate(pemFile: signer + "/cert.pem")
        var header = BlockHeader(channel: "consortium", number: last.block.header.number + 1, previousHash: last.block.header.hash,
                                 merkleRoot: Block.merkleRoot(of: transactions), commitHash: .zero,
                                 timestamp: timestamp ?? UInt64(Date().timeIntervalSince1970 * 1000), orderer: certificate.der,
                                 transactionCount: UInt32(transactions.count))
        var record = CommittedBlock(block: Block(header: header, signature: [], transactions: transactions, validations: validations),
                                    effects: effects)
        header.commitHash = try record.commitHash(previous: last.block.header.commitHash)
        record.block.header = header
        record.block.signature = try key.signature(forDigest: header.hash)
        if throughIndex {
            let ledger = try LedgerStore(directory: directory, channel: "consortium")
            try ledger.commit(record)
            ledger.close()
        } else {
            let store = try BlockStore(directory: directory)
            _ = try store.append(record)
            store.close()
        }
        return header.number
    }

    private func put(_ who: String, _ fixture: NodeFixture, key: String) throws -> (Transaction, TransactionEffects) {
        let home = fixture.dir + "/" + who
        let certificate = try Certificate(pemFile: home + "/cert.pem")
        let body = try TransactionBody(channel: "consortium", timestamp: UInt64(Date().timeIntervalSince1970 * 1000),
                                       nonce: Array(UUID().uuidString.utf8.prefix(16)), creator: certificate.der,
                                       contract: "kv", function: "put",
                                       arguments: [TransactionArgument(name: "key", value: Array(key.utf8)),
                                                   TransactionArgument(name: "value", value: Array("forged".utf8))])
        let transaction = try Transaction(signing: body, with: try P256PrivateKey(pemFile: home + "/key.pem"))
        let effects = TransactionEffects(writes: [StateWrite(key: Array("kv/\(key)".utf8), value: Array("forged".utf8))],
                                         events: [ContractEvent(name: "put", payload: Array(key.utf8))],
                                         accounts: ["Acme/\(who)"])
        return (transaction, effects)
    }

    private func copyHome(_ fixture: NodeFixture, _ name: String) throws -> String {
        let copy = fixture.dir + "/" + name
        try FileManager.default.copyItem(atPath: fixture.node, toPath: copy)
        return copy
    }

    private func assertStartRefuses(_ home: String, block: UInt64, mentioning text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let start = try NodeFixture.run("csp-node", ["start", "--home", home, "--socket", home + "/n.sock"], expect: 2, file: file, line: line)
        XCTAssertTrue(start.stderr.hasPrefix("error: "), start.stderr, file: file, line: line)
        XCTAssertTrue(start.stderr.contains("block \(block)"), start.stderr, file: file, line: line)
        XCTAssertTrue(start.stderr.contains(text), start.stderr, file: file, line: line)
        XCTAssertEqual(start.stderr.split(separator: "\n").count, 1, start.stderr, file: file, line: line)
    }

    private func assertCheckFinds(_ home: String, block: UInt64, mentioning text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let check = try NodeFixture.run("csp-node", ["check", "--home", home], expect: 1, file: file, line: line)
        XCTAssertTrue(check.stderr.hasPrefix("error: channel 'consortium': block \(block)"), check.stderr, file: file, line: line)
        XCTAssertTrue(check.stderr.contains(text), check.stderr, file: file, line: line)
    }

    func testForgedBlocksAreRefusedAtStartAndFoundByCheck() throws {
        let fixture = try preparedLedger()
        let clean = try NodeFixture.run("csp-node", ["check", "--home", fixture.node, "--format", "json"])
        XCTAssertEqual(json(clean.stdout)["blocks"] as? Int, 6, clean.stdout)

        // 1. A header signed by a customer instead of the orderer.
        let byCustomer = try copyHome(fixture, "by-customer")
        let (rita, ritaEffects) = try put("rita", fixture, key: "x")
        let forgedA = try forge(fixture, home: byCustomer, transactions: [rita], validations: [.valid], effects: [ritaEffects],
                                signer: fixture.dir + "/root", throughIndex: false)
        try assertStartRefuses(byCustomer, block: forgedA, mentioning: "not the channel's orderer")
        try assertCheckFinds(byCustomer, block: forgedA, mentioning: "not the channel's orderer")

        // 2. A revoked creator's transaction marked valid, signed with the orderer's own key.
        let revoked = try copyHome(fixture, "revoked")
        let (alice, aliceEffects) = try put("alice", fixture, key: "y")
        let forgedB = try forge(fixture, home: revoked, transactions: [alice], validations: [.valid], effects: [aliceEffects],
                                signer: revoked, throughIndex: false)
        try assertStartRefuses(revoked, block: forgedB, mentioning: "revoked-creator")
        try assertCheckFinds(revoked, block: forgedB, mentioning: "revoked-creator")

        // 3. A replay of a committed transaction, written through the index as well: start
        // only re-checks signatures below the savepoint, the full check finds it.
        let replay = try copyHome(fixture, "replay")
        let first = try XCTUnwrap(try BlockFileReader(directory: replay + "/channels/consortium").block(4))
        XCTAssertEqual(first.effects[0].accounts, ["Acme/root"], "root's write, whose creator is still a member")
        let forgedC = try forge(fixture, home: replay, transactions: first.block.transactions, validations: first.block.validations,
                                effects: first.effects, signer: replay, throughIndex: true)
        try assertCheckFinds(replay, block: forgedC, mentioning: "duplicate-id")
        let replayedFiles = try copyHome(fixture, "replay-files")
        _ = try forge(fixture, home: replayedFiles, transactions: first.block.transactions, validations: first.block.validations,
                      effects: first.effects, signer: replayedFiles, throughIndex: false)
        try assertStartRefuses(replayedFiles, block: forgedC, mentioning: "duplicate-id")

        // 4. A block dated before the one it follows.
        let backdated = try copyHome(fixture, "backdated")
        let (root, rootEffects) = try put("root", fixture, key: "z")
        let forgedD = try forge(fixture, home: backdated, transactions: [root], validations: [.valid], effects: [rootEffects],
                                signer: backdated, throughIndex: false, timestamp: 1_000)
        try assertStartRefuses(backdated, block: forgedD, mentioning: "before the previous block's")
        try assertCheckFinds(backdated, block: forgedD, mentioning: "before the previous block's")
    }

    /// A damaged record is a block that does not verify: exit 1 naming it, after every
    /// block before it was checked.
    func testCheckNamesADamagedRecord() throws {
        let fixture = try preparedLedger()
        let blocks = fixture.node + "/channels/consortium/blocks"
        let file = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: blocks).filter { $0.hasPrefix("blocks-") }.sorted().first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blocks + "/" + file))
        // "value-number-1" appears only in block 2 (as the argument and as the written value).
        let range = try XCTUnwrap(bytes.range(of: Data("value-number-1".utf8)))
        bytes[range.upperBound - 1] = UInt8(ascii: "9")
        try bytes.write(to: URL(fileURLWithPath: blocks + "/" + file))
        let check = try NodeFixture.run("csp-node", ["check", "--home", fixture.node], expect: 1)
        XCTAssertTrue(check.stderr.hasPrefix("error: channel 'consortium': block 2 in '"), check.stderr)
        XCTAssertTrue(check.stderr.contains("is corrupt"), check.stderr)
        let missing = try NodeFixture.run("csp-node", ["check", "--home", fixture.node, "--channel", "nope"], expect: 2)
        XCTAssertEqual(missing.stderr, "error: no channel 'nope' in '\(fixture.node)'\n")
    }

    /// Damage in the last record is damage too, not an append in progress, once it stays
    /// damaged: a flipped byte in the newest block of a stopped node is named (it used to
    /// end the walk silently, reporting one block fewer and exit 0).
    func testCheckNamesADamagedLastRecord() throws {
        let fixture = try preparedLedger()
        let blocks = fixture.node + "/channels/consortium/blocks"
        let file = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: blocks).filter { $0.hasPrefix("blocks-") }.sorted().last)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blocks + "/" + file))
        bytes[bytes.count - 3] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: blocks + "/" + file))
        let check = try NodeFixture.run("csp-node", ["check", "--home", fixture.node], expect: 1)
        XCTAssertTrue(check.stderr.hasPrefix("error: channel 'consortium': block 5 in '"), check.stderr)
        XCTAssertTrue(check.stderr.contains("is corrupt"), check.stderr)
    }

    /// The configuration in force comes from the block files: a policy rewritten in the
    /// index (write access to the home) does not take effect, it stops the channel.
    func testConfigurationRewrittenInTheIndexIsRefused() throws {
        let fixture = try NodeFixture.make(self)
        let index = try LevelDB(path: fixture.node + "/channels/consortium/index")
        let key = [UInt8(0x20)] + Array("config/channel".utf8)
        let stored = try XCTUnwrap(try index.get(key))
        var text = String(decoding: stored.dropFirst(12), as: UTF8.self)
        text = text.replacingOccurrences(of: #""kv.*":["#, with: #""kv.*":["regulator","#)
        try index.put(key, Array(stored.prefix(12)) + Array(text.utf8), sync: true)
        index.close()
        let start = try NodeFixture.run("csp-node", ["start", "--home", fixture.node], expect: 2)
        XCTAssertTrue(start.stderr.contains("differs from the one its block files establish"), start.stderr)
        XCTAssertEqual(start.stderr.split(separator: "\n").count, 1, start.stderr)
    }

    /// Only low-S signatures: the (r, n-s) twin of a valid transaction is refused.
    func testHighSTwinOfASignatureIsRefused() throws {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        let signed = try fixture.tx("alice", ["submit", "kv.put", "key=k", "value=v", "--sign-only", "--format", "text"]).stdout
        let bytes = Array(try XCTUnwrap(Data(base64Encoded: signed.trimmingCharacters(in: .whitespacesAndNewlines))))
        let transaction = try Transaction(decoding: bytes)
        XCTAssertTrue(try LowS.isLowS(transaction.signature), "csp signs low-S")
        let twin = Transaction(body: transaction.body, signature: try highS(transaction.signature))
        XCTAssertEqual(twin.id, transaction.id, "same id: the twin would be a duplicate of the original")
        try Data(Data(twin.encoded()).base64EncodedString().utf8).write(to: URL(fileURLWithPath: fixture.dir + "/twin.tx"))
        let refused = try fixture.tx("alice", ["submit", "--signed", fixture.dir + "/twin.tx"], expect: 1)
        XCTAssertEqual(json(refused.stdout)["code"] as? String, "bad-signature", refused.stdout)
        XCTAssertTrue((json(refused.stdout)["reason"] as? String ?? "").contains("low-S"), refused.stdout)
        try Data(signed.utf8).write(to: URL(fileURLWithPath: fixture.dir + "/original.tx"))
        try fixture.tx("alice", ["submit", "--signed", fixture.dir + "/original.tx"])
    }

    /// (r, n - s) for a DER signature, by hand: the twin any third party could make.
    private func highS(_ signature: [UInt8]) throws -> [UInt8] {
        let n: [UInt8] = Array(Hex.decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")!)
        var index = 2
        let rLength = Int(signature[index + 1])
        let r = Array(signature[(index + 2)..<(index + 2 + rLength)])
        index += 2 + rLength
        let sLength = Int(signature[index + 1])
        var s = Array(signature[(index + 2)..<(index + 2 + sLength)])
        while s.count < 32 { s.insert(0, at: 0) }
        s = Array(s.suffix(32))
        var difference = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var value = Int(n[i]) - Int(s[i]) - borrow
            borrow = value < 0 ? 1 : 0
            if value < 0 { value += 256 }
            difference[i] = UInt8(value)
        }
        func integer(_ bytes: [UInt8]) -> [UInt8] {
            var trimmed = Array(bytes.drop { $0 == 0 })
            if trimmed.first.map({ $0 >= 0x80 }) ?? true { trimmed.insert(0, at: 0) }
            return [0x02, UInt8(trimmed.count)] + trimmed
        }
        let body = integer(r) + integer(difference)
        return [0x30, UInt8(body.count)] + body
    }
}
