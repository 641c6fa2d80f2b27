import ArgumentParser
import Estimators
import Lab

/// `--format` spellings.
enum ReportFormatOption: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, latex
    var format: ReportFormat { ReportFormat(rawValue: rawValue) ?? .table }
}

/// `--method` spellings of the estimators available in `estimate`.
enum MethodOption: String, ExpressibleByArgument, CaseIterable {
    case twfe, event, cs, sa, bjs, bacon, rings
    case ringsTwoStage = "rings-2s"
}

/// `--control` spellings: which units serve as controls.
enum ControlOption: String, ExpressibleByArgument, CaseIterable {
    /// Never-treated units only.
    case never
    /// Not-yet-treated units too (Callaway–Sant'Anna).
    case notyet
    /// The last-treated cohort (Sun–Abraham).
    case last
}

/// `--inference` spellings.
enum InferenceOption: String, ExpressibleByArgument, CaseIterable {
    case iid, hetero, cr1, wcb
}

/// `--weights` spellings of the wild cluster bootstrap.
enum WeightsOption: String, ExpressibleByArgument, CaseIterable {
    case rademacher, webb, mammen
    var weights: BootstrapWeights { BootstrapWeights(rawValue: rawValue) ?? .rademacher }
}

/// `--bootstrap` spellings: restricted (null imposed) or unrestricted wild cluster bootstrap.
enum BootstrapKindOption: String, ExpressibleByArgument, CaseIterable {
    case wcr, wcu
}

/// `--ties` spellings: whether bootstrap statistics equal to |t| count (DiDLab) or not (boottest).
enum TiesOption: String, ExpressibleByArgument, CaseIterable {
    case count, exclude
    var rule: BootstrapTieRule { self == .count ? .count : .exclude }
}

/// `--scope` spellings of the subgroup permutation test.
enum ScopeOption: String, ExpressibleByArgument, CaseIterable {
    case treated, all
    var scope: SubgroupPermutationScope { self == .treated ? .treatedUnits : .allUnits }
}

/// `--ssc` presets of the small-sample correction.
enum CorrectionOption: String, ExpressibleByArgument, CaseIterable {
    case fixest, reghdfe
    var correction: SmallSampleCorrection { self == .fixest ? .fixest : .reghdfe }
}

/// `--base-period` spellings (Callaway–Sant'Anna, R did's `base_period`).
enum BasePeriodOption: String, ExpressibleByArgument, CaseIterable {
    case varying, universal
}

/// `--estimation` spellings (Callaway–Sant'Anna, R did's `est_method`).
enum CSEstimationOption: String, ExpressibleByArgument, CaseIterable {
    case dr, reg, ipw
}

/// `--unbalanced` spellings (Callaway–Sant'Anna on an unbalanced panel).
enum UnbalancedOption: String, ExpressibleByArgument, CaseIterable {
    /// Drop the units not observed in every period (R did's default).
    case balance
    /// Keep them, repeated-cross-section style (R did's `allow_unbalanced_panel = TRUE`).
    case allow
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
        default:
            return description
        }
    }
}
