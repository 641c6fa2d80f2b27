import Estimators

/// Butts' spillover-ring estimator as a method of an experiment (see ``SpilloverRings``): the
/// direct effect `treat` (target `att`) or one ring's spillover (target `spillover`), one or two
/// stages, CR1 by ``cluster`` (default the unit).
///
/// Coordinates come from ``ReplicationData/columns`` (Sim writes the cities' plane coordinates in
/// km as `coord_x`, `coord_y`); rings are measured from the nearest city already adopted, as Sim's
/// spillovers are. An empty ring is an error (a failed replication), never silently dropped.
public struct RingMethod: MethodEvaluator {
    /// Which coefficient.
    public enum Term: Sendable, Equatable {
        /// The direct effect ("treat").
        case direct
        /// The spillover in ring `j` (1-based).
        case ring(Int)
    }

    /// Band edges in km.
    public let edges: [Double]
    /// One or two stages.
    public let stages: SpilloverRings.Stages
    /// The coefficient reported.
    public let term: Term
    /// Coordinate columns (default `coord_x`, `coord_y`) and their metric (default planar).
    public let coordinates: [String]
    public let metric: UnitCoordinates.Metric
    /// Cluster column (nil = the unit).
    public let cluster: String?
    /// Estimand key.
    public let target: String

    /// Creates the method.
    public init(edges: [Double], stages: SpilloverRings.Stages = .oneStage, term: Term,
                coordinates: [String] = ["coord_x", "coord_y"], metric: UnitCoordinates.Metric = .planar,
                cluster: String? = nil, target: String) {
        self.edges = edges
        self.stages = stages
        self.term = term
        self.coordinates = coordinates
        self.metric = metric
        self.cluster = cluster
        self.target = target
    }

    /// The method from spec spellings: `estimator` rings or rings-2s, `term` treat or ringJ
    /// (default treat), `inference` cr1[:COLUMN] (default `unitName`, so reports name the column).
    /// - Throws: ``EstimationError/invalidOption(_:)`` naming the spelling.
    public static func parse(estimator: String, edges: [Double], term: String?, inference: String,
                             coordinates: [String]?, target: String, unitName: String? = nil) throws -> RingMethod {
        guard let stages = SpilloverRings.Stages(rawValue: estimator) else {
            throw EstimationError.invalidOption("expected estimator rings or rings-2s, got '\(estimator)'")
        }
        let parsedTerm: Term
        switch term ?? "treat" {
        case "treat": parsedTerm = .direct
        case let name where name.hasPrefix("ring"):
            guard let j = Int(name.dropFirst(4)), j >= 1, j <= edges.count else {
                throw EstimationError.invalidOption("rings: term '\(name)' must be ring1…ring\(edges.count) or treat")
            }
            parsedTerm = .ring(j)
        case let other:
            throw EstimationError.invalidOption("rings: term must be treat or ring1…ring\(edges.count), got '\(other)'")
        }
        let parts = inference.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.first == "cr1" else {
            throw EstimationError.invalidOption("rings: inference must be cr1[:COLUMN], got '\(inference)'")
        }
        let names = coordinates ?? ["coord_x", "coord_y"]
        guard names.count == 2 else { throw EstimationError.invalidOption("rings: coords needs two column names") }
        return RingMethod(edges: edges, stages: stages, term: parsedTerm, coordinates: names,
                          cluster: parts.count > 1 ? parts[1] : unitName, target: target)
    }

    public var estimatorName: String {
        let bands = edges.map { $0 == $0.rounded() ? String(Int($0)) : "\($0)" }.joined(separator: ",")
        switch term {
        case .direct: return "\(stages.rawValue)(\(bands)):treat"
        case .ring(let j): return "\(stages.rawValue)(\(bands)):ring\(j)"
        }
    }

    public var inferenceName: String { "cr1:\(cluster ?? "unit")" }

    /// Estimates on the replication's panel and reads the term.
    /// - Throws: ``EstimationError/invalidOption(_:)`` when a coordinate column is missing;
    ///   ``SpilloverError`` and the regressions' errors.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        guard let first = data.columns[coordinates[0]], let second = data.columns[coordinates[1]] else {
            throw EstimationError.invalidOption("rings: coordinate columns \(coordinates.joined(separator: ", ")) are not "
                                                + "columns of the replication; available: "
                                                + data.columns.keys.sorted().joined(separator: ", "))
        }
        let panel = data.panel
        let locations = try UnitCoordinates(panel: panel, first: first, second: second, names: coordinates, metric: metric)
        let estimate = try SpilloverRings(edges: edges, stages: stages, emptyRings: .error,
                                          options: RegressionOptions(variance: .cluster(cluster ?? panel.unitName)))
            .estimate(panel, coordinates: locations)
        let index: Int
        switch term {
        case .direct: index = 0
        case .ring(let j): index = j
        }
        guard index < estimate.terms.count, index == 0 || estimate.terms[index].name.hasPrefix("ring") else {
            throw EstimationError.invalidOption("rings: term \(index) was not estimated")
        }
        let interval = estimate.confidenceInterval(index, level: 1 - alpha)
        return MethodResult(estimate: estimate.coefficients[index], standardError: estimate.standardError(index),
                            confLow: interval.low, confHigh: interval.high, pValue: estimate.pValue(index))
    }
}
