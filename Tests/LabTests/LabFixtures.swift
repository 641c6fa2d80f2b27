import Foundation
import Estimators

/// The committed test fixtures (`Tests/Fixtures`), found from this file's location.
enum LabFixtures {
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// `mpdta.csv` (R did's county teen-employment panel, 500 counties × 2003–2007): outcome `lemp`,
    /// unit `countyreal`, time `year`, cohort `first.treat`.
    static func mpdta() throws -> Panel {
        try Panel.load(csv: path("mpdta.csv"), spec: PanelSpec(outcome: "lemp", unit: "countyreal", time: "year",
                                                                treatment: .cohort("first.treat")))
    }
}
