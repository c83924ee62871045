import CSPAuditCommands
CSPAudit.main()
