/// Which untreated observations lie in which distance band ("ring") of the nearest unit that has
/// already adopted (Butts 2021, 2023).
///
/// For observation `(i, t)` let `d_it = min { dist(i, k) : k ≠ i, k adopted by t }` (`+∞` when no
/// other unit has adopted yet). With band edges `0 < d₁ < d₂ < … < d_J`, an **untreated**
/// observation (`D_it = 0`) is in ring 1 when `0 ≤ d_it ≤ d₁` and in ring `j` when
/// `d_{j−1} < d_it ≤ d_j`; beyond `d_J` (or before any neighbour adopts) it is a *far* control.
/// Treated observations are in no ring. Exposure follows the neighbours' timing, as in the lab's
/// simulated spillovers.
public struct RingExposure: Sendable {
    /// Band edges `d₁ < … < d_J`.
    public let edges: [Double]
    /// Per row: distance to the nearest other unit adopted by that period (`+∞` if none).
    public let nearestTreatedDistance: [Double]
    /// Per row: ring index `0..<J`, or −1 for treated observations and far controls.
    public let ring: [Int32]
    /// Untreated observations in each ring.
    public let observationCounts: [Int]
    /// Units with at least one observation in each ring.
    public let unitCounts: [Int]
    /// Untreated observations in no ring (the far controls that identify the direct effect).
    public let farControlCount: Int

    /// Assigns rings on `panel`.
    /// - Throws: ``SpilloverError/invalidEdges(_:)`` unless the edges are finite, positive and
    ///   increasing; a coordinate count that does not match the panel's units is a programming error.
    public init(panel: Panel, coordinates: UnitCoordinates, edges: [Double]) throws {
        precondition(coordinates.unitCount == panel.unitCount, "coordinates need one entry per unit")
        guard !edges.isEmpty, edges.allSatisfy({ $0.isFinite && $0 > 0 }),
              zip(edges.dropFirst(), edges).allSatisfy({ $0 > $1 }) else {
            throw SpilloverError.invalidEdges(edges)
        }
        let periods = panel.periodCount
        let treatedUnits = (0..<panel.unitCount).filter { panel.adoptionPeriod[$0] < Int32(periods) }
        // nearest[i·T + t]: start each unit's row at its neighbours' adoption periods, then a running minimum.
        var nearest = [Double](repeating: .infinity, count: panel.unitCount * periods)
        for unit in 0..<panel.unitCount {
            for other in treatedUnits where other != unit {
                let start = Int(max(panel.adoptionPeriod[other], 0))
                let distance = coordinates.distance(unit, other)
                if distance < nearest[unit * periods + start] { nearest[unit * periods + start] = distance }
            }
            for t in 1..<max(periods, 1) where nearest[unit * periods + t - 1] < nearest[unit * periods + t] {
                nearest[unit * periods + t] = nearest[unit * periods + t - 1]
            }
        }
        var rowDistance = [Double](repeating: .infinity, count: panel.observationCount)
        var ring = [Int32](repeating: -1, count: panel.observationCount)
        var observations = [Int](repeating: 0, count: edges.count)
        var unitsInRing = [Set<Int32>](repeating: [], count: edges.count)
        var far = 0
        for row in 0..<panel.observationCount {
            let unit = Int(panel.unitIndex[row])
            let distance = nearest[unit * periods + Int(panel.periodIndex[row])]
            rowDistance[row] = distance
            guard !panel.isTreated(row: row) else { continue }
            if let j = edges.firstIndex(where: { distance <= $0 }) {
                ring[row] = Int32(j)
                observations[j] += 1
                unitsInRing[j].insert(panel.unitIndex[row])
            } else {
                far += 1
            }
        }
        self.edges = edges
        nearestTreatedDistance = rowDistance
        self.ring = ring
        observationCounts = observations
        unitCounts = unitsInRing.map(\.count)
        farControlCount = far
    }

    /// Number of rings.
    public var ringCount: Int { edges.count }

    /// The 0/1 column `(1 − D_it)·Ring_j,it`.
    public func column(_ j: Int) -> [Double] { ring.map { $0 == Int32(j) ? 1 : 0 } }

    /// Lower edge of ring `j` (0 for the first).
    public func lowerEdge(_ j: Int) -> Double { j == 0 ? 0 : edges[j - 1] }

    /// Term name of ring `j`, e.g. "ring(0-50]", "ring(50-100]" (no comma, so names stay one CSV field).
    public func termName(_ j: Int) -> String {
        "ring(\(RingExposure.format(lowerEdge(j)))-\(RingExposure.format(edges[j]))]"
    }

    /// Integral values without a decimal point, others in shortest form.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
