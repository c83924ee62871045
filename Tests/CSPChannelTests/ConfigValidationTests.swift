import CSPCertificates
import CSPChannel
import CSPCrypto
import Foundation
import XCTest

/// Every rule of `ChannelConfig.validate()`, each with its exact message.
final class ConfigValidationTests: XCTestCase {
    private var channel: TestChannel!

    override func setUpWithError() throws {
        channel = try TestChannel()
    }

    private func message(_ change: (inout ChannelConfig) throws -> Void, file: StaticString = #filePath, line: UInt = #line) rethrows -> String {
        var config = channel.config
        try change(&config)
        let text = errorMessage({ try config.validate() }, file: file, line: line)
        // ChannelRules refuses the same configuration with the same words.
        XCTAssertEqual(errorMessage({ try ChannelRules(config: config) }, file: file, line: line), text, file: file, line: line)
        return text
    }

    func testValidConfiguration() throws {
        XCTAssertNoThrow(try channel.config.validate())
        XCTAssertNoThrow(try channel.rules())
    }

    func testChannelName() {
        for name in ["", "Consortium", "a_b", "a b", String(repeating: "a", count: 65), "é"] {
            XCTAssertEqual(message { $0.channel = name }, "channel name '\(name)' must be 1 to 64 characters of a-z, 0-9 and '-'")
        }
        var config = channel.config
        config.channel = String(repeating: "a", count: 64)
        XCTAssertNoThrow(try config.validate())
        config.channel = "dept-7"
        XCTAssertNoThrow(try config.validate())
    }

    func testOrganizationNames() {
        XCTAssertEqual(message { $0.organizations = [] }, "no organizations")
        XCTAssertEqual(message { $0.organizations[1].name = "Be/ta" },
                       "organization name 'Be/ta' must be 1 to 64 characters without '/' or control characters")
        XCTAssertEqual(message { $0.organizations[1].name = "" },
                       "organization name '' must be 1 to 64 characters without '/' or control characters")
        XCTAssertEqual(message { $0.organizations[1].name = "Acme" }, "organization 'Acme' is listed twice")
    }

    func testCACertificates() throws {
        let acme = channel.acme
        XCTAssertEqual(message { $0.organizations[0].certificates = [] }, "organization 'Acme': no CA certificate")
        XCTAssertEqual(message { $0.organizations[0].certificates = ["not a certificate"] },
                       "organization 'Acme': certificate 1: malformed certificate: no CERTIFICATE block found in PEM input")
        XCTAssertEqual(message { $0.organizations[0].certificates = [acme.root.pem(), channel.alice.certificate.pem()] },
                       "organization 'Acme': certificate 'O=Acme, OU=customer, CN=alice' is not a CA certificate")
        XCTAssertEqual(message { $0.organizations[0].certificates = [acme.issuer.pem()] },
                       "organization 'Acme': CA certificate 'O=Acme, OU=ca, CN=Acme Issuing CA' is not issued by another of its CA certificates (list the chain up to the self-signed root)")
        XCTAssertEqual(message { $0.organizations[0].certificates = [acme.issuer.pem() + acme.root.pem(), acme.root.pem()] },
                       "organization 'Acme': CA certificate 'O=Acme, OU=ca, CN=Acme Root CA' is listed twice")
        // Split over several entries is as good as one chain file.
        var config = channel.config
        config.organizations[0].certificates = [acme.root.pem(), acme.issuer.pem()]
        XCTAssertNoThrow(try config.validate())
    }

    func testCRLs() throws {
        let acme = channel.acme
        XCTAssertEqual(message { $0.organizations[0].crls = [acme.issuerCRL.pem()] },
                       "organization 'Acme': CA 'O=Acme, OU=ca, CN=Acme Root CA' has no CRL (csp-ca keeps its current one in crl.pem)")
        XCTAssertEqual(message { $0.organizations[0].crls = [] },
                       "organization 'Acme': CA 'O=Acme, OU=ca, CN=Acme Issuing CA' has no CRL (csp-ca keeps its current one in crl.pem)")
        XCTAssertEqual(message { $0.organizations[0].crls = ["garbage"] },
                       "organization 'Acme': CRL 1: no X509 CRL block found in PEM input")
        XCTAssertEqual(message { $0.organizations[0].crls.append(channel.beta.rootCRL.pem()) },
                       "organization 'Acme': CRL 3 (issuer 'O=Beta, OU=ca, CN=Beta Root CA') is not signed by any of its CA certificates")
        let newer = try acme.issuerCRL(number: 2, revoking: [])
        XCTAssertEqual(message { $0.organizations[0].crls.append(newer.pem()) },
                       "organization 'Acme': CA 'O=Acme, OU=ca, CN=Acme Issuing CA' has more than one CRL (keep only the newest)")
        // Several lists in one PEM text are read one by one.
        var config = channel.config
        config.organizations[0].crls = [acme.issuerCRL.pem() + acme.rootCRL.pem()]
        XCTAssertNoThrow(try config.validate())
        // Same name, another key: the signature decides, not the name.
        let impostorKey = try P256PrivateKey.generate()
        let impostor = try CertificateIssuer.selfSigned(
            CertificateTemplate(subject: acme.root.subject, isCA: true, notBefore: referenceNow - day, notAfter: referenceNow + day), key: impostorKey)
        let forged = try CertificateRevocationList.issue(issuer: impostor, key: impostorKey, number: 9, thisUpdate: referenceNow - day,
                                                         nextUpdate: referenceNow + day, revoked: [])
        XCTAssertEqual(message { $0.organizations[0].crls[1] = forged.pem() },
                       "organization 'Acme': CRL 2 (issuer 'O=Acme, OU=ca, CN=Acme Root CA') is not signed by any of its CA certificates")
    }

    func testOrderer() throws {
        XCTAssertEqual(message { $0.orderer = "nope" }, "orderer: malformed certificate: no CERTIFICATE block found in PEM input")
        let plain = try CertificateIssuer.issue(
            CertificateTemplate(subject: DistinguishedName(organization: "Acme", commonName: "orderer-2"), notBefore: referenceNow - day, notAfter: referenceNow + day),
            subjectKey: try P256PrivateKey.generate().publicKey, issuer: channel.acme.issuer, issuerKey: channel.acme.issuerKey)
        XCTAssertEqual(message { $0.orderer = plain.pem() }, "orderer certificate has no csp identity extension")
        XCTAssertEqual(message { $0.orderer = channel.alice.certificate.pem() }, "orderer certificate has role 'customer', not 'node'")
        let stranger = try TestOrganization("Gamma").member("orderer-g", role: "node")
        XCTAssertEqual(message { $0.orderer = stranger.certificate.pem() },
                       "orderer certificate names organization 'Gamma', which is not a member")
        let rogue = try channel.acme.member("orderer-b", role: "node", claiming: "Beta")
        XCTAssertEqual(message { $0.orderer = rogue.certificate.pem() },
                       "orderer certificate is not issued by a CA of organization 'Beta'")
    }

    func testAdmins() {
        XCTAssertEqual(message { $0.admins = [] }, "no admins: the configuration could never change")
        for admin in ["admin", "/admin", "Acme/"] {
            XCTAssertEqual(message { $0.admins = [admin] }, "admin '\(admin)' must be ORGANIZATION/ID")
        }
        XCTAssertEqual(message { $0.admins = ["Gamma/root"] }, "admin 'Gamma/root' names unknown organization 'Gamma'")
        XCTAssertEqual(message { $0.admins = ["Acme/admin", "Acme/admin"] }, "admin 'Acme/admin' is listed twice")
    }

    func testBlockCutting() {
        XCTAssertEqual(message { $0.blockCutting.maxTransactions = 0 }, "blockCutting.maxTransactions must be 1 to 1048576, not 0")
        XCTAssertEqual(message { $0.blockCutting.maxTransactions = 1_048_577 }, "blockCutting.maxTransactions must be 1 to 1048576, not 1048577")
        XCTAssertEqual(message { $0.blockCutting.maxBytes = 1000 }, "blockCutting.maxBytes must be 1024 to 1073741824, not 1000")
        XCTAssertEqual(message { $0.blockCutting.timeoutMilliseconds = 0 }, "blockCutting.timeoutMilliseconds must be 1 to 3600000, not 0")
        XCTAssertEqual(message { $0.blockCutting.timeoutMilliseconds = -5 }, "blockCutting.timeoutMilliseconds must be 1 to 3600000, not -5")
    }

    func testPolicy() {
        for key in ["kv.", ".put", "kv", "k*.put", "kv.pu*", ""] {
            XCTAssertEqual(message { $0.policy.invoke[key] = ["admin"] },
                           "policy.invoke key '\(key)' must be '*', 'CONTRACT.*' or 'CONTRACT.FUNCTION'")
        }
        XCTAssertEqual(message { $0.policy.invoke["kv.put"] = ["custmer"] },
                       "policy.invoke 'kv.put': unknown role 'custmer' (roles: customer, enterprise, department, regulator, node, admin)")
        XCTAssertEqual(message { $0.policy.read["blocks"] = ["admin"] },
                       "policy.read: unknown kind 'blocks' (kinds: state, history, transaction, block, account, events, *)")
        XCTAssertEqual(message { $0.policy.read["state"] = ["auditor"] },
                       "policy.read 'state': unknown role 'auditor' (roles: customer, enterprise, department, regulator, node, admin)")
        var config = channel.config
        config.policy.invoke["*"] = []
        config.policy.invoke["demand.submit"] = ["customer"]
        XCTAssertNoThrow(try config.validate(), "a policy may name contracts deployed later, and grant nothing")
    }

    func testTimestampWindow() {
        XCTAssertEqual(message { $0.timestampWindowSeconds = 0 }, "timestampWindowSeconds must be 1 to 86400, not 0")
        XCTAssertEqual(message { $0.timestampWindowSeconds = 86_401 }, "timestampWindowSeconds must be 1 to 86400, not 86401")
    }
}
