import CSPBasics
import CSPCertificates
import Foundation

extension CertificateAuthority {
    /// Answers one service request; never throws: every failure becomes a response with
    /// its exit status and one-line message, and no secret or key reaches it.
    public func handle(_ request: CARequest, actor: String) -> CAResponse {
        do {
            switch request.op {
            case "enroll":
                guard let id = request.id, let secret = request.secret, let csr = request.csr else {
                    return CAResponse(status: 2, error: "enroll needs id, secret and csr")
                }
                let issued = try enroll(id: id, secret: secret, csr: try Self.parseCSR(csr), actor: actor)
                return CAResponse(status: 0, certificate: issued.certificate.pem(), chain: issued.chain.map { $0.pem() }.joined())
            case "reenroll":
                guard let pem = request.certificate, let csr = request.csr, let timestamp = request.timestamp,
                      let proofHex = request.proof, let proof = Hex.decode(proofHex) else {
                    return CAResponse(status: 2, error: "reenroll needs certificate, csr, timestamp and a hex proof")
                }
                let current: Certificate
                do { current = try Certificate(pem: Array(pem.utf8)) } catch { throw CAFailure(String(describing: error)) }
                let issued = try reenroll(current: current, csr: try Self.parseCSR(csr), timestamp: timestamp, proof: proof, actor: actor)
                return CAResponse(status: 0, certificate: issued.certificate.pem(), chain: issued.chain.map { $0.pem() }.joined())
            case "chain":
                return CAResponse(status: 0, chain: chain.map { $0.pem() }.joined(), crl: try currentCRL().pem())
            default:
                return CAResponse(status: 2, error: "unknown operation \(quoted(request.op))")
            }
        } catch let refusal as CARefusal {
            return CAResponse(status: 1, error: refusal.message)
        } catch {
            return CAResponse(status: 2, error: String(describing: error))
        }
    }

    static func parseCSR(_ pem: String) throws -> CertificateSigningRequest {
        do {
            return try CertificateSigningRequest(pem: Array(pem.utf8))
        } catch {
            throw CAFailure(String(describing: error))
        }
    }
}

/// Who is acting, for the audit log.
public enum Actor {
    /// The local user running the command.
    public static var local: String {
        let uid = geteuid()
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            return "\(String(cString: name)) (uid \(uid))"
        }
        return "uid \(uid)"
    }
}
