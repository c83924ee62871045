import CSPBasics
import CSPCertificates
import CSPFormat

/// A configuration that passed every rule, with its certificates parsed: what
/// `ChannelRules` is built from, so nothing is parsed twice.
struct CheckedConfig {
    /// In the order of `ChannelConfig.organizations`.
    let authorities: [OrganizationAuthority]
    let orderer: Certificate
    let ordererIdentity: IdentityExtension
}

extension ChannelConfig {
    public static let maximumTimestampWindowSeconds = 86_400
    public static let maximumBlockBytes = 1 << 30
    public static let maximumBlockTimeoutMilliseconds = 3_600_000

    /// Every rule of the schema; the first broken one is thrown as one line. Depends on
    /// nothing but the configuration itself (not the clock), so every node executing a
    /// configuration transaction reaches the same verdict.
    public func validate() throws {
        _ = try checked()
    }

    func checked() throws(ChannelConfigError) -> CheckedConfig {
        guard Self.isValidChannelName(channel) else {
            throw ChannelConfigError("channel name \(quoted(channel)) must be 1 to 64 characters of a-z, 0-9 and '-'")
        }
        guard !organizations.isEmpty else { throw ChannelConfigError("no organizations") }
        var names = Set<String>()
        for organization in organizations {
            guard Self.isValidOrganizationName(organization.name) else {
                throw ChannelConfigError("organization name \(quoted(organization.name)) must be 1 to 64 characters without '/' or control characters")
            }
            guard names.insert(organization.name).inserted else {
                throw ChannelConfigError("organization \(quoted(organization.name)) is listed twice")
            }
        }
        var authorities: [OrganizationAuthority] = []
        for organization in organizations { authorities.append(try OrganizationAuthority(organization)) }

        let (orderer, identity) = try checkOrderer(authorities)

        guard !admins.isEmpty else { throw ChannelConfigError("no admins: the configuration could never change") }
        var seenAdmins = Set<String>()
        for admin in admins {
            guard let slash = admin.firstIndex(of: "/"), slash != admin.startIndex, admin.index(after: slash) != admin.endIndex else {
                throw ChannelConfigError("admin \(quoted(admin)) must be ORGANIZATION/ID")
            }
            let organization = String(admin[..<slash])
            guard names.contains(organization) else {
                throw ChannelConfigError("admin \(quoted(admin)) names unknown organization \(quoted(organization))")
            }
            guard seenAdmins.insert(admin).inserted else { throw ChannelConfigError("admin \(quoted(admin)) is listed twice") }
        }

        try Self.check(blockCutting.maxTransactions, 1...FormatLimits.transactions, "blockCutting.maxTransactions")
        try Self.check(blockCutting.maxBytes, 1024...Self.maximumBlockBytes, "blockCutting.maxBytes")
        try Self.check(blockCutting.timeoutMilliseconds, 1...Self.maximumBlockTimeoutMilliseconds, "blockCutting.timeoutMilliseconds")
        try policy.validate()
        try Self.check(timestampWindowSeconds, 1...Self.maximumTimestampWindowSeconds, "timestampWindowSeconds")
        return CheckedConfig(authorities: authorities, orderer: orderer, ordererIdentity: identity)
    }

    /// The orderer signs every block, so its certificate must be a member's node: role
    /// "node", issued inside the organisation its identity names.
    private func checkOrderer(_ authorities: [OrganizationAuthority]) throws(ChannelConfigError) -> (Certificate, IdentityExtension) {
        let certificate: Certificate
        let identity: IdentityExtension?
        do {
            certificate = try Certificate(pem: Array(orderer.utf8))
            identity = try certificate.identity
        } catch {
            throw ChannelConfigError("orderer: \(error)")
        }
        guard let identity else { throw ChannelConfigError("orderer certificate has no csp identity extension") }
        guard identity.role == CertificateRole.node.rawValue else {
            throw ChannelConfigError("orderer certificate has role \(quoted(identity.role)), not 'node'")
        }
        guard let authority = authorities.first(where: { $0.name == identity.organization }) else {
            throw ChannelConfigError("orderer certificate names organization \(quoted(identity.organization)), which is not a member")
        }
        guard authority.issuer(of: certificate) != nil else {
            throw ChannelConfigError("orderer certificate is not issued by a CA of organization \(quoted(identity.organization))")
        }
        return (certificate, identity)
    }

    private static func check(_ value: Int, _ range: ClosedRange<Int>, _ field: String) throws(ChannelConfigError) {
        guard range.contains(value) else {
            throw ChannelConfigError("\(field) must be \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
    }

    static func isValidChannelName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }

    /// "/" separates organisation and id in admin and account names.
    static func isValidOrganizationName(_ name: String) -> Bool {
        (1...64).contains(name.unicodeScalars.count) && !name.contains("/")
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
