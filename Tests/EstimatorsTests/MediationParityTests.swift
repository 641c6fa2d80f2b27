import Foundation
import Testing
@testable import Estimators

/// Mediation helpers shared by the mediation tests.
enum MediationFixtures {
    /// `mediation_reference.json` (scripts/reference/make_mediation_reference.py, pyfixest 0.60.0).
    static var reference: [String: Any] {
        Fixtures.json("mediation_reference.json")
    }

    static func referenceCase(_ name: String) -> [String: Any]? {
        (reference["cases"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    /// The synthetic panel with y as outcome, x2 as control and x1 set apart as the mediator.
    static func load(_ file: String = "synthetic.csv", clusters: [String] = []) throws -> (Panel, MediatorColumn) {
        let spec = PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
                             covariates: ["x2", "x1"], clusterColumns: clusters)
        let (panel, columns) = try Panel.load(csv: Fixtures.path(file), spec: spec).separatingCovariates(["x1"])
        return (panel, MediatorColumn(name: "x1", values: columns[0]))
    }
}

/// Each mediation step against golden values. Oracle: `mediation_reference.json`, made by
/// `scripts/reference/make_mediation_reference.py` (pyfixest 0.60.0 `feols`, numpy 2.4.6): estimates
/// are dense QR OLS with explicit dummies, agreeing with pyfixest to ~1e-15; SEs are the explicit
/// fixest CR1 formula (K = k + T, t(G−1)), agreeing with pyfixest to ~5e-16 (pyfixest's K matched
/// fixest's in every step here, PYTHONHASHSEED=0). Tolerance 1e-8 relative: the parity
/// target; the implementations differ only in summation order.
@Suite("mediation parity")
struct MediationParityTests {
    static let cases: [(String, String, String)] = [
        ("synthetic_x1", "synthetic.csv", "unit"), ("synthetic_x1", "synthetic.csv", "province"),
        ("unbalanced_x1", "synthetic_unbalanced.csv", "unit"),
    ]

    @Test("steps 1-3 match feols: coefficients, CR1 SEs, p-values, intervals", arguments: cases)
    func stepsMatchReference(caseName: String, file: String, cluster: String) throws {
        let reference = try #require(MediationFixtures.referenceCase(caseName))
        let (panel, mediator) = try MediationFixtures.load(file, clusters: [cluster])
        #expect(panel.observationCount == reference["n_obs"] as? Int)
        let mediation = Mediation(options: RegressionOptions(variance: .cluster(cluster)),
                                  bootstrap: PairsBootstrapOptions(replications: 0))
        let result = try mediation.estimate(panel, mediators: [mediator])
        let path = try #require(result.paths.first)
        let steps = try #require(reference["steps"] as? [[String: Any]])
        for (number, estimate) in [(1, result.totalModel), (2, path.mediatorModel), (3, path.outcomeModel)] {
            let golden = try #require(steps.first { $0["step"] as? Int == number })
            let terms = try #require(golden["terms"] as? [String])
            #expect(estimate.outcome == golden["outcome"] as? String, "step \(number): outcome")
            #expect(estimate.terms.map { $0.name == "treat" ? "D" : $0.name } == terms, "step \(number): terms")
            let values = try #require(golden["estimate"] as? [String: Double])
            let vcov = try #require((golden["vcov"] as? [String: Any])?["cr1:\(cluster)"] as? [String: Any])
            let se = try #require(vcov["se"] as? [String: Double])
            let pValues = try #require(vcov["p_value"] as? [String: Double])
            let lows = try #require(vcov["conf_low"] as? [String: Double])
            #expect(estimate.variance.parameterCount == vcov["K"] as? Int, "step \(number): K")
            for (index, term) in terms.enumerated() {
                let label = "\(caseName) cr1:\(cluster) step \(number) \(term)"
                #expect(relativeDifference(estimate.coefficients[index], try #require(values[term])) < 1e-8, "\(label): estimate")
                #expect(relativeDifference(estimate.standardError(index), try #require(se[term])) < 1e-8, "\(label): SE")
                #expect(relativeDifference(estimate.pValue(index), try #require(pValues[term])) < 1e-7, "\(label): p")
                #expect(relativeDifference(estimate.confidenceInterval(index).low, try #require(lows[term])) < 1e-8,
                        "\(label): CI")
            }
            #expect(relativeDifference(estimate.residualSumOfSquares, try #require(golden["rss"] as? Double)) < 1e-8)
        }
    }

    /// Oracle: the Sobel formula applied by hand to the step estimates, and the reference script's
    /// Sobel numbers (same formula in numpy/scipy). 1e-12 for the by-hand check (same inputs, same
    /// arithmetic up to ordering), 1e-8 against the script.
    @Test("Sobel statistic, joint significance and proportion mediated from the steps", arguments: ["unit", "province"])
    func sobelByHand(cluster: String) throws {
        let (panel, mediator) = try MediationFixtures.load(clusters: [cluster])
        let result = try Mediation(options: RegressionOptions(variance: .cluster(cluster)),
                                   bootstrap: PairsBootstrapOptions(replications: 0)).estimate(panel, mediators: [mediator])
        let path = try #require(result.paths.first)
        let a = path.mediatorModel.coefficients[0], sa = path.mediatorModel.standardError(0)
        let b = path.outcomeModel.coefficients[1], sb = path.outcomeModel.standardError(1)
        let c = result.totalModel.coefficients[0]
        let se = (b * b * sa * sa + a * a * sb * sb).squareRoot()
        #expect(relativeDifference(path.indirect, a * b) < 1e-15)
        #expect(relativeDifference(path.sobelStandardError, se) < 1e-12)
        #expect(relativeDifference(path.sobelStatistic, a * b / se) < 1e-12)
        #expect(relativeDifference(path.proportionMediated, a * b / c) < 1e-12)
        let pa = path.mediatorModel.pValue(0), pb = path.outcomeModel.pValue(1)
        #expect(path.jointlySignificant == (pa < 0.05 && pb < 0.05))
        #expect(path.jointPValue == max(pa, pb))
        // Closed form: same sample and controls ⇒ c = c′ + a·b exactly (OLS omitted-variable identity).
        #expect(abs(c - path.direct - a * b) < 1e-12 * max(abs(c), 1))

        let reference = try #require(MediationFixtures.referenceCase("synthetic_x1"))
        let sobel = try #require((reference["sobel"] as? [String: Any])?["cr1:\(cluster)"] as? [String: Double])
        #expect(relativeDifference(path.sobelStatistic, try #require(sobel["statistic"])) < 1e-8)
        #expect(relativeDifference(path.sobelPValue, try #require(sobel["p_value"])) < 1e-7)
        #expect(relativeDifference(path.proportionMediated, try #require(sobel["proportion_mediated"])) < 1e-8)
    }

    /// Oracle: steps run one mediator at a time must equal the same mediator inside a
    /// several-mediator analysis (each mediator is analysed on its own).
    @Test("several mediators give the same paths as one at a time")
    func severalMediators() throws {
        let spec = PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
                             covariates: ["x1", "x2"])
        let (panel, columns) = try Panel.load(csv: Fixtures.path("synthetic.csv"), spec: spec).separatingCovariates(["x1", "x2"])
        let mediators = [MediatorColumn(name: "x1", values: columns[0]), MediatorColumn(name: "x2", values: columns[1])]
        let mediation = Mediation(bootstrap: PairsBootstrapOptions(replications: 50, seed: 7, threads: 2))
        let both = try mediation.estimate(panel, mediators: mediators)
        for (j, mediator) in mediators.enumerated() {
            let single = try mediation.estimate(panel, mediators: [mediator])
            #expect(both.paths[j].indirect == single.paths[0].indirect)
            #expect(both.paths[j].sobelStatistic == single.paths[0].sobelStatistic)
            let pairs = zip(try #require(both.paths[j].bootstrap).draws, try #require(single.paths[0].bootstrap).draws)
            #expect(pairs.allSatisfy { $0.bitPattern == $1.bitPattern }, "bootstrap draws of \(mediator.name)")
        }
    }
}
