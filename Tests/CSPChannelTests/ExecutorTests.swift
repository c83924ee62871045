import CSPCertificates
import CSPChannel
import CSPContracts
import CSPCrypto
import CSPFormat
import Foundation
import XCTest

final class ExecutorTests: XCTestCase {
    private var channel: TestChannel!
    private var rules: ChannelRules!

    override func setUpWithError() throws {
        channel = try TestChannel()
        rules = try channel.rules()
    }

    /// Admits and executes like the node: admission at the block's timestamp.
    private func run(_ transactions: [Transaction], state: any StateReader = MemoryState(), rules: ChannelRules? = nil,
                     committed: Set<SHA256Digest> = []) throws -> BlockExecution {
        let rules = rules ?? self.rules!
        let admitted = transactions.map { rules.admit($0, now: referenceNow) }
        return try Executor(rules: rules).execute(transactions, admitted: admitted, block: testBlock, state: state) { committed.contains($0) }
    }

    private func put(_ who: Identity, _ key: String, _ value: String) throws -> Transaction {
        try who.transaction("kv", "put", ["key": key, "value": value])
    }

    private func delete(_ who: Identity, _ key: String) throws -> Transaction {
        try who.transaction("kv", "delete", ["key": key])
    }

    // MARK: kv

    func testPutAndDelete() throws {
        let state = MemoryState(["kv/old": "1"])
        let result = try run([try put(channel.alice, "k", "v"), try delete(channel.bob, "old")], state: state)
        XCTAssertEqual(result.validations, [.valid, .valid])
        XCTAssertEqual(result.effects[0], TransactionEffects(writes: [StateWrite(key: bytes("kv/k"), value: bytes("v"))],
                                                             events: [ContractEvent(name: "put", payload: bytes("k"))], accounts: ["Acme/alice"]))
        XCTAssertEqual(result.effects[1], TransactionEffects(writes: [StateWrite(key: bytes("kv/old"), value: nil)],
                                                             events: [ContractEvent(name: "delete", payload: bytes("old"))], accounts: ["Beta/bob"]))
        XCTAssertNil(result.newConfig)
    }

    func testDeleteOfAbsentKeyFails() throws {
        let result = try run([try delete(channel.bob, "x")])
        XCTAssertEqual(result.validations, [Validation(code: .contractFailed, reason: "kv.delete: key 'x' does not exist")])
        XCTAssertEqual(result.effects, [.none])
    }

    func testArgumentsAreChecked() throws {
        let result = try run([
            try channel.alice.transaction("kv", "put", ["key": "k"]),
            try channel.alice.transaction("kv", "put", ["key": "k", "value": "v", "ttl": "5"]),
            try channel.alice.transaction("kv", "put", ["key": "", "value": "v"]),
            try channel.alice.transaction("kv", "put", ["key": String(repeating: "k", count: 1025), "value": "v"]),
        ])
        XCTAssertEqual(result.validations, [
            Validation(code: .contractFailed, reason: "kv.put: missing argument 'value'"),
            Validation(code: .contractFailed, reason: "kv.put: unexpected argument 'ttl'"),
            Validation(code: .contractFailed, reason: "kv.put: key must not be empty"),
            Validation(code: .contractFailed, reason: "kv.put: key is longer than 1024 bytes"),
        ])
    }

    func testReadYourBlocksWrites() throws {
        let state = MemoryState()
        let result = try run([
            try put(channel.alice, "a", "1"),
            try delete(channel.bob, "a"),      // sees the put above
            try delete(channel.bob, "a"),      // sees the delete above
            try put(channel.alice, "b", "2"),
            try delete(channel.bob, "c"),      // fails: its own writes must not leak
        ], state: state)
        XCTAssertEqual(result.validations.map(\.code), [.valid, .valid, .contractFailed, .valid, .contractFailed])
        XCTAssertEqual(result.validations[2].reason, "kv.delete: key 'a' does not exist")
        state.commit(result)
        XCTAssertEqual(state.values, [bytes("kv/b"): bytes("2")])
    }

    func testInvalidAdmissionPassesThrough() throws {
        let forged = try Transaction(signing: try put(channel.alice, "k", "v").body, with: channel.bob.key)
        let result = try run([forged, try delete(channel.alice, "k")])
        XCTAssertEqual(result.validations.map(\.code), [.badSignature, .policyDenied])
        XCTAssertEqual(result.effects, [.none, .none])
    }

    func testStateErrorsStopTheBlock() throws {
        XCTAssertEqual(errorMessage { try self.run([try self.delete(self.channel.bob, "k")], state: FailingState()) }, "disk on fire")
        let transaction = try put(channel.alice, "k", "v")
        XCTAssertEqual(errorMessage {
            try Executor(rules: self.rules).execute([transaction], admitted: [], block: testBlock, state: MemoryState()) { _ in false }
        }, "0 admission results for 1 transactions")
    }

    // MARK: Duplicates

    func testDuplicateWithinBlock() throws {
        let transaction = try put(channel.alice, "k", "v")
        let result = try run([transaction, transaction, try put(channel.alice, "k", "w"), transaction])
        XCTAssertEqual(result.validations, [
            .valid,
            Validation(code: .duplicateID, reason: "transaction \(transaction.id.hex) appears earlier in this block"),
            .valid,
            Validation(code: .duplicateID, reason: "transaction \(transaction.id.hex) appears earlier in this block"),
        ])
        XCTAssertEqual(result.effects[1], .none)
    }

    func testDuplicateOfCommittedTransaction() throws {
        let old = try put(channel.alice, "k", "v")
        var asked: [SHA256Digest] = []
        let fresh = try put(channel.alice, "k", "w")
        let transactions = [old, fresh]
        let result = try Executor(rules: rules).execute(transactions, admitted: transactions.map { rules.admit($0, now: referenceNow) },
                                                        block: testBlock, state: MemoryState()) { id in
            asked.append(id)
            return id == old.id
        }
        XCTAssertEqual(result.validations, [Validation(code: .duplicateID, reason: "transaction \(old.id.hex) was committed in an earlier block"), .valid])
        XCTAssertEqual(asked, [old.id, fresh.id])
    }

    func testForgedCopyDoesNotUseUpTheID() throws {
        // Someone copies a pending transaction, spoils the signature and gets the copy
        // ordered first: the genuine one must still run.
        let genuine = try put(channel.alice, "k", "v")
        let spoiled = Transaction(body: genuine.body, signature: try channel.bob.key.signature(forDigest: genuine.id))
        XCTAssertEqual(spoiled.id, genuine.id)
        let result = try run([spoiled, genuine])
        XCTAssertEqual(result.validations.map(\.code), [.badSignature, .valid])
        XCTAssertTrue(BlockExecution.consumesID(.valid))
        XCTAssertTrue(BlockExecution.consumesID(.contractFailed), "a failed call must not be replayable later")
        XCTAssertFalse(BlockExecution.consumesID(.badSignature))
        XCTAssertFalse(BlockExecution.consumesID(.duplicateID))
    }

    // MARK: Determinism

    func testDeterministic() throws {
        let transactions = [
            try put(channel.alice, "a", "1"), try put(channel.bob, "b", "2"), try delete(channel.bob, "a"),
            try delete(channel.bob, "zzz"), try put(channel.admin, "a", "3"),
        ]
        let state = MemoryState(["kv/zz": "0"])
        let first = try run(transactions, state: state)
        // A second node: its own rules and caches, the same inputs.
        let second = try run(transactions, state: MemoryState(["kv/zz": "0"]), rules: try channel.rules())
        XCTAssertEqual(first, second)
        let number: UInt64 = 7
        let hash = { (execution: BlockExecution) throws -> SHA256Digest in
            var latest: [[UInt8]: [UInt8]?] = [:]
            for (validation, effects) in zip(execution.validations, execution.effects) where validation.code == .valid {
                for write in effects.writes { latest[write.key] = .some(write.value) }
            }
            return try CommitHash.compute(previous: .zero, number: number, validations: execution.validations.map(\.code),
                                          writes: latest.map { StateWrite(key: $0.key, value: $0.value) })
        }
        XCTAssertEqual(try hash(first), try hash(second))
    }

    // MARK: Configuration

    private func configTransaction(_ function: String, _ arguments: [String: String], by who: Identity? = nil) throws -> Transaction {
        try (who ?? channel.admin).transaction("config", function, arguments)
    }

    func testConfigTransactionAlone() throws {
        let change = try configTransaction("set-cutting", ["maxTransactions": "10", "timeoutMilliseconds": "50"])
        let result = try run([change])
        XCTAssertEqual(result.validations, [.valid])
        var expected = channel.config
        expected.blockCutting = BlockCutting(maxTransactions: 10, maxBytes: 2 << 20, timeoutMilliseconds: 50)
        XCTAssertEqual(result.newConfig, expected)
        XCTAssertEqual(result.effects[0], TransactionEffects(writes: [StateWrite(key: Executor.configKey, value: expected.canonicalJSON())],
                                                             events: [ContractEvent(name: "set-cutting", payload: [])], accounts: ["Acme/admin"]))
    }

    func testConfigTransactionWithOthersFails() throws {
        let change = try configTransaction("set-cutting", ["maxTransactions": "10"])
        let result = try run([try put(channel.alice, "k", "v"), change])
        XCTAssertEqual(result.validations, [.valid, Validation(code: .contractFailed, reason: "config.set-cutting: configuration transactions go in a block of their own")])
        XCTAssertNil(result.newConfig)
        // Even beside transactions that are themselves invalid.
        let forged = try Transaction(signing: try put(channel.alice, "k", "v").body, with: channel.bob.key)
        XCTAssertEqual(try run([change, forged]).validations.first?.code, .contractFailed)
    }

    func testNonAdminConfigurationDenied() throws {
        let change = try configTransaction("set-cutting", ["maxTransactions": "10"], by: channel.bob)
        let result = try run([change])
        XCTAssertEqual(result.validations, [Validation(code: .policyDenied, reason: "'Beta/bob' is not an admin of channel 'consortium'")])
        XCTAssertNil(result.newConfig)
    }

    func testAddOrganization() throws {
        let gamma = try TestOrganization("Gamma")
        let carol = try gamma.member("carol", role: "enterprise")
        XCTAssertEqual(rules.admit(try put(carol, "k", "v"), now: referenceNow).validation.code, .unknownCreator)

        let add = try configTransaction("add-org", ["name": "Gamma", "certificates": gamma.issuer.pem() + gamma.root.pem(),
                                                    "crls": gamma.issuerCRL.pem() + gamma.rootCRL.pem()])
        let result = try run([add])
        XCTAssertEqual(result.validations, [.valid])
        let config = try XCTUnwrap(result.newConfig)
        XCTAssertEqual(config.organizations.map(\.name), ["Acme", "Beta", "Gamma"])
        XCTAssertEqual(result.effects[0].events, [ContractEvent(name: "add-org", payload: bytes("Gamma"))])
        // What the node stores is what it will read back on restart.
        XCTAssertEqual(try ChannelConfig.decode(result.effects[0].writes[0].value!, source: "state"), config)

        let next = try ChannelRules(config: config)
        XCTAssertEqual(next.admit(try put(carol, "k", "v"), now: referenceNow).validation, .valid)
        XCTAssertEqual(rules.admit(try put(carol, "k", "v"), now: referenceNow).validation.code, .unknownCreator, "old rules are unchanged")
    }

    func testAddOrganizationRefusals() throws {
        let gamma = try TestOrganization("Gamma")
        XCTAssertEqual(try run([configTransaction("add-org", ["name": "Beta", "certificates": gamma.root.pem(), "crls": gamma.rootCRL.pem()])]).validations,
                       [Validation(code: .contractFailed, reason: "config.add-org: organization 'Beta' is already a member")])
        XCTAssertEqual(try run([configTransaction("add-org", ["name": "Gamma", "certificates": gamma.issuer.pem() + gamma.root.pem(), "crls": gamma.rootCRL.pem()])]).validations,
                       [Validation(code: .contractFailed, reason: "config.add-org: the new configuration is invalid: organization 'Gamma': CA 'O=Gamma, OU=ca, CN=Gamma Issuing CA' has no CRL (csp-ca keeps its current one in crl.pem)")])
        XCTAssertEqual(try run([configTransaction("add-org", ["name": "Gamma", "certificates": gamma.root.pem()])]).validations,
                       [Validation(code: .contractFailed, reason: "config.add-org: missing argument 'crls'")])
    }

    func testSetCRLRevokesCreator() throws {
        let acme = channel.acme
        XCTAssertEqual(rules.admit(try put(channel.alice, "k", "v"), now: referenceNow).validation, .valid)
        let list = try acme.issuerCRL(number: 2, revoking: [channel.alice.certificate])
        let result = try run([configTransaction("set-crl", ["organization": "Acme", "crl": list.pem()])])
        XCTAssertEqual(result.validations, [.valid])
        let config = try XCTUnwrap(result.newConfig)
        XCTAssertEqual(config.organizations[0].crls, [list.pem(), acme.rootCRL.pem()])
        XCTAssertEqual(config.organizations[1], channel.config.organizations[1])

        let next = try ChannelRules(config: config)
        XCTAssertEqual(next.admit(try put(channel.alice, "k", "v"), now: referenceNow).validation.code, .revokedCreator)
        XCTAssertEqual(next.admit(try put(channel.admin, "k", "v"), now: referenceNow).validation, .valid)
    }

    /// The orderer's cut-time check: a transaction admitted under the old rules is judged
    /// again under the rules in force at its block without a second signature check, and
    /// reaches the verdict a full admission under those rules gives.
    func testCutTimeReadmissionMatchesFullAdmissionUnderTheBlocksRules() throws {
        let list = try channel.acme.issuerCRL(number: 2, revoking: [channel.alice.certificate])
        let config = try XCTUnwrap(try run([configTransaction("set-crl", ["organization": "Acme", "crl": list.pem()])]).newConfig)
        let next = try ChannelRules(config: config)
        let transactions = [try put(channel.alice, "k", "v"), try put(channel.admin, "k", "v"), try put(channel.bob, "k", "v")]
        for transaction in transactions {
            XCTAssertEqual(next.admitSigned(transaction, now: referenceNow), next.admit(transaction, now: referenceNow))
        }
        XCTAssertEqual(next.admitSigned(transactions[0], now: referenceNow).validation.code, .revokedCreator)
        // The block's timestamp decides the window, not the clock at submit time.
        let late = referenceNow.addingTimeInterval(Double(channel.config.timestampWindowSeconds) + 1)
        XCTAssertEqual(rules.admitSigned(transactions[1], now: late).validation.code, .timestampOutOfWindow)
        XCTAssertEqual(BlockVerifier.admitInParallel(Array(repeating: transactions[1], count: 40), rules: rules, now: referenceNow),
                       Array(repeating: rules.admit(transactions[1], now: referenceNow), count: 40))
    }

    func testSignatureCheckNeedsNoRules() throws {
        let good = try put(channel.alice, "k", "v")
        var bytes = good.signature
        bytes[bytes.count - 1] ^= 0x01
        let forged = Transaction(body: good.body, signature: bytes)
        let stranger = try put(channel.bob, "k", "v")
        XCTAssertEqual(SignatureCheck.verify([good, forged, stranger] + Array(repeating: good, count: 30)),
                       [true, false, true] + Array(repeating: true, count: 30))
        // A block checked with the precomputed answers reaches the full admission's verdicts.
        let verdicts = zip([good, forged], SignatureCheck.verify([good, forged])).map { transaction, verified in
            verified ? rules.admitSigned(transaction, now: referenceNow) : rules.admit(transaction, now: referenceNow)
        }
        XCTAssertEqual(verdicts, [rules.admit(good, now: referenceNow), rules.admit(forged, now: referenceNow)])
    }

    /// Each worker remembers its last creator's key: a creator change between
    /// consecutive transactions must switch keys, whichever order they come in.
    func testSignatureCheckSwitchesKeysBetweenConsecutiveCreators() throws {
        let alice = try put(channel.alice, "a", "1"), bob = try put(channel.bob, "b", "2")
        let aliceSignedByBob = try Transaction(signing: try put(channel.alice, "c", "3").body, with: channel.bob.key)
        let bobSignedByAlice = try Transaction(signing: try put(channel.bob, "d", "4").body, with: channel.alice.key)
        let pattern = [bob, aliceSignedByBob, alice, bobSignedByAlice, bob, bob, alice, alice, aliceSignedByBob]
        let expected = [true, false, true, false, true, true, true, true, false]
        for repeats in [1, 12] {
            XCTAssertEqual(SignatureCheck.verify(Array(Array(repeating: pattern, count: repeats).joined())),
                           Array(Array(repeating: expected, count: repeats).joined()), "\(repeats) repeats")
        }
        // A cache kept across calls (a follower's), also one that keeps a single key.
        for keys in [SignatureCheck.KeyCache(), SignatureCheck.KeyCache(limit: 1)] {
            for _ in 0..<3 { XCTAssertEqual(SignatureCheck.verify(pattern, keys: keys), expected) }
            XCTAssertEqual(SignatureCheck.verify([aliceSignedByBob], keys: keys), [false])
        }
    }

    /// Remembered transactions are skipped and the others verified (on the calling thread
    /// when they are few, on every core when more): each verdict lands at its own position.
    func testSignatureCheckMixesRememberedAndVerifiedTransactionsAtTheirPositions() throws {
        let keys = SignatureCheck.KeyCache()
        let good = try put(channel.alice, "k", "v")
        var bytes = good.signature
        bytes[bytes.count - 1] ^= 0x01
        let forged = Transaction(body: good.body, signature: bytes)
        for others in [[], [forged], [good, forged], [forged, good, forged, good, good, forged, good, forged]] {
            let verified = SignatureCheck.VerifiedTransactions()
            let remembered = try (0..<4).map { try put(channel.alice, "r\($0)", "v") }
            for transaction in remembered { XCTAssertTrue(verified.record(transaction, keys: keys)) }
            var block: [Transaction] = [], expected: [Bool] = []
            for index in 0..<max(others.count, remembered.count) {
                if index < others.count {
                    block.append(others[index])
                    expected.append(others[index].signature == good.signature)
                }
                if index < remembered.count {
                    block.append(remembered[index])
                    expected.append(true)
                }
            }
            XCTAssertEqual(SignatureCheck.verify(block, keys: keys, verified: verified), expected, "\(others.count) not remembered")
            XCTAssertEqual(verified.count, 0, "every remembered one used")
        }
    }

    /// A follower remembers the submissions it verified while forwarding them: only the
    /// exact same bytes skip the ECDSA verification, once; any other byte is checked in full.
    func testVerifiedTransactionsSkipOnlyTheExactBytesOnce() throws {
        let keys = SignatureCheck.KeyCache()
        let verified = SignatureCheck.VerifiedTransactions()
        let good = try put(channel.alice, "k", "v")
        var bytes = good.signature
        bytes[bytes.count - 1] ^= 0x01
        let forged = Transaction(body: good.body, signature: bytes)
        XCTAssertTrue(verified.record(good, keys: keys))
        // A bad signature is verified and never remembered.
        XCTAssertFalse(verified.record(forged, keys: keys))
        XCTAssertEqual(verified.count, 1)
        // Same body, another signature: not the remembered bytes, so verified in full (and refused).
        XCTAssertEqual(SignatureCheck.verify([forged], keys: keys, verified: verified), [false])
        // The same body signed by someone else's key (another creator's signature over the same id).
        let resigned = try Transaction(signing: good.body, with: channel.bob.key)
        XCTAssertEqual(SignatureCheck.verify([resigned], keys: keys, verified: verified), [false])
        XCTAssertEqual(verified.count, 1)
        XCTAssertEqual(SignatureCheck.verify([good, forged], keys: keys, verified: verified), [true, false])
        // Used once: taken out of the cache (the next sighting is verified in full, still true).
        XCTAssertEqual(verified.count, 0)
        XCTAssertEqual(SignatureCheck.verify([good], keys: keys, verified: verified), [true])
        // Bounded: past its limit the oldest entries go; what stays is still found.
        let small = SignatureCheck.VerifiedTransactions(limit: 4)
        let many = try (0..<10).map { try put(channel.alice, "k\($0)", "v") }
        for transaction in many { XCTAssertTrue(small.record(transaction, keys: keys)) }
        XCTAssertEqual(small.count, 4)
        XCTAssertEqual(SignatureCheck.verify(Array(many.suffix(4)), keys: keys, verified: small), [true, true, true, true])
        XCTAssertEqual(small.count, 0)
    }

    func testSetCRLRefusals() throws {
        let acme = channel.acme
        func refusal(_ arguments: [String: String]) throws -> String {
            let result = try run([configTransaction("set-crl", arguments)])
            XCTAssertNil(result.newConfig)
            return result.validations[0].reason
        }
        // Not newer than the current list: it could un-revoke.
        XCTAssertEqual(try refusal(["organization": "Acme", "crl": try acme.issuerCRL(number: 1, revoking: []).pem()]),
                       "config.set-crl: CRL number 1 is not higher than the current one (1)")
        XCTAssertEqual(try refusal(["organization": "Beta", "crl": try acme.issuerCRL(number: 5, revoking: []).pem()]),
                       "config.set-crl: the CRL is not signed by a CA of organization 'Beta'")
        XCTAssertEqual(try refusal(["organization": "Gamma", "crl": try acme.issuerCRL(number: 5, revoking: []).pem()]),
                       "config.set-crl: organization 'Gamma' is not a member")
        XCTAssertEqual(try refusal(["organization": "Acme", "crl": "junk"]),
                       "config.set-crl: crl: malformed revocation list: no X509 CRL block found in PEM input")
    }

    func testRemoveOrganization() throws {
        channel.config.admins.append("Beta/root")
        rules = try channel.rules()
        let result = try run([configTransaction("remove-org", ["name": "Beta"])])
        XCTAssertEqual(result.validations, [.valid])
        XCTAssertEqual(result.newConfig?.organizations.map(\.name), ["Acme"])
        XCTAssertEqual(result.newConfig?.admins, ["Acme/admin"], "the organisation's admins go with it")
        let next = try ChannelRules(config: try XCTUnwrap(result.newConfig))
        XCTAssertEqual(next.admit(try put(channel.bob, "k", "v"), now: referenceNow).validation.code, .unknownCreator)

        XCTAssertEqual(try run([configTransaction("remove-org", ["name": "Acme"])]).validations,
                       [Validation(code: .contractFailed, reason: "config.remove-org: cannot remove organization 'Acme': the orderer belongs to it")])
        XCTAssertEqual(try run([configTransaction("remove-org", ["name": "Acme"])], rules: next).validations,
                       [Validation(code: .contractFailed, reason: "config.remove-org: cannot remove the last organization")])
        XCTAssertEqual(try run([configTransaction("remove-org", ["name": "Gamma"])]).validations,
                       [Validation(code: .contractFailed, reason: "config.remove-org: organization 'Gamma' is not a member")])
    }

    func testRemoveOrganizationHoldingEveryAdmin() throws {
        let betaAdmin = try channel.beta.member("root", role: "admin")
        channel.config.admins = ["Beta/root"]
        rules = try channel.rules()
        XCTAssertEqual(try run([configTransaction("remove-org", ["name": "Beta"], by: betaAdmin)]).validations,
                       [Validation(code: .contractFailed, reason: "config.remove-org: cannot remove organization 'Beta': every admin belongs to it")])
    }

    func testSetPolicyAndAdmins() throws {
        let policy = #"{"invoke":{"kv.*":["customer"]},"read":{"*":["admin"]}}"#
        let result = try run([configTransaction("set-policy", ["policy": policy])])
        XCTAssertEqual(result.newConfig?.policy, AccessPolicy(invoke: ["kv.*": ["customer"]], read: ["*": ["admin"]]))
        let next = try ChannelRules(config: try XCTUnwrap(result.newConfig))
        XCTAssertEqual(next.admit(try delete(channel.alice, "k"), now: referenceNow).validation, .valid)
        XCTAssertEqual(next.admit(try put(channel.bob, "k", "v"), now: referenceNow).validation.code, .policyDenied)

        XCTAssertEqual(try run([configTransaction("set-policy", ["policy": #"{"invoke":{"kv.put":["boss"]}}"#])]).validations[0].reason,
                       "config.set-policy: policy: policy.invoke 'kv.put': unknown role 'boss' (roles: customer, enterprise, department, regulator, node, admin)")

        let admins = try run([configTransaction("set-admins", ["admins": #"["Acme/admin","Beta/bob"]"#])])
        XCTAssertEqual(admins.newConfig?.admins, ["Acme/admin", "Beta/bob"])
        XCTAssertEqual(try run([configTransaction("set-admins", ["admins": "[]"])]).validations[0].reason,
                       "config.set-admins: the new configuration is invalid: no admins: the configuration could never change")
        XCTAssertEqual(try run([configTransaction("set-admins", ["admins": "Acme/admin"])]).validations[0].reason,
                       "config.set-admins: admins must be a JSON array of \"ORGANIZATION/ID\" strings")
    }

    func testSetCuttingRefusals() throws {
        func reason(_ arguments: [String: String]) throws -> String { try run([configTransaction("set-cutting", arguments)]).validations[0].reason }
        XCTAssertEqual(try reason([:]), "config.set-cutting: give at least one of maxTransactions, maxBytes, timeoutMilliseconds")
        XCTAssertEqual(try reason(["maxBytes": "-1"]), "config.set-cutting: argument 'maxBytes' must be a decimal integer, not '-1'")
        XCTAssertEqual(try reason(["maxBytes": "0100"]), "config.set-cutting: argument 'maxBytes' must be a decimal integer, not '0100'")
        XCTAssertEqual(try reason(["maxBytes": "10"]), "config.set-cutting: the new configuration is invalid: blockCutting.maxBytes must be 1024 to 1073741824, not 10")
        XCTAssertEqual(try reason(["maxbytes": "4096"]), "config.set-cutting: unexpected argument 'maxbytes'")
    }

    func testLongReasonsAreClipped() throws {
        let key = String(repeating: "x", count: 5000)
        let result = try run([configTransaction("set-policy", ["policy": #"{"invoke":{"\#(key)":["admin"]}}"#])])
        let reason = result.validations[0].reason
        XCTAssertEqual(result.validations[0].code, .contractFailed)
        XCTAssertLessThanOrEqual(reason.utf8.count, FormatLimits.reason)
        XCTAssertTrue(reason.hasPrefix("config.set-policy: policy: policy.invoke key 'xxx"), reason)
        XCTAssertTrue(reason.hasSuffix("..."), reason)
    }

    // MARK: Genesis

    func testGenesis() throws {
        let config = channel.config
        let transaction = try Executor.genesisTransaction(config: config, ordererKey: channel.orderer.key,
                                                          ordererCertificate: channel.orderer.certificate.der, timestamp: referenceMilliseconds)
        XCTAssertEqual(transaction.body.contract, "config")
        XCTAssertEqual(transaction.body.function, "genesis")
        XCTAssertEqual(transaction.body.arguments, [TransactionArgument(name: "config", value: config.canonicalJSON())])
        XCTAssertEqual(try Executor.genesisConfig(from: transaction), config)
        // Same configuration and time: same id.
        let again = try Executor.genesisTransaction(config: config, ordererKey: channel.orderer.key,
                                                    ordererCertificate: channel.orderer.certificate.der, timestamp: referenceMilliseconds)
        XCTAssertEqual(again.id, transaction.id)

        XCTAssertEqual(Executor.genesisEffects(config: config), TransactionEffects(
            writes: [StateWrite(key: bytes("config/channel"), value: config.canonicalJSON())],
            events: [ContractEvent(name: "genesis", payload: bytes("consortium"))], accounts: ["Acme/orderer-1"]))

        XCTAssertEqual(errorMessage { try Executor.genesisTransaction(config: config, ordererKey: self.channel.alice.key,
                                                                      ordererCertificate: self.channel.orderer.certificate.der, timestamp: 1) },
                       "the orderer key does not match the orderer certificate")
        XCTAssertEqual(errorMessage { try Executor.genesisTransaction(config: config, ordererKey: self.channel.alice.key,
                                                                      ordererCertificate: self.channel.alice.certificate.der, timestamp: 1) },
                       "the orderer certificate given is not the configuration's orderer")
        // Signed by someone else.
        let impostor = try channel.admin.transaction("config", "genesis", ["config": String(decoding: config.canonicalJSON(), as: UTF8.self)])
        XCTAssertEqual(errorMessage { try Executor.genesisConfig(from: impostor) }, "genesis transaction: not created by the configuration's orderer")
        let spoiled = Transaction(body: transaction.body, signature: try channel.admin.key.signature(forDigest: transaction.id))
        XCTAssertEqual(errorMessage { try Executor.genesisConfig(from: spoiled) }, "genesis transaction: the orderer's signature does not verify")
        XCTAssertEqual(errorMessage { try Executor.genesisConfig(from: try self.put(self.channel.alice, "k", "v")) },
                       "genesis transaction: calls kv.put, not config.genesis")
    }
}

/// The block the tests execute in: its timestamp is the reference time of the fixtures.
let testBlock = BlockContext(number: 1, timestamp: UInt64(referenceNow.timeIntervalSince1970 * 1000))
