import CGSL

/// The pre-trend test of Borusyak, Jaravel & Spiess (2024, Test 1), as Stata `did_imputation`'s
/// `pretrends(P)` runs it.
///
/// On the untreated observations only, regress
/// `Y_it = Σ_{h=1}^{P} β_h 1{K_it = −h} + γ'X_it + α_i + λ_t + ε_it` (`K_it = t − g_i`; never
/// treated units have no lead dummies), through ``FixedEffectsRegression`` with the estimator's
/// variance (CR1 with fixest's small-sample rule, which equals reghdfe's on connected panels).
/// As reghdfe does by default, singleton observations (a unit or period with one untreated
/// observation, iterated) are dropped first; they carry no information about `β` but would
/// change `n` and `G`. The joint test of `β = 0` is the Wald statistic
/// `W = β̂'V̂⁻¹β̂`, reported as `F = W/P` with `(P, df)` degrees of freedom (Stata's
/// `test …, df(e(df_r))`: `df = G − 1` when clustered) and as `χ²(P) = W`.
/// This regression never affects the post-treatment estimates, which assume parallel trends.
public struct ImputationPreTrendTest: Sendable {
    /// The lead regression (method "bjs-pretrend"): terms "pre1" … "preP" (event times −1 … −P),
    /// then covariates.
    public let regression: Estimate
    /// Leads with an estimated coefficient (collinear ones are dropped and not tested).
    public let testedLeads: Int
    /// `F = β̂'V̂⁻¹β̂ / P`.
    public let fStatistic: Double
    /// Denominator degrees of freedom of `F` (the regression's t df: `G − 1` when clustered).
    public let denominatorDegreesOfFreedom: Double
    /// `P(F(P, df) > F)`.
    public let pValue: Double
    /// Wald statistic `β̂'V̂⁻¹β̂`.
    public let chiSquare: Double
    /// `P(χ²(P) > W)`.
    public let chiSquarePValue: Double
    /// Singleton observations dropped before the regression.
    public let droppedSingletons: Int

    /// One line for notes and tables.
    public var summary: String {
        "pre-trend test (BJS Test 1, \(testedLeads) lead\(testedLeads == 1 ? "" : "s") on untreated observations): "
            + "F = \(ImputationPreTrendTest.format(fStatistic)) on (\(testedLeads), "
            + "\(ImputationPreTrendTest.format(denominatorDegreesOfFreedom))) df, p = \(ImputationPreTrendTest.format(pValue))"
            + (pValue.isNaN ? " (not computed: the leads fit the untreated outcomes exactly, or no residual df is left)" : "")
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "NA" }
        if value == value.rounded() && abs(value) < 1e9 { return String(Int(value)) }
        return String(Double(String(format: "%.4g", value)) ?? value)
    }

    /// Runs the test with `leads` lead dummies.
    /// - Throws: ``HeterogeneityRobustError/emptySample(method:what:)`` when nothing is left,
    ///   ``EstimationError`` from the regression (e.g. every lead collinear).
    public init(panel: Panel, leads: Int, variance: VarianceType) throws {
        let method = "bjs pre-trend test"
        guard leads >= 1 else { throw EstimationError.invalidOption("\(method): leads must be at least 1, got \(leads)") }
        var rows = (0..<panel.observationCount).filter { !panel.isTreated(row: $0) }
        let before = rows.count
        // Iterated singleton removal over both fixed effects (reghdfe's default).
        while true {
            var unitCount = [Int](repeating: 0, count: panel.unitCount)
            var periodCount = [Int](repeating: 0, count: panel.periodCount)
            for row in rows { unitCount[Int(panel.unitIndex[row])] += 1; periodCount[Int(panel.periodIndex[row])] += 1 }
            let next = rows.filter { unitCount[Int(panel.unitIndex[$0])] > 1 && periodCount[Int(panel.periodIndex[$0])] > 1 }
            if next.count == rows.count { break }
            rows = next
        }
        let sample = try panel.restrictedToRows(rows, note: nil, method: method,
                                                what: "keeping untreated observations and dropping singletons")
        var columns = [[Double]](repeating: [Double](repeating: 0, count: rows.count), count: leads)
        for (k, row) in rows.enumerated() {
            let g = panel.adoptionPeriod[Int(panel.unitIndex[row])]
            guard g != Panel.neverTreated else { continue }
            let lead = Int(g) - Int(panel.periodIndex[row])
            if lead >= 1 && lead <= leads { columns[lead - 1][k] = 1 }
        }
        let terms = (1...leads).map { Estimate.Term(name: "pre\($0)", eventTime: -$0) }
        let regression = try FixedEffectsRegression.fit(
            panel: sample, method: "bjs-pretrend", terms: terms, columns: columns,
            options: RegressionOptions(variance: variance), extraNotes: [])
        let tested = regression.terms.indices.filter { regression.terms[$0].name.hasPrefix("pre") && regression.terms[$0].eventTime != nil }
        guard !tested.isEmpty else { throw EstimationError.noIdentifiedTerms(dropped: regression.droppedTerms) }
        let m = regression.terms.count, p = tested.count
        var sub = [Double](repeating: 0, count: p * p)
        for (a, i) in tested.enumerated() { for (b, j) in tested.enumerated() { sub[a * p + b] = regression.variance.matrix[i * m + j] } }
        let beta = tested.map { regression.coefficients[$0] }
        let factor = DroppingCholesky(matrix: sub, dimension: p, tolerance: 1e-12)
        let solved = factor.solve(beta)
        let rank = factor.rank
        let df2 = regression.variance.degreesOfFreedom
        // An exact fit of the leads (standard errors zero against their coefficients, as the
        // estimate tables judge it) or no residual df leaves the test undefined: NaN, printed as
        // NA, never a huge F with a tiny p.
        let defined = rank > 0 && !(df2 <= 0) && tested.allSatisfy { i in
            let se = regression.variance.matrix[i * m + i].squareRoot(), b = regression.coefficients[i]
            return b.isFinite && se.isFinite && se > 0 && se > 1e-12 * b.magnitude
        }
        let wald = defined ? zip(beta, solved).reduce(0) { $0 + $1.0 * $1.1 } : .nan
        self.regression = regression
        self.testedLeads = rank
        self.chiSquare = wald
        self.fStatistic = wald / Double(max(rank, 1))
        self.denominatorDegreesOfFreedom = df2
        self.pValue = !defined ? .nan : df2.isFinite ? gsl_cdf_fdist_Q(wald / Double(rank), Double(rank), df2)
            : gsl_cdf_chisq_Q(wald, Double(rank))
        self.chiSquarePValue = defined ? gsl_cdf_chisq_Q(wald, Double(rank)) : .nan
        self.droppedSingletons = before - rows.count
    }
}
