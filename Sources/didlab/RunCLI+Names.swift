import RunCLI

// `run`, `merge`, `--memory` and `--format` live in the RunCLI target, which the didlab-mpi
// executable shares (Documentation/ScaleOut.md); these names keep them where every command of
// this target finds them without importing RunCLI.
typealias RunCommand = RunCLI.RunCommand
typealias MergeCommand = RunCLI.MergeCommand
typealias MemoryOption = RunCLI.MemoryOption
typealias TableOrJSON = RunCLI.TableOrJSON
typealias ProgressLine = RunCLI.ProgressLine
typealias Invocation = RunCLI.Invocation
