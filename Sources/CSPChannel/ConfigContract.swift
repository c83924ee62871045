import CSPBasics
import CSPCertificates
import CSPContracts
import CSPFormat
import Foundation

/// Changes the channel configuration. Every function builds the next configuration,
/// which must pass `ChannelConfig.validate()` as a whole, then writes its canonical JSON
/// to `config/channel`. Admission lets only `admins` call it.
///
/// Arguments (all UTF-8 text):
/// - add-org: `name`, `certificates` (PEM, the CA chain), `crls` (PEM, one per CA)
/// - remove-org: `name`; also drops that organisation's admins
/// - set-crl: `organization`, `crl` (PEM): signed by a CA of that organisation, with a
///   higher CRL number than that CA's current list
/// - set-policy: `policy` (JSON of AccessPolicy)
/// - set-cutting: any of `maxTransactions`, `maxBytes`, `timeoutMilliseconds` (decimal)
/// - set-admins: `admins` (JSON array of "ORGANIZATION/ID")
///
/// A configuration transaction must be the only transaction of its block: the
/// transactions around it were admitted under the old rules, and one per block leaves
/// no doubt which rules any transaction was judged by.
enum ConfigContract {
    static let name = "config"
    static let functions = ["add-org", "remove-org", "set-crl", "set-policy", "set-cutting", "set-admins"]
    /// Block 0's transaction; never admitted, see `Executor.genesisTransaction`.
    static let genesisFunction = "genesis"
    static let stateKey = Array("config/channel".utf8)

    static func execute(_ call: ContractCall, rules: ChannelRules, _ state: inout TransactionState) throws -> (ContractOutcome, ChannelConfig) {
        let current = rules.config
        var next = current
        var subject = ""
        switch call.function {
        case "add-org":
            try call.expect(required: ["name", "certificates", "crls"])
            let name = try call.text("name")
            guard !current.organizations.contains(where: { $0.name == name }) else {
                throw call.failure("organization \(quoted(name)) is already a member")
            }
            next.organizations.append(Organization(name: name, certificates: [try call.text("certificates")], crls: [try call.text("crls")]))
            subject = name

        case "remove-org":
            try call.expect(required: ["name"])
            let name = try call.text("name")
            guard let index = current.organizations.firstIndex(where: { $0.name == name }) else {
                throw call.failure("organization \(quoted(name)) is not a member")
            }
            guard current.organizations.count > 1 else { throw call.failure("cannot remove the last organization") }
            guard name != rules.ordererOrganization else {
                throw call.failure("cannot remove organization \(quoted(name)): the orderer belongs to it")
            }
            next.organizations.remove(at: index)
            next.admins.removeAll { $0.hasPrefix(name + "/") }
            guard !next.admins.isEmpty else {
                throw call.failure("cannot remove organization \(quoted(name)): every admin belongs to it")
            }
            subject = name

        case "set-crl":
            try call.expect(required: ["organization", "crl"])
            let name = try call.text("organization")
            guard let index = current.organizations.firstIndex(where: { $0.name == name }),
                  let authority = rules.authorities[name] else {
                throw call.failure("organization \(quoted(name)) is not a member")
            }
            next.organizations[index].crls = try replacedCRLs(authority, with: try call.text("crl"), call)
            subject = name

        case "set-policy":
            try call.expect(required: ["policy"])
            do { next.policy = try AccessPolicy.decode(json: try call.bytes("policy")) } catch let failure as ContractFailure {
                throw failure
            } catch {
                throw call.failure("policy: \(error)")
            }

        case "set-cutting":
            let names = ["maxTransactions", "maxBytes", "timeoutMilliseconds"]
            try call.expect(required: [], optional: names)
            guard !call.arguments.isEmpty else { throw call.failure("give at least one of \(names.joined(separator: ", "))") }
            if let value = try call.integer("maxTransactions") { next.blockCutting.maxTransactions = value }
            if let value = try call.integer("maxBytes") { next.blockCutting.maxBytes = value }
            if let value = try call.integer("timeoutMilliseconds") { next.blockCutting.timeoutMilliseconds = value }

        case "set-admins":
            try call.expect(required: ["admins"])
            do { next.admins = try JSONDecoder().decode([String].self, from: Data(try call.bytes("admins"))) } catch let failure as ContractFailure {
                throw failure
            } catch {
                throw call.failure("admins must be a JSON array of \"ORGANIZATION/ID\" strings")
            }

        default:
            throw call.failure("no such function")
        }

        do { try next.validate() } catch {
            throw call.failure("the new configuration is invalid: \(error)")
        }
        state.write(stateKey, next.canonicalJSON())
        return (ContractOutcome(events: [ContractEvent(name: call.function, payload: Array(subject.utf8))]), next)
    }

    /// The organisation's CRLs with the lists of the CAs that signed `pem` replaced by
    /// it: one PEM per list, in the order of its CAs. Refuses a list no CA of the
    /// organisation signed, and one that is not newer than what it replaces (an old
    /// list would un-revoke certificates).
    private static func replacedCRLs(_ authority: OrganizationAuthority, with pem: String, _ call: ContractCall) throws(ContractFailure) -> [String] {
        let list: CertificateRevocationList
        do { list = try CertificateRevocationList(pem: Array(pem.utf8)) } catch {
            throw call.failure("crl: \(error)")
        }
        let signers = authority.certificates.indices.filter {
            authority.certificates[$0].subject == list.issuer && list.isSigned(by: authority.certificates[$0])
        }
        guard let first = signers.first else {
            throw call.failure("the CRL is not signed by a CA of organization \(quoted(authority.name))")
        }
        guard let number = list.number else { throw call.failure("the CRL has no CRL number") }
        let currentNumber = authority.crl(of: first).number ?? 0
        guard number > currentNumber else {
            throw call.failure("CRL number \(number) is not higher than the current one (\(currentNumber))")
        }
        var lists: [CertificateRevocationList] = []
        for index in authority.certificates.indices {
            let chosen = signers.contains(index) ? list : authority.crl(of: index)
            if !lists.contains(where: { $0.der == chosen.der }) { lists.append(chosen) }
        }
        return lists.map { $0.pem() }
    }
}
