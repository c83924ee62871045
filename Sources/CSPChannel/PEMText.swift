import Foundation

/// Splits PEM text into its blocks of one label. CSPCertificates reads the first CRL of
/// a PEM text only, and an organisation may paste its root's and intermediate's lists
/// as one entry.
enum PEMText {
    static func blocks(_ text: String, label: String) -> [String] {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        var blocks: [String] = []
        var rest = text[...]
        while let start = rest.range(of: begin), let stop = rest[start.upperBound...].range(of: end) {
            blocks.append(String(rest[start.lowerBound..<stop.upperBound]) + "\n")
            rest = rest[stop.upperBound...]
        }
        return blocks
    }
}
