/// Subgroup heterogeneity of a static DiD effect by a unit-level column (`--by COL`: region,
/// resource-based city, old industrial base), as papers of the genre report it:
///
/// 1. **Split samples**: TWFE `y ~ treat + X | unit + period` on each group's units alone (own
///    period effects and covariate slopes).
/// 2. **Interaction model** on the full panel: `y ~ Σ_g β_g·D·1{group = g} + X | unit + period`,
///    one coefficient per group with treated units (term `treat:COL=label`), common fixed effects
///    and covariate slopes — fixest `feols(y ~ i(COL, treat) + X | unit + period)`. With period
///    effects and covariate slopes interacted with the group as well it would reproduce the split
///    samples exactly; the common-effects form is the genre's and pools the controls.
/// 3. **Test of equal effects**: the Wald F of `β_1 = … = β_m` with the model's variance
///    (``WaldTest``: F(m − 1, G − 1) when clustered, as fixest's `wald`).
/// 4. **Permutation test** of the between-group difference: the group labels are reshuffled
///    ``permutations`` times (``SubgroupPermutationScope``), the interaction model re-fitted by
///    FWL (``SubgroupPermutationKernel``), `p = (1 + c)/(1 + R)` (``SubgroupPermutationTest``).
///    Draws come in blocks of 16: block `k` uses stream `(seed, k, .permutation)`, so results are
///    identical for any thread count.
///
/// A group without treated units identifies no effect: it is left out of the interaction model
/// and the tests, with a note (its units still serve as controls); fewer than two groups with
/// treated units is an error.
public struct SubgroupHeterogeneity: Sendable {
    /// The grouping column (loaded as a clustering, constant within units).
    public var column: String
    /// Variance and small-sample correction of every regression (e.g. CR1 by city).
    public var options: RegressionOptions
    /// Permutation draws `R` (0 = no permutation test; default 999).
    public var permutations: Int
    /// Which labels are reshuffled (default: among treated units).
    public var scope: SubgroupPermutationScope
    /// Master seed of the permutation streams.
    public var seed: UInt64
    /// Worker threads (nil = all cores).
    public var threads: Int?
    /// Fit the split-sample regressions (default true; a Monte Carlo method that reads only the
    /// interaction model can skip them).
    public var splitSamples: Bool

    /// Draws per random stream.
    public static let drawsPerStream = 16

    /// Creates the analysis; see the properties for defaults.
    public init(column: String, options: RegressionOptions = RegressionOptions(), permutations: Int = 999,
                scope: SubgroupPermutationScope = .treatedUnits, seed: UInt64 = 1, threads: Int? = nil,
                splitSamples: Bool = true) {
        self.column = column
        self.splitSamples = splitSamples
        self.options = options
        self.permutations = permutations
        self.scope = scope
        self.seed = seed
        self.threads = threads
    }

    /// The interaction term of group `label`.
    public func termName(_ label: String) -> String { "treat:\(column)=\(label)" }

    /// Runs the analysis on `panel`.
    /// - Throws: ``SubgroupError`` for a bad column, too few groups with treated units or bad
    ///   options; the estimator's errors for the interaction model.
    public func estimate(_ panel: Panel) throws -> SubgroupResult {
        try panel.refuseRegressionWeights(in: "the subgroup analysis")
        guard permutations >= 0 else { throw InvalidParameter(.permutations, String(permutations), "expected at least 0") }
        if let threads, threads < 1 { throw InvalidParameter(.threads, String(threads), "expected at least 1") }
        let (groupOfUnit, labels) = try panel.subgroupLabels(column: column)
        let groupCount = labels.count
        var units = [[Int]](repeating: [], count: groupCount)
        for unit in 0..<panel.unitCount where groupOfUnit[unit] >= 0 { units[Int(groupOfUnit[unit])].append(unit) }
        let treated = units.map { $0.filter { panel.adoptionPeriod[$0] != Panel.neverTreated }.count }
        let tested = (0..<groupCount).filter { treated[$0] > 0 && !units[$0].isEmpty }
        let present = (0..<groupCount).filter { !units[$0].isEmpty }
        guard tested.count >= 2 else {
            throw SubgroupError.tooFewTreatedGroups(name: column, withTreated: tested.map { labels[$0] },
                                                    all: present.map { labels[$0] })
        }
        var notes: [String] = []
        for g in present where treated[g] == 0 {
            notes.append("group \(column)=\(labels[g]) has no treated units: no effect is identified; it is left out of "
                         + "the interaction model and the tests (its \(units[g].count) units remain controls)")
        }
        if scope == .allUnits && tested.count < present.count {
            throw InvalidParameter(.subgroups, column, "permuting labels across all units needs treated units in "
                                   + "every group; use the treated-units scope")
        }

        // Interaction model.
        let treatment = panel.treatmentColumn
        let position = Dictionary(uniqueKeysWithValues: tested.enumerated().map { ($1, $0) })
        var columns = [[Double]](repeating: [Double](repeating: 0, count: panel.observationCount), count: tested.count)
        for row in 0..<panel.observationCount where treatment[row] != 0 {
            if let k = position[Int(groupOfUnit[Int(panel.unitIndex[row])])] { columns[k][row] = 1 }
        }
        let terms = tested.map { Estimate.Term(name: termName(labels[$0])) }
        let interaction = try FixedEffectsRegression.fit(
            panel: panel, method: "subgroup", terms: terms, columns: columns, options: options,
            extraNotes: ["interaction model: one treatment coefficient per \(column) group; common fixed effects and covariate slopes"])
        let kept = terms.map(\.name).filter { interaction.index(of: $0) != nil }
        guard kept.count >= 2, let last = kept.last else {
            throw SubgroupError.tooFewTreatedGroups(name: column, withTreated: kept, all: present.map { labels[$0] })
        }
        if case .cluster(let name) = options.variance, let clustering = panel.clusterings[name] {
            for g in tested {
                var clusters = Set<Int32>()
                for unit in units[g] where panel.adoptionPeriod[unit] != Panel.neverTreated {
                    for row in panel.unitStart[unit]..<panel.unitStart[unit + 1] { clusters.insert(clustering.index[row]) }
                }
                if clusters.count < 5 {
                    notes.append("group \(column)=\(labels[g]) has treated units in only \(clusters.count) \(name) "
                                 + "cluster\(clusters.count == 1 ? "" : "s"): its CR1 standard error is unreliable with so few "
                                 + "treated clusters (MacKinnon & Webb 2017); the permutation test of the coefficients does not rely on it")
                }
            }
        }
        let rows = kept.dropLast().map { [$0: 1.0, last: -1.0] }
        guard let wald = WaldTest.linear(rows, on: interaction) else {
            throw InvalidParameter(.subgroups, column, "the test of equal effects cannot be formed")
        }

        // Split samples.
        var groups: [SubgroupResult.Group] = []
        for g in 0..<groupCount where !units[g].isEmpty {
            var split: Estimate?
            var splitNote: String?
            if treated[g] == 0 {
                splitNote = "no treated units"
            } else if !splitSamples {
                splitNote = "not requested"
            } else {
                do {
                    split = try TwoWayFixedEffects(options: options).estimate(try panel.subgroupPanel(units: units[g]))
                } catch {
                    splitNote = "\(error)"
                    notes.append("split sample \(column)=\(labels[g]) not estimated: \(error)")
                }
            }
            let observations = units[g].reduce(0) { $0 + panel.unitStart[$1 + 1] - panel.unitStart[$1] }
            let term = termName(labels[g])
            groups.append(SubgroupResult.Group(label: labels[g], unitCount: units[g].count, treatedUnitCount: treated[g],
                                               observationCount: observations, splitSample: split,
                                               splitSampleNote: splitNote,
                                               interactionTerm: kept.contains(term) ? term : nil))
        }

        var permutation: SubgroupPermutationTest?
        if permutations > 0 {
            let keptGroups = tested.filter { kept.contains(termName(labels[$0])) }
            permutation = try permutationTest(panel: panel, groupOfUnit: groupOfUnit, testedGroups: keptGroups,
                                              interaction: interaction)
        }
        return SubgroupResult(column: column, groups: groups, interaction: interaction, wald: wald,
                              permutation: permutation, notes: notes)
    }

    /// Prepares the FWL kernel and runs the permutation draws.
    func permutationTest(panel: Panel, groupOfUnit: [Int32], testedGroups: [Int], interaction: Estimate) throws
        -> SubgroupPermutationTest {
        let within = TwoWayWithin(panel: panel)
        let n = panel.observationCount
        // Outcome and covariates partialled out once.
        var outcome = within.transform(panel.outcome)
        var covariateMatrix: [Double] = []
        var inverse: [Double] = []
        var covariateCount = 0
        if !panel.covariates.isEmpty {
            let design = DemeanedDesign(within: within, termNames: panel.covariateNames, outcome: panel.outcome,
                                        regressors: panel.covariates)
            let fit = try LeastSquaresFit(design: design)
            outcome = fit.residuals
            covariateCount = fit.keptTerms.count
            inverse = fit.bread
            for column in fit.keptTerms { design.withColumn(column) { covariateMatrix.append(contentsOf: $0) } }
        }
        let slot = Dictionary(uniqueKeysWithValues: testedGroups.enumerated().map { ($1, Int32($0)) })
        let permuted: [Int32] = scope == .treatedUnits
            ? (0..<panel.unitCount).filter { panel.adoptionPeriod[$0] != Panel.neverTreated }.map(Int32.init)
            : (0..<panel.unitCount).map(Int32.init)
        let observedLabels = permuted.map { slot[Int(groupOfUnit[Int($0)])] ?? -1 }
        var treatedStart = [Int](repeating: 0, count: panel.unitCount)
        for unit in 0..<panel.unitCount {
            let end = panel.unitStart[unit + 1]
            var row = panel.unitStart[unit]
            let adoption = panel.adoptionPeriod[unit]
            while row < end && panel.periodIndex[row] < adoption { row += 1 }
            treatedStart[unit] = row
        }
        let meat: SubgroupPermutationKernel.Meat
        switch options.variance {
        case .iid: meat = .iid
        case .hetero: meat = .hetero
        case .cluster(let name):
            guard let clustering = panel.clusterings[name] else {
                throw EstimationError.unknownClustering(name: name, available: Array(panel.clusterings.keys))
            }
            meat = .cluster(index: clustering.index, count: clustering.count)
        case .twoWayCluster, .conley:
            throw EstimationError.invalidOption("subgroup permutation tests take iid, hetero or cr1, not \(options.variance.label)")
        case .cr2, .cr3:
            throw EstimationError.invalidOption("subgroup heterogeneity: CR2 and CR3 are not available for the test of "
                                                + "equal effects; use iid, hetero or cr1")
        }
        let kernel = SubgroupPermutationKernel(
            within: within, observationCount: n, outcome: outcome, covariates: covariateMatrix,
            covariateInverse: inverse, covariateCount: covariateCount, groupCount: testedGroups.count,
            treatedStart: treatedStart, unitEnd: Array(panel.unitStart.dropFirst()), permutedUnits: permuted,
            observedLabels: observedLabels, meat: meat, correctionFactor: interaction.variance.correctionFactor,
            residualDegreesOfFreedom: Double(n - interaction.variance.parameterCount))
        var observedScratch = SubgroupPermutationKernel.Scratch(kernel)
        let observed = kernel.evaluate(&observedScratch)

        let count = permutations
        let loop = ResamplingLoop(count: count, drawsPerStream: SubgroupHeterogeneity.drawsPerStream, seed: seed,
                                  purpose: .permutation, workers: threads)
        let values = loop.map(makeWorkspace: { SubgroupPermutationKernel.Scratch(kernel) }) { scratch, stream, _ in
            for k in kernel.observedLabels.indices { scratch.labels[k] = kernel.observedLabels[k] }
            scratch.labels.withUnsafeMutableBufferPointer { stream.shuffle($0) }
            return kernel.evaluate(&scratch)
        }
        let draws = values.map { $0.statistic }
        let drawsWald = values.map { $0.wald }
        let alternative: PlaceboAlternative = testedGroups.count == 2 ? .twoSided : .greater
        let p = RandomizationPValue.pValue(observed: observed.statistic, draws: draws, alternative: alternative)
        let pWald = RandomizationPValue.pValue(observed: observed.wald, draws: drawsWald, alternative: .greater)
        let valid = zip(draws, drawsWald).filter { $0.0.isFinite && $0.1.isFinite }.count
        return SubgroupPermutationTest(statisticName: testedGroups.count == 2 ? "difference" : "range",
                                       observed: observed.statistic, observedWald: observed.wald, pValue: p,
                                       pValueWald: pWald, permutations: count, validDraws: valid, draws: draws,
                                       drawsWald: drawsWald, scope: scope, seed: seed, threads: loop.workers)
    }
}
