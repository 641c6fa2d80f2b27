import Foundation
@testable import Estimators

/// Paths of the committed test fixtures (`Tests/Fixtures`), found from this file's location.
enum Fixtures {
    static let directory: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    /// `mpdta.csv` (R did's county teen-employment panel, 500 counties × 2003–2007): outcome `lemp`,
    /// unit `countyreal`, time `year`, cohort `first.treat`, with the given covariates.
    static func mpdta(covariates: [String] = []) throws -> Panel {
        try Panel.load(csv: path("mpdta.csv"), spec: PanelSpec(outcome: "lemp", unit: "countyreal", time: "year",
                                                                treatment: .cohort("first.treat"), covariates: covariates))
    }

    /// A committed golden-value file as a JSON object (empty when missing, so its tests fail).
    static func json(_ name: String) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path(name)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }

    /// `reference.json`, made by `scripts/reference/make_fixest_reference.py` with pyfixest 0.60.0.
    static var reference: [String: Any] {
        Fixtures.json("reference.json")
    }

    static var referenceCases: [[String: Any]] { reference["cases"] as? [[String: Any]] ?? [] }

    static func referenceCase(_ name: String) -> [String: Any]? {
        referenceCases.first { $0["name"] as? String == name }
    }
}

/// Relative difference with an absolute floor for values near zero.
func relativeDifference(_ a: Double, _ b: Double, floor: Double = 1e-12) -> Double {
    abs(a - b) / max(abs(b), floor)
}
