import ArgumentParser
import CSPCLI
import CSPNodeRuntime

extension CSPNode {
    /// `csp-node start`: serve until told to stop.
    struct Start: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            abstract: "Serve every channel in --home on the Unix socket (and TCP with mutual TLS) until SIGTERM or SIGINT.",
            discussion: """
                Listens on --socket (default <home>/node.sock, mode 0660; the home is 0750). \
                Logs to stderr through swift-log, one line per record with a UTC timestamp, \
                the level and the message ('2026-11-30T10:15:02.113Z notice csp-node: serving \
                consortium on /srv/node/node.sock'), as one JSON object per line with --format \
                json (time, level, logger, message, channel). By default it logs notices \
                (serving, stopping, repairs, a stalled channel) and errors; --verbose adds \
                one line per block (number, transactions, valid and invalid counts, time to \
                commit), every transaction refused at submit or marked invalid in its block \
                with its code and reason, and every client connection refused; --quiet logs \
                errors only. On SIGTERM or SIGINT it stops accepting, commits what is \
                queued and answers its submitters, closes connections still open after 2 s, \
                syncs and closes the ledgers. At start every block header's orderer \
                signature is checked, and blocks the index lacks are verified in full \
                (signatures, admission, re-execution) before they are re-applied; a block \
                that fails stops the start, naming it. A restart after a crash truncates a \
                torn block-file tail and re-applies whatever the index lags the block files, \
                printing one line per repair. A damaged index stops the start with a line \
                naming 'csp-node rebuild'. A channel whose disk fills stalls (status says \
                why) and resumes once a write succeeds. The certificate in --home must have \
                role node. With --listen (or $CSP_NODE_LISTEN, or 'listen' in \
                <home>/node.conf) it also listens on TCP with mutual TLS 1.3: a client must \
                present a certificate of a current, unrevoked member of one of the node's \
                channels, checked against the channel's CAs and CRLs before any request is \
                read; the node presents its own certificate (docs/NETWORK.md). A channel \
                joined with 'csp-node join' follows its orderer: it pulls, verifies and \
                commits the orderer's blocks, serves reads and forwards submissions to the orderer; \
                it announces its address (--advertise) and learns the channel's other nodes \
                from those it follows, fetching from them too (docs/NETWORK.md, "Discovery"). Exit codes: \
                0 stopped by a signal, 2 could not serve (a channel, the socket, the \
                listen address or the TLS files), 64 usage error (such as a --listen or \
                --advertise that is not HOST:PORT).
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions

        @Option(name: .long, help: ArgumentHelp(
            "Also serve TCP with mutual TLS on HOST:PORT (default: $CSP_NODE_LISTEN, else 'listen' in <home>/node.conf).",
            valueName: "host:port"))
        var listen: String?

        @Option(name: .long, help: ArgumentHelp(
            "The HOST:PORT other nodes reach this one at, announced to them (default: $CSP_NODE_ADVERTISE, else 'advertise' in <home>/node.conf, else the --listen address unless it is a wildcard).",
            valueName: "host:port"))
        var advertise: String?

        func execute() throws -> ExitStatus {
            // A malformed flag is a usage error, found before the home is read; the same
            // values from the environment or node.conf are checked (exit 2) when they are used.
            do {
                if let listen { _ = try NodeSettings.address(listen, named: "--listen") }
                if let advertise { try NodeSettings.checkAdvertised(advertise, named: "--advertise") }
            } catch {
                throw CommandFailure("\(error)", status: .usage)
            }
            let home = NodeHome(global.resolvedHome)
            LogLines.bootstrap(global)
            let listen = self.listen ?? Environment.value("CSP_NODE_LISTEN").flatMap { $0.isEmpty ? nil : $0 }
            let advertise = self.advertise ?? Environment.value("CSP_NODE_ADVERTISE").flatMap { $0.isEmpty ? nil : $0 }
            try NodeRunner.run(home: home, socket: global.resolvedSocket, verbose: global.verbose, listen: listen, advertise: advertise)
            return .success
        }
    }
}
