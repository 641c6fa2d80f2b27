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
    case twfe, event
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
