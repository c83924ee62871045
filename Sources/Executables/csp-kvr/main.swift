import CSPCLI
import CSPKVRCommands

CSPKVR.cspMain()
