import CSPNodeCommands
CSPNode.main()
