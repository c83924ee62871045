import ArgumentParser
import CSPCLI

/// `csp-kvr`: the KV-R engine, ledger to relational tables.
public struct CSPKVR: ParsableCommand {
    public static let configuration = CommandConfiguration.csp(
        commandName: "csp-kvr",
        abstract: "Convert the ledger into relational tables (SQLite, or SQL/CSV on stdout).",
        discussion: """
            Reads committed blocks and writes blocks, transactions, events, state and \
            business tables into an embedded SQLite database, or as SQL or CSV for psql, \
            mysql and sqlite3; once (batch) or following the node (instant). See docs/KVR.md.
            """,
        subcommands: [Export.self, Follow.self, Schema.self, Verify.self])

    public init() {}
}
