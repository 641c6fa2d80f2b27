import ArgumentParser
import Estimators
import Foundation
import Lab

/// The data options shared by `estimate`, `placebo` and `mediate`.
struct PanelOptions: ParsableArguments {
    @Argument(help: "Panel data file, one row per unit and period: CSV, or Stata .dta, SPSS .sav/.zsav, SAS .sas7bdat.")
    var data: String

    @Option(help: "Outcome column.")
    var y: String

    @Option(help: "Unit (city) identifier column: integers or strings.")
    var unit: String

    @Option(help: "Time column: numbers (years) or strings.")
    var time: String

    @Option(help: "0/1 treatment column that switches on and stays on.")
    var treat: String?

    @Option(help: "First treated period of each unit; 0 or empty = never treated.")
    var cohort: String?

    @Option(help: "Covariates, comma separated.", transform: { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } })
    var x: [String] = []

    @Option(help: "Cluster column for CR1 standard errors (default: the unit column); A+B (or A,B) clusters two ways, A^B by the interaction of two columns.")
    var cluster: String?

    @Option(help: ArgumentHelp(
        "Column of regression weights (analytic weights, R fixest's weights = ~w): twfe, event, sa; cs takes them as sampling weights.",
        discussion: "Weighted least squares with fixest's conventions (n counts observations; iid, hetero and CR1 "
            + "weighted; cr2, cr3, two-way and Conley refuse them). cs takes them as R did's sampling weights "
            + "(weightsname): weighted 2x2 estimators and cohort shares; weights varying within a unit enter each "
            + "ATT(g,t) from its earlier period, as R did. Weights must be finite "
            + "and >= 0; rows with a zero weight are dropped and counted in the notes, as fixest does. Not to be "
            + "confused with --weights, the wild bootstrap's draw distribution.",
        valueName: "COL"))
    var regressionWeights: String?

    func validate() throws {
        if (treat == nil) == (cohort == nil) {
            throw ValidationError("give exactly one of --treat COL (0/1 indicator) or --cohort COL (first treated period)")
        }
    }

    /// The cluster column actually used: `--cluster`, else the unit.
    var clusterColumn: String { cluster ?? unit }

    /// The terms of `--cluster`: one (`city`, `province^year`) or two (`city+province^year`, `city,province`).
    var clusterTerms: [String] {
        let separator: Character = clusterColumn.contains("+") ? "+" : ","
        return clusterColumn.split(separator: separator, omittingEmptySubsequences: false).map {
            String($0.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        }
    }

    /// The columns `--cluster` names (the parts of each term's `A^B`), loaded as clusterings.
    var clusterComponentColumns: [String] {
        clusterTerms.flatMap { InferenceSpec.columns(ofClusterTerm: $0) }
    }

    /// The panel spec, keeping `extraColumns` as clusterings too.
    func spec(extraColumns: [String] = []) -> PanelSpec {
        let treatment: PanelSpec.Treatment = cohort.map { .cohort($0) } ?? .indicator(treat ?? "")
        return PanelSpec(outcome: y, unit: unit, time: time, treatment: treatment, covariates: x,
                         clusterColumns: Array(Set(clusterComponentColumns + extraColumns)).sorted(),
                         regressionWeights: regressionWeights)
    }

    /// Loads and validates the panel.
    func loadPanel(extraColumns: [String] = []) throws -> Panel {
        guard FileManager.default.fileExists(atPath: data) else {
            throw ValidationError("\(data): no such file")
        }
        let lower = data.lowercased()
        guard lower.hasSuffix(".csv") || lower.hasSuffix(".txt") || DataFileFormat(path: data).isStatisticalFile else {
            throw ValidationError("\(data): unsupported file type; expected a .csv file or one of "
                                  + DataFileFormat.readStatExtensions.joined(separator: ", "))
        }
        do {
            return try Panel.load(file: data, spec: spec(extraColumns: extraColumns))
        } catch PanelError.columnInTwoRoles(let column, let first, let second) {
            throw ValidationError("\(data): column \(column.quotedForMessage) is named by \(flag(first)) (\(first)) and by "
                                  + "\(flag(second)) (\(second)); expected each column in one role")
        }
    }

    /// The flag that gives a column its role.
    func flag(_ role: PanelSpec.Role) -> String {
        switch role {
        case .outcome: return "--y"
        case .unit: return "--unit"
        case .time: return "--time"
        case .treatmentIndicator: return "--treat"
        case .cohort: return "--cohort"
        case .covariate: return "--x"
        case .clustering: return "--cluster/--strata/--level/--by"
        case .regressionWeights: return "--regression-weights"
        }
    }
}

/// Output options shared by commands that print reports.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: table, json, csv or latex.")
    var format: ReportFormat = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var out: String?
}
