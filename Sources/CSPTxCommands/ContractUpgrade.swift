import ArgumentParser
import CSPCLI

extension CSPTx {
    /// `csp-tx contract upgrade`: a higher version of an active definition.
    struct ContractUpgrade: CSPCommand {
        static let configuration = CommandConfiguration.csp(
            commandName: "upgrade",
            abstract: "Propose a new version of an active workflow definition.",
            discussion: """
                Like propose, for a name that has an active version and a higher version \
                number. The new version becomes active once every named organisation \
                approved it; instances already open keep the version they started with \
                unless the new version's "migrate" moves them (docs/CONTRACTS.md).
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var definition: DefinitionSubmission

        func execute() throws -> ExitStatus {
            try definition.submit(function: "upgrade", global: global)
        }
    }
}
