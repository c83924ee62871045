import CSPBasics
import CSPContracts
import CSPCrypto
import Dispatch
import Foundation
import PostgresNIO

/// Straight into a PostgreSQL server (postgres-nio): each batch one transaction of COPY
/// (straight into the tables that gather rows of blocks; into staging tables merged by
/// `INSERT ... ON CONFLICT` for current state, BatchSQL), with the checkpoint row, so
/// `export` and `follow` resume from the checkpoint held in the server itself. One writer
/// per channel at a time, by a session advisory lock.
public final class PostgresSink: Sink, @unchecked Sendable {
    /// The URL without its password, for messages.
    public var target: String { client.target }
    private let client: PostgresSession
    private var batch = BatchBuffer()

    /// `url`: `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, or with an empty host
    /// and `?host=/socket/dir` for a Unix socket, as libpq reads it (`PostgresURL`).
    public init(url: String) throws {
        client = try PostgresSession(url: url)
    }

    static func reason(_ error: any Error) -> String { PostgresSession.reason(error) }

    private func run(_ sql: String) throws { try client.run(sql) }
    private func rows(_ sql: String, _ binds: [String]) throws -> [[String?]] { try client.rows(sql, binds) }
    private func runScript(_ script: String) throws { try client.runScript(script) }

    private var tables = Tables.tables

    public func prepare(channel: String, tables: [Table]) throws -> Checkpoint? {
        self.tables = tables
        try run("SET client_min_messages = warning")
        let locked = try rows("SELECT pg_try_advisory_lock(hashtext($1))::text", ["csp-kvr " + channel])
        guard locked.first?.first == "true" else {
            throw KVRError(.failure, "database \(quoted(target)) is locked by another writer of channel \(quoted(channel))")
        }
        try runScript(Tables.ddl(.postgres, tables: tables, indexes: false))
        for statement in BatchSQL.stagingTables(tables) { try run(statement) }
        guard let row = try rows("SELECT block::text, hash, commit_hash FROM kvr_checkpoint WHERE channel = $1", [channel]).first else {
            return nil
        }
        guard let block = row[0].flatMap(UInt64.init), let hash = row[1].flatMap(SHA256Digest.init(hex:)),
              let commit = row[2].flatMap(SHA256Digest.init(hex:)) else {
            throw KVRError(.failure, "database \(quoted(target)) holds a damaged checkpoint for channel \(quoted(channel))")
        }
        return Checkpoint(channel: channel, block: block, hash: hash, commitHash: commit)
    }

    public func storedDefinitions(channel: String) throws -> [CanonicalJSON.Value]? {
        try rows("SELECT definition::text FROM definitions WHERE channel = $1 ORDER BY name, version", [channel])
            .compactMap { $0[0].flatMap { try? CanonicalJSON.parse(Array($0.utf8)) } }
    }

    public func apply(_ change: Change) throws {
        batch.add(change)
    }

    public func commit(_ checkpoint: Checkpoint) throws {
        batch.add(BatchBuffer.checkpointRow(checkpoint))
        let steps = BatchSQL.steps(batch, .postgres, direct: true)
        let views = batch.views.sorted { $0.key < $1.key }.map { $0.value.viewDDL($0.key, .postgres) }
        batch.removeAll()
        try client.guarded { [connection = client.connection, logger = client.logger] in
            try await connection.query("BEGIN", logger: logger)
            do {
                for step in steps {
                    switch step {
                    case let .statement(sql):
                        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                    case let .copy(table, columns, rows):
                        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                            var buffer = ByteBuffer()
                            for row in rows {
                                buffer.writeString(row)
                                buffer.writeInteger(UInt8(ascii: "\n"))
                                if buffer.readableBytes >= 1 << 20 {
                                    try await writer.write(buffer)
                                    buffer.clear()
                                }
                            }
                            if buffer.readableBytes > 0 { try await writer.write(buffer) }
                        }
                    }
                }
                try await connection.query("COMMIT", logger: logger)
            } catch {
                try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
        for view in views { try runScript(view) }
    }

    public func finish(catalog: DefinitionCatalog) throws {
        try runScript(Tables.indexDDL(.postgres, tables: tables))
        try runScript(catalog.allViewsDDL(.postgres))
    }

    public func abandon() {
        batch.removeAll()
    }
}
