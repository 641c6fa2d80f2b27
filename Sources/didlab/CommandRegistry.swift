import ArgumentParser

/// The subcommands of `didlab`, in help order.
enum CommandRegistry {
    static let commands: [ParsableCommand.Type] = [EstimateCommand.self, IndexCommand.self, SimulateCommand.self, PlaceboCommand.self, MediateCommand.self, RunCommand.self, MergeCommand.self, DiagnoseCommand.self, ReportCommand.self, BenchCommand.self]
}
