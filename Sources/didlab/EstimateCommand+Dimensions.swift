import ArgumentParser
import Foundation
import Estimators
import Lab

/// `--by COL1,COL2,…`: several subgroup dimensions with Holm and Romano–Wolf adjusted p-values.
extension EstimateCommand {
    /// The `--by` columns (one, several comma-separated, or none).
    var byColumns: [String] {
        guard let by else { return [] }
        return by.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Checks the `--by` list: non-empty names, each once, and permutation draws for several.
    func validateDimensions() throws {
        let columns = byColumns
        guard columns.count > 1 else { return }
        if columns.contains(where: \.isEmpty) {
            throw ValidationError("--by: expected comma-separated column names, got '\(by ?? "")'")
        }
        if let repeated = columns.first(where: { name in columns.filter { $0 == name }.count > 1 }) {
            throw ValidationError("--by: column '\(repeated)' is listed twice; expected each dimension once")
        }
        if permutations == 0 {
            throw ValidationError("--permutations must be at least 1 with several --by columns (the adjusted p-values need the draws)")
        }
    }

    /// Runs every dimension with the same permutation draws and renders the family.
    func subgroupDimensions(_ data: Panel, settings: EstimatorSettings) throws -> String {
        let analysis = SubgroupHeterogeneity(column: byColumns[0], options: settings.regressionOptions,
                                             permutations: permutations ?? 999, scope: scope ?? .treatedUnits,
                                             seed: streams.seed, threads: streams.threads)
        var result = try SubgroupDimensions(columns: byColumns, analysis: analysis).estimate(data)
        if inferenceFamily == .cr1 {
            let notes = ClusterAdequacy.notes(panel: data, clustering: panel.clusterColumn)
            for d in result.dimensions.indices { result.dimensions[d].notes += notes }
        }
        return SubgroupDimensionsReport(result, level: confLevel).render(output.format)
    }
}
