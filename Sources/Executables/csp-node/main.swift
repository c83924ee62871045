import CSPCLI
import CSPNodeCommands

CSPNode.cspMain()
