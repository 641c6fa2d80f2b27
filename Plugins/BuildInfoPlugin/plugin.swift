import Foundation
import PackagePlugin

/// Stamps the `Lab` module with the git commit it was built from: before every build, runs
/// `scripts/build-info.sh`, which writes `GeneratedBuildInfo.swift` (rewritten only when the commit
/// or the tree's modified state changes, so an unchanged tree recompiles nothing).
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedBuildInfo")
        let script = context.package.directoryURL.appending(path: "scripts/build-info.sh")
        return [.prebuildCommand(displayName: "didlab: stamping the build with its git commit",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: [script.path, context.package.directoryURL.path, output.path],
                                 outputFilesDirectory: output)]
    }
}
