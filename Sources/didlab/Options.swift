import ArgumentParser
import Estimators
import Lab

// The library's vocabularies are the command line's: each enum is an argument as it is, its raw
// values the spellings (swift-argument-parser lists them in --help).
extension ReportFormat: ExpressibleByArgument {}
extension ComparisonGroup: ExpressibleByArgument {}
extension InferenceSpec.Family: ExpressibleByArgument {}
extension BootstrapWeights: ExpressibleByArgument {}
extension BootstrapTieRule: ExpressibleByArgument {}
extension SubgroupPermutationScope: ExpressibleByArgument {}
extension CallawaySantAnnaOptions.BasePeriod: ExpressibleByArgument {}
extension CallawaySantAnnaOptions.EstimationMethod: ExpressibleByArgument {}
extension CallawaySantAnnaOptions.UnbalancedPanelPolicy: ExpressibleByArgument {}
extension SpilloverRings.EmptyRingPolicy: ExpressibleByArgument {}
extension PValueConvention: ExpressibleByArgument {}
extension PlaceboAlternative: ExpressibleByArgument {}
extension PlaceboPath: ExpressibleByArgument {}
extension SyntheticDiD.VarianceMethod: ExpressibleByArgument {}

/// `--method`: an estimator of ``EstimatorRegistry``, by its id.
extension EstimatorEntry: ExpressibleByArgument {
    public init?(argument: String) {
        guard let entry = EstimatorRegistry.entry(id: argument) else { return nil }
        self = entry
    }
    public var defaultValueDescription: String { id }
    public static var allValueStrings: [String] { EstimatorRegistry.entries.map(\.id) }
}

/// `--bootstrap` spellings: restricted (null imposed) or unrestricted wild cluster bootstrap.
enum BootstrapKindOption: String, ExpressibleByArgument, CaseIterable {
    case wcr, wcu
}

/// `--ssc` presets of the small-sample correction.
enum CorrectionOption: String, ExpressibleByArgument, CaseIterable {
    case fixest, reghdfe
    var correction: SmallSampleCorrection { self == .fixest ? .fixest : .reghdfe }
}

/// The flag of each parameter role: how the command line names what a library error is about.
/// One table for every command (a flag means the same in each).
enum Flags {
    static func name(_ parameter: Parameter) -> String {
        switch parameter {
        case .outcome: return "--y"
        case .unit: return "--unit"
        case .time: return "--time"
        case .treatment: return "--treat"
        case .cohort: return "--cohort"
        case .covariates: return "--x"
        case .cluster: return "--cluster"
        case .strata: return "--strata"
        case .groupingColumns: return "--cluster, --by, --strata or --level"
        case .assignmentLevel: return "--level"
        case .subgroups: return "--by"
        case .mediators: return "--m"
        case .coordinates: return "--coords/--latlon"
        case .regressionWeights: return "--regression-weights"
        case .ringEdges: return "--rings"
        case .emptyRings: return "--empty-rings"
        case .estimator: return "--method"
        case .control: return "--control"
        case .inference: return "--inference"
        case .leads: return "--leads"
        case .lags: return "--lags"
        case .term: return "--term"
        case .bootstrapDraws: return "--reps"
        case .permutations: return "--permutations"
        case .threads: return "--threads"
        case .confidenceLevel: return "--conf-level"
        case .shift: return "--shift"
        case .memory: return "--memory"
        case .outputDirectory: return "--out"
        case .resume: return "--resume"
        case .modelOverride: return "--set"
        case .effects: return "--effects"
        case .placeboSample: return "--sample"
        }
    }

    /// The message of a library error, with flags in place of roles.
    static func message(for error: any ParameterError) -> String {
        error.subject.map { $0.message(naming: name) } ?? error.description
    }
}

extension CallawaySantAnnaError {
    /// The library's message (which names roles) with the `estimate` flags that change the outcome.
    var commandLineMessage: String {
        switch self {
        case .cellsNotEstimable(let cells, let total) where cells.count < total:
            return description + "; add --drop-failed-cells to report them as not estimable and aggregate the rest"
        case .noNeverTreatedUnits:
            return description + " (--control notyet)"
        case .unbalancedWithCovariates:
            return description + " (--unbalanced balance, or no --x)"
        case .invalidAnticipation:
            return description + " (--anticipation)"
        default:
            return description
        }
    }
}
