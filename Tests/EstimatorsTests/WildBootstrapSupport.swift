import Foundation
@testable import Estimators

/// Shared helpers of the wild bootstrap tests: fixture subsets and the brute-force oracle.
enum WildBootstrapSupport {
    /// `synthetic.csv` (or `file`) restricted to `provinces` (all when nil), loaded with the
    /// province clustering and the given covariates.
    static func synthetic(provinces: Set<String>? = nil, covariates: [String] = ["x1", "x2"],
                          file: String = "synthetic.csv", extraClusters: [String] = []) throws -> Panel {
        let text = try String(contentsOfFile: Fixtures.path(file), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if let provinces {
            let header = lines.removeFirst()
            let column = try header.split(separator: ",").firstIndex(of: "province").map { $0 }
                ?? { throw EstimationError.invalidOption("no province column") }()
            lines = [header] + lines.filter { line in
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                return fields.count > column && provinces.contains(String(fields[column]))
            }
        }
        let table = try CSVTable(data: Array((lines.joined(separator: "\n") + "\n").utf8), path: file)
        let spec = PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
                             covariates: covariates, clusterColumns: ["province"] + extraClusters)
        return try Panel.load(table: table, spec: spec)
    }

    /// The same panel with another outcome column.
    static func replacingOutcome(_ panel: Panel, with outcome: [Double]) throws -> Panel {
        try Panel(unitIndex: panel.unitIndex, periodIndex: panel.periodIndex, unitCount: panel.unitCount,
                  periodCount: panel.periodCount, outcomeName: panel.outcomeName, outcome: outcome,
                  covariateNames: panel.covariateNames, covariates: panel.covariates,
                  adoptionPeriod: panel.adoptionPeriod, unitLabels: panel.unitLabels, periodLabels: panel.periodLabels,
                  periodValues: panel.periodValues, unitName: panel.unitName, timeName: panel.timeName,
                  clusterings: panel.clusterings.filter { $0.key != panel.unitName }, notes: panel.notes)
    }

    /// A clustering of the panel's rows by period (units split across clusters).
    static func periodClustering(_ panel: Panel) -> Clustering {
        Clustering(name: "period", index: panel.periodIndex, count: panel.periodCount, labels: panel.periodLabels)
    }

    /// Adds a clustering to a panel.
    static func adding(_ clustering: Clustering, to panel: Panel) throws -> Panel {
        var clusterings = panel.clusterings.filter { $0.key != panel.unitName }
        clusterings[clustering.name] = clustering
        return try Panel(unitIndex: panel.unitIndex, periodIndex: panel.periodIndex, unitCount: panel.unitCount,
                         periodCount: panel.periodCount, outcomeName: panel.outcomeName, outcome: panel.outcome,
                         covariateNames: panel.covariateNames, covariates: panel.covariates,
                         adoptionPeriod: panel.adoptionPeriod, unitLabels: panel.unitLabels,
                         periodLabels: panel.periodLabels, periodValues: panel.periodValues, unitName: panel.unitName,
                         timeName: panel.timeName, clusterings: clusterings, notes: panel.notes)
    }

    /// **Brute-force oracle.** The bootstrap statistic of each weight vector by re-estimating the
    /// full two-way fixed-effects regression on `y* = y + ũ∘(v − 1)` (i.e. fitted values under the
    /// null plus re-weighted residuals) with the standard CR1 variance: `t* = (β*_j − r)/se*` (WCR,
    /// `ũ` restricted residuals with `β_j = r` imposed) or `(β*_j − β̂_j)/se*` (WCU, `ũ = û`).
    static func bruteForceStatistics(panel: Panel, model: BootstrapModel, term: String, cluster: String,
                                     imposeNull: Bool, null r: Double, weightVectors: [[Double]]) throws -> [Double] {
        let (terms, columns, _) = try model.design(on: panel)
        guard let j = terms.firstIndex(where: { $0.name == term }) else { throw EstimationError.invalidOption(term) }
        let within = TwoWayWithin(panel: panel)
        let options = RegressionOptions(variance: .cluster(cluster))
        let full = try FixedEffectsRegression.fit(panel: panel, method: "bf", terms: terms, columns: columns,
                                                  options: options, extraNotes: [])
        let betaHat = full.coefficients[try require(full.index(of: term))]
        let residuals: [Double]
        if imposeNull {
            let shifted = zip(panel.outcome, columns[j]).map { $0 - r * $1 }
            let otherTerms = terms.enumerated().filter { $0.offset != j }.map(\.element)
            let otherColumns = columns.enumerated().filter { $0.offset != j }.map(\.element)
            let names = (otherTerms.map(\.name) + panel.covariateNames)
            if names.isEmpty {
                residuals = within.transform(shifted)
            } else {
                let design = DemeanedDesign(within: within, termNames: names, outcome: shifted,
                                            regressors: otherColumns + panel.covariates)
                residuals = try LeastSquaresFit(design: design).residuals
            }
        } else {
            let design = DemeanedDesign(within: within, termNames: terms.map(\.name) + panel.covariateNames,
                                        outcome: panel.outcome, regressors: columns + panel.covariates)
            residuals = try LeastSquaresFit(design: design).residuals
        }
        let clustering = try require(panel.clusterings[cluster])
        return try weightVectors.map { v in
            var outcome = panel.outcome
            for i in outcome.indices { outcome[i] += residuals[i] * (v[Int(clustering.index[i])] - 1) }
            let star = try FixedEffectsRegression.fit(panel: replacingOutcome(panel, with: outcome), method: "bf",
                                                      terms: terms, columns: columns, options: options,
                                                      extraNotes: [], within: within)
            let index = try require(star.index(of: term))
            return (star.coefficients[index] - (imposeNull ? r : betaHat)) / star.standardError(index)
        }
    }

    /// Every Rademacher sign vector of `groups` clusters, in the enumeration order.
    static func signVectors(_ groups: Int) -> [[Double]] {
        (0..<(1 << groups)).map { b in (0..<groups).map { g in (b >> (groups - 1 - g)) & 1 == 1 ? 1.0 : -1.0 } }
    }

    /// Brute-force p-values from statistics: symmetric `#{|t*| ≥ |t|}` (ties counted) or strict.
    static func count(_ statistics: [Double], observed t: Double, countTies: Bool) -> Int {
        let tolerance = 1e-7 * abs(t)
        return statistics.filter { countTies ? abs($0) >= abs(t) - tolerance : abs($0) > abs(t) + tolerance }.count
    }
}

/// `#require`-like unwrap usable outside a test body.
func require<T>(_ value: T?, _ message: String = "unexpected nil") throws -> T {
    guard let value else { throw EstimationError.invalidOption(message) }
    return value
}
