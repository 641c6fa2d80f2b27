import Foundation

extension HTMLReport {
    /// The page of a `didlab run` directory: the spec's aims (or, without them, what was run),
    /// the conditions and methods, the performance table with MCSE (the rows of ``RunReport``),
    /// the figures, the pre-test and size-adjusted tables when the spec has them, the failure
    /// notes, and the provenance.
    /// - Parameters:
    ///   - summary: the run's summary, rebuilt from its records (``ExperimentRun/merge(directories:)``)
    ///     or just computed.
    ///   - aims: the spec's `aims` text ("" when it has none).
    ///   - figures: figures of the run (none yet: the run figures join here).
    public init(run summary: RunSummary, aims: String, figures: [Figure], provenance: Provenance) {
        let report = RunReport(summary)
        var sections: [Section] = []
        let trimmedAims = aims.trimmingCharacters(in: .whitespacesAndNewlines)
        let methods = summary.conditions.first?.results ?? []
        var aimsBlocks: [Block] = [.paragraph(trimmedAims.isEmpty
            ? "The spec states no aims. This page reports what was run: \(methods.count) methods in "
                + "\(summary.conditions.count) conditions, \(summary.replications) replications each."
            : trimmedAims)]
        aimsBlocks.append(.table(Table(caption: "Methods", headers: ["method", "estimator", "inference", "target"],
                                       rows: methods.map { [$0.methodName, $0.estimator, $0.inference, $0.target] })))
        let names = Array(Set(summary.conditions.flatMap { $0.parameters.map(\.0) })).sorted()
        if names.isEmpty {
            aimsBlocks.append(.paragraph((summary.conditions.count == 1 ? "Condition: " : "Conditions: ")
                                         + summary.conditions.map(\.name).joined(separator: ", ") + "."))
        } else {
            aimsBlocks.append(.table(Table(
                caption: "Conditions", headers: ["condition"] + names,
                rows: summary.conditions.map { condition in
                    [condition.name] + names.map { name in
                        condition.parameters.first { $0.0 == name }.map { Format.significant($0.1, digits: 6) } ?? "–"
                    }
                })))
        }
        sections.append(Section("Aims and design", aimsBlocks))
        sections.append(Section("Performance", [.table(Table(
            caption: "Performance by condition and method (\(summary.replications) replications per condition, seed "
                + "\(summary.seed), α = \(summary.alpha))",
            headers: RunReport.headers, rows: report.rows(), rowHeaderColumns: 1, groupsByFirstColumn: true,
            note: RunReport.measuresNote))]))
        if !figures.isEmpty { sections.append(Section("Figures", figures.map { .figure($0) })) }
        let pretest = report.pretestRows()
        if !pretest.isEmpty {
            sections.append(Section("Conditional on passing the pre-trend test", [.table(Table(
                caption: "Measures over the replications that passed the pre-trend test", headers: RunReport.pretestHeaders,
                rows: pretest, groupsByFirstColumn: true, note: RunReport.pretestCaption))]))
        }
        let sizeAdjusted = report.sizeAdjustedRows()
        if !sizeAdjusted.isEmpty {
            sections.append(Section("Size-adjusted power", [.table(Table(
                caption: "Size-adjusted power against the paired null condition", headers: RunReport.sizeAdjustedHeaders,
                rows: sizeAdjusted, groupsByFirstColumn: true, note: RunReport.sizeAdjustedCaption))]))
        }
        let notes = report.failureNotes() + (report.replicationFailureNotes().isEmpty ? ["No replication failed."] : [])
        sections.append(Section("Notes", [.list(notes)]))
        self.init(title: summary.experiment,
                  subtitle: "Monte Carlo experiment · " + Self.count(summary.conditions.count, "condition") + " × "
                    + Self.count(methods.count, "method") + " · "
                    + "\(summary.replications) replications per condition · seed \(summary.seed) · α = \(summary.alpha)",
                  sections: sections, provenance: provenance)
    }

    /// "1 condition", "3 conditions".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)" + (n == 1 ? "" : "s") }
}
