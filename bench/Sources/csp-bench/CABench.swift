import CSPAuthority
import CSPCertificates
import CSPCrypto
import CSPWire
import Foundation

/// csp-ca's numbers: enrollments per second end to end through a real `csp-ca serve`
/// process (each client makes its key and CSR, as `csp-ca enroll` does), beside the same
/// enrollments signed in-process; and cached admission checks per second beside full
/// X.509 chain verification of the same certificate.
struct CABench {
    let bin: String
    let seconds: Double
    let scratch: String

    func run() throws -> [Row] {
        let home = scratch + "/ca"
        let ca = try CertificateAuthority.initialize(home: home, organization: "Bench", commonName: "Bench CA", validityDays: 3650,
                                                     leafValidityDays: 365, pathLength: nil, parent: nil, actor: "bench")
        let count = 3000
        var registered: [String] = []
        for i in 0..<count {
            registered.append(try ca.register(id: "user\(i)", role: "customer", organization: nil, attributes: ["tier": "gold"],
                                           maxEnrollments: 1, secret: nil, actor: "bench"))
        }
        let secrets = registered

        // In-process baseline: the same work without the socket.
        let inProcessCount = 300
        var start = now()
        for i in 0..<inProcessCount { try enrollInProcess(ca, id: "user\(i)", secret: secrets[i]) }
        let inProcess = Double(inProcessCount) / (now() - start)

        // Through `csp-ca serve`, four clients at once.
        let socket = scratch + "/ca.sock"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: bin + "/csp-ca")
        server.arguments = ["serve", "--home", home, "--socket", socket]
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        for _ in 0..<250 where !FileManager.default.fileExists(atPath: socket) { usleep(20_000) }
        let clients = 4
        let remaining = Array(inProcessCount..<count)
        let done = Counts(clients)
        let deadline = now() + seconds
        start = now()
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            guard let connection = try? FrameClient(path: socket) else { return }
            var enrolled = 0
            for (index, user) in remaining.enumerated() where index % clients == client {
                if now() > deadline { break }
                if (try? enrollThroughSocket(connection, id: "user\(user)", secret: secrets[user])) == true { enrolled += 1 }
            }
            done.set(client, enrolled)
        }
        let served = Double(done.total) / (now() - start)

        // Admission: cached verification against the CRL vs. a full chain check each time.
        let leaf = try Certificate(pem: Array(try ca.certificates(of: "user0")[0].pem.utf8))
        let store = TrustStore(roots: [ca.certificate], crls: [try ca.currentCRL()])
        guard case .valid = store.verify(der: leaf.der) else { throw CAFailure("the benchmark certificate does not verify") }
        let cached = rate { _ = store.verify(der: leaf.der) }
        let full = rate { _ = store.verify(leaf) }
        return [
            Row(scenario: "csp-ca enrollments via serve (4 clients)", ours: served, baselineName: "same enrollments in-process", baseline: inProcess, unit: "/s", target: nil, minimum: 300),
            Row(scenario: "admission check, cached chain + CRL", ours: cached, baselineName: "full X509_verify_cert", baseline: full, unit: "/s", target: nil, minimum: 50_000),
        ]
    }

    private func enrollInProcess(_ ca: CertificateAuthority, id: String, secret: String) throws {
        let key = try P256PrivateKey.generate()
        let csr = try CertificateSigningRequest.create(key: key, subject: DistinguishedName(organization: nil, organizationalUnit: nil, commonName: id))
        _ = try ca.enroll(id: id, secret: secret, csr: csr, actor: "bench")
    }

    private func enrollThroughSocket(_ connection: FrameClient, id: String, secret: String) throws -> Bool {
        let key = try P256PrivateKey.generate()
        let csr = try CertificateSigningRequest.create(key: key, subject: DistinguishedName(organization: nil, organizationalUnit: nil, commonName: id))
        let reply = try connection.request(Array(try JSONEncoder().encode(CARequest(op: "enroll", id: id, secret: secret, csr: csr.pem()))))
        return try JSONDecoder().decode(CAResponse.self, from: Data(reply)).status == 0
    }

    private func rate(_ body: () -> Void) -> Double {
        var count = 0
        let start = now()
        while now() - start < seconds / 2 {
            for _ in 0..<1000 { body() }
            count += 1000
        }
        return Double(count) / (now() - start)
    }
}
