import CSPBasics
import CSPCertificates
import CSPContracts
import Foundation

/// A configuration as commented YAML that `csp-node init` reads back to the same value:
/// what `csp-node genesis` prints and `csp-node config show` shows. PEM goes in literal
/// block scalars (`|`), so nobody indents certificates by hand; each certificate and CRL
/// is described in a comment above it (subject, issuer, validity, revocations), so a
/// reviewer sees what the blob is without openssl.
extension ChannelConfig {
    /// `heading` lines become `# ` comments at the top; `policyNote` explains the policy.
    public func commentedYAML(heading: [String], policyNote: String? = nil) -> String {
        var out = ""
        for line in heading { out += line.isEmpty ? "#\n" : "# \(line)\n" }
        if !heading.isEmpty { out += "\n" }
        out += "channel: \(YAMLText.scalar(channel))\n"
        out += "organizations:\n"
        for organization in organizations {
            out += "  - name: \(YAMLText.scalar(organization.name))\n"
            out += "    # CA certificates, each CA up to its self-signed root:\n"
            for pem in organization.certificates {
                for line in YAMLText.describeCertificates(pem) { out += "    #   \(line)\n" }
            }
            out += "    certificates:\n"
            for pem in organization.certificates { out += YAMLText.listItem(pem, indent: 8) }
            out += "    # the current CRL of every CA above (config.set-crl replaces one):\n"
            for pem in organization.crls {
                for line in YAMLText.describeCRLs(pem) { out += "    #   \(line)\n" }
            }
            out += organization.crls.isEmpty ? "    crls: []\n" : "    crls:\n"
            for pem in organization.crls { out += YAMLText.listItem(pem, indent: 8) }
        }
        out += "# the ordering node's certificate (role node), issued by a member's CA:\n"
        for line in YAMLText.describeCertificates(orderer) { out += "#   \(line)\n" }
        out += "orderer:" + YAMLText.blockValue(orderer, indent: 2)
        out += "# ORGANIZATION/CN of the members who may sign configuration transactions:\n"
        out += "admins:\n"
        for admin in admins { out += "  - \(YAMLText.scalar(admin))\n" }
        out += "# a block is cut at whichever limit comes first:\n"
        out += "blockCutting:\n"
        out += "  maxTransactions: \(blockCutting.maxTransactions)\n"
        out += "  maxBytes: \(blockCutting.maxBytes)\n"
        out += "  timeoutMilliseconds: \(blockCutting.timeoutMilliseconds)\n"
        if let policyNote { out += YAMLText.comment(policyNote, indent: 0) }
        out += "policy:\n"
        out += "  # contract.function, contract.* or * -> roles; the most specific key present decides alone\n"
        out += YAMLText.roleMap("invoke", policy.invoke)
        out += "  # \(AccessPolicy.readKinds.joined(separator: ", ")) or * -> roles\n"
        out += YAMLText.roleMap("read", policy.read)
        out += "# a transaction's timestamp must be within this many seconds of its block's:\n"
        out += "timestampWindowSeconds: \(timestampWindowSeconds)\n"
        return out
    }
}

/// The pieces of YAML the writer needs, kept to forms every YAML 1.1 and 1.2 reader
/// parses the same way: double-quoted scalars with JSON escapes, literal block scalars.
enum YAMLText {
    /// `# text` wrapped at about 100 columns.
    static func comment(_ text: String, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent) + "#"
        var out = "", line = pad
        for word in text.split(separator: " ") {
            if line.count + 1 + word.count > 100, line != pad {
                out += line + "\n"
                line = pad
            }
            line += " " + word
        }
        return out + line + "\n"
    }

    /// A double-quoted scalar: JSON string escapes are YAML's too.
    static func scalar(_ text: String) -> String {
        String(decoding: CanonicalJSON.encode(.string(text)), as: UTF8.self)
    }

    /// `  - |` and the text below it; text a block scalar cannot carry exactly goes quoted.
    static func listItem(_ text: String, indent: Int) -> String {
        String(repeating: " ", count: indent - 2) + "-" + blockValue(text, indent: indent)
    }

    /// " |\n" plus the lines indented, or " \"…\"\n" when the text is not a clean block:
    /// a literal block keeps exactly one final newline and cannot start with a space or
    /// hold carriage returns, tabs or trailing blanks on a line.
    static func blockValue(_ text: String, indent: Int) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let clean = text.hasSuffix("\n") && !text.hasSuffix("\n\n") && !text.hasPrefix(" ") && !lines.isEmpty
            && text.unicodeScalars.allSatisfy { $0 == "\n" || (0x20..<0x7f).contains($0.value) }
            && lines.allSatisfy { !$0.isEmpty && !$0.hasSuffix(" ") }
        guard clean else { return " \(scalar(text))\n" }
        let pad = String(repeating: " ", count: indent)
        return " |\n" + lines.map { pad + $0 + "\n" }.joined()
    }

    static func roleMap(_ name: String, _ map: [String: [String]]) -> String {
        guard !map.isEmpty else { return "  \(name): {}\n" }
        var out = "  \(name):\n"
        for key in map.keys.sorted() {
            out += "    \(scalar(key)): [\(map[key]!.map(scalar).joined(separator: ", "))]\n"
        }
        return out
    }

    static func describeCertificates(_ pem: String) -> [String] {
        guard let certificates = try? Certificate.all(pem: Array(pem.utf8)), !certificates.isEmpty else {
            return ["(no certificate can be read from this entry)"]
        }
        return certificates.map { certificate in
            let issuer = certificate.isSelfSigned ? "self-signed" : "issued by \(certificate.issuer)"
            var role = ""
            if let identity = try? certificate.identity { role = ", role \(identity.role)" }
            return "\(certificate.subject)\(certificate.isCA ? " (CA)" : role), \(issuer), valid \(day(certificate.notBefore)) to \(day(certificate.notAfter))"
        }
    }

    static func describeCRLs(_ pem: String) -> [String] {
        let blocks = PEMText.blocks(pem, label: "X509 CRL")
        guard !blocks.isEmpty else { return ["(no CRL can be read from this entry)"] }
        return blocks.map { block in
            guard let crl = try? CertificateRevocationList(pem: Array(block.utf8)) else { return "(a CRL that cannot be read)" }
            let number = crl.number.map { "number \($0)" } ?? "no number"
            let revoked = crl.revoked.count == 1 ? "1 certificate revoked" : "\(crl.revoked.count) certificates revoked"
            return "CRL of \(crl.issuer), \(number), \(revoked), issued \(day(crl.thisUpdate))" + (crl.nextUpdate.map { ", next update \(day($0))" } ?? "")
        }
    }

    /// UTC calendar day: enough to see what expires when, stable across time zones.
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
