import ArgumentParser
import CSPBasics
import CSPKVR

/// What rows are made of beyond the built-in tables: `--mapping` (more tables) and
/// `--mask` with the secret of its keyed hashes. Shared by export, follow and verify.
struct RowOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Tables of other namespaces or definitions (docs/KVR.md, \"Mapping\").", valueName: "file"),
            completion: .file())
    var mapping: String?

    @Option(name: .long, help: ArgumentHelp("Masking rules applied to every row before it is written (docs/KVR.md).", valueName: "file"),
            completion: .file())
    var mask: String?

    @Option(name: .long, help: ArgumentHelp("The secret of the mask's keyed hashes (the file's bytes).", valueName: "file"),
            completion: .file())
    var maskKey: String?

    func rules(tables: [Table]) throws -> MaskRules? {
        guard let mask else { return nil }
        let text: String
        let key: [UInt8]?
        do {
            text = try FileIO.readText(mask, limit: 1 << 20)
        } catch {
            throw KVRError(.failure, "cannot read mask file \(quoted(mask)): \(error)")
        }
        do {
            key = try maskKey.map { try FileIO.read($0, limit: 1 << 16) }
        } catch {
            throw KVRError(.failure, "cannot read mask key \(quoted(maskKey ?? "")): \(error)")
        }
        if let key, key.isEmpty { throw KVRError(.failure, "mask key \(quoted(maskKey ?? "")) is empty") }
        return try MaskRules(text: text, source: mask, key: key, tables: tables)
    }

    /// A deriver with the mapping's tables that masks as the rules say.
    func deriver(channel: String, includeCertificates: Bool = false) throws -> RowDeriver {
        var deriver = RowDeriver(channel: channel, includeCertificates: includeCertificates, mapping: try loadMapping(mapping))
        deriver.transform = try rules(tables: deriver.tables)?.transform()
        return deriver
    }
}

/// Reads a `--mapping` file; nil without one.
func loadMapping(_ path: String?) throws -> Mapping? {
    guard let path else { return nil }
    let text: String
    do {
        text = try FileIO.readText(path, limit: 1 << 20)
    } catch {
        throw KVRError(.failure, "cannot read mapping file \(quoted(path)): \(error)")
    }
    return try Mapping(text: text, source: path)
}
