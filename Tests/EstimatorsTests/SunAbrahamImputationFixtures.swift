import Foundation
import Testing
@testable import Estimators

/// `robust_reference.json`, made by `scripts/reference/make_robust_reference.py` (Python 3.11,
/// pyfixest 0.60.0, diff-diff 3.13.0, did_imputation 0.1.0, numpy 2.4.6; versions in its `meta`).
enum RobustReference {
    static var document: [String: Any] {
        Fixtures.json("robust_reference.json")
    }

    /// The case `name` of section `section` ("sun_abraham", "imputation", "bacon", "twfe_weights").
    static func referenceCase(_ section: String, _ name: String) -> [String: Any]? {
        (document[section] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    /// The panel a case describes, with the given extra cluster columns.
    static func panel(_ reference: [String: Any], clusters: [String] = []) throws -> Panel {
        guard let data = reference["data"] as? String, let y = reference["y"] as? String,
              let unit = reference["unit"] as? String, let time = reference["time"] as? String,
              let cohort = reference["cohort"] as? String else { throw ReferenceError.malformed }
        let spec = PanelSpec(outcome: y, unit: unit, time: time, treatment: .cohort(cohort),
                             covariates: reference["covariates"] as? [String] ?? [], clusterColumns: clusters)
        return try Panel.load(csv: Fixtures.path(data), spec: spec)
    }

    /// The case `name` of section `section` and the panel it describes (a missing case fails the test).
    static func load(_ section: String, _ name: String,
                     clusters: [String] = []) throws -> (reference: [String: Any], panel: Panel) {
        let reference = try #require(referenceCase(section, name), "no case \(name) in \(section)")
        return (reference, try panel(reference, clusters: clusters))
    }

    enum ReferenceError: Error { case malformed }
}

extension VarianceType {
    /// "cr1:city" → `.cluster("city")`.
    static func fromReferenceKey(_ key: String) -> VarianceType { .cluster(String(key.dropFirst("cr1:".count))) }
}
