import ArgumentParser
import CSPAuthority
import CSPCLI
import Foundation

extension CSPCA {
    /// `csp-ca log`: the append-only audit log.
    struct Log: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Print the CA's audit log: who did what, when (append-only).")

        @OptionGroup(title: "Global Options") var global: CAOptions

        func execute() throws -> ExitStatus {
            let ca = try CertificateAuthority(home: global.resolvedHome)
            let iso = ISO8601DateFormatter()
            for entry in try ca.auditLog() {
                global.output.emit(json: ["seq": .int(entry.sequence), "at": .string(iso.string(from: entry.at)), "actor": .string(entry.actor),
                                          "action": .string(entry.action), "subject": .string(entry.subject), "detail": .string(entry.detail)],
                                   text: "\(entry.sequence)  \(iso.string(from: entry.at))  \(entry.actor)  \(entry.action)  \(entry.subject)\(entry.detail.isEmpty ? "" : "  " + entry.detail)")
            }
            return .success
        }
    }
}
