import Logging

/// The node's log (swift-log): `csp-node start` installs csp's handler (CSPCLI's
/// LogLines) with the level and format its options ask for. Notices by default (serving,
/// stopping, repairs, a stalled channel); at info (--verbose) one line per block and one
/// per refused or invalid transaction with its reason.
let nodeLog = Logger(label: "csp-node")
