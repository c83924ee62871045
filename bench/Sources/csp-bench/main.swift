// `make bench`: csp's numbers beside baselines measured in the same run.
CSPBenchCommand.main()
