import CGSL

/// Three-step ("causal steps") mediation in the fixed-effects DiD framework: Baron & Kenny
/// (1986), in the form of 温忠麟 et al. (2004) that this literature follows.
///
/// ```
/// step 1   Y_it = c  D_it            + γ₁'X_it + μ_i + λ_t + ε_it
/// step 2   M_it = a  D_it            + γ₂'X_it + μ_i + λ_t + ε_it
/// step 3   Y_it = c′ D_it + b M_it   + γ₃'X_it + μ_i + λ_t + ε_it
/// ```
/// Every step is a ``FixedEffectsRegression`` on the same observations, with the panel's
/// covariates and the same variance (CR1 by the chosen cluster, fixest's small-sample rules).
/// With several mediators each is analysed on its own (steps 2 and 3 per mediator, step 1
/// shared), as papers of this genre report one mechanism per table; see ``MediationPath`` for
/// the indirect effect, proportion mediated, Sobel, joint-significance and bootstrap tests.
///
/// **Identification (Jiang 2022).** The DiD design identifies `c` and `a` (treatment effects on
/// `Y` and on `M`). It does not identify `b` and `c′`: `M` is itself an outcome of treatment, and
/// any unobserved cause of both `M` and `Y` biases step 3 — and with it `a·b` and every test built
/// on `b`. Every result says so in its notes.
public struct Mediation: Sendable {
    /// Variance and small-sample correction of every step (default nil: CR1 by the panel's
    /// unit with fixest's correction, the genre's city clustering).
    public var options: RegressionOptions?
    /// The pairs cluster bootstrap of `a·b` (default 999 draws, seed 1; `replications: 0` = off).
    /// Clusters are those of a clustered variance, otherwise the units.
    public var bootstrap: PairsBootstrapOptions
    /// Level of the joint-significance test (default 0.05).
    public var alpha: Double
    /// Confidence level of intervals (default 0.95).
    public var level: Double

    /// Creates the estimator; see the properties for the defaults.
    public init(options: RegressionOptions? = nil,
                bootstrap: PairsBootstrapOptions = PairsBootstrapOptions(), alpha: Double = 0.05,
                level: Double = 0.95) {
        self.options = options
        self.bootstrap = bootstrap
        self.alpha = alpha
        self.level = level
    }

    /// Runs the three steps for every mediator on `panel` (its outcome is `Y`, its covariates `X`).
    /// - Throws: ``MediationError`` for bad mediators or options; the regressions' ``EstimationError``s.
    public func estimate(_ panel: Panel, mediators: [MediatorColumn]) throws -> MediationResult {
        try panel.refuseRegressionWeights(in: "mediation")
        try validate(panel: panel, mediators: mediators)
        let options = self.options ?? RegressionOptions(variance: .cluster(panel.unitName))
        let within = TwoWayWithin(panel: panel)
        for mediator in mediators {
            try Mediation.checkWithinVariation(mediator, within: within)
        }
        let treatment = panel.treatmentColumn
        let total = try FixedEffectsRegression.fit(panel: panel, method: "mediation-step1",
                                                   terms: [Estimate.Term(name: "treat")], columns: [treatment],
                                                   options: options, extraNotes: [], within: within)
        guard let cIndex = total.index(of: "treat") else {
            throw MediationError.notIdentified(step: 1, mediator: nil, term: "treat")
        }
        var steps: [(Estimate, Estimate)] = []
        for mediator in mediators {
            let mediatorPanel = try panel.replacingColumns(outcomeName: mediator.name, outcome: mediator.values,
                                                           covariateNames: panel.covariateNames,
                                                           covariates: panel.covariates)
            let stepTwo = try FixedEffectsRegression.fit(panel: mediatorPanel, method: "mediation-step2",
                                                         terms: [Estimate.Term(name: "treat")], columns: [treatment],
                                                         options: options, extraNotes: [], within: within)
            let stepThree = try FixedEffectsRegression.fit(panel: panel, method: "mediation-step3",
                                                           terms: [Estimate.Term(name: "treat"),
                                                                   Estimate.Term(name: mediator.name)],
                                                           columns: [treatment, mediator.values],
                                                           options: options, extraNotes: [], within: within)
            guard stepTwo.index(of: "treat") != nil else {
                throw MediationError.notIdentified(step: 2, mediator: mediator.name, term: "treat")
            }
            guard stepThree.index(of: "treat") != nil else {
                throw MediationError.notIdentified(step: 3, mediator: mediator.name, term: "treat")
            }
            guard stepThree.index(of: mediator.name) != nil else {
                throw MediationError.notIdentified(step: 3, mediator: mediator.name, term: mediator.name)
            }
            steps.append((stepTwo, stepThree))
        }
        let (draws, clusterName) = try bootstrapDraws(panel: panel, treatment: treatment, mediators: mediators,
                                                      variance: options.variance)
        let paths = mediators.indices.map { j in
            path(name: mediators[j].name, total: total, cIndex: cIndex, stepTwo: steps[j].0, stepThree: steps[j].1,
                 draws: draws.map { all in stride(from: j, to: all.count, by: mediators.count).map { all[$0] } })
        }
        return MediationResult(totalModel: total, paths: paths, alpha: alpha, level: level,
                               bootstrap: draws == nil ? nil : bootstrap, bootstrapCluster: clusterName,
                               notes: notes(panel: panel, total: total, cIndex: cIndex, paths: paths, cluster: clusterName))
    }

    /// Assembles one mediator's numbers from its step estimates.
    func path(name: String, total: Estimate, cIndex: Int, stepTwo: Estimate, stepThree: Estimate,
              draws: [Double]?) -> MediationPath {
        let aIndex = stepTwo.index(of: "treat") ?? 0
        let bIndex = stepThree.index(of: name) ?? 0
        let directIndex = stepThree.index(of: "treat") ?? 0
        let a = stepTwo.coefficients[aIndex], sa = stepTwo.standardError(aIndex)
        let b = stepThree.coefficients[bIndex], sb = stepThree.standardError(bIndex)
        let pa = stepTwo.pValue(aIndex), pb = stepThree.pValue(bIndex)
        let indirect = a * b
        let sobel = (b * b * sa * sa + a * a * sb * sb).squareRoot()
        let z = indirect / sobel
        return MediationPath(mediator: name, mediatorModel: stepTwo, outcomeModel: stepThree,
                             a: a, aStandardError: sa, aPValue: pa, b: b, bStandardError: sb, bPValue: pb,
                             total: total.coefficients[cIndex], direct: stepThree.coefficients[directIndex],
                             indirect: indirect, sobelStandardError: sobel, sobelStatistic: z,
                             sobelPValue: z.isFinite ? 2 * gsl_cdf_ugaussian_Q(abs(z)) : .nan,
                             alpha: alpha, jointlySignificant: pa < alpha && pb < alpha, jointPValue: max(pa, pb),
                             proportionMediated: indirect / total.coefficients[cIndex],
                             bootstrap: draws.map { BootstrapSummary(draws: $0, seed: bootstrap.seed, level: level) })
    }

    /// The bootstrap draws (`B × m`, draw-major) and the resampling cluster, or nil when off.
    func bootstrapDraws(panel: Panel, treatment: [Double], mediators: [MediatorColumn], variance: VarianceType) throws
        -> (draws: [Double]?, cluster: String?) {
        guard bootstrap.replications > 0 else { return (nil, nil) }
        let clusterName: String
        if case .cluster(let name) = variance { clusterName = name } else { clusterName = panel.unitName }
        let clustering = try panel.clustering(named: clusterName)  // a column or an interaction A^B
        guard let unitCluster = PairsBootstrap.unitClusters(panel: panel, clustering: clustering) else {
            throw MediationError.clustersSplitUnits(cluster: clusterName)
        }
        let columns = [treatment] + panel.covariates + mediators.map(\.values) + [panel.outcome]
        let engine = IndirectEffectBootstrap(panel: panel, columns: columns, covariateCount: panel.covariates.count,
                                             mediatorCount: mediators.count, unitCluster: unitCluster,
                                             clusterCount: clustering.count)
        return (engine.run(options: bootstrap), clusterName)
    }

    /// Checks options and mediator columns.
    func validate(panel: Panel, mediators: [MediatorColumn]) throws {
        guard !mediators.isEmpty else { throw MediationError.noMediators }
        guard alpha > 0 && alpha < 1 else { throw MediationError.invalidOption("alpha must be between 0 and 1, got \(alpha)") }
        guard level > 0 && level < 1 else { throw MediationError.invalidOption("level must be between 0 and 1, got \(level)") }
        guard bootstrap.replications >= 0 else {
            throw InvalidParameter(.bootstrapDraws, String(bootstrap.replications), "expected at least 0 (0 = no bootstrap)")
        }
        if let threads = bootstrap.threads, threads < 1 {
            throw InvalidParameter(.threads, String(threads), "expected at least 1")
        }
        var seen = Set<String>()
        for mediator in mediators {
            if mediator.name == panel.outcomeName { throw MediationError.duplicateName(mediator.name, role: "the outcome") }
            if mediator.name == "treat" { throw MediationError.duplicateName(mediator.name, role: "the treatment term") }
            if panel.covariateNames.contains(mediator.name) {
                throw MediationError.duplicateName(mediator.name, role: "a covariate")
            }
            guard seen.insert(mediator.name).inserted else {
                throw MediationError.duplicateName(mediator.name, role: "another mediator")
            }
            guard mediator.values.count == panel.observationCount else {
                throw MediationError.columnLength(mediator: mediator.name, expected: panel.observationCount,
                                                  found: mediator.values.count)
            }
            if let row = mediator.values.firstIndex(where: { !$0.isFinite }) {
                throw MediationError.nonFinite(mediator: mediator.name, row: row)
            }
        }
    }

    /// Throws when `M` has no variation left after the two-way demeaning (the rule of
    /// ``LeastSquaresFit``: demeaned sum of squares ≤ 1e-10 × centred sum of squares).
    static func checkWithinVariation(_ mediator: MediatorColumn, within: TwoWayWithin) throws {
        let values = mediator.values
        let mean = values.reduce(0, +) / Double(max(values.count, 1))
        var centred = 0.0
        for value in values { centred += (value - mean) * (value - mean) }
        let demeaned = within.transform(values)
        let remaining = dot(demeaned, demeaned)
        if centred == 0 || remaining <= 1e-10 * centred {
            throw MediationError.noWithinVariation(mediator: mediator.name, constant: centred == 0)
        }
    }

    func notes(panel: Panel, total: Estimate, cIndex: Int, paths: [MediationPath], cluster: String?) -> [String] {
        var notes = panel.notes
        notes.append("b and c' (step 3) are not identified by the DiD design: the mediator is post-treatment (an outcome "
                     + "of D), so any unobserved cause of both M and Y biases b, c', a*b and every test using b "
                     + "(Jiang 2022, China Industrial Economics 2022(5)); a (step 2) and c (step 1) are DiD estimates")
        notes.append("all steps use the same observations and controls, so c = c' + a*b exactly; Sobel uses the "
                     + "first-order delta method with a standard normal reference")
        if paths.count > 1 { notes.append("each mediator is analysed on its own: step 3 includes only that mediator") }
        if let cluster {
            notes.append("bootstrap: \(bootstrap.replications) pairs cluster draws resampling \(cluster) with replacement "
                         + "(duplicated clusters enter as distinct units), seed \(bootstrap.seed); draw b uses stream "
                         + "(seed, b, bootstrap), so results do not depend on the number of threads")
        }
        for path in paths {
            if let summary = path.bootstrap, summary.valid < summary.requested {
                notes.append("\(path.mediator): \(summary.requested - summary.valid) bootstrap draws left out "
                             + "(a or b not identified in the resampled panel)")
            }
        }
        let pc = total.pValue(cIndex)
        if !(pc < alpha) {
            notes.append("the total effect c is not significant at \(alpha) (p = \(String(format: "%.3g", pc))): "
                         + "the proportion mediated a*b/c is not meaningful")
        }
        return notes
    }
}
