import Foundation
import Testing
@testable import Estimators

/// `stacked_reference.json`, made by `scripts/reference/make_stacked_reference.py` (diff-diff 3.13.0,
/// pyfixest 0.60.0, numpy): per case diff-diff `StackedDiD`'s event-time effects, overall ATT and
/// their SEs (pyfixest `feols` on diff-diff's stacked rows for the province clustering, which
/// diff-diff does not offer), and the sub-experiment fixed-effects regression's values (`fe_*`:
/// dense numpy with explicit dummies, pyfixest beside).
enum StackedFixtures {
    static var cases: [[String: Any]] { Fixtures.json("stacked_reference.json")["cases"] as? [[String: Any]] ?? [] }

    static var caseNames: [String] { cases.compactMap { $0["name"] as? String } }

    static func referenceCase(_ name: String) -> [String: Any]? { cases.first { $0["name"] as? String == name } }

    /// The case's panel (no covariates), with its cluster column loaded.
    static func panel(_ reference: [String: Any]) throws -> Panel {
        let cluster = try #require(reference["cluster"] as? String)
        let unit = try #require(reference["unit"] as? String)
        let spec = PanelSpec(outcome: try #require(reference["outcome"] as? String), unit: unit,
                             time: try #require(reference["time"] as? String),
                             treatment: .cohort(try #require(reference["cohort"] as? String)),
                             clusterColumns: cluster == unit ? [] : [cluster])
        return try Panel.load(csv: Fixtures.path(try #require(reference["panel"] as? String)), spec: spec)
    }

    /// The estimator the case describes.
    static func estimator(_ reference: [String: Any],
                          specification: StackedDifferenceInDifferences.Specification) throws -> StackedDifferenceInDifferences {
        let controls: StackedDifferenceInDifferences.CleanControls = switch reference["control"] as? String {
        case "never": .neverTreated
        case "strict": .strict
        default: .notYetTreated
        }
        let weightingName = try #require(reference["weighting"] as? String)
        let weighting = try #require(StackedDifferenceInDifferences.Weighting(rawValue: weightingName))
        return StackedDifferenceInDifferences(prePeriods: try #require(reference["leads"] as? Int),
                                              postPeriods: try #require(reference["lags"] as? Int), controls: controls,
                                              weighting: weighting, specification: specification,
                                              variance: .cluster(try #require(reference["cluster"] as? String)))
    }
}

@Suite("Stacked DiD parity")
struct StackedDiDParityTests {
    /// Oracle: diff-diff 3.13.0 `StackedDiD(kappa_pre, kappa_post, weighting, control_group,
    /// cluster="unit", df_convention="cluster")` (pyfixest 0.60.0 `feols` on its stacked rows for
    /// the province clustering). 1e-8 relative, the target: both sides are exact (closed-form
    /// cell means here, least squares there); agreement is ~1e-13.
    @Test("equation 3: estimates, SEs, counts and df match diff-diff", arguments: StackedFixtures.caseNames)
    func matchesDiffDiff(name: String) throws {
        let reference = try #require(StackedFixtures.referenceCase(name))
        let estimate = try StackedFixtures.estimator(reference, specification: .treatmentByEventTime)
            .estimate(try StackedFixtures.panel(reference))
        try check(estimate, reference, estimates: "estimate", errors: "se", name: name)
        #expect(estimate.variance.degreesOfFreedom == Double((reference["n_clusters"] as? Int ?? 0) - 1))
        let cohorts = try #require(reference["sub_experiments"] as? [Int])
        #expect(estimate.notes.contains { $0.contains("\(cohorts.count) sub-experiment") && $0.contains(cohorts.map(String.init).joined(separator: ", ")) },
                "\(name): sub-experiments \(estimate.notes)")
    }

    /// Oracle: the dense numpy WLS with explicit sub-experiment × unit and × period dummies of the
    /// script (pyfixest 0.60.0 `feols(… | unit^_sub_exp + time^_sub_exp, weights="_Q_weight")`
    /// agrees with it to ≤ 3.3e-9 relative, its demeaning being iterative). 1e-8 relative: exact
    /// solves on both sides.
    @Test("sub-experiment fixed effects: estimates and SEs match the dense regression", arguments: StackedFixtures.caseNames)
    func fixedEffectsMatch(name: String) throws {
        let reference = try #require(StackedFixtures.referenceCase(name))
        let estimate = try StackedFixtures.estimator(reference, specification: .subExperimentFixedEffects)
            .estimate(try StackedFixtures.panel(reference))
        try check(estimate, reference, estimates: "fe_estimate", errors: "fe_se", name: name)
        #expect(estimate.variance.parameterCount == reference["fe_k"] as? Int, "\(name): K")
        #expect(estimate.fixedEffects.map(\.levels) == [reference["fe_unit_levels"] as? Int ?? -1,
                                                        reference["fe_period_levels"] as? Int ?? -1])
    }

    func check(_ estimate: Estimate, _ reference: [String: Any], estimates: String, errors: String, name: String) throws {
        let terms = try #require(reference["terms"] as? [String])
        let expected = try #require(reference[estimates] as? [String: Double])
        let se = try #require(reference[errors] as? [String: Double])
        #expect(estimate.method == "stacked")
        #expect(estimate.terms.map(\.name) == terms, "\(name): terms")
        #expect(estimate.observationCount == reference["n_obs"] as? Int, "\(name): observations")
        #expect(estimate.variance.clusterCount == reference["n_clusters"] as? Int, "\(name): clusters")
        for (index, term) in estimate.terms.enumerated() {
            #expect(relativeDifference(estimate.coefficients[index], try #require(expected[term.name])) < 1e-8,
                    "\(name) \(term.name): estimate \(estimate.coefficients[index]) vs \(expected[term.name] ?? .nan)")
            #expect(relativeDifference(estimate.standardError(index), try #require(se[term.name])) < 1e-8,
                    "\(name) \(term.name): SE \(estimate.standardError(index)) vs \(se[term.name] ?? .nan)")
        }
    }

    /// Oracle: the script's cross-checks, so a regenerated file cannot drift unnoticed: pyfixest
    /// 0.60.0 on diff-diff's stacked rows reproduces diff-diff (≤ 1e-14 estimates; SEs ≤ 1e-12
    /// relative on balanced panels, ≤ 1e-9 on the unbalanced one, where its demeaning iterates) and
    /// the dense fixed-effects regression (same bounds).
    @Test("the reference libraries agree with each other")
    func librariesAgree() throws {
        #expect(StackedFixtures.cases.count >= 12)
        for reference in StackedFixtures.cases {
            let name = reference["name"] as? String ?? "?"
            for library in ["pyfixest", "fe_pyfixest"] {
                guard let estimateDiff = reference["\(library)_estimate_max_abs_diff"] as? Double else {
                    #expect(library == "pyfixest" && reference["golden"] as? String == "pyfixest", "\(name): \(library)")
                    continue
                }
                #expect(estimateDiff < 1e-12, "\(name): \(library) estimates")
                #expect((reference["\(library)_se_max_rel_diff"] as? Double ?? 1) < 1e-8, "\(name): \(library) SEs")
            }
        }
    }
}

@Suite("Stacked DiD")
struct StackedDiDTests {
    /// Oracle (closed form, derived in `StackedFit.fixedEffects`' documentation and the WFH paper):
    /// on balanced windows with aggregate weights the two regressions give the same δ_h, the
    /// sub-experiments' DiDs averaged by their treated shares. 1e-10 relative: different arithmetic.
    @Test("equation 3 and the fixed-effects regression agree on a balanced panel")
    func specificationsAgreeWhenBalanced() throws {
        let panel = try Fixtures.mpdta()
        let equation3 = try StackedDifferenceInDifferences(prePeriods: 1, postPeriods: 1).estimate(panel)
        let fixed = try StackedDifferenceInDifferences(prePeriods: 1, postPeriods: 1,
                                                       specification: .subExperimentFixedEffects).estimate(panel)
        #expect(equation3.terms.map(\.name) == ["e+0", "e+1", "att"])
        #expect(fixed.terms.map(\.name) == equation3.terms.map(\.name))
        for index in equation3.terms.indices {
            #expect(relativeDifference(equation3.coefficients[index], fixed.coefficients[index]) < 1e-10)
        }
    }

    /// Oracle (definition): mpdta's cohorts are 2004, 2006 and 2007 in 2003–2007; window
    /// g-K..g+L fits a cohort only when g-K ≥ 2003 and g+L ≤ 2007, which none of these allows
    /// (the last a window longer than the panel, without overflow).
    @Test("a window that no cohort fits is refused in one line naming the window and the cohorts")
    func noCohortFits() throws {
        let panel = try Fixtures.mpdta()
        for (pre, post) in [(2, 3), (3, 2), (4, 1), (1, 5), (Int.max, 0)] {
            #expect {
                _ = try StackedDifferenceInDifferences(prePeriods: pre, postPeriods: post).estimate(panel)
            } throws: { error in
                let text = "\(error)"
                return error is StackedError && text.contains("e-\(pre)..e+\(post)") && !text.contains("\n")
                    && text.contains("2004, 2006, 2007")
            }
        }
        #expect(throws: StackedError.self) { _ = try StackedDifferenceInDifferences(prePeriods: 3, postPeriods: 3).estimate(panel) }
    }

    /// Oracle (definition): the window must hold the reference e-1; the variance must be clustered;
    /// the estimator takes no covariates (diff-diff's StackedDiD uses covariates only to balance).
    @Test("bad options are refused with typed errors")
    func badOptions() throws {
        let panel = try Fixtures.mpdta()
        #expect(throws: EstimationError.self) { _ = try StackedDifferenceInDifferences(prePeriods: 0).estimate(panel) }
        #expect(throws: EstimationError.self) { _ = try StackedDifferenceInDifferences(postPeriods: -1).estimate(panel) }
        #expect(throws: EstimationError.self) { _ = try StackedDifferenceInDifferences(variance: .hetero).estimate(panel) }
        #expect(throws: EstimationError.self) { _ = try StackedDifferenceInDifferences(variance: .cluster("state")).estimate(panel) }
        #expect(throws: HeterogeneityRobustError.self) {
            _ = try StackedDifferenceInDifferences().estimate(try Fixtures.mpdta(covariates: ["lpop"]))
        }
    }

    /// Oracle: the registry entry builds the estimator from the settings (leads = κ_pre, lags =
    /// κ_post, control never/notyet) and its default effect is att; the same numbers as the type.
    @Test("the registry entry maps leads, lags and the control group")
    func registryEntry() throws {
        let entry = try EstimatorRegistry.require("stacked")
        #expect(entry.defaultEffect == "att" && entry.controls == [.notyet, .never] && !entry.acceptsCovariates)
        var settings = EstimatorSettings(variance: .cluster("countyreal"))
        settings.leads = 1
        settings.lags = 0
        settings.control = .never
        let panel = try Fixtures.mpdta()
        let viaRegistry = try #require(try entry.make(settings).fit(panel) as? Estimate)
        let direct = try StackedDifferenceInDifferences(prePeriods: 1, postPeriods: 0, controls: .neverTreated).estimate(panel)
        #expect(viaRegistry.coefficients == direct.coefficients)
        #expect(throws: InvalidParameter.self) { try entry.check({ var s = settings; s.leads = 0; return s }()) }
        #expect(throws: InvalidParameter.self) { try entry.check({ var s = settings; s.control = .last; return s }()) }
    }
}
