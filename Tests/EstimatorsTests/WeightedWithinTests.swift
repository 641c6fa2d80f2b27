import Foundation
import Testing
@testable import Estimators

/// The weighted within transformation: fast kernels against reference kernels, and both against
/// the defining property of the weighted projection.
///
/// Oracles: (1) the reference backend's weighted solve (``ReferenceWeightedWithin``: units
/// partialled out, `C` built column by column with compensated sums), an exact algorithm on the
/// other elimination order from the fast one; (2) the normal equations of weighted least squares,
/// `D' W x̃ = 0` for every unit and period dummy, and idempotence (re-demeaning `x̃` changes
/// nothing). Tolerance 1e-9 relative to the column's scale: both are exact solves that differ in
/// rounding only (~1e-14 here), amplified by the conditioning of the `T × T` system with weights
/// spread over [0.25, 4].
@Suite("weighted within transformation")
struct WeightedWithinTests {
    typealias Generator = KernelDifferentialTests.Generator

    @Test("fast and reference agree and satisfy D'W x̃ = 0",
          arguments: [(40, 6, 0.0), (25, 16, 0.0), (30, 17, 0.0), (12, 24, 0.15), (5, 30, 0.0), (60, 11, 0.2)])
    func backendsAgree(units: Int, periods: Int, missing: Double) throws {
        var generator = Generator(state: UInt64(units * 1000 + periods))
        var unitIndex: [Int32] = [], periodIndex: [Int32] = [], weights: [Double] = [], x: [Double] = []
        for unit in 0..<units {
            for period in 0..<periods {
                // Keep the first two periods of every unit so the panel stays connected.
                if period >= 2 && generator.next() < missing { continue }
                unitIndex.append(Int32(unit))
                periodIndex.append(Int32(period))
                weights.append(0.25 + 3.75 * generator.next())
                x.append(Double(unit) * 0.3 + sin(Double(period)) + generator.next())
            }
        }
        let fast = TwoWayWithin(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: units, periodCount: periods,
                                weights: weights, backend: .fast)
        let reference = TwoWayWithin(unitIndex: unitIndex, periodIndex: periodIndex, unitCount: units,
                                     periodCount: periods, weights: weights, backend: .reference)
        #expect(fast.isWeighted && reference.isWeighted)
        #expect(fast.fixedEffectRank == units + periods - 1)
        #expect(reference.fixedEffectRank == units + periods - 1)
        let a = fast.transform(x), b = reference.transform(x)
        let scale = x.map(abs).max() ?? 1
        let label = "N = \(units), T = \(periods), missing \(missing)"
        #expect(zip(a, b).map { abs($0 - $1) }.max() ?? 0 < 1e-9 * scale, "\(label): fast vs reference")
        // D'W x̃ = Σ √w (√w x̃) over each unit and each period.
        var unitSums = [Double](repeating: 0, count: units), periodSums = [Double](repeating: 0, count: periods)
        for row in a.indices {
            unitSums[Int(unitIndex[row])] += weights[row].squareRoot() * a[row]
            periodSums[Int(periodIndex[row])] += weights[row].squareRoot() * a[row]
        }
        #expect((unitSums + periodSums).map(abs).max() ?? 0 < 1e-9 * scale, "\(label): normal equations")
        // Idempotent: x̃ = x̃*/√w demeaned again gives x̃* back.
        let unscaled = zip(a, weights).map { $0 / $1.squareRoot() }
        let again = fast.transform(unscaled)
        #expect(zip(again, a).map { abs($0 - $1) }.max() ?? 0 < 1e-9 * scale, "\(label): idempotent")
    }
}
