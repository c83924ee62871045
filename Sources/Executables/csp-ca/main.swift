import CSPCACommands
CSPCA.main()
