// Participant, ChannelOption, ReadTimeoutOption and check(_:) live one layer down, shared
// with csp-audit; every file of this module sees them through this one import.
@_exported import CSPParticipant
