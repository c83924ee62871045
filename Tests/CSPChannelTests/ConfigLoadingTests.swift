import CSPBasics
import CSPCertificates
import CSPChannel
import CSPTestSupport
import Foundation
import XCTest

final class ConfigLoadingTests: XCTestCase {
    private var channel: TestChannel!
    private var folder: String!

    override func setUpWithError() throws {
        channel = try TestChannel()
        folder = try temporaryDirectory(self)
    }

    /// The genesis file as a person writes it; also the example in the docs.
    private func yaml(_ config: ChannelConfig) -> String {
        var text = "# Channel 'consortium' between Acme and Beta.\nchannel: \(config.channel)\norganizations:\n"
        for organization in config.organizations {
            text += "  - name: \(organization.name)\n    certificates:\n"
            for pem in organization.certificates { text += "      - |\n" + indented(pem, by: 8) }
            text += "    crls:\n"
            for pem in organization.crls { text += "      - |\n" + indented(pem, by: 8) }
        }
        text += "orderer: |\n" + indented(config.orderer, by: 2)
        text += """
            admins:
              - Acme/admin
            blockCutting:
              maxTransactions: 100
            policy:
              invoke:
                "kv.*": [customer, enterprise, admin]
                kv.delete: [enterprise, admin]
              read:
                "*": [enterprise, admin, regulator]
                state: [customer, enterprise, admin]
            timestampWindowSeconds: 120

            """
        return text
    }

    func testLoadsYAML() throws {
        let path = folder + "/genesis.yaml"
        try FileIO.writeAtomically(path, text: yaml(channel.config))
        let loaded = try ChannelConfig.load(path: path)
        XCTAssertEqual(loaded, channel.config)
        XCTAssertEqual(loaded.blockCutting, BlockCutting(maxTransactions: 100, maxBytes: 2 << 20, timeoutMilliseconds: 200),
                       "fields left out take their defaults")
    }

    func testLoadsJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        let path = folder + "/genesis.json"
        try FileIO.writeAtomically(path, Array(try encoder.encode(channel.config)))
        XCTAssertEqual(try ChannelConfig.load(path: path), channel.config)
        // The canonical JSON is itself a configuration file.
        try FileIO.writeAtomically(folder + "/canonical.json", channel.config.canonicalJSON())
        XCTAssertEqual(try ChannelConfig.load(path: folder + "/canonical.json"), channel.config)
    }

    func testFormatWithoutExtensionIsSniffed() throws {
        try FileIO.writeAtomically(folder + "/genesis", channel.config.canonicalJSON())
        XCTAssertEqual(try ChannelConfig.load(path: folder + "/genesis"), channel.config)
        try FileIO.writeAtomically(folder + "/genesis.conf", text: yaml(channel.config))
        XCTAssertEqual(try ChannelConfig.load(path: folder + "/genesis.conf"), channel.config)
        XCTAssertEqual(try ChannelConfig.decode(bytes(yaml(channel.config)), source: "standard input"), channel.config)
    }

    func testDefaults() throws {
        var text = String(decoding: channel.config.canonicalJSON(), as: UTF8.self)
        text = text.replacingOccurrences(of: #","timestampWindowSeconds":120"#, with: "")
        text = text.replacingOccurrences(of: #""blockCutting":{"maxBytes":2097152,"maxTransactions":100,"timeoutMilliseconds":200},"#, with: "")
        let config = try ChannelConfig.decode(bytes(text), source: "genesis.json")
        XCTAssertEqual(config.blockCutting, BlockCutting())
        XCTAssertEqual(config.blockCutting.maxTransactions, 500)
        XCTAssertEqual(config.blockCutting.maxBytes, 2 * 1024 * 1024)
        XCTAssertEqual(config.blockCutting.timeoutMilliseconds, 200)
        XCTAssertEqual(config.timestampWindowSeconds, 300)
    }

    func testCanonicalJSON() throws {
        let json = channel.config.canonicalJSON()
        let text = String(decoding: json, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix(#"{"admins":["Acme/admin"],"blockCutting":{"maxBytes":2097152,"maxTransactions":100,"timeoutMilliseconds":200},"channel":"consortium","orderer":"-----BEGIN CERTIFICATE-----\n"#), text)
        XCTAssertTrue(text.hasSuffix(#""policy":{"invoke":{"kv.*":["customer","enterprise","admin"],"kv.delete":["enterprise","admin"]},"read":{"*":["enterprise","admin","regulator"],"state":["customer","enterprise","admin"]}},"timestampWindowSeconds":120}"#), text)
        XCTAssertFalse(json.contains(UInt8(ascii: " ")) && text.contains(": "), "no whitespace between tokens")
        XCTAssertFalse(text.contains("\\/"), "slashes are not escaped")
        XCTAssertFalse(json.contains(0x0a), "newlines inside PEM are escaped")
        // Same value, same bytes, whatever order the dictionaries were built in.
        var reordered = channel.config
        reordered.policy.invoke = Dictionary(uniqueKeysWithValues: channel.config.policy.invoke.reversed().map { ($0.key, $0.value) })
        XCTAssertEqual(reordered.canonicalJSON(), json)
        XCTAssertEqual(try ChannelConfig.decode(json, source: "state"), channel.config)
    }

    func testCanonicalStringEscapes() throws {
        var config = channel.config
        config.policy.invoke["kv.\"q\"\\\t\u{1}é"] = ["admin"]
        let text = String(decoding: config.canonicalJSON(), as: UTF8.self)
        XCTAssertTrue(text.contains(#""kv.\"q\"\\\t\u0001é":["admin"]"#), text)
    }

    func testTrustStoreOfAllMembers() throws {
        let store = try channel.config.trustStore()
        XCTAssertTrue(store.verify(channel.alice.certificate, at: referenceNow).isValid)
        XCTAssertTrue(store.verify(channel.bob.certificate, at: referenceNow).isValid)
        XCTAssertEqual(store.verify(try TestOrganization("Gamma").member("eve", role: "customer").certificate, at: referenceNow),
                       .invalid(reason: "unable to get local issuer certificate"))
    }

    // MARK: Errors of reading

    func testErrorsNameTheFile() throws {
        var config = channel.config
        config.organizations[0].certificates = []
        let path = folder + "/genesis.yaml"
        try FileIO.writeAtomically(path, text: yaml(config).replacingOccurrences(of: "    certificates:\n    crls:", with: "    certificates: []\n    crls:"))
        XCTAssertEqual(errorMessage { try ChannelConfig.load(path: path) }, "'\(path)': organization 'Acme': no CA certificate")
        XCTAssertEqual(errorMessage { try ChannelConfig.load(path: folder + "/missing.yaml") },
                       "cannot open '\(folder!)/missing.yaml': no such file or directory")
    }

    func testJSONDecodingErrors() throws {
        let good = String(decoding: channel.config.canonicalJSON(), as: UTF8.self)
        func message(_ text: String) -> String { errorMessage { try ChannelConfig.decode(bytes(text), source: "g.json") } }

        XCTAssertEqual(message(good.replacingOccurrences(of: #""orderer":"#, with: #""ordererX":"#)), "'g.json': unknown field 'ordererX'")
        XCTAssertEqual(message(good.replacingOccurrences(of: #""blockCutting":{"#, with: #""blockCutting":{"maxTx":1,"#)),
                       "'g.json': unknown field 'blockCutting.maxTx'")
        XCTAssertEqual(message(good.replacingOccurrences(of: #"{"certificates":"#, with: #"{"nmae":"x","certificates":"#)),
                       "'g.json': unknown field 'organizations[0].nmae'")
        XCTAssertEqual(message(good.replacingOccurrences(of: #""channel":"consortium","#, with: "")), "'g.json': missing field 'channel'")
        XCTAssertEqual(message(good.replacingOccurrences(of: #""channel":"consortium""#, with: #""channel":5"#)),
                       "'g.json': field 'channel': expected a string")
        XCTAssertEqual(message(good.replacingOccurrences(of: #""maxTransactions":100"#, with: #""maxTransactions":"many""#)),
                       "'g.json': field 'blockCutting.maxTransactions': expected an integer")
        XCTAssertEqual(message(good.replacingOccurrences(of: #""admins":["Acme/admin"]"#, with: #""admins":"Acme/admin""#)),
                       "'g.json': field 'admins': expected a list")
        let syntax = message(String(good.dropLast()))
        XCTAssertTrue(syntax.hasPrefix("'g.json': not valid JSON: "), syntax)
        XCTAssertFalse(syntax.contains("\n"), syntax)
    }

    func testYAMLDecodingErrors() throws {
        let good = yaml(channel.config)
        func message(_ text: String) -> String { errorMessage { try ChannelConfig.decode(bytes(text), source: "g.yaml") } }

        XCTAssertEqual(message(good.replacingOccurrences(of: "maxTransactions: 100", with: "maxTransactions: many")),
                       "'g.yaml': field 'blockCutting.maxTransactions': expected an integer")
        XCTAssertEqual(message(good.replacingOccurrences(of: "blockCutting:", with: "blockcutting:")),
                       "'g.yaml': unknown field 'blockcutting'")
        XCTAssertEqual(message(good.replacingOccurrences(of: "  read:\n", with: "  reads:\n")),
                       "'g.yaml': unknown field 'policy.reads'")
        let syntax = message(good.replacingOccurrences(of: "admins:\n  - Acme/admin", with: "admins:\n  - [Acme/admin"))
        XCTAssertTrue(syntax.hasPrefix("'g.yaml': not valid YAML: line "), syntax)
        XCTAssertFalse(syntax.contains("\n"), syntax)
        // An unquoted * is a YAML alias, the usual slip in a policy.
        let alias = message(good.replacingOccurrences(of: "\"*\": [enterprise", with: "*: [enterprise"))
        XCTAssertTrue(alias.hasPrefix("'g.yaml': not valid YAML: "), alias)
        XCTAssertEqual(message("channel: [\u{FF}"), "'g.yaml': not valid YAML: line 2, column 1: did not find expected ',' or ']' (while parsing a flow sequence, which began at line 1, column 10)")
        XCTAssertEqual(errorMessage { try ChannelConfig.decode([0x63, 0xff, 0x3a], source: "g.yaml") }, "'g.yaml': not UTF-8 text")
    }
}
