import CSPContracts
import CSPFormat

/// `ChannelRules.mayRead` answers `Result<Creator, Validation>`: a refused query carries
/// the same code and reason a refused transaction would. Result needs an Error.
/// (Belongs in CSPFormat beside Validation; declared here to leave that module alone.)
extension Validation: Error {}
