/// Why a mediation analysis cannot run, naming the mediator, step or option.
public enum MediationError: ParameterError, Equatable {
    /// No mediator was given.
    case noMediators
    /// A mediator has the wrong number of values.
    case columnLength(mediator: String, expected: Int, found: Int)
    /// A mediator value is not finite.
    case nonFinite(mediator: String, row: Int)
    /// A mediator is also the outcome, a covariate or another mediator.
    case duplicateName(String, role: String)
    /// The mediator has no variation within units and periods.
    case noWithinVariation(mediator: String, constant: Bool)
    /// A needed coefficient was dropped as collinear.
    case notIdentified(step: Int, mediator: String?, term: String)
    /// The bootstrap clusters do not contain whole units.
    case clustersSplitUnits(cluster: String)
    /// An option is out of range.
    case invalidOption(String)

    /// The mediator columns or the cluster column, for the errors about them.
    public var subject: ParameterSubject? {
        switch self {
        case .noMediators:
            return ParameterSubject(.mediators, nil, "give at least one mediator column")
        case let .duplicateName(name, role):
            return ParameterSubject(.mediators, nil, "mediator '\(name)' is also \(role); a mediator must be a separate column")
        case let .noWithinVariation(mediator, constant):
            return ParameterSubject(.mediators, nil, "mediator '\(mediator)' "
                + (constant ? "is constant" : "has no variation within units and periods")
                + "; after removing unit and period fixed effects nothing is left to explain, so steps 2 and 3 are "
                + "not identified (expected a time-varying mediator such as ln(1 + green patents))")
        case .clustersSplitUnits(let cluster):
            return ParameterSubject(.cluster, cluster, "the pairs bootstrap resamples whole clusters, but some unit's rows "
                + "fall in several '\(cluster)' clusters; cluster by the unit or by a grouping of units (e.g. province)")
        default:
            return nil
        }
    }

    /// One line for the user.
    public var description: String {
        if let subject { return subject.roleMessage }
        switch self {
        case .noMediators, .duplicateName, .noWithinVariation, .clustersSplitUnits:
            return ""  // described by their subject
        case let .columnLength(mediator, expected, found):
            return "mediator '\(mediator)': \(found) values for \(expected) observations"
        case let .nonFinite(mediator, row):
            return "mediator '\(mediator)': value \(row + 1) is not a finite number"
        case let .notIdentified(step, mediator, term):
            return "step \(step)" + (mediator.map { " (mediator '\($0)')" } ?? "") + ": the coefficient of '\(term)' "
                + "was dropped as collinear with the fixed effects and controls; the mediation is not identified"
        case .invalidOption(let message):
            return message
        }
    }
}
