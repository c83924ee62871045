import CSPBasics
import CSPCertificates
import CSPContracts
import CSPCrypto
import Foundation

/// A channel's configuration: who the members are, who orders, who may change the
/// configuration, how blocks are cut and what each role may do. Block 0 carries it and
/// configuration transactions change it; the current one sits in the world state under
/// `config/channel` as `canonicalJSON()`.
///
/// The same schema reads from JSON and YAML (genesis files are written by people).
/// Unknown fields are refused, so a misspelt field cannot silently mean "default".
public struct ChannelConfig: Codable, Equatable, Sendable {
    public static let defaultTimestampWindowSeconds = 300

    /// 1–64 characters of a-z, 0-9 and '-': it names folders and sockets.
    public var channel: String
    public var organizations: [Organization]
    /// PEM of the orderer's certificate: role "node", issued by a member's CA.
    public var orderer: String
    /// "ORGANIZATION/ID" (ID = the certificate's CN) of the members who may sign
    /// configuration transactions.
    public var admins: [String]
    public var blockCutting: BlockCutting
    public var policy: AccessPolicy
    /// A transaction's timestamp must be within this many seconds of the orderer's
    /// clock, which bounds how long the ledger must remember ids to catch replays.
    public var timestampWindowSeconds: Int

    public init(channel: String, organizations: [Organization], orderer: String, admins: [String],
                blockCutting: BlockCutting = BlockCutting(), policy: AccessPolicy,
                timestampWindowSeconds: Int = ChannelConfig.defaultTimestampWindowSeconds) {
        self.channel = channel
        self.organizations = organizations
        self.orderer = orderer
        self.admins = admins
        self.blockCutting = blockCutting
        self.policy = policy
        self.timestampWindowSeconds = timestampWindowSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case channel, organizations, orderer, admins, blockCutting, policy, timestampWindowSeconds
    }

    public init(from decoder: any Decoder) throws {
        try ConfigDecoding.rejectUnknownKeys(decoder, CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        channel = try container.decode(String.self, forKey: .channel)
        organizations = try container.decode([Organization].self, forKey: .organizations)
        orderer = try container.decode(String.self, forKey: .orderer)
        admins = try container.decode([String].self, forKey: .admins)
        blockCutting = try container.decodeIfPresent(BlockCutting.self, forKey: .blockCutting) ?? BlockCutting()
        policy = try container.decode(AccessPolicy.self, forKey: .policy)
        timestampWindowSeconds = try container.decodeIfPresent(Int.self, forKey: .timestampWindowSeconds)
            ?? Self.defaultTimestampWindowSeconds
    }

    // MARK: Reading

    /// Reads and validates a genesis or configuration file, JSON or YAML.
    public static func load(path: String) throws -> ChannelConfig {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 64 << 20) } catch {
            throw ChannelConfigError("\(error)")
        }
        return try decode(bytes, source: path)
    }

    /// Parses (JSON or YAML, chosen by `source`'s extension or, without one, by the
    /// first character) and validates. `source` names the input in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> ChannelConfig {
        do {
            let config = try ConfigDecoding.decode(ChannelConfig.self, from: bytes, format: ConfigDecoding.Format(source: source, bytes: bytes))
            try config.validate()
            return config
        } catch {
            throw error.located(in: source)
        }
    }

    // MARK: Writing

    /// Sorted keys, no whitespace (RFC 8785 for these shapes): the bytes stored under
    /// `config/channel`, identical on every node whatever its Foundation.
    public func canonicalJSON() -> [UInt8] {
        CanonicalJSON.encode(.object([
            "channel": .string(channel),
            "organizations": .array(organizations.map(\.jsonValue)),
            "orderer": .string(orderer),
            "admins": .array(admins.map(CanonicalJSON.Value.string)),
            "blockCutting": blockCutting.jsonValue,
            "policy": policy.jsonValue,
            "timestampWindowSeconds": .integer(timestampWindowSeconds),
        ]))
    }

    // MARK: Trust

    /// Every member's CA certificates and CRLs as listed (an entry may hold several PEM
    /// blocks), in order; for tools that pick from them (csp-audit's proofs).
    public func listedAuthorities() throws -> (cas: [Certificate], crls: [CertificateRevocationList]) {
        var cas: [Certificate] = [], crls: [CertificateRevocationList] = []
        for organization in organizations {
            for pem in organization.certificates { cas += try Certificate.all(pem: Array(pem.utf8)) }
            for pem in organization.crls {
                for block in PEMText.blocks(pem, label: "X509 CRL") { crls.append(try CertificateRevocationList(pem: Array(block.utf8))) }
            }
        }
        return (cas, crls)
    }

    /// All members' CAs in one store, as `openssl verify -crl_check_all` sees them:
    /// roots are the self-signed CA certificates, the other CA certificates are
    /// intermediates, every CRL is loaded and checked, with its nextUpdate.
    ///
    /// For tools that ask "was this certificate good at that time" (csp-audit). The node
    /// admits creators through `ChannelRules`, which also checks the organisation a
    /// certificate claims and keeps the configured CRLs in force until replaced.
    public func trustStore() throws -> TrustStore {
        let authorities = try checked().authorities
        var seen = Set<SHA256Digest>()
        var roots: [Certificate] = []
        var intermediates: [Certificate] = []
        var crls: [CertificateRevocationList] = []
        for authority in authorities {
            for (index, certificate) in authority.certificates.enumerated() where seen.insert(certificate.fingerprint).inserted {
                if authority.parents[index] == nil { roots.append(certificate) } else { intermediates.append(certificate) }
                crls.append(authority.crl(of: index))
            }
        }
        return TrustStore(roots: roots, intermediates: intermediates, crls: crls, checkRevocation: true)
    }
}

extension Error {
    /// A configuration error said of `source`; anything else keeps its own words.
    func located(in source: String) -> Error {
        if let error = self as? ChannelConfigError { return error.located(in: source) }
        return ChannelConfigError("\(quoted(source)): \(self)")
    }
}
