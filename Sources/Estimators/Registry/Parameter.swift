/// A user-facing choice, by its role: what a library error names instead of a command-line flag
/// or a spec key. The command line maps each role to its `--flag`, the experiment-spec loader to
/// its key path, so the library speaks neither.
public enum Parameter: String, Sendable, CaseIterable {
    case outcome, unit, time, treatment, cohort, covariates, cluster, strata
    /// Any unit-grouping column: a cluster, subgroup, strata or assignment-level column.
    case groupingColumns
    /// The column whose groups are assigned as a whole (e.g. province) in a placebo design.
    case assignmentLevel
    /// The unit-level column that defines subgroups.
    case subgroups
    case mediators, coordinates, ringEdges, emptyRings
    /// The column of regression (analytic) weights.
    case regressionWeights
    case estimator, control, inference, leads, lags, term
    /// Draws of a bootstrap (wild, multiplier, pairs).
    case bootstrapDraws
    /// Draws of a permutation (placebo, subgroup labels).
    case permutations
    case threads, confidenceLevel, shift, memory
    /// Where a run writes its records and reports, and whether it continues an earlier run there.
    case outputDirectory, resume
    /// A value of a calibrated model set by hand (`errors.rho=0.5`).
    case modelOverride
    /// The effects a power curve is measured at.
    case effects
    /// The outcomes placebo laws are drawn on.
    case placeboSample

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
        case .groupingColumns: return "a cluster, subgroup, strata or assignment-level column"
        case .assignmentLevel: return "the assignment-level column"
        case .subgroups: return "the subgroup column"
        case .mediators: return "the mediator columns"
        case .coordinates: return "the coordinate columns"
        case .regressionWeights: return "the regression-weight column"
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
        case .outputDirectory: return "the output directory"
        case .resume: return "resuming"
        case .modelOverride: return "a calibrated model value"
        case .effects: return "the effects"
        case .placeboSample: return "the placebo-laws sample"
        }
    }
}

/// What an error says about one user choice: its role, the value given (if any) and what was
/// expected. The library writes it with the role's words (``Parameter/role``); the command line
/// names the flag instead, the spec loader the key path.
public struct ParameterSubject: Sendable, Equatable {
    /// The choice at fault.
    public let parameter: Parameter
    /// The value given, shown after the name (nil when the problem is with the whole choice).
    public let value: String?
    /// What is wrong and what was expected.
    public let problem: String
    /// Other choices the remedy involves, named after the problem.
    public let remedies: [Parameter]

    /// Creates a subject.
    public init(_ parameter: Parameter, _ value: String? = nil, _ problem: String, remedies: [Parameter] = []) {
        self.parameter = parameter
        self.value = value
        self.problem = problem
        self.remedies = remedies
    }

    /// `"NAME VALUE: problem (REMEDY)"` with the caller's names for the parameters (flags, key paths).
    public func message(naming name: (Parameter) -> String) -> String {
        name(parameter) + (value.map { " " + $0 } ?? "") + ": " + problem
            + (remedies.isEmpty ? "" : " (" + remedies.map(name).joined(separator: ", ") + ")")
    }

    /// The message naming the parameter's role.
    public var roleMessage: String { message(naming: \.role) }
}

/// An error that may be about one user choice (``subject``): the command line renders such errors
/// with the flag's name, the spec loader with the key path; ``description`` uses the role's words.
public protocol ParameterError: Error, CustomStringConvertible {
    /// The choice the error is about, or nil when it names none.
    var subject: ParameterSubject? { get }
}

/// A value out of range or not allowed for the chosen method.
public struct InvalidParameter: ParameterError, Equatable {
    /// The choice at fault.
    public var parameter: Parameter { details.parameter }
    /// The value given.
    public var value: String? { details.value }
    /// What is wrong and what was expected.
    public var problem: String { details.problem }
    let details: ParameterSubject

    /// Creates the error: `problem` says what was expected, e.g. "expected at least 1, got 0";
    /// `remedies` name other choices that would fix it.
    public init(_ parameter: Parameter, _ value: String? = nil, _ problem: String, remedies: [Parameter] = []) {
        details = ParameterSubject(parameter, value, problem, remedies: remedies)
    }

    public var subject: ParameterSubject? { details }
    public var description: String { details.roleMessage }
}
