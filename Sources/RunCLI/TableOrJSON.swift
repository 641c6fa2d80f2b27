import ArgumentParser

/// `--format` of the commands that print a table or JSON (`placebo`, `mediate`, `run`, `merge`).
public enum TableOrJSON: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// The human-readable table.
    case table
    /// The report's JSON (Documentation/JSON.md).
    case json
}
