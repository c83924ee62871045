// swift-tools-version:6.0
// csp: a permissioned-ledger toolchain for enterprise customer service.
// Layers point one way: C system libraries → small single-concern libraries →
// shared CLI conventions → one command module per tool → five thin executables.
import PackageDescription

let tools = ["node", "ca", "tx", "kvr", "audit"]

/// Each executable is one entry file; the command lives in a library so tests run it in-process.
func executable(_ tool: String, commands: String) -> Target {
    .executableTarget(
        name: "csp-\(tool)",
        dependencies: [.target(name: commands), "CSPCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
        path: "Sources/Executables/csp-\(tool)")
}

let package = Package(
    name: "csp",
    platforms: [.macOS(.v13)],
    products: tools.map { .executable(name: "csp-\($0)", targets: ["csp-\($0)"]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // KV-R's PostgreSQL sink only (heavy: NIOSSL, swift-crypto); nothing else links it.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // TLS to PostgreSQL (sslmode=require|verify-full); already there beneath postgres-nio.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // MARK: C system libraries (shim headers wrap macros and variadic functions)
        .systemLibrary(name: "CLevelDB", path: "Sources/CLevelDB", providers: [.apt(["libleveldb-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // MARK: Single-concern libraries
        // Files, errno-based errors, hex: the bottom layer every module may use.
        .target(name: "CSPBasics"),
        // SHA-256, P-256 keys, PEM, ECDSA and secure random over libcrypto.
        .target(name: "CSPCrypto", dependencies: ["CSPBasics", "COpenSSL"]),
        // LevelDB: options, batches, iterators, snapshots.
        .target(name: "CSPKeyValue", dependencies: ["CLevelDB"]),
        // SQLite: WAL, cached statements, typed binds, transactions.
        .target(name: "CSPSQLite", dependencies: ["CSQLite"]),
        // zlib deflate/inflate for buffers and streams.
        .target(name: "CSPCompression", dependencies: ["CZlib"]),
        // Canonical bytes of transactions and blocks, ids, Merkle trees (docs/FORMAT.md).
        .target(name: "CSPFormat", dependencies: ["CSPBasics", "CSPCrypto"]),
        // X.509 certificates, CSRs, CRLs and chain verification with a cache (libcrypto).
        .target(name: "CSPCertificates", dependencies: ["CSPBasics", "CSPCrypto", "COpenSSL"]),
        // What contracts run on: a call, its creator, transaction and block state; the
        // system contracts and (soon) the workflow engine. Deterministic, no I/O.
        .target(name: "CSPContracts", dependencies: ["CSPBasics", "CSPCrypto", "CSPFormat"]),
        // A channel's configuration and access policy, transaction admission, and
        // deterministic execution of a block's transactions.
        .target(name: "CSPChannel", dependencies: ["CSPBasics", "CSPCrypto", "CSPFormat", "CSPCertificates", "CSPContracts", .product(name: "Yams", package: "Yams")]),
        // Per-channel storage: append-only block files and LevelDB indexes and state, with recovery.
        .target(name: "CSPLedger", dependencies: ["CSPBasics", "CSPCrypto", "CSPFormat", "CSPKeyValue", "CSPCompression"]),
        // Socket framing (docs/PROTOCOL.md) and the blocking client the tools use (Unix, or
        // TCP with TLS over the system libssl); no NIO.
        .target(name: "CSPWire", dependencies: ["CSPBasics", "COpenSSL"]),
        // The socket servers of csp-node and csp-ca serve (Unix, and TCP with mutual TLS over
        // the system libssl): NIO codecs, limits, shutdown.
        .target(name: "CSPWireServer", dependencies: [
            "CSPBasics", "CSPWire", "COpenSSL", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // The certificate authority: registry, enrollment, revocation, CRLs, audit log.
        .target(name: "CSPAuthority", dependencies: ["CSPBasics", "CSPCrypto", "CSPCertificates", "CSPSQLite"]),
        // The node: channels, solo ordering, execution, commit, queries and events on a socket.
        .target(name: "CSPNodeRuntime", dependencies: [
            "CSPBasics", "CSPCrypto", "CSPFormat", "CSPCertificates", "CSPLedger", "CSPContracts", "CSPChannel", "CSPNodeProtocol", "CSPWireServer",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The node's request and response messages, shared by csp-node and its clients.
        .target(name: "CSPNodeProtocol", dependencies: ["CSPBasics", "CSPCrypto", "CSPWire"]),
        // KV-R: committed blocks to relational rows, and the sinks (SQLite, PostgreSQL, SQL text, CSV) with checkpoints.
        .target(name: "CSPKVR", dependencies: [
            "CSPBasics", "CSPCrypto", "CSPFormat", "CSPLedger", "CSPCertificates", "CSPContracts", "CSPSQLite",
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // Audits without trusting a node: sha256sum lines, parallel file hashing, Merkle
        // proofs of anchored documents, proof files and their offline verifier.
        .target(name: "CSPAudit", dependencies: ["CSPBasics", "CSPCrypto", "CSPFormat", "CSPCertificates", "CSPContracts", "COpenSSL"]),
        // Conventions shared by every tool: locations, output format, exit codes, errors.
        .target(name: "CSPCLI", dependencies: ["CSPBasics", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log")]),

        // What the tools that talk to a node share: the identity in --home that signs,
        // the channel and timeout options, turning a node's answer into an exit status.
        .target(name: "CSPParticipant", dependencies: [
            "CSPBasics", "CSPCLI", "CSPCrypto", "CSPCertificates", "CSPFormat", "CSPNodeProtocol",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: One command module per tool
        .target(name: "CSPNodeCommands", dependencies: ["CSPBasics", "CSPCLI", "CSPNodeRuntime", "CSPNodeProtocol", "CSPChannel"]),
        .target(name: "CSPCACommands", dependencies: [
            "CSPBasics", "CSPCLI", "CSPCrypto", "CSPCertificates", "CSPAuthority", "CSPWire", "CSPWireServer",
        ]),
        .target(name: "CSPTxCommands", dependencies: [
            "CSPBasics", "CSPCLI", "CSPFormat", "CSPCrypto", "CSPCertificates", "CSPNodeProtocol", "CSPContracts", "CSPChannel", "CSPParticipant",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "CSPKVRCommands", dependencies: ["CSPBasics", "CSPCLI", "CSPKVR", "CSPCrypto", "CSPFormat", "CSPNodeProtocol", "CSPParticipant", "CSPWire"]),
        .target(name: "CSPAuditCommands", dependencies: [
            "CSPBasics", "CSPCLI", "CSPCrypto", "CSPFormat", "CSPCertificates", "CSPContracts", "CSPNodeProtocol", "CSPParticipant", "CSPAudit",
            "CSPLedger", "CSPNodeRuntime", "CSPChannel",
        ]),

        // MARK: Thin executables
        executable("node", commands: "CSPNodeCommands"),
        executable("ca", commands: "CSPCACommands"),
        executable("tx", commands: "CSPTxCommands"),
        executable("kvr", commands: "CSPKVRCommands"),
        executable("audit", commands: "CSPAuditCommands"),

        // Benchmark harness behind `make bench`.
        .executableTarget(name: "csp-bench", dependencies: ["CSPCrypto", "CSPFormat", "CSPKeyValue", "CSPLedger", "CSPSQLite", "CSPAuthority", "CSPCertificates", "CSPWire", "CSPNodeProtocol", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "bench/Sources/csp-bench"),

        // MARK: Tests
        // Runs real processes (the built binaries, openssl) for the tests; builds test chains.
        .target(name: "CSPTestSupport", dependencies: ["CSPCrypto", "CSPFormat", "CSPWire", "CSPWireServer"], path: "Tests/CSPTestSupport"),
        .testTarget(name: "CSPBasicsTests", dependencies: ["CSPBasics"]),
        .testTarget(name: "CSPCryptoTests", dependencies: ["CSPCrypto", "CSPTestSupport"]),
        .testTarget(name: "CSPKeyValueTests", dependencies: ["CSPKeyValue"]),
        .testTarget(name: "CSPSQLiteTests", dependencies: ["CSPSQLite"]),
        .testTarget(name: "CSPCompressionTests", dependencies: ["CSPCompression"]),
        .testTarget(name: "CSPFormatTests", dependencies: ["CSPFormat", "CSPTestSupport"]),
        .testTarget(name: "CSPCLITests", dependencies: ["CSPCLI"]),
        .testTarget(name: "CSPWireTests", dependencies: [
            "CSPWire", "CSPWireServer", "CSPTestSupport", .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "CSPCertificatesTests", dependencies: ["CSPCertificates", "CSPTestSupport"]),
        .testTarget(name: "CSPChannelTests", dependencies: ["CSPChannel", "CSPContracts", "CSPTestSupport", "CSPCertificates", "CSPCrypto", "CSPFormat", "CSPBasics"]),
        .testTarget(name: "CSPContractsTests", dependencies: ["CSPContracts", "CSPFormat", "CSPCrypto", "CSPBasics"]),
        .testTarget(name: "CSPAuditTests", dependencies: ["CSPAudit", "CSPFormat", "CSPCrypto", "CSPBasics", "CSPCertificates"]),
        .testTarget(name: "CSPNodeProtocolTests", dependencies: ["CSPNodeProtocol"]),
        .testTarget(name: "CSPTxCommandsTests", dependencies: ["CSPTxCommands", "CSPCLI", "CSPContracts", "CSPCrypto", "CSPTestSupport"]),
        .testTarget(name: "CSPNodeRuntimeTests", dependencies: ["CSPNodeRuntime", "CSPNodeProtocol", "CSPTestSupport"]),
        .testTarget(name: "CSPLedgerTests", dependencies: ["CSPLedger", "CSPTestSupport", "CSPKeyValue"]),
        .testTarget(name: "CSPKVRTests", dependencies: ["CSPKVR", "CSPFormat", "CSPCrypto", "CSPLedger", "CSPSQLite", "CSPContracts", "CSPTestSupport"]),
        .testTarget(name: "CSPAuthorityTests", dependencies: ["CSPAuthority", "CSPCertificates", "CSPCrypto", "CSPSQLite", "CSPTestSupport"]),
        // Runs the built binaries: stdout, stderr, exit codes, generated docs.
        .testTarget(name: "EndToEndTests", dependencies: ["CSPTestSupport", "CSPBasics", "CSPCertificates", "CSPCrypto", "CSPFormat", "CSPLedger", "CSPKeyValue", "CSPWire"]),
    ]
)
