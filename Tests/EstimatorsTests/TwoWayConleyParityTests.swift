import Foundation
import Testing
@testable import Estimators

/// Two-way clustering and Conley spatial HAC against `twoway_conley_reference.json`, made by
/// `scripts/reference/make_twoway_conley_reference.py`:
/// - two-way: R fixest's formula on the brute-force dummy-variable OLS, checked there against
///   pyfixest 0.60.0 `feols(..., vcov={"CRV1": "A+B"})` (vcov agreement < 1e-15; K and df equal);
/// - Conley: a by-hand numpy implementation, checked there against diff-diff 3.13.0's
///   `diff_diff.conley._compute_conley_vcov` (panel block-decomposed; agreement < 1e-15).
/// Tolerance 1e-8 relative: the parity target (the implementations differ only in
/// summation order; p-values 1e-7, as the fixest suite, since they amplify SE rounding in the tail).
/// Run once with `DIDLAB_KERNELS=fast` (default) and once with `DIDLAB_KERNELS=reference`.
@Suite("two-way clustering and Conley parity")
struct TwoWayConleyParityTests {
    static var reference: [String: Any] { Fixtures.json("twoway_conley_reference.json") }
    static let caseNames = ["mpdta_twfe", "mpdta_event", "mpdta_sa", "synthetic_twfe", "synthetic_event", "synthetic_sa",
                            "unbalanced_twfe"]

    static func referenceCase(_ name: String) -> [String: Any]? {
        (reference["cases"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    /// The variance a reference key names: `twoway:A+B`, `conley:METRIC:KERNEL:CUTOFF:LAG`.
    static func variance(_ key: String) throws -> (VarianceType, metric: UnitCoordinates.Metric?) {
        let parts = key.split(separator: ":").map(String.init)
        if parts[0] == "twoway" {
            let terms = parts[1].split(separator: "+").map(String.init)
            return (.twoWayCluster(terms[0], terms[1]), nil)
        }
        let kernel = try ConleyKernel(cutoff: try #require(Double(parts[3])),
                                      shape: try #require(ConleyKernel.Shape(rawValue: parts[2])),
                                      lags: try #require(Int(parts[4])))
        guard let metric = UnitCoordinates.Metric(rawValue: parts[1]) else { throw EstimationError.invalidOption(key) }
        return (.conley(kernel), metric)
    }

    /// The unit coordinates of the reference, in the panel's unit order.
    static func coordinates(_ panel: Panel, dataset: String, metric: UnitCoordinates.Metric) throws -> UnitCoordinates {
        let locations = try #require(((reference["locations"] as? [String: Any])?[dataset] as? [String: Any])?[metric.rawValue]
                                     as? [String: [Double]])
        var first: [Double] = [], second: [Double] = []
        for label in panel.unitLabels {
            let point = try #require(locations[label], "no location for unit \(label)")
            first.append(point[0])
            second.append(point[1])
        }
        return try UnitCoordinates(perUnit: first, second: second, names: ["a", "b"], metric: metric)
    }

    @Test("estimates, SEs, df, p-values and intervals match", arguments: caseNames)
    func matchesReference(caseName: String) throws {
        let reference = try #require(Self.referenceCase(caseName))
        let variances = try #require(reference["variances"] as? [String: [String: Any]])
        var columns = Set<String>()
        for key in variances.keys where key.hasPrefix("twoway:") {
            for term in key.dropFirst("twoway:".count).split(separator: "+") {
                columns.formUnion(InferenceSpec.columns(ofClusterTerm: String(term)))
            }
        }
        let data = try #require(reference["data"] as? String)
        let spec = PanelSpec(outcome: try #require(reference["y"] as? String), unit: try #require(reference["unit"] as? String),
                             time: try #require(reference["time"] as? String),
                             treatment: .cohort(try #require(reference["cohort"] as? String)),
                             covariates: reference["covariates"] as? [String] ?? [], clusterColumns: columns.sorted())
        let panel = try Panel.load(csv: Fixtures.path(data), spec: spec)
        #expect(panel.observationCount == reference["n_obs"] as? Int)
        let expectedEstimates = try #require(reference["estimate"] as? [String: Double])
        for (key, expected) in variances {
            let (type, metric) = try Self.variance(key)
            let locations = try metric.map { try Self.coordinates(panel, dataset: data == "mpdta.csv" ? "mpdta" : "synthetic",
                                                                   metric: $0) }
            let options = RegressionOptions(variance: type, coordinates: locations)
            let estimate: Estimate
            if let event = reference["event"] as? [String: Any] {
                estimate = try EventStudy(leads: event["leads"] as? Int, lags: event["lags"] as? Int, options: options)
                    .estimate(panel)
            } else if reference["sun_abraham"] as? Bool == true {
                estimate = try SunAbraham(control: .neverTreated, includeOverallATT: true, options: options).fit(panel).estimate
            } else {
                estimate = try TwoWayFixedEffects(options: options).estimate(panel)
            }
            #expect(estimate.variance.type == type, "\(caseName) \(key): type")
            #expect(estimate.variance.degreesOfFreedom == Double(try #require(expected["df"] as? Int)), "\(caseName) \(key): df")
            if reference["sun_abraham"] as? Bool != true {
                #expect(estimate.variance.parameterCount == expected["K"] as? Int, "\(caseName) \(key): K")
            }
            // null: a negative variance (a two-way result that is not PSD), NaN in pyfixest.
            let se = try #require(expected["se"] as? [String: Any])
            let pValues = try #require(expected["p_value"] as? [String: Any])
            let lows = try #require(expected["conf_low"] as? [String: Any])
            let highs = try #require(expected["conf_high"] as? [String: Any])
            let diagonal = try #require(expected["variance"] as? [String: Double])
            let eventTerms = se.keys.filter { $0.hasPrefix("e") || $0 == "att" || $0 == "treat" }
            #expect(Set(eventTerms).isSubset(of: Set(estimate.terms.map(\.name))), "\(caseName) \(key): terms")
            for (index, term) in estimate.terms.enumerated() {
                let label = "\(caseName) \(key) \(term.name)"
                #expect(relativeDifference(estimate.coefficients[index], try #require(expectedEstimates[term.name])) < 1e-8,
                        "\(label): estimate")
                let m = estimate.terms.count
                #expect(relativeDifference(estimate.variance.matrix[index * m + index], try #require(diagonal[term.name]),
                                           floor: 1e-300) < 1e-8, "\(label): variance")
                guard let expectedSE = se[term.name] as? Double else {
                    #expect(se.keys.contains(term.name), "\(label): not in the reference")
                    #expect(!estimate.standardError(index).isFinite, "\(label): a negative variance has no SE")
                    #expect(estimate.notes.contains { $0.contains("not positive semi-definite") }, "\(label): note")
                    continue
                }
                #expect(relativeDifference(estimate.standardError(index), expectedSE) < 1e-8, "\(label): SE")
                #expect(relativeDifference(estimate.pValue(index), try #require(pValues[term.name] as? Double)) < 1e-7,
                        "\(label): p-value")
                let interval = estimate.confidenceInterval(index)
                #expect(relativeDifference(interval.low, try #require(lows[term.name] as? Double)) < 1e-8, "\(label): CI low")
                #expect(relativeDifference(interval.high, try #require(highs[term.name] as? Double)) < 1e-8, "\(label): CI high")
            }
        }
    }

    /// Oracle: the definition. With both terms the same clustering crossed with itself, `A∩B = A`
    /// and `V = V_A + V_A − V_A = V_A`; the one-way CR1 (`K`, `G`, df identical) must come back.
    @Test("two-way by a clustering and a coarser one nested in it reduces to one-way CR1 by the coarser")
    func nestedReduces() throws {
        // unit ⊂ province: A∩B = unit, so V = V_unit + V_province − V_unit = V_province; with
        // G = min(G_unit, G_province) = G_province and K as one-way (units nested), equal to CR1 by province.
        let spec = PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
                             covariates: ["x1", "x2"], clusterColumns: ["province"])
        let panel = try Panel.load(csv: Fixtures.path("synthetic.csv"), spec: spec)
        let twoWay = try TwoWayFixedEffects(options: RegressionOptions(variance: .twoWayCluster("unit", "province"))).estimate(panel)
        let oneWay = try TwoWayFixedEffects(options: RegressionOptions(variance: .cluster("province"))).estimate(panel)
        #expect(twoWay.variance.degreesOfFreedom == oneWay.variance.degreesOfFreedom)
        #expect(twoWay.variance.parameterCount == oneWay.variance.parameterCount)
        for index in twoWay.terms.indices {
            #expect(relativeDifference(twoWay.standardError(index), oneWay.standardError(index)) < 1e-10)
        }
    }

    /// Oracle: the definition. A uniform kernel whose cutoff is below every inter-unit distance
    /// and no lags keeps only `i = j`: the HC0 sandwich, i.e. hetero (HC1) without its `n/(n−K)`.
    @Test("Conley with a tiny cutoff is HC0")
    func tinyCutoffIsHC0() throws {
        let panel = try Panel.load(csv: Fixtures.path("synthetic.csv"),
                                   spec: PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
                                                   covariates: ["x1"]))
        let locations = try Self.coordinates(panel, dataset: "synthetic", metric: .planar)
        let conley = try TwoWayFixedEffects(options: RegressionOptions(variance: .conley(ConleyKernel(cutoff: 1e-6, shape: .uniform)),
                                                                       coordinates: locations)).estimate(panel)
        let hetero = try TwoWayFixedEffects(options: RegressionOptions(variance: .hetero)).estimate(panel)
        let n = Double(panel.observationCount), k = Double(hetero.variance.parameterCount)
        for index in conley.terms.indices {
            let hc0 = hetero.standardError(index) * ((n - k) / n).squareRoot()
            #expect(relativeDifference(conley.standardError(index), hc0) < 1e-10)
        }
        #expect(conley.variance.degreesOfFreedom == hetero.variance.degreesOfFreedom)
    }

    /// Oracle: the spec grammar (InferenceSpec's doc comment); spellings read back.
    @Test("spellings parse and print back")
    func spellings() throws {
        #expect(try InferenceSpec(parsing: "cr1:city+province^year") == .twoWayCluster(first: "city", second: "province^year"))
        #expect(try InferenceSpec(parsing: "cr1:city+province").spelling == "cr1:city+province")
        #expect(try InferenceSpec(parsing: "conley:100") == .conley(try ConleyKernel(cutoff: 100)))
        #expect(try InferenceSpec(parsing: "conley-uniform:62.5:2").spelling == "conley-uniform:62.5:2")
        #expect(try InferenceSpec(parsing: "conley-bartlett:100:0").spelling == "conley:100")
        #expect(try InferenceSpec(parsing: "conley:100:2").variance(unit: "u").inferenceName == "conley:100:2")
        #expect(try InferenceSpec(parsing: "cr1:a+b").variance(unit: "u").inferenceName == "cr1:a+b")
        for bad in ["conley", "conley:0", "conley:-5", "conley:inf", "conley:nan", "conley:100:-1", "conley:100:1.5",
                    "conley-gauss:100", "conley:abc", "cr1:a+b+c", "cr1:a+", "cr1:a+a", "cr1:a^+b"] {
            #expect(throws: InvalidParameter.self, "\(bad)") { try InferenceSpec(parsing: bad) }
        }
        #expect(throws: InvalidParameter.self) { try ConleyKernel(cutoff: 0) }
        #expect(throws: InvalidParameter.self) { try ConleyKernel(cutoff: .infinity) }
    }

    /// Bad input is refused with a typed error naming what is wrong, never a trap or NaN.
    @Test("unknown columns, missing coordinates and single clusters are refused")
    func badInput() throws {
        let spec = PanelSpec(outcome: "y", unit: "unit", time: "year", treatment: .cohort("cohort"),
                             clusterColumns: ["province", "year"])
        let panel = try Panel.load(csv: Fixtures.path("synthetic.csv"), spec: spec)
        #expect(throws: EstimationError.unknownClustering(name: "region", available: Array(panel.clusterings.keys))) {
            try TwoWayFixedEffects(options: RegressionOptions(variance: .twoWayCluster("unit", "region"))).estimate(panel)
        }
        #expect(throws: EstimationError.self) {
            try TwoWayFixedEffects(options: RegressionOptions(variance: .twoWayCluster("province^region", "year"))).estimate(panel)
        }
        #expect(throws: EstimationError.self) {
            try TwoWayFixedEffects(options: RegressionOptions(variance: .conley(ConleyKernel(cutoff: 100)))).estimate(panel)
        }
        // One-way interaction clusters work too (cr1:province^year), with K counting nothing nested.
        let interacted = try TwoWayFixedEffects(options: RegressionOptions(variance: .cluster("province^year"))).estimate(panel)
        #expect(interacted.variance.clusterCount == 12 * 10)
        #expect(interacted.variance.parameterCount == 1 + panel.unitCount + panel.periodCount - 1)
    }
}
