import Estimators
import Foundation
import Sim
import Testing

/// The index as `didlab index` builds it from a CSV file, pooled and per year, against a hand computation.
///
/// Oracle: `Tests/Fixtures/entropy_index_reference.json`, written by
/// `scripts/reference/make_entropy_index_reference.py` (the entropy-weight steps written out in numpy 2.5.5,
/// Python 3.12.1) for `Tests/Fixtures/entropy_index.csv`. Tolerance 1e-12: both sides do the same O(1)
/// arithmetic in a different order (numpy's pairwise sums, a matrix product), so they differ by a few
/// roundings of numbers of order 1; 1e-12 leaves room for ~15 rows × 4 indicators of them.
@Suite("Entropy index construction")
struct EntropyIndexConstructionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func cases() throws -> [[String: Any]] {
        let data = try #require(FileManager.default.contents(atPath: fixtures.appendingPathComponent("entropy_index_reference.json").path))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["cases"] as? [[String: Any]])
    }

    static func table() throws -> CSVTable {
        try CSVTable(contentsOfFile: fixtures.appendingPathComponent("entropy_index.csv").path)
    }

    @Test(arguments: ["pooled", "year", "pooled_shift0_all_positive", "year_shift001_two_negative"])
    func matchesNumpyReference(name: String) throws {
        let cases = try Self.cases()
        let reference = try #require(cases.first { $0["name"] as? String == name })
        let spelling = try #require(reference["normalise"] as? String)
        let normalisation = try #require(EntropyIndexNormalisation(rawValue: spelling))
        let shift = try #require(reference["shift"] as? Double)
        let negative = try #require(reference["negative"] as? [String])
        let table = try Self.table()
        let built = try EntropyIndexConstruction(table: table, indicators: ["a", "b", "c", "d"], negative: negative,
                                                 period: "year", normalisation: normalisation, shift: shift)
        let fits = try #require(reference["fits"] as? [[String: Any]])
        #expect(built.fits.count == fits.count)
        for (fit, expected) in zip(built.fits, fits) {
            #expect(fit.period == expected["period"] as? String)
            #expect(fit.rowCount == expected["rows"] as? Int)
            for (key, values) in [("min", fit.index.minimum), ("max", fit.index.maximum), ("entropy", fit.index.entropy),
                                  ("weight", fit.index.weights)] {
                let golden = try #require(expected[key] as? [Double])
                for (j, (value, want)) in zip(values, golden).enumerated() {
                    #expect(abs(value - want) <= 1e-12, "\(name) period \(fit.period ?? "all") \(key)[\(j)]: \(value) vs \(want)")
                }
            }
        }
        let index = try #require(reference["index"] as? [Double])
        #expect(built.values.count == index.count)
        for (row, (value, want)) in zip(built.values, index).enumerated() {
            #expect(abs(value - want) <= 1e-12, "\(name) row \(row + 1): \(value) vs \(want)")
        }
        #expect(built.directions == ["a", "b", "c", "d"].map { negative.contains($0) ? .negative : .positive })
    }

    /// Oracle: definition — a constant indicator within one year is refused when normalising by year,
    /// naming the indicator and the year, but not when pooled (it varies across years).
    @Test func constantWithinAYear() throws {
        let columns: [[Double]] = [[1, 2, 3, 4], [5, 5, 6, 7]]
        let periods = ["2011", "2011", "2012", "2012"]
        #expect(throws: EntropyIndexError.constantIndicator(name: "b", period: "2011", value: 5)) {
            try EntropyIndexConstruction(columns: columns, names: ["a", "b"], directions: [.positive, .positive],
                                         periods: periods, normalisation: .year, shift: 1e-4)
        }
        let pooled = try EntropyIndexConstruction(columns: columns, names: ["a", "b"], directions: [.positive, .positive],
                                                  periods: nil, normalisation: .pooled, shift: 1e-4)
        #expect(pooled.fits.count == 1)
    }

    /// Oracle: definition — a negative shift would make a proportion negative (no logarithm); one row in
    /// a year leaves `1/ln n` undefined.
    @Test func refusesNegativeShiftAndSingleRowYear() {
        #expect(throws: EntropyIndexError.invalidShift(-0.1)) {
            try EntropyIndexConstruction(columns: [[1, 2]], names: ["a"], directions: [.positive], periods: nil,
                                         normalisation: .pooled, shift: -0.1)
        }
        #expect(throws: EntropyIndexError.tooFewRows(period: "2013", count: 1)) {
            try EntropyIndexConstruction(columns: [[1, 2, 3]], names: ["a"], directions: [.positive],
                                         periods: ["2012", "2012", "2013"], normalisation: .year, shift: 1e-4)
        }
    }

    /// Oracle: definition — the pooled construction is ``EntropyWeightIndex`` itself (the simulator's
    /// fit), so its weights are bit-identical to a direct fit.
    @Test func pooledIsTheSimulatorsFit() throws {
        let columns: [[Double]] = [[0.1, 0.5, 0.2, 0.9], [10, 30, 20, 15]]
        let direct = try EntropyWeightIndex(columns: columns, directions: [.positive, .negative])
        let built = try EntropyIndexConstruction(columns: columns, names: ["a", "b"], directions: [.positive, .negative],
                                                 periods: nil, normalisation: .pooled, shift: 1e-4)
        #expect(built.fits[0].index == direct)
    }
}
