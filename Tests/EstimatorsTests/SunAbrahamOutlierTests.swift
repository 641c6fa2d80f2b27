import Foundation
import Testing
@testable import Estimators

/// Sun & Abraham on mpdta with one outcome value replaced by an outlier (issue 12): coefficients
/// and CR1 (unit) standard errors stay finite and accurate.
///
/// Oracle: the closed form of the saturated regression on a balanced panel whose controls are the
/// never treated and which has no covariates. Each treated cohort `g` is saturated (unit effects
/// plus a free effect in every period but `g − 1`), so it carries no information on the period
/// effects, which come from the controls alone; hence, with `d_i = y_{i,g+e} − y_{i,g−1}`,
/// `δ_{g,e} = mean_{i∈g} d_i − mean_{i∈C} d_i`, and the regression's per-unit score transformed
/// by the bread, `B X̃_i'û_i`, is `(d_i − d̄_g)/N_g` for a unit of cohort `g` and
/// `−(d_i − d̄_C)/N_C` for a control (the unique linear map `y ↦ δ̂` applied to the residuals).
/// `V = c Σ_i IF_i IF_i'` with fixest's CR1 factor `c = G/(G−1) · (n−1)/(n−K)`, `K = m + T`
/// (unit effects nested in the clusters). Computed from unit-level differences, the oracle never
/// mixes the outlier into a cell whose closed form does not contain it. The oracle itself is
/// checked against the pyfixest golden values of `robust_reference.json` on the clean panel.
@Suite("Sun–Abraham with an outcome outlier")
struct SunAbrahamOutlierTests {
    /// One coefficient of the oracle: value, per-unit influence, and whether the outlier's row
    /// enters its closed form.
    struct OracleTerm {
        let coefficient: Double
        let influence: [Double]
        let touched: Bool
    }

    /// Closed form of the interactions ("e+1:g2006") and of the aggregated terms ("e+1", "att"),
    /// keyed by term name, with the CR1 factor. `outlierRow` is the changed row, if any.
    static func oracle(_ panel: Panel, outlierRow: Int?) -> (terms: [String: OracleTerm], factor: Double) {
        let units = panel.unitCount, periods = panel.periodCount
        precondition(panel.isBalanced && panel.covariates.isEmpty)
        func y(_ unit: Int, _ period: Int) -> Double { panel.outcome[panel.unitStart[unit] + period] }
        let controls = (0..<units).filter { panel.adoptionPeriod[$0] == Panel.neverTreated }
        let cohorts = Set(panel.adoptionPeriod).filter { $0 != Panel.neverTreated && $0 >= 1 && Int($0) < periods }.sorted()
        var terms: [String: OracleTerm] = [:]
        var cells: [(eventTime: Int, size: Int, term: OracleTerm)] = []
        for g in cohorts {
            let members = (0..<units).filter { panel.adoptionPeriod[$0] == g }
            let base = Int(g) - 1
            for period in 0..<periods where period != base {
                func differences(_ group: [Int]) -> [Double] { group.map { y($0, period) - y($0, base) } }
                let dCohort = differences(members), dControl = differences(controls)
                let meanCohort = dCohort.reduce(0, +) / Double(members.count)
                let meanControl = dControl.reduce(0, +) / Double(controls.count)
                var influence = [Double](repeating: 0, count: units)
                for (k, unit) in members.enumerated() { influence[unit] = (dCohort[k] - meanCohort) / Double(members.count) }
                for (k, unit) in controls.enumerated() { influence[unit] = -(dControl[k] - meanControl) / Double(controls.count) }
                let touched = outlierRow.map { row in
                    let unit = Int(panel.unitIndex[row]), rowPeriod = Int(panel.periodIndex[row])
                    return (members.contains(unit) || controls.contains(unit)) && (rowPeriod == period || rowPeriod == base)
                } ?? false
                let term = OracleTerm(coefficient: meanCohort - meanControl, influence: influence, touched: touched)
                let e = period - Int(g)
                terms[EventStudy.termName(e) + ":g" + panel.adoptionLabel(g)] = term
                cells.append((e, members.count, term))
            }
        }
        // Aggregation: cohort shares n_{g,e}/Σn (n_{g,e} = N_g on a balanced panel).
        func aggregate(_ chosen: [(eventTime: Int, size: Int, term: OracleTerm)]) -> OracleTerm {
            let total = Double(chosen.reduce(0) { $0 + $1.size })
            var influence = [Double](repeating: 0, count: units)
            var coefficient = 0.0
            for cell in chosen {
                let weight = Double(cell.size) / total
                coefficient += weight * cell.term.coefficient
                for unit in 0..<units { influence[unit] += weight * cell.term.influence[unit] }
            }
            return OracleTerm(coefficient: coefficient, influence: influence, touched: chosen.contains { $0.term.touched })
        }
        for e in Set(cells.map(\.eventTime)) { terms[EventStudy.termName(e)] = aggregate(cells.filter { $0.eventTime == e }) }
        terms["att"] = aggregate(cells.filter { $0.eventTime >= 0 })
        let n = Double(panel.observationCount), clusters = Double(units)
        let k = Double(cells.count + periods)
        return (terms, clusters / (clusters - 1) * (n - 1) / (n - k))
    }

    static func standardError(_ term: OracleTerm, factor: Double) -> Double {
        (factor * term.influence.reduce(0) { $0 + $1 * $1 }).squareRoot()
    }

    /// `panel` with its outcome replaced (same rows, labels and clusterings).
    static func replacingOutcome(_ panel: Panel, _ outcome: [Double]) throws -> Panel {
        try Panel(unitIndex: panel.unitIndex, periodIndex: panel.periodIndex, unitCount: panel.unitCount,
                  periodCount: panel.periodCount, outcomeName: panel.outcomeName, outcome: outcome,
                  adoptionPeriod: panel.adoptionPeriod, unitLabels: panel.unitLabels, periodLabels: panel.periodLabels,
                  periodValues: panel.periodValues, unitName: panel.unitName, timeName: panel.timeName)
    }

    /// The row of unit `unit` (label) in period `period` (label).
    static func row(_ panel: Panel, unit: String, period: String) throws -> Int {
        let unitIndex = try #require(panel.unitLabels.firstIndex(of: unit))
        let periodIndex = try #require(panel.periodLabels.firstIndex(of: period))
        return panel.unitStart[unitIndex] + periodIndex
    }

    static func estimator(_ panel: Panel) -> SunAbraham {
        SunAbraham(includeOverallATT: true, options: RegressionOptions(variance: .cluster(panel.unitName)))
    }

    @Test("the closed-form oracle reproduces the pyfixest golden values on clean mpdta")
    func oracleMatchesGolden() throws {
        let (reference, panel) = try RobustReference.load("sun_abraham", "mpdta_sa", clusters: ["countyreal"])
        let (terms, factor) = Self.oracle(panel, outlierRow: nil)
        let estimate = try #require(reference["estimate"] as? [String: Double])
        let interactions = try #require(reference["interactions"] as? [String: Double])
        let vcov = try #require((reference["vcov"] as? [String: [String: Any]])?["cr1:countyreal"])
        let se = try #require(vcov["se"] as? [String: Double])
        let interactionSE = try #require(vcov["interaction_se"] as? [String: Double])
        #expect(Set(terms.keys) == Set(estimate.keys).union(interactions.keys))
        // 1e-10: the golden values agree with pyfixest to < 6e-13; the closed form differs only in
        // summation order.
        for (name, value) in estimate.merging(interactions, uniquingKeysWith: { a, _ in a }) {
            let term = try #require(terms[name])
            #expect(relativeDifference(term.coefficient, value) < 1e-10, "\(name): coefficient")
            let golden = try #require(se[name] ?? interactionSE[name])
            #expect(relativeDifference(Self.standardError(term, factor: factor), golden) < 1e-10, "\(name): SE")
        }
    }

    /// Outliers of 1e8 in four positions: a cohort-2006 unit at adoption (the case: the
    /// e+1 SE was NaN, the e-3:g2006 SE 53% low), a cohort-2007 unit at adoption, a cohort-2006 unit
    /// in its reference period e-1 (moves every 2006 cell), and a never-treated unit in 2006
    /// (moves every cell whose period or reference period is 2006).
    @Test("an outcome outlier of 1e8 leaves coefficients and CR1 SEs finite and accurate",
          arguments: [("12023", "2006"), ("8001", "2007"), ("12023", "2005"), ("13011", "2006")])
    func outlier(unit: String, period: String) throws {
        let clean = try Fixtures.mpdta()
        let outlierRow = try Self.row(clean, unit: unit, period: period)
        var outcome = clean.outcome
        outcome[outlierRow] = 1e8
        let panel = try Self.replacingOutcome(clean, outcome)
        let (expected, factor) = Self.oracle(panel, outlierRow: outlierRow)
        let fit = try Self.estimator(panel).fit(panel)
        // Tolerances. A term the outlier enters: relative 1e-9 (the value is dominated by the
        // outlier, held to ~ε). Any other term: the normal equations' right side carries rounding
        // ε·max|y| ≈ 2.2e-8 (Householder QR of the explicit-dummy design, numpy 2.4.6, errs by
        // 0.8–2.6e-9 on these coefficients; this fit by ≤ 2.2e-9), so the coefficient may be off
        // by 4·ε·max|y| absolutely; that error moves the residuals by ~1e-8 of their size, so
        // SEs are held to relative 1e-7 (observed ≤ 6.7e-9; before the fix three were NaN and
        // the rest off by up to 53%, e.g. 7% for e-4:g2007 with the outlier at 8001/2007).
        let coefficientFloor = 4 * Double.ulpOfOne * 1e8
        var checked = 0
        for estimate in [fit.interactions, fit.estimate] {
            for (index, term) in estimate.terms.enumerated() {
                let label = "outlier at \(unit)/\(period), \(term.name)"
                let oracle = try #require(expected[term.name], "\(label): oracle term")
                let coefficient = estimate.coefficients[index], se = estimate.standardError(index)
                let oracleSE = Self.standardError(oracle, factor: factor)
                #expect(coefficient.isFinite && se.isFinite, "\(label): \(coefficient) ± \(se)")
                if oracle.touched {
                    #expect(relativeDifference(coefficient, oracle.coefficient) < 1e-9, "\(label): \(coefficient) vs \(oracle.coefficient)")
                    #expect(relativeDifference(se, oracleSE) < 1e-9, "\(label): SE \(se) vs \(oracleSE)")
                } else {
                    #expect(abs(coefficient - oracle.coefficient) <= coefficientFloor, "\(label): \(coefficient) vs \(oracle.coefficient)")
                    #expect(relativeDifference(se, oracleSE) < 1e-7, "\(label): SE \(se) vs \(oracleSE)")
                }
                checked += 1
            }
        }
        #expect(checked == 12 + 7 + 1)   // 12 interactions, e-4 … e+3 without e-1, the ATT
    }

    /// Oracle: a constant outcome has every difference `d_i = 0`, so every coefficient, residual
    /// and score is exactly zero. The estimate holds zeros, not NaN; the t statistic 0/0 is
    /// undefined and left to the report to present.
    @Test("a constant outcome gives zero coefficients and zero (finite) SEs")
    func constantOutcome() throws {
        let clean = try Fixtures.mpdta()
        for value in [5.0, 8.4614690426438806, 1e8] {
            let panel = try Self.replacingOutcome(clean, [Double](repeating: value, count: clean.observationCount))
            let fit = try Self.estimator(panel).fit(panel)
            for estimate in [fit.interactions, fit.estimate] {
                #expect(estimate.coefficients.allSatisfy { $0 == 0 }, "y ≡ \(value): \(estimate.coefficients)")
                #expect(estimate.variance.matrix.allSatisfy { $0 == 0 }, "y ≡ \(value): variance")
                #expect(estimate.residualSumOfSquares == 0)
                for index in estimate.terms.indices {
                    let interval = estimate.confidenceInterval(index)
                    #expect(estimate.standardError(index) == 0 && interval.low == 0 && interval.high == 0)
                }
            }
        }
    }
}
