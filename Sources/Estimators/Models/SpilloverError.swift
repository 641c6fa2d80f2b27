/// Why a spillover-ring estimate cannot run, naming the column, unit, ring or option.
public enum SpilloverError: ParameterError, Equatable {
    /// A coordinate differs between rows of one unit.
    case coordinatesVary(column: String, unit: String, first: Double, second: Double)
    /// A coordinate is not finite or out of range.
    case invalidCoordinate(column: String, unit: String, value: Double, expected: String)
    /// Ring edges are not finite, positive and increasing.
    case invalidEdges([Double])
    /// A ring holds no untreated observation (with ``SpilloverRings/EmptyRingPolicy/error``).
    case emptyRing(ring: String, nearestBelow: Double?, nearestAbove: Double?)
    /// Every ring is empty.
    case allRingsEmpty(edges: [Double])
    /// No untreated observation lies beyond the last edge.
    case noFarControls(lastEdge: Double)
    /// The two-stage first stage is not identified.
    case firstStageNotIdentified(String)
    /// An option does not apply.
    case invalidOption(String)

    /// The ring edges, for the edge and ring errors.
    public var subject: ParameterSubject? {
        func number(_ value: Double) -> String { RingExposure.format(value) }
        switch self {
        case .invalidEdges(let edges):
            return ParameterSubject(.ringEdges, edges.map(number).joined(separator: ","),
                                    "expected positive, increasing, finite band edges such as 50,100,150")
        case let .emptyRing(ring, below, above):
            var message = "\(ring) contains no untreated observation"
            if below != nil || above != nil {
                message += " (nearest-adopter distances of untreated observations: "
                    + [below.map { "closest below \(number($0))" }, above.map { "closest above \(number($0))" }]
                    .compactMap { $0 }.joined(separator: ", ") + ")"
            }
            return ParameterSubject(.ringEdges, nil, message + "; choose other edges, or drop empty rings (the "
                                    + "empty-ring policy) to drop the term")
        case .allRingsEmpty(let edges):
            return ParameterSubject(.ringEdges, edges.map(number).joined(separator: ","), "no untreated observation "
                                    + "lies within \(number(edges.last ?? 0)) of an adopted unit; widen the rings")
        case .noFarControls(let lastEdge):
            return ParameterSubject(.ringEdges, nil, "every untreated observation lies within \(number(lastEdge)) of an "
                                    + "adopted unit, so no far controls identify the direct effect; use a smaller last edge")
        default:
            return nil
        }
    }

    /// One line for the user.
    public var description: String {
        func number(_ value: Double) -> String { RingExposure.format(value) }
        if let subject { return subject.roleMessage }
        switch self {
        case let .coordinatesVary(column, unit, first, second):
            return "column '\(column)': unit '\(unit)' has coordinate \(number(first)) on one row and \(number(second)) "
                + "on another; expected one location per unit (coordinates are unit-level)"
        case let .invalidCoordinate(column, unit, value, expected):
            return "column '\(column)': unit '\(unit)' has \(number(value)); expected \(expected)"
        case .invalidEdges, .emptyRing, .allRingsEmpty, .noFarControls:
            return ""  // described by their subject
        case .firstStageNotIdentified(let message):
            return "two-stage rings: " + message
        case .invalidOption(let message):
            return message
        }
    }
}
