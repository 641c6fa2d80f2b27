import Foundation

/// Where each unit is, for distance-based designs (spillover rings).
///
/// Two metrics:
/// - ``Metric/planar``: coordinates on a plane, Euclidean distance in the coordinates' own units
///   (km for the lab's simulated cities, `coord_x`/`coord_y`);
/// - ``Metric/greatCircle``: latitude and longitude in degrees, haversine distance in km on a
///   sphere of radius ``earthRadiusKm`` (the IUGG mean radius R₁ = 6371.0088 km, as the
///   `haversine` Python package and `sf`/`s2`).
///
/// Coordinates belong to units; when read from per-row columns they must be constant within
/// each unit (``init(panel:first:second:names:metric:)`` checks it).
public struct UnitCoordinates: Sendable {
    /// The distance between two units.
    public enum Metric: String, Sendable, Equatable, CaseIterable {
        /// Euclidean distance on a plane.
        case planar
        /// Haversine great-circle distance in km from (latitude, longitude) in degrees.
        case greatCircle = "great-circle"
    }

    /// IUGG mean Earth radius R₁ in km.
    public static let earthRadiusKm = 6371.0088

    /// The metric.
    public let metric: Metric
    /// Per unit: x (planar) or latitude (great circle).
    public let first: [Double]
    /// Per unit: y (planar) or longitude (great circle).
    public let second: [Double]
    /// The two column names, for messages and notes.
    public let names: [String]
    /// The units' labels when known (coordinates read from a panel), so that an estimator that
    /// fits on a subset of the units (Sun–Abraham drops always-treated units) finds each unit's
    /// location by label (``matching(_:)``).
    public let unitLabels: [String]?

    /// Unit coordinates from per-unit values.
    /// - Throws: ``SpilloverError/invalidCoordinate(column:unit:value:expected:)`` for a non-finite
    ///   value or a latitude/longitude out of range.
    public init(perUnit first: [Double], second: [Double], names: [String], metric: Metric,
                unitLabels: [String]? = nil) throws {
        precondition(first.count == second.count && names.count == 2)
        for unit in first.indices {
            let label = unitLabels?[unit] ?? String(unit + 1)
            for (k, value, bound) in [(0, first[unit], 90.0), (1, second[unit], 180.0)] {
                guard value.isFinite else {
                    throw SpilloverError.invalidCoordinate(column: names[k], unit: label, value: value, expected: "a finite number")
                }
                if metric == .greatCircle && abs(value) > bound {
                    throw SpilloverError.invalidCoordinate(column: names[k], unit: label, value: value,
                                                           expected: k == 0 ? "a latitude in [-90, 90] degrees"
                                                               : "a longitude in [-180, 180] degrees")
                }
            }
        }
        self.first = first
        self.second = second
        self.names = names
        self.metric = metric
        self.unitLabels = unitLabels
    }

    /// Unit coordinates from per-row columns of `panel` (row order), which must be constant within
    /// every unit (to `1e-9` relative, so that reformatted numbers still agree).
    /// - Throws: ``SpilloverError/coordinatesVary(column:unit:first:second:)`` naming the unit.
    public init(panel: Panel, first: [Double], second: [Double], names: [String], metric: Metric) throws {
        precondition(first.count == panel.observationCount && second.count == panel.observationCount)
        // Units without rows (none in a loaded panel) get 0: they never enter a distance that matters.
        var perUnit = ([Double](repeating: 0, count: panel.unitCount), [Double](repeating: 0, count: panel.unitCount))
        for unit in 0..<panel.unitCount {
            let rows = panel.unitStart[unit]..<panel.unitStart[unit + 1]
            guard let head = rows.first else { continue }
            for (k, column) in [first, second].enumerated() {
                let value = column[head]
                for row in rows where !(abs(column[row] - value) <= 1e-9 * max(1, abs(value))) {
                    throw SpilloverError.coordinatesVary(column: names[k], unit: panel.unitLabels[unit],
                                                         first: value, second: column[row])
                }
                if k == 0 { perUnit.0[unit] = value } else { perUnit.1[unit] = value }
            }
        }
        try self.init(perUnit: perUnit.0, second: perUnit.1, names: names, metric: metric, unitLabels: panel.unitLabels)
    }

    /// Number of units.
    public var unitCount: Int { first.count }

    /// These coordinates indexed by `panel`'s units: themselves when they cover the same units,
    /// else those of `panel`'s units looked up by label (the panel is a subset of the units).
    /// - Throws: ``EstimationError/invalidOption(_:)`` when a unit of `panel` has no location.
    public func matching(_ panel: Panel) throws -> UnitCoordinates {
        if unitCount == panel.unitCount && (unitLabels == nil || unitLabels == panel.unitLabels) { return self }
        guard let unitLabels else {
            throw EstimationError.invalidOption("the coordinates cover \(unitCount) units, the panel has \(panel.unitCount)")
        }
        var index: [String: Int] = [:]
        for (position, label) in unitLabels.enumerated() { index[label] = position }
        var positions: [Int] = []
        positions.reserveCapacity(panel.unitCount)
        for label in panel.unitLabels {
            guard let position = index[label] else {
                throw EstimationError.invalidOption("the coordinates have no location for unit '\(label)'")
            }
            positions.append(position)
        }
        return try UnitCoordinates(perUnit: positions.map { first[$0] }, second: positions.map { second[$0] },
                                   names: names, metric: metric, unitLabels: panel.unitLabels)
    }

    /// Distance between units `a` and `b` in the metric's units.
    public func distance(_ a: Int, _ b: Int) -> Double {
        switch metric {
        case .planar:
            let dx = first[a] - first[b], dy = second[a] - second[b]
            return (dx * dx + dy * dy).squareRoot()
        case .greatCircle:
            return UnitCoordinates.haversine(latitude1: first[a], longitude1: second[a],
                                             latitude2: first[b], longitude2: second[b])
        }
    }

    /// Great-circle distance in km between two points given in degrees:
    /// `d = 2R·asin(√(sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2)))`, `R` = ``earthRadiusKm``.
    public static func haversine(latitude1: Double, longitude1: Double, latitude2: Double, longitude2: Double) -> Double {
        let radians = Double.pi / 180
        let phi1 = latitude1 * radians, phi2 = latitude2 * radians
        let halfDeltaPhi = (latitude2 - latitude1) * radians / 2
        let halfDeltaLambda = (longitude2 - longitude1) * radians / 2
        let h = sin(halfDeltaPhi) * sin(halfDeltaPhi) + cos(phi1) * cos(phi2) * sin(halfDeltaLambda) * sin(halfDeltaLambda)
        return 2 * earthRadiusKm * asin(min(1, h.squareRoot()))
    }
}
