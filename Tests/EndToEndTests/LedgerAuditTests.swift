import CSPBasics
import CSPCertificates
import CSPCrypto
import CSPFormat
import CSPLedger
import CSPTestSupport
import Foundation
import XCTest

/// `csp-audit ledger`, `compare` and `trust` on real ledgers made by the real node, then
/// damaged or forged the ways an attacker with the files (or the orderer's key) could:
/// each damage is its own test and must be named by block.
final class LedgerAuditTests: XCTestCase {
    var fixture: NodeFixture!
    var channelDirectory: String { fixture.node + "/channels/consortium" }
    var blocksFolder: String { channelDirectory + "/blocks" }

    /// Blocks 1–3 by alice, 4 by root, 5 revokes alice (config.set-crl), 6 an anchor; node stopped.
    override func setUpWithError() throws {
        fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        defer { node.terminate(); node.waitUntilExit() }
        for i in 0..<3 { try fixture.tx("alice", ["submit", "kv.put", "key=k\(i)", "value=value-number-\(i)"]) }
        try fixture.tx("root", ["submit", "kv.put", "key=by-root", "value=1"])
        try NodeFixture.run("csp-ca", ["revoke", "alice", "--home", fixture.ca, "--reason", "keyCompromise"])
        let crl = try String(contentsOfFile: fixture.ca + "/crl.pem", encoding: .utf8)
        try fixture.tx("root", ["submit", "config.set-crl", "organization=Acme", "crl=\(crl)"])
        try Data("signed contract".utf8).write(to: URL(fileURLWithPath: fixture.dir + "/contract.pdf"))
        try NodeFixture.run("csp-audit", ["anchor", fixture.dir + "/contract.pdf", "--home", fixture.dir + "/root", "--socket", fixture.socket,
                                          "--channel", fixture.channel])
    }

    @discardableResult
    func ledger(_ path: String, expect status: Int32, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try NodeFixture.run("csp-audit", ["ledger", "--ledger", path, "--channel", "consortium"], expect: status, file: file, line: line)
    }

    func assertFails(at block: UInt64, mentioning text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try ledger(fixture.node, expect: 1, file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("error: channel 'consortium': block \(block)"), result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(text), result.stderr, file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
    }

    // MARK: Block files as records

    var blockFile: String { blocksFolder + "/blocks-000000.dat" }

    func records(_ path: String? = nil) throws -> [Data] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path ?? blockFile))
        var out: [Data] = []
        var at = 0
        while at < data.count {
            let length = data[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            out.append(Data(data[at..<(at + 8 + length)]))
            at += 8 + length
        }
        return out
    }

    func write(_ records: [Data]) throws {
        try records.reduce(Data(), +).write(to: URL(fileURLWithPath: blockFile))
    }

    /// Replaces the last block by `mutate(last)`, re-signed with the orderer's key when
    /// `resign` (an attacker holding the key), written with a correct checksum.
    func rewriteLast(resign: Bool, _ mutate: (inout CommittedBlock) throws -> Void) throws {
        var all = try records()
        var record = try CommittedBlock(decoding: Array(all.removeLast().dropFirst(8)))
        try mutate(&record)
        if resign {
            let previous = try CommittedBlock(decoding: Array(all.last!.dropFirst(8)))
            record.block.header.merkleRoot = Block.merkleRoot(of: record.block.transactions)
            record.block.header.commitHash = try record.commitHash(previous: previous.block.header.commitHash)
            let key = try P256PrivateKey(pemFile: fixture.node + "/key.pem")
            record.block.signature = try key.signature(forDigest: record.block.header.hash)
        }
        try write(all)
        let store = try BlockStore(directory: channelDirectory)
        _ = try store.append(record)
        store.close()
    }

    func signedPut(_ home: String, key: String) throws -> Transaction {
        let certificate = try Certificate(pemFile: home + "/cert.pem")
        let body = try TransactionBody(channel: "consortium", timestamp: UInt64(Date().timeIntervalSince1970 * 1000),
                                       nonce: Array(UUID().uuidString.utf8.prefix(16)), creator: certificate.der, contract: "kv", function: "put",
                                       arguments: [TransactionArgument(name: "key", text: key), TransactionArgument(name: "value", text: "forged")])
        return try Transaction(signing: body, with: try P256PrivateKey(pemFile: home + "/key.pem"))
    }

    // MARK: Tests

    func testAnIntactLedgerVerifiesFromFilesAndThroughTheNode() throws {
        let files = try ledger(fixture.node, expect: 0)
        XCTAssertTrue(files.stdout.hasPrefix("consortium: 7 blocks and 7 transactions verified (7 valid); head block 6 "), files.stdout)
        let node = try fixture.start()
        defer { node.terminate(); node.waitUntilExit() }
        let socket = try NodeFixture.run("csp-audit", ["ledger", "--format", "json", "--home", fixture.dir + "/root", "--socket", fixture.socket,
                                                       "--channel", "consortium"])
        XCTAssertTrue(socket.stdout.contains("\"blocks\":7"), socket.stdout)
        XCTAssertTrue(socket.stdout.contains("\"ok\":true"), socket.stdout)
        // Beside the running node, from its files.
        XCTAssertEqual(try ledger(channelDirectory, expect: 0).stdout, files.stdout)
    }

    func testAFlippedByteIsCaught() throws {
        var all = try records()
        all[2][all[2].count - 40] ^= 0x01
        try write(all)
        try assertFails(at: 2, mentioning: "is corrupt")
    }

    func testADeletedBlockIsCaught() throws {
        var all = try records()
        all.remove(at: 3)
        try write(all)
        try assertFails(at: 3, mentioning: "the record holds block 4")
    }

    func testTwoSwappedBlocksAreCaught() throws {
        var all = try records()
        all.swapAt(2, 3)
        try write(all)
        try assertFails(at: 2, mentioning: "the record holds block 3")
    }

    func testATruncatedFileIsCaught() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: blockFile))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: blockFile))
        try assertFails(at: 6, mentioning: "runs past the end")
    }

    func testATransactionReplacedByAValidlySignedOneFromAnotherLedgerIsCaught() throws {
        try NodeFixture.run("csp-ca", ["init", "--home", fixture.dir + "/other-ca", "--org", "Acme"])
        let secret = try NodeFixture.run("csp-ca", ["register", "mallory", "--home", fixture.dir + "/other-ca", "--role", "admin"]).stdout
            .trimmingCharacters(in: .newlines)
        try NodeFixture.run("csp-ca", ["enroll", "mallory", "--secret", secret, "--ca", fixture.dir + "/other-ca", "--out", fixture.dir + "/mallory"])
        let foreign = try signedPut(fixture.dir + "/mallory", key: "planted")
        XCTAssertTrue(try foreign.hasValidSignature(by: try Certificate(pemFile: fixture.dir + "/mallory/cert.pem").publicKey))
        // Only the files: the Merkle root no longer matches.
        let saved = try Data(contentsOf: URL(fileURLWithPath: blockFile))
        try rewriteLast(resign: false) { record in
            record.block = Block(header: record.block.header, signature: record.block.signature, transactions: [foreign], validations: record.block.validations)
        }
        try assertFails(at: 6, mentioning: "Merkle root")
        // With the orderer's key as well: re-admission finds a creator of no member CA.
        try saved.write(to: URL(fileURLWithPath: blockFile))
        try rewriteLast(resign: true) { record in
            record.block = Block(header: record.block.header, signature: [], transactions: [foreign], validations: [.valid])
            record.effects = [TransactionEffects(writes: [StateWrite(key: Array("kv/planted".utf8), value: Array("forged".utf8))],
                                                 events: [ContractEvent(name: "put", payload: Array("planted".utf8))], accounts: ["Acme/mallory"])]
        }
        try assertFails(at: 6, mentioning: "unknown-creator")
    }

    func testAForgedOrdererSignatureIsCaught() throws {
        try rewriteLast(resign: false) { record in
            let impostor = try P256PrivateKey(pemFile: self.fixture.dir + "/root/key.pem")
            record.block.signature = try impostor.signature(forDigest: record.block.header.hash)
        }
        try assertFails(at: 6, mentioning: "the orderer's signature does not verify")
    }

    func testAChangedStateWriteIsCaughtByReExecution() throws {
        // Block 4 is root's kv.put; rewritten as the last block would be, consistently
        // re-hashed and re-signed: only re-executing it shows the write is not the call's.
        var all = try records()
        let tail = Array(all[5...])
        all.removeLast(all.count - 5)
        try write(all)
        try rewriteLast(resign: true) { record in
            record.effects[0].writes = [StateWrite(key: Array("kv/by-root".utf8), value: Array("1000000".utf8))]
        }
        try write(try records() + tail)
        try assertFails(at: 4, mentioning: "the recorded writes, events or accounts differ")
    }

    func testARevokedSignerAfterItsCRLTookEffectIsCaught() throws {
        let late = try signedPut(fixture.dir + "/alice", key: "after-revocation")
        try rewriteLast(resign: true) { record in
            record.block = Block(header: record.block.header, signature: [], transactions: [late], validations: [.valid])
            record.effects = [TransactionEffects(writes: [StateWrite(key: Array("kv/after-revocation".utf8), value: Array("forged".utf8))],
                                                 events: [ContractEvent(name: "put", payload: Array("after-revocation".utf8))], accounts: ["Acme/alice"])]
        }
        try assertFails(at: 6, mentioning: "revoked-creator")
    }

    func testTrustCatchesARollbackAndARewrite() throws {
        let trust = fixture.dir + "/head.json"
        let saved = try NodeFixture.run("csp-audit", ["trust", "save", "--ledger", fixture.node, "--channel", "consortium", "--file", trust])
        XCTAssertTrue(saved.stdout.contains("saved verified head at height 7"), saved.stdout)
        XCTAssertTrue(try NodeFixture.run("csp-audit", ["trust", "check", "--ledger", fixture.node, "--channel", "consortium", "--file", trust])
            .stdout.contains("OK extends the head saved at"))
        let original = try Data(contentsOf: URL(fileURLWithPath: blockFile))

        // Rolled back: the last block removed at a record boundary (still a valid ledger).
        try write(Array(try records().dropLast()))
        try ledger(fixture.node, expect: 0)
        let rolled = try NodeFixture.run("csp-audit", ["trust", "check", "--ledger", fixture.node, "--channel", "consortium", "--file", trust], expect: 1)
        XCTAssertEqual(rolled.stderr.split(separator: "\n").count, 1, rolled.stderr)
        XCTAssertTrue(rolled.stderr.contains("was rolled back: it has 6 blocks, fewer than the 7 verified at "), rolled.stderr)

        // Rewritten: the last block replaced by another the orderer's key signed, which verifies.
        try original.write(to: URL(fileURLWithPath: blockFile))
        let other = try signedPut(fixture.dir + "/root", key: "rewritten")
        try rewriteLast(resign: true) { record in
            record.block = Block(header: record.block.header, signature: [], transactions: [other], validations: [.valid])
            record.effects = [TransactionEffects(writes: [StateWrite(key: Array("kv/rewritten".utf8), value: Array("forged".utf8))],
                                                 events: [ContractEvent(name: "put", payload: Array("rewritten".utf8))], accounts: ["Acme/root"])]
        }
        try ledger(fixture.node, expect: 0)
        let rewritten = try NodeFixture.run("csp-audit", ["trust", "check", "--ledger", fixture.node, "--channel", "consortium", "--file", trust], expect: 1)
        XCTAssertTrue(rewritten.stderr.contains("was rewritten: block 6 is now "), rewritten.stderr)

        // Extended: another block after the saved head passes, and --update moves the head.
        try original.write(to: URL(fileURLWithPath: blockFile))
        let node = try fixture.start()
        try fixture.tx("root", ["submit", "kv.put", "key=later", "value=2"])
        node.terminate()
        node.waitUntilExit()
        let extended = try NodeFixture.run("csp-audit", ["trust", "check", "--update", "--ledger", fixture.node, "--channel", "consortium", "--file", trust])
        XCTAssertTrue(extended.stdout.contains("(height 7 → 8, 1 block after it checked); saved"), extended.stdout)
        XCTAssertTrue(try String(contentsOfFile: trust, encoding: .utf8).contains("\"height\" : 8"))
        try NodeFixture.run("csp-audit", ["trust", "check", "--ledger", fixture.node, "--channel", "consortium", "--file", fixture.dir + "/none.json"], expect: 2)
    }

    @discardableResult
    func trust(_ arguments: [String], expect status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        try NodeFixture.run("csp-audit", ["trust"] + arguments + ["--channel", "consortium", "--file", fixture.dir + "/head.json"],
                            expect: status, file: file, line: line)
    }

    /// The quick check reads the saved head's block and the blocks after it; --full reads
    /// them all, and through the node as from the files.
    func testTrustCheckVerifiesOnlyTheExtensionAndFullEverything() throws {
        try trust(["save", "--ledger", fixture.node])
        let node = try fixture.start()
        try fixture.tx("root", ["submit", "kv.put", "key=later", "value=2"])
        try fixture.tx("root", ["submit", "kv.put", "key=later", "value=3"])
        let socket = try trust(["check", "--home", fixture.dir + "/root", "--socket", fixture.socket])
        XCTAssertTrue(socket.stdout.contains("(height 7 → 9, 2 blocks after it checked)"), socket.stdout)
        XCTAssertTrue(try trust(["check", "--full", "--home", fixture.dir + "/root", "--socket", fixture.socket]).stdout.contains("(height 7 → 9, every block re-verified)"))
        node.terminate()
        node.waitUntilExit()
        XCTAssertTrue(try trust(["check", "--ledger", fixture.node]).stdout.contains("2 blocks after it checked"))

        // A block after the saved head whose orderer signature was forged.
        let original = try Data(contentsOf: URL(fileURLWithPath: blockFile))
        try rewriteLast(resign: false) { record in record.block.signature[record.block.signature.count - 3] ^= 1 }
        let forged = try trust(["check", "--ledger", fixture.node], expect: 1)
        XCTAssertEqual(forged.stderr, "error: channel 'consortium': block 8: the orderer's signature does not verify\n")

        // A block before the saved head damaged: its hash no longer chains to the saved
        // head, which the quick check does not read; --full (as csp-audit ledger) catches it.
        try original.write(to: URL(fileURLWithPath: blockFile))
        var all = try records()
        all[2][all[2].count - 40] ^= 1
        try write(all)
        try trust(["check", "--ledger", fixture.node])
        XCTAssertTrue(try trust(["check", "--full", "--ledger", fixture.node], expect: 1).stderr.hasPrefix("error: channel 'consortium': block 2"))
    }

    func testCompareFindsTheCommonPrefixAndTheFirstDivergence() throws {
        let copy = fixture.dir + "/copy"
        try FileManager.default.copyItem(atPath: fixture.node, toPath: copy)
        let same = try NodeFixture.run("csp-audit", ["compare", fixture.node, copy, "--channel", "consortium"])
        XCTAssertTrue(same.stdout.contains("common prefix 7 blocks\nidentical\n"), same.stdout)
        let other = try signedPut(fixture.dir + "/root", key: "divergent")
        try rewriteLast(resign: true) { record in
            record.block = Block(header: record.block.header, signature: [], transactions: [other], validations: [.valid])
            record.effects = [TransactionEffects(writes: [StateWrite(key: Array("kv/divergent".utf8), value: Array("forged".utf8))],
                                                 events: [ContractEvent(name: "put", payload: Array("divergent".utf8))], accounts: ["Acme/root"])]
        }
        let diverged = try NodeFixture.run("csp-audit", ["compare", fixture.node, copy, "--channel", "consortium", "--format", "json"], expect: 1)
        XCTAssertTrue(diverged.stdout.contains("\"common_prefix\":6"), diverged.stdout)
        XCTAssertTrue(diverged.stdout.contains("\"first_block_divergence\":6"), diverged.stdout)
        XCTAssertTrue(diverged.stdout.contains("\"first_commit_divergence\":6"), diverged.stdout)
        // A copy that is behind is a prefix, not a divergence.
        let behind = fixture.dir + "/behind"
        try FileManager.default.copyItem(atPath: copy, toPath: behind)
        let file = behind + "/channels/consortium/blocks/blocks-000000.dat"
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let lastLength = try records(file).last!.count
        try data.prefix(data.count - lastLength).write(to: URL(fileURLWithPath: file))
        let prefix = try NodeFixture.run("csp-audit", ["compare", copy, behind, "--channel", "consortium"])
        XCTAssertTrue(prefix.stdout.contains("common prefix 6 blocks\n'\(copy)' extends the other by 1 blocks"), prefix.stdout)
    }
}

/// `csp-audit ledger --socket` over more blocks than one `blocks` answer holds (256), so
/// several ranges are in flight at once: the same verdict as from the block files.
final class LedgerOverSocketTests: XCTestCase {
    func testManyBlocksThroughTheNodeInPipelinedRanges() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 1, timeoutMilliseconds: 1)
        let node = try fixture.start()
        defer { node.terminate(); node.waitUntilExit() }
        let lines = (0..<600).map { #"{"call":"kv.put","args":{"key":"k\#($0)","value":"v\#($0)"}}"# }
        try fixture.tx("alice", ["submit", "--batch", "-", "--window", "32"], input: Data((lines.joined(separator: "\n") + "\n").utf8))
        let socket = try NodeFixture.run("csp-audit", ["ledger", "--home", fixture.dir + "/root", "--socket", fixture.socket, "--channel", fixture.channel])
        let blocks = try XCTUnwrap(socket.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) }, socket.stdout)
        XCTAssertGreaterThan(blocks, 600, socket.stdout)
        let files = try NodeFixture.run("csp-audit", ["ledger", "--ledger", fixture.node, "--channel", fixture.channel])
        XCTAssertEqual(socket.stdout, files.stdout)
        // compare reads both the same way: identical.
        XCTAssertTrue(try NodeFixture.run("csp-audit", ["compare", fixture.socket, fixture.node, "--home", fixture.dir + "/root", "--channel", fixture.channel])
            .stdout.contains("identical"))
    }
}
