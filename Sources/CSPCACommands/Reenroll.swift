import ArgumentParser
import CSPAuthority
import CSPBasics
import CSPCertificates
import CSPCLI
import CSPCrypto
import Foundation

extension CSPCA {
    /// `csp-ca reenroll`: renew a certificate, authenticated by the current one.
    struct Reenroll: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Renew this participant's certificate before it expires, with the same key or a new one.",
            discussion: """
                Reads key.pem and cert.pem from --home, signs the renewal request with the \
                current key, and replaces cert.pem and ca-chain.pem (and key.pem with \
                --new-key). A revoked or expired certificate cannot renew: enroll again.
                """)

        @OptionGroup(title: "Global Options") var global: CAOptions
        @OptionGroup(title: "Certificate Authority") var ca: CAEndpointOptions

        @Flag(name: .long, help: "Generate a new key instead of keeping the current one.")
        var newKey = false

        func execute() throws -> ExitStatus {
            let directory = global.resolvedHome
            let currentKey = try P256PrivateKey(pemFile: directory + "/key.pem")
            let current: Certificate
            do {
                current = try Certificate(pemFile: directory + "/cert.pem")
            } catch let error as SystemError { throw error }
            guard try current.publicKey == currentKey.publicKey else {
                throw CommandFailure("\(quoted(directory + "/key.pem")) does not match \(quoted(directory + "/cert.pem"))")
            }
            try ParticipantFiles.prepare(directory)
            let key = newKey ? try P256PrivateKey.generate() : currentKey
            // A new key waits beside the old one until the certificate for it is written.
            let pending = newKey ? directory + "/key-\(current.subject.commonName).pending.pem" : nil
            if let pending { try key.write(to: pending) }
            let csr = try CertificateSigningRequest.create(key: key, subject: current.subject)
            let timestamp = UInt64(Date().timeIntervalSince1970 * 1000)
            let proof = try currentKey.signature(forDigest: Reenrollment.digest(csr: csr.der, timestamp: timestamp))
            let response = try ca.endpoint.send(CARequest(op: "reenroll", csr: csr.pem(), certificate: current.pem(),
                                                          timestamp: timestamp, proof: Hex.encode(proof)))
            try ParticipantFiles.write(to: directory, pendingKey: pending, certificate: response.certificate ?? "", chain: response.chain ?? "")
            try ParticipantFiles.describe(response.certificate ?? "", directory: directory, output: global.output)
            return .success
        }
    }
}
