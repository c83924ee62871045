import CSPCLI
import CSPCACommands

CSPCA.cspMain()
