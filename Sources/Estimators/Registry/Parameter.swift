/// A user-facing choice, by its role: what a library error names instead of a command-line flag
/// or a spec key. The command line maps each role to its `--flag`, the experiment-spec loader to
/// its key path, so the library speaks neither.
public enum Parameter: String, Sendable, CaseIterable {
    case outcome, unit, time, treatment, cohort, covariates, cluster, strata
    /// The column whose groups are assigned as a whole (e.g. province) in a placebo design.
    case assignmentLevel
    /// The unit-level column that defines subgroups.
    case subgroups
    case mediators, coordinates, ringEdges, emptyRings
    case estimator, control, inference, leads, lags, term
    /// Draws of a bootstrap (wild, multiplier, pairs).
    case bootstrapDraws
    /// Draws of a permutation (placebo, subgroup labels).
    case permutations
    case threads, confidenceLevel, shift, memory

    /// The role in words, for library messages: "the number of leads".
    public var role: String {
        switch self {
        case .outcome: return "the outcome column"
        case .unit: return "the unit column"
        case .time: return "the time column"
        case .treatment: return "the treatment column"
        case .cohort: return "the cohort column"
        case .covariates: return "the covariate columns"
        case .cluster: return "the cluster column"
        case .strata: return "the strata column"
        case .assignmentLevel: return "the assignment-level column"
        case .subgroups: return "the subgroup column"
        case .mediators: return "the mediator columns"
        case .coordinates: return "the coordinate columns"
        case .ringEdges: return "the ring edges"
        case .emptyRings: return "the empty-ring policy"
        case .estimator: return "the estimator"
        case .control: return "the control group"
        case .inference: return "the inference"
        case .leads: return "the number of leads"
        case .lags: return "the number of lags"
        case .term: return "the tested term"
        case .bootstrapDraws: return "the number of bootstrap draws"
        case .permutations: return "the number of permutations"
        case .threads: return "the number of threads"
        case .confidenceLevel: return "the confidence level"
        case .shift: return "the timing shift"
        case .memory: return "the memory budget"
        }
    }
}

/// An error about one user choice, with its role, the value given (if any) and what was expected.
///
/// Its ``description`` names the role ("the number of leads: expected at least 1, got 0");
/// ``message(naming:)`` lets the command line or the spec loader name the flag or key instead.
public protocol ParameterError: Error, CustomStringConvertible {
    /// The choice at fault.
    var parameter: Parameter { get }
    /// The value given, shown after the name (nil when the problem is with the whole choice).
    var value: String? { get }
    /// What is wrong and what was expected.
    var problem: String { get }
}

extension ParameterError {
    /// `"NAME VALUE: problem"` with the caller's name for the parameter (a flag, a key path).
    public func message(naming name: String) -> String {
        name + (value.map { " " + $0 } ?? "") + ": " + problem
    }

    /// The message naming the parameter's role.
    public var description: String { message(naming: parameter.role) }
}

/// A value out of range or not allowed for the chosen method.
public struct InvalidParameter: ParameterError, Equatable {
    public let parameter: Parameter
    public let value: String?
    public let problem: String

    /// Creates the error: `problem` says what was expected, e.g. "expected at least 1, got 0".
    public init(_ parameter: Parameter, _ value: String? = nil, _ problem: String) {
        self.parameter = parameter
        self.value = value
        self.problem = problem
    }
}
