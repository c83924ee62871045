import CSPTxCommands
CSPTx.main()
