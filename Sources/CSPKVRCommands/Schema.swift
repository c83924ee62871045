import ArgumentParser
import CSPCLI
import CSPKVR

extension CSPKVR {
    /// `csp-kvr schema`: the DDL alone, for creating the tables before a load.
    struct Schema: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Print the DDL of the tables (and, with a ledger, of its business views).",
            discussion: """
                Prints CREATE TABLE IF NOT EXISTS for every table, then the secondary indexes. \
                With --ledger and --channel, also the views of the workflow definitions \
                that ledger holds (demands, service_contracts, ...).
                """)

        @Option(name: .long, help: "The SQL dialect: sqlite, postgres or mysql.")
        var dialect: Dialect = .sqlite

        @Option(name: .long, help: ArgumentHelp("Also the tables of this mapping file (docs/KVR.md, \"Mapping\").", valueName: "file"),
                completion: .file())
        var mapping: String?

        @Option(name: .long, help: ArgumentHelp("With --ledger: the channel whose definitions give the views.", valueName: "name"))
        var channel: String?

        @Option(name: .long, help: ArgumentHelp("A node's home or channel directory, for the business views.", valueName: "dir"),
                completion: .directory)
        var ledger: String?

        func validate() throws {
            if (channel == nil) != (ledger == nil) { throw ValidationError("--ledger and --channel go together") }
        }

        func execute() throws -> ExitStatus {
            let mapped = try reporting { try loadMapping(mapping) }
            var text = Tables.ddl(dialect, tables: Tables.tables + (mapped?.tables ?? []))
            if let ledger, let channel {
                let source = try reporting { try LedgerSource(ledger: ledger, channel: channel) }
                var deriver = RowDeriver(channel: channel)
                try reporting {
                    try source.forEach(from: 0, to: nil, after: nil, target: ledger) { record, _ in
                        deriver.learnDefinitions(from: record)
                        return true
                    }
                }
                text += deriver.catalog.allViewsDDL(dialect)
            }
            print(text, terminator: "")
            return .success
        }
    }
}
