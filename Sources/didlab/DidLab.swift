import ArgumentParser
import Foundation
import Estimators
import Lab

/// The `didlab` command-line tool: a thin layer over the Estimators, Sim and Lab libraries.
///
/// Every command exits 0 on success and 1 on a usage or data error, with a one-line message
/// on standard error (ArgumentParser's own usage errors are mapped from 64 to 1).
@main
struct DidLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "didlab",
        abstract: "A Monte Carlo robustness lab for staggered difference-in-differences designs.",
        version: BuildInfo.line,
        subcommands: CommandRegistry.commands
    )

    static func main() {
        AllocatorTuning.keepFreedMemory()
        AtomicFile.installInterruptCleanup()
        RandomStream.disableGSLAbort   // a GSL domain error gives NaN (caught and not printed), never an abort
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // ArgumentParser's own messages may go on with usage lines: keep their first line. Ours
            // are one line by construction; any line break a value brought in is escaped.
            let fromParser = String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
            var message = fromParser ? message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                : message(for: error).replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
            if let panelError = error as? PanelError {
                message = panelError.description(naming: Flags.name)
            } else if let parameterError = error as? any ParameterError {  // a library error names a role: name its flag
                message = Flags.message(for: parameterError)
            } else if message.contains("Error Domain=") {   // a Foundation error that escaped its owner
                message = AtomicFile.systemReason(for: error)
            }
            FileHandle.standardError.write(Data("didlab: error: \(message)\n".utf8))
            Foundation.exit(1)
        }
    }
}
