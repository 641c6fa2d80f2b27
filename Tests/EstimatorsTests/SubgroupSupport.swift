import CGSL
import Foundation
@testable import Estimators

/// Helpers of the subgroup tests: the `zone` column of `subgroup_reference.json` and a dense
/// dummy-variable least-squares oracle.
enum SubgroupSupport {
    static let zoneOfProvince: [String: String] = [
        "p01": "north", "p02": "north", "p03": "north", "p04": "north",
        "p05": "central", "p06": "central", "p07": "central", "p08": "central",
        "p09": "south", "p10": "south", "p11": "south", "p12": "south",
    ]

    /// `synthetic.csv` with a unit-level `zone` clustering (labels sorted: central, north, south).
    static func zonePanel(covariates: [String] = ["x1", "x2"]) throws -> Panel {
        let panel = try WildBootstrapSupport.synthetic(covariates: covariates)
        return try withGroup(panel, name: "zone") { unit in
            let province = panel.clusterings["province"]!
            return zoneOfProvince[province.labels[Int(province.index[panel.unitStart[unit]])]]!
        }
    }

    /// Adds a unit-level clustering `name` whose label for unit `u` is `label(u)`.
    static func withGroup(_ panel: Panel, name: String, adoption: [Int32]? = nil,
                          label: (Int) -> String) throws -> Panel {
        let unitLabels = (0..<panel.unitCount).map(label)
        let levels = Array(Set(unitLabels)).sorted()
        let code = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, Int32($0)) })
        let index = panel.unitIndex.map { code[unitLabels[Int($0)]]! }
        var clusterings = panel.clusterings.filter { $0.key != panel.unitName }
        clusterings[name] = Clustering(name: name, index: index, count: levels.count, labels: levels)
        return try Panel(unitIndex: panel.unitIndex, periodIndex: panel.periodIndex, unitCount: panel.unitCount,
                         periodCount: panel.periodCount, outcomeName: panel.outcomeName, outcome: panel.outcome,
                         covariateNames: panel.covariateNames, covariates: panel.covariates,
                         adoptionPeriod: adoption ?? panel.adoptionPeriod, unitLabels: panel.unitLabels,
                         periodLabels: panel.periodLabels, periodValues: panel.periodValues, unitName: panel.unitName,
                         timeName: panel.timeName, clusterings: clusterings, notes: panel.notes)
    }

    /// **Brute force**: least squares of `y` on `regressors` plus explicit unit and period dummies
    /// (GSL SVD; rank-deficient directions zeroed), returning the regressors' coefficients.
    static func dummyRegression(panel: Panel, regressors: [[Double]]) -> [Double] {
        let n = panel.observationCount, k = regressors.count
        let p = k + panel.unitCount + panel.periodCount
        let a = gsl_matrix_calloc(n, p)!, v = gsl_matrix_alloc(p, p)!
        let s = gsl_vector_alloc(p)!, work = gsl_vector_alloc(p)!
        let b = gsl_vector_alloc(n)!, beta = gsl_vector_alloc(p)!
        defer {
            gsl_matrix_free(a); gsl_matrix_free(v); gsl_vector_free(s); gsl_vector_free(work)
            gsl_vector_free(b); gsl_vector_free(beta)
        }
        for row in 0..<n {
            for j in 0..<k { gsl_matrix_set(a, row, j, regressors[j][row]) }
            gsl_matrix_set(a, row, k + Int(panel.unitIndex[row]), 1)
            gsl_matrix_set(a, row, k + panel.unitCount + Int(panel.periodIndex[row]), 1)
            gsl_vector_set(b, row, panel.outcome[row])
        }
        gsl_linalg_SV_decomp(a, v, s, work)
        let largest = gsl_vector_get(s, 0)
        for j in 0..<p where gsl_vector_get(s, j) < 1e-10 * largest { gsl_vector_set(s, j, 0) }
        gsl_linalg_SV_solve(a, v, s, b, beta)
        return (0..<k).map { gsl_vector_get(beta, $0) }
    }
}
