import CSPAuditCommands

// `start` is `cspMain` with a quick path for offline proof checks.
CSPAudit.start()
