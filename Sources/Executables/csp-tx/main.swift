import CSPCLI
import CSPTxCommands

CSPTx.cspMain()
