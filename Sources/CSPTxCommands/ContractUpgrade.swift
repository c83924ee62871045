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
                approved it; instances already open keep the version they started with.
                """)

        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var channel: ChannelOption

        @Argument(help: ArgumentHelp("The definition, JSON or YAML (.yaml, .yml).", valueName: "file"), completion: .file())
        var file: String

        @Option(name: .long, help: ArgumentHelp("Seconds to wait for the commit; 0 waits without limit.", valueName: "seconds"))
        var timeout: Double = 300

        func execute() throws -> ExitStatus {
            try ContractPropose.submit(function: "upgrade", file: file, global: global, channel: try channel.resolved, timeout: timeout)
        }
    }
}
