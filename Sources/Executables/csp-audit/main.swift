import CSPCLI
import CSPAuditCommands

CSPAudit.cspMain()
