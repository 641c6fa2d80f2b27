import Foundation
import Testing
@testable import Estimators

/// Oracle: **wildboottest 0.3.2** (`WildboottestCL`, "11" bootstrap, on the dummy-variable model as
/// pyfixest passes it), golden values in `Tests/Fixtures/wcb_reference.json` made by
/// `scripts/reference/make_wcb_reference.py` (versions and calls recorded there). A "shifted" case
/// tests `β = 0` on `y − c·x`, which is DiDLab's test of `β = c` on `y` (same restricted residuals).
///
/// Tolerances: t statistics 1e-8 relative (the parity target; wildboottest's own t uses
/// its K, so the fixture converts it to fixest's small-sample factor); under full enumeration the
/// counts must agree exactly and the sorted t*/t to 1e-8; the sampled Webb case within 4 Monte
/// Carlo standard errors of the difference of two independent estimates.
@Suite("wild bootstrap: wildboottest parity")
struct WildBootstrapParityTests {
    static var reference: [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: Fixtures.path("wcb_reference.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return object["cases"] as? [[String: Any]] ?? []
    }

    static let caseNames = ["twfe_province12_wcr", "twfe_province12_wcr_shifted", "twfe_province12_wcu_shifted",
                            "twfe_province8_wcr_nocov_shifted", "event_province8_wcr_e0_shifted",
                            "twfe_province12_wcr_webb_sampled_shifted"]

    static func bootstrap(_ reference: [String: Any], replications: Int? = nil, allowEnumeration: Bool = true)
        throws -> (WildBootstrapResult, Double) {
        let provinces = Set(try #require(reference["provinces"] as? [String]))
        let covariates = try #require(reference["covariates"] as? [String])
        let panel = try WildBootstrapSupport.synthetic(provinces: provinces.count == 12 ? nil : provinces,
                                                       covariates: covariates)
        let isEvent = (reference["regressors"] as? [String])?.first != "D"
        let term = isEvent ? try #require(reference["term"] as? String) : "treat"
        let null = try #require(reference["null_value"] as? Double)
        let requested = try #require(reference["B_requested"] as? Int)
        let bootstrap = WildClusterBootstrap(
            cluster: "province", replications: replications ?? requested,
            weights: BootstrapWeights(rawValue: try #require(reference["weights"] as? String)) ?? .rademacher,
            imposeNull: reference["bootstrap"] as? String == "WCR", nullValue: null, seed: 20240611, threads: 2,
            allowFullEnumeration: allowEnumeration)
        let run = try bootstrap.run(on: panel, model: isEvent ? .eventStudy(leads: 3, lags: 3) : .twfe, terms: [term])
        return (try #require(run.results.first), null)
    }

    @Test("t statistic, exact counts and bootstrap distribution", arguments: caseNames)
    func matches(caseName: String) throws {
        let reference = try #require(Self.reference.first { $0["name"] as? String == caseName },
                                     "wcb_reference.json lacks \(caseName)")
        let (result, null) = try Self.bootstrap(reference)
        let expectedT = try #require(reference["t_fixest"] as? Double)
        #expect(relativeDifference(result.statistic, expectedT) < 1e-8, "\(caseName): t \(result.statistic) vs \(expectedT)")
        #expect(result.enumerated == (reference["enumerated"] as? Bool), "\(caseName): enumeration")
        #expect(result.drawCount == reference["B"] as? Int, "\(caseName): B")
        let b = Double(result.drawCount)
        if result.enumerated {
            let strict = try #require(reference["count_strict"] as? Int)
            let ties = try #require(reference["count_ties"] as? Int)
            let excluded = result.distribution.pValue(null: null, type: .symmetric, ties: .exclude)
            let counted = result.distribution.pValue(null: null, type: .symmetric, ties: .count)
            #expect(excluded == Double(strict) / b, "\(caseName): p with ties excluded")
            #expect(counted == Double(strict + ties) / b, "\(caseName): p with ties counted")
            #expect(result.pValue == counted, "\(caseName): default rule counts ties")
            if let sorted = reference["ratio_sorted"] as? [Double] {
                let t = result.distribution.observedStatistic(null: null)
                let mine = result.distribution.statistics(null: null).map { $0 / t }
                var worst = 0.0
                for (a, e) in zip(mine.sorted(), sorted) { worst = max(worst, abs(a - e) / max(abs(e), 1e-3)) }
                #expect(worst < 1e-8, "\(caseName): sorted t*/t, worst \(worst)")
                let first = try #require(reference["ratio_first16"] as? [Double])
                for (k, e) in first.enumerated() {
                    #expect(abs(mine[k] - e) < 1e-8 * max(abs(e), 1), "\(caseName): enumeration order at \(k)")
                }
            }
        } else {
            let expected = try #require(reference["p_wildboottest"] as? Double)
            let p = result.pValue
            let mcse = (2 * expected * (1 - expected) / b).squareRoot()
            #expect(abs(p - expected) <= 4 * mcse, "\(caseName): p \(p) vs wildboottest \(expected) (4 MCSE = \(4 * mcse))")
        }
    }

    @Test("partialling out alone (FWL on demeaned data) is not the fixed-effects bootstrap")
    func fwlOnlyDiffers() throws {
        let reference = try #require(Self.reference.first { $0["name"] as? String == "twfe_province12_wcr_fwl_only_shifted" })
        let (result, null) = try Self.bootstrap(reference)
        let excluded = result.distribution.pValue(null: null, type: .symmetric, ties: .exclude)
        let fwlStrict = try #require(reference["count_strict"] as? Int)
        // The year effects are not nested in the provinces, so re-absorbing them changes the
        // bootstrap residuals: the demeaned-data count differs from the dummy-variable one.
        #expect(excluded * Double(result.drawCount) != Double(fwlStrict))
    }
}
