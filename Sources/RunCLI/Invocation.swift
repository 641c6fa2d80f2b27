import Foundation

/// The command line of this invocation, as a shell would read it back (`didlab` and its
/// arguments, each quoted when it needs to be), for the manifests the HTML report shows.
public enum Invocation {
    /// The executable's name (`didlab`, `didlab-mpi`) and the arguments, quoted for a shell.
    public static var commandLine: String {
        let name = CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent } ?? "didlab"
        return ([name] + CommandLine.arguments.dropFirst().map(quoted)).joined(separator: " ")
    }

    /// `word` unchanged when it holds only characters a shell leaves alone, else in single quotes.
    public static func quoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%^")
        if !word.isEmpty && word.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
