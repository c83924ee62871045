import CSPKVRCommands
CSPKVR.main()
