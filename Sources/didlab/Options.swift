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
    case twfe, event, cs, sa, bjs, bacon
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
    case iid, hetero, cr1
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
