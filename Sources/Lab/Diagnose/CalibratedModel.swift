import Estimators
import Foundation

/// The lab's data-generating process on the user's own design: their units, periods, rows,
/// cohorts (the real adoption, fixed), clusters and level groups, with an error process
/// calibrated from their untreated outcomes (``ErrorCalibration``):
/// `y_it = α̂_i + λ̂_t + s_i (ν_g(i)t + u_it) + δ·D_it`.
///
/// The unit and period effects come from a two-way fit on the untreated rows; no estimator here
/// depends on them. Covariates keep their real values and have no effect on the simulated
/// outcome (the calibration is net of them).
public struct CalibratedModel: Sendable {
    /// The calibration sample, in words.
    public enum Rectangle: Sendable, Equatable {
        /// The never-treated units with every period.
        case neverTreated(units: Int, periods: Int)
        /// Every unit with complete rows before the first adoption.
        case preAdoption(units: Int, periods: Int)
    }

    /// The real panel (rows, adoption, clusterings); its outcome is replaced in every draw.
    public let panel: Panel
    /// The error process used (calibrated, with any overrides).
    public let model: ErrorModel
    /// The calibration (estimates with their uncertainty, checks).
    public let calibration: ErrorCalibration
    /// The calibration sample.
    public let rectangle: Rectangle
    /// Whether unit scales are used (heteroskedastic errors).
    public let heteroskedastic: Bool
    /// Notes (overrides, what the model cannot capture).
    public let notes: [String]
    /// `α̂_i + λ̂_t` of each row.
    let fixed: [Double]
    /// Error scale of each unit.
    let scales: [Double]
    /// Level group of each unit (nil: no level).
    let groupOfUnit: [Int]?
    let groupCount: Int

    /// Fewest units and periods of a calibration rectangle.
    public static let minimumUnits = 10, minimumPeriods = 3

    /// Overrides of calibrated values (`--set errors.rho=0.5`).
    public struct Overrides: Sendable, Equatable {
        /// σ, ρ, the level share and whether unit scales are used (nil: as calibrated).
        public var sigma: Double?, rho: Double?, levelShare: Double?, heteroskedastic: Bool?
        /// No override.
        public init(sigma: Double? = nil, rho: Double? = nil, levelShare: Double? = nil, heteroskedastic: Bool? = nil) {
            self.sigma = sigma; self.rho = rho; self.levelShare = levelShare; self.heteroskedastic = heteroskedastic
        }
        /// The keys `--set` takes.
        public static let keys = ["errors.sigma", "errors.rho", "errors.level_share", "errors.heteroskedastic"]

        /// Reads `KEY=VALUE`.
        /// - Throws: ``InvalidParameter`` naming the key and what it takes.
        public mutating func set(_ assignment: String) throws {
            let parts = assignment.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, Self.keys.contains(parts[0]) else {
                throw InvalidParameter(.modelOverride, assignment, "expected KEY=VALUE with KEY one of "
                                       + Self.keys.joined(separator: ", "))
            }
            if parts[0] == "errors.heteroskedastic" {
                guard let flag = Bool(parts[1]) else { throw InvalidParameter(.modelOverride, assignment, "expected true or false") }
                heteroskedastic = flag
                return
            }
            guard let value = Double(parts[1]), value.isFinite else {
                throw InvalidParameter(.modelOverride, assignment, "expected a number")
            }
            switch parts[0] {
            case "errors.sigma":
                guard value > 0 else { throw InvalidParameter(.modelOverride, assignment, "expected sigma > 0") }
                sigma = value
            case "errors.rho":
                guard abs(value) < 1 else { throw InvalidParameter(.modelOverride, assignment, "expected -1 < rho < 1") }
                rho = value
            default:
                guard (0...1).contains(value) else { throw InvalidParameter(.modelOverride, assignment, "expected 0 ≤ share ≤ 1") }
                levelShare = value
            }
        }
    }

    /// Calibrates the model on `panel`'s untreated outcomes.
    /// - Parameters:
    ///   - level: the level column whose groups share period shocks (nil: none).
    /// - Throws: ``DiagnosisError/calibration(_:)`` when no rectangle of untreated outcomes is
    ///   large enough, or the level is not constant within units.
    public init(panel: Panel, level: String?, overrides: Overrides = Overrides()) throws {
        var groupOfUnit: [Int]?
        var groupCount = 0
        if let level {
            guard let clustering = panel.clusterings[level], let unitGroups = clustering.unitCluster else {
                throw DiagnosisError.calibration("the level column '\(level)' changes within units; expected each unit in one group")
            }
            groupOfUnit = unitGroups.map(Int.init)
            groupCount = clustering.count
        }
        let t = panel.periodCount
        func complete(_ unit: Int, periods: Int) -> Bool {
            let start = panel.unitStart[unit]
            guard panel.unitStart[unit + 1] - start >= periods else { return false }
            return (0..<periods).allSatisfy { panel.periodIndex[start + $0] == Int32($0) }
        }
        var rectangleUnits = (0..<panel.unitCount).filter { panel.adoptionPeriod[$0] == Panel.neverTreated && complete($0, periods: t) }
        var periods = t
        var rectangle = Rectangle.neverTreated(units: rectangleUnits.count, periods: t)
        var notes: [String] = []
        if rectangleUnits.count < Self.minimumUnits {
            let first = Int(panel.adoptionPeriod.filter { $0 != Panel.neverTreated }.min() ?? Int32(t))
            periods = max(0, min(first, t))
            rectangleUnits = (0..<panel.unitCount).filter { complete($0, periods: periods) }
            rectangle = .preAdoption(units: rectangleUnits.count, periods: periods)
            notes.append("fewer than \(Self.minimumUnits) never-treated units with every period: the errors are calibrated "
                         + "on every unit's \(periods) periods before the first adoption")
            guard rectangleUnits.count >= Self.minimumUnits, periods >= Self.minimumPeriods else {
                throw DiagnosisError.calibration("no rectangle of untreated outcomes to calibrate on: "
                                                 + "\(panel.adoptionPeriod.filter { $0 == Panel.neverTreated }.count) never-treated "
                                                 + "units and \(periods) periods before the first adoption (need \(Self.minimumUnits) "
                                                 + "units and \(Self.minimumPeriods) periods)")
            }
        }
        // The rectangle's outcomes, net of covariates (within regression on the rectangle).
        var y = [Double](); y.reserveCapacity(rectangleUnits.count * periods)
        for unit in rectangleUnits { y += panel.outcome[panel.unitStart[unit]..<panel.unitStart[unit] + periods] }
        if !panel.covariates.isEmpty {
            let x = panel.covariates.map { column in
                rectangleUnits.flatMap { unit in column[panel.unitStart[unit]..<panel.unitStart[unit] + periods] }
            }
            y = Self.netOfCovariates(y, x, units: rectangleUnits.count, periods: periods)
            notes.append("the errors are calibrated net of the covariates; simulated outcomes do not depend on them")
        }
        let calibration = try ErrorCalibration(y: y, units: rectangleUnits.count, periods: periods,
                                               groups: groupOfUnit.map { g in rectangleUnits.map { g[$0] } })
        var model = calibration.model
        func text(_ value: Double) -> String { String(format: "%.4g", value) }
        if let value = overrides.sigma {
            model.sigma = value
            notes.append("errors.sigma set to \(text(value)) (calibrated \(text(calibration.sigma.value)))")
        }
        if let value = overrides.rho {
            model.rho = value
            notes.append("errors.rho set to \(text(value)) (calibrated \(text(calibration.rho.value)))")
        }
        if let value = overrides.levelShare {
            model.levelShare = value
            notes.append("errors.level_share set to \(text(value)) (calibrated \(text(calibration.levelShare.value)))")
        }
        if level == nil { model.levelShare = 0 }
        let heteroskedastic = overrides.heteroskedastic ?? true
        var scales = [Double](repeating: 1, count: panel.unitCount)
        if heteroskedastic {
            for (k, unit) in rectangleUnits.enumerated() { scales[unit] = calibration.scales[k] }
            if rectangleUnits.count < panel.unitCount {
                notes.append("\(panel.unitCount - rectangleUnits.count) units outside the calibration sample get the average "
                             + "error scale")
            }
        }
        notes.append("not modelled: non-Gaussian tails, serial correlation of the level shocks, spatial correlation "
                     + "across level groups, variances that change over time")
        self.panel = panel
        self.model = model
        self.calibration = calibration
        self.rectangle = rectangle
        self.heteroskedastic = heteroskedastic
        self.notes = notes + calibration.notes
        self.fixed = Self.twoWayFit(panel)
        self.scales = scales
        self.groupOfUnit = groupOfUnit
        self.groupCount = groupCount
    }

    /// `y − X β̂`, with `β̂` the within (two-way) regression of `y` on the columns of `x`.
    static func netOfCovariates(_ y: [Double], _ x: [[Double]], units: Int, periods: Int) -> [Double] {
        let ey = ErrorCalibration.residuals(y, units: units, periods: periods)
        let ex = x.map { ErrorCalibration.residuals($0, units: units, periods: periods) }
        let k = ex.count
        var gram = [Double](repeating: 0, count: k * k), cross = [Double](repeating: 0, count: k)
        for a in 0..<k {
            for b in 0..<k { gram[a * k + b] = zip(ex[a], ex[b]).reduce(0) { $0 + $1.0 * $1.1 } }
            cross[a] = zip(ex[a], ey).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let beta = solveSymmetric(gram, cross, dimension: k)
        var result = y
        for a in 0..<k where beta[a].isFinite { for row in 0..<result.count { result[row] -= beta[a] * x[a][row] } }
        return result
    }

    /// The solution of the small symmetric system `A β = c` by Gaussian elimination with partial
    /// pivoting; a (near-)collinear column gets β = 0.
    static func solveSymmetric(_ matrix: [Double], _ rhs: [Double], dimension k: Int) -> [Double] {
        var a = matrix, c = rhs
        var beta = [Double](repeating: 0, count: k)
        var usable = [Bool](repeating: true, count: k)
        let scale = (0..<k).map { a[$0 * k + $0] }.max() ?? 0
        for pivot in 0..<k {
            let best = (pivot..<k).max { abs(a[$0 * k + pivot]) < abs(a[$1 * k + pivot]) } ?? pivot
            if abs(a[best * k + pivot]) <= 1e-10 * max(scale, 1e-300) { usable[pivot] = false; continue }
            if best != pivot {
                for col in 0..<k { a.swapAt(pivot * k + col, best * k + col) }
                c.swapAt(pivot, best)
            }
            for row in 0..<k where row != pivot {
                let factor = a[row * k + pivot] / a[pivot * k + pivot]
                guard factor != 0 else { continue }
                for col in 0..<k { a[row * k + col] -= factor * a[pivot * k + col] }
                c[row] -= factor * c[pivot]
            }
        }
        for j in 0..<k where usable[j] { beta[j] = c[j] / a[j * k + j] }
        return beta
    }

    /// `α̂_i + λ̂_t` for every row, from alternating projections on the untreated rows (units
    /// without an untreated row take their mean over all rows).
    static func twoWayFit(_ panel: Panel) -> [Double] {
        let n = panel.observationCount
        var alpha = [Double](repeating: 0, count: panel.unitCount), lambda = [Double](repeating: 0, count: panel.periodCount)
        let untreated = (0..<n).map { !panel.isTreated(row: $0) }
        for _ in 0..<50 {
            var sum = [Double](repeating: 0, count: panel.periodCount), count = sum
            for row in 0..<n where untreated[row] {
                let t = Int(panel.periodIndex[row])
                sum[t] += panel.outcome[row] - alpha[Int(panel.unitIndex[row])]; count[t] += 1
            }
            for t in 0..<panel.periodCount { lambda[t] = count[t] > 0 ? sum[t] / count[t] : 0 }
            for unit in 0..<panel.unitCount {
                let rows = panel.unitStart[unit]..<panel.unitStart[unit + 1]
                let own = rows.filter { untreated[$0] }
                let use = own.isEmpty ? Array(rows) : own
                alpha[unit] = use.isEmpty ? 0 : use.reduce(0) { $0 + panel.outcome[$1] - lambda[Int(panel.periodIndex[$1])] }
                    / Double(use.count)
            }
        }
        return (0..<n).map { alpha[Int(panel.unitIndex[$0])] + lambda[Int(panel.periodIndex[$0])] }
    }

    /// One simulated panel: the real rows and adoption, fresh errors from `stream`, `effect` laid
    /// on the treated cells by `profile`; with the truth. Draw order: the level shocks
    /// (group-major, period-minor), then each unit's AR(1) path over the whole period grid.
    public func draw(_ stream: borrowing RandomStream, effect: Double,
                     profile: EffectProfile = .constant) throws -> (panel: Panel, truth: [String: Double]) {
        let t = panel.periodCount
        let common = (model.levelShare * model.sigma * model.sigma).squareRoot()
        let idiosyncratic = ((1 - model.levelShare) * model.sigma * model.sigma).squareRoot()
        var shocks = [Double](repeating: 0, count: max(groupCount, 1) * t)
        if groupOfUnit != nil && common > 0 { for k in shocks.indices { shocks[k] = common * stream.normal() } }
        var outcome = fixed
        let innovation = (1 - model.rho * model.rho).squareRoot()
        var path = [Double](repeating: 0, count: t)
        for unit in 0..<panel.unitCount {
            var u = stream.normal()
            path[0] = u
            for s in 1..<max(t, 1) { u = model.rho * u + innovation * stream.normal(); path[s] = u }
            let scale = scales[unit], group = groupOfUnit?[unit] ?? 0
            for row in panel.unitStart[unit]..<panel.unitStart[unit + 1] {
                let s = Int(panel.periodIndex[row])
                outcome[row] += scale * (shocks[group * t + s] + idiosyncratic * path[s])
            }
        }
        let truth = profile.apply(effect, to: &outcome, panel: panel, adoption: panel.adoptionPeriod)
        return (try panel.replacing(outcome: outcome, adoption: panel.adoptionPeriod), truth)
    }
}
