import Estimators
import Foundation

/// One estimator's event-time coefficients as the event-study figure draws them: the point
/// estimates with the same intervals its report prints, the omitted reference period (drawn as a
/// hollow point at 0) and the binned endpoints of the window.
public struct EventStudySeries: Sendable {
    /// One event time's estimate and interval (NaN bounds: no interval, e.g. an exact fit).
    public struct Point: Sendable, Equatable {
        /// Periods relative to treatment, `e = t − g`.
        public let eventTime: Int
        /// The point estimate.
        public let estimate: Double
        /// Interval bounds.
        public let low: Double, high: Double
        /// Creates a point.
        public init(eventTime: Int, estimate: Double, low: Double, high: Double) {
            self.eventTime = eventTime
            self.estimate = estimate
            self.low = low
            self.high = high
        }
    }

    /// The estimator id (`event`, `cs`, `sa`, `bjs`, …).
    public var method: String
    /// The legend's name of the estimator.
    public var title: String
    /// What the intervals are, e.g. "95% CI: Clustered (countyreal), t(499)".
    public var interval: String
    /// What was fitted, for the legend: the control group and the event window, e.g.
    /// "never-treated controls, varying base period, every event time" or "e ≤ −2 and e ≥ 2 binned"
    /// (empty: not known).
    public var fitted: String
    /// The estimates, by event time.
    public var points: [Point]
    /// The omitted reference period (normalised to 0), nil when the estimator has none.
    public var reference: Int?
    /// The first event time when it bins every earlier one (`e ≤ lowerBin`), else nil.
    public var lowerBin: Int?
    /// The last event time when it bins every later one (`e ≥ upperBin`), else nil.
    public var upperBin: Int?

    /// Creates a series.
    public init(method: String, title: String, interval: String, points: [Point], reference: Int? = nil,
                lowerBin: Int? = nil, upperBin: Int? = nil, fitted: String = "") {
        self.method = method
        self.title = title
        self.interval = interval
        self.fitted = fitted
        self.points = points
        self.reference = reference
        self.lowerBin = lowerBin
        self.upperBin = upperBin
    }

    /// Estimators whose output has event-time coefficients for the figure.
    public static let methods = ["event", "cs", "sa", "bjs", "did2s", "stacked"]

    /// Why `method` with `settings` has no event times to draw, or nil when it has.
    public static func missingEventTimes(method: String, settings: EstimatorSettings) -> String? {
        guard methods.contains(method) else {
            return "\(method) reports no event-time coefficients; the figure draws " + methods.joined(separator: ", ")
        }
        if method == "bjs" && settings.lags == nil {
            return "bjs reports event times e+0..e+L only when the number of lags L is given"
        }
        if method == "did2s" && settings.leads == nil && settings.lags == nil {
            return "did2s reports event times only with an event window (leads or lags)"
        }
        return nil
    }

    /// The series of an estimator's output, with the intervals of its report at `level`: an
    /// ``Estimate``'s event-time terms (the t or normal interval of its variance), or a
    /// ``CallawaySantAnnaResult``'s dynamic aggregation (pointwise normal intervals, or the
    /// multiplier-bootstrap uniform band when `bootstrap` is given, as the report prints them).
    /// `settings` say which endpoints are binned (the event study's and did2s's leads and lags).
    /// Nil when the output has no event-time coefficient.
    public init?(_ output: any EstimatorOutput, settings: EstimatorSettings, level: Double,
                 bootstrap: MultiplierBootstrap? = nil) {
        let percent = Format.number(level * 100, digits: 0) + "%"
        if let result = output as? CallawaySantAnnaResult {
            let report = CallawaySantAnnaReport(result, level: level, bootstrap: bootstrap)
            var points: [Point] = [], reference: Int? = nil
            for row in report.partRows(.dynamic) {
                guard let e = row.eventTime, row.effect.estimate.isFinite else { continue }
                // A universal base period's reference: estimate 0 and no standard error.
                guard row.effect.standardError.isFinite else { reference = e; continue }
                let interval = row.band ?? row.effect.confidenceInterval(level: level)
                points.append(Point(eventTime: e, estimate: row.effect.estimate, low: interval.low, high: interval.high))
            }
            let text = report.bootstrap.map {
                "\(percent) uniform band (multiplier bootstrap, B = \(Format.thousands($0.replications)))"
            } ?? "\(percent) pointwise CI, normal (influence function, clustered by \(result.clusterName))"
            let control = result.options.controlGroup == .neverTreated ? "never-treated" : "not-yet-treated"
            let window = [result.options.minEventTime.map { "e ≥ " + Self.signed($0) },
                          result.options.maxEventTime.map { "e ≤ " + Self.signed($0) }].compactMap { $0 }
            self.init(method: "cs", title: EstimateReport.title(ofMethod: "cs"), interval: text, points: points,
                      reference: reference, fitted: "\(control) controls, \(result.options.basePeriod.rawValue) base period, "
                        + (window.isEmpty ? "every event time" : window.joined(separator: " and ")))
        } else if let estimate = output as? Estimate {
            let points = EstimateReport(estimate, level: level).rows.compactMap { row -> Point? in
                guard let e = row.eventTime, row.estimate.isFinite else { return nil }
                return Point(eventTime: e, estimate: row.estimate, low: row.confLow, high: row.confHigh)
            }
            // Every regression event study here omits e = −1; the imputation estimator omits nothing.
            let reference: Int? = estimate.method == "bjs" || points.contains { $0.eventTime == -1 } ? nil : -1
            let binned = estimate.method == "event" || estimate.method == "did2s"
            let lowerBin = binned ? settings.leads.map { -$0 } : nil, upperBin = binned ? settings.lags : nil
            self.init(method: estimate.method, title: EstimateReport.title(ofMethod: estimate.method),
                      interval: percent + " CI: " + Self.intervalText(estimate.variance), points: points, reference: reference,
                      lowerBin: lowerBin, upperBin: upperBin,
                      fitted: Self.fittedText(method: estimate.method, settings: settings, lowerBin: lowerBin, upperBin: upperBin))
        } else {
            return nil
        }
        if points.isEmpty { return nil }
    }

    /// "−3", "0", "2": an event time with a typographic minus.
    static func signed(_ e: Int) -> String { e < 0 ? "−\(-e)" : "\(e)" }

    /// What a regression-type estimator fitted: its control group (when it takes one) and its
    /// event window — the binned endpoints of the event study and did2s, the lags of BJS, the
    /// window of the stacked estimator, or every event time.
    static func fittedText(method: String, settings: EstimatorSettings, lowerBin: Int?, upperBin: Int?) -> String {
        let control = EstimatorRegistry.entry(id: method)?.control(settings).map { group -> String in
            switch group {
            case .never: return "never-treated controls"
            case .notyet: return "not-yet-treated controls"
            case .last: return "last-treated controls"
            }
        }
        let window: String
        switch method {
        case "event", "did2s":
            let bins = [lowerBin.map { "e ≤ " + signed($0) }, upperBin.map { "e ≥ " + signed($0) }].compactMap { $0 }
            window = bins.isEmpty ? "every event time, none binned" : bins.joined(separator: " and ") + " binned"
        case "bjs":
            window = settings.lags.map { "e = 0…\($0)" } ?? "every treated event time"
        case "stacked":
            window = "window e = " + signed(-(settings.leads ?? 1)) + "…\(settings.lags ?? 1)"
        default:
            window = "every event time"
        }
        return ([control].compactMap { $0 } + [window]).joined(separator: ", ")
    }

    /// "Clustered (city), t(49)", "Heteroskedasticity-robust, normal".
    static func intervalText(_ variance: VarianceEstimate) -> String {
        if case .cr2 = variance.type, variance.termDegreesOfFreedom != nil { return variance.type.label + ", Satterthwaite t" }
        let df = variance.degreesOfFreedom
        return variance.type.label + (df.isFinite ? ", t(\(Format.thousands(Int(df))))" : ", normal")
    }
}
