/// The dynamic ("event-study") two-way fixed-effects regression:
/// `y_it = Σ_{e ≠ −1} β_e 1{t − g_i = e} + γ'X_it + μ_i + λ_t + ε_it`.
///
/// Conventions (fixest `i(rel_time, ref = -1)` with binned endpoints):
/// - event time `e = t − g_i` counts periods on the panel's grid;
/// - the reference period `e = −1` is omitted;
/// - `leads = K` gives terms `e-K … e-2`, the first binned: `e-K` is `1{e ≤ −K}`;
///   `lags = L` gives `e+0 … e+L`, the last binned: `e+L` is `1{e ≥ L}`;
///   `nil` means "every observed event time", with no binning;
/// - never-treated units carry no event-time dummies (all zero), so they are pure controls;
/// - a term with no observations is dropped as collinear and named in the notes.
public struct EventStudy: Sendable {
    /// Number of pre-periods with a term (`e-leads … e-2`); nil = all observed.
    public var leads: Int?
    /// Number of post-periods after adoption with a term (`e+0 … e+lags`); nil = all observed.
    public var lags: Int?
    /// Options.
    public var options: RegressionOptions

    /// Creates the estimator.
    public init(leads: Int? = nil, lags: Int? = nil, options: RegressionOptions = RegressionOptions()) {
        self.leads = leads
        self.lags = lags
        self.options = options
    }

    /// The event-time window `(first, last)` actually used on `panel`.
    public func window(for panel: Panel) -> (first: Int, last: Int) {
        var lowest = 0, highest = 0
        for row in 0..<panel.observationCount {
            let adoption = panel.adoptionPeriod[Int(panel.unitIndex[row])]
            guard adoption != Panel.neverTreated else { continue }
            let e = Int(panel.periodIndex[row]) - Int(adoption)
            lowest = min(lowest, e)
            highest = max(highest, e)
        }
        return (leads.map { -$0 } ?? min(lowest, -1), lags ?? max(highest, 0))
    }

    /// Most event-time terms an event study may have. Past it, the dense dummy columns and their
    /// Gram grow without bound (an absurd cohort gave 1,425 terms and took 46 s); longer windows
    /// must be binned with the number of leads and lags.
    public static let maximumTerms = 1000

    /// Estimates the event study on `panel`.
    /// - Throws: ``EstimationError/invalidOption(_:)`` for invalid leads or lags, or a window of
    ///   more than ``maximumTerms`` event times.
    public func estimate(_ panel: Panel) throws -> Estimate {
        let (terms, columns, notes) = try design(on: panel)
        return try FixedEffectsRegression.fit(panel: panel, method: "event", terms: terms, columns: columns,
                                              options: options, extraNotes: notes)
    }

    /// The event-time terms, their dummy columns and the notes that describe them.
    /// - Throws: ``EstimationError/invalidOption(_:)`` as ``estimate(_:)``.
    public func design(on panel: Panel) throws -> (terms: [Estimate.Term], columns: [[Double]], notes: [String]) {
        if let leads, leads < 1 { throw EstimationError.invalidOption("the number of leads must be at least 1 (1 = no lead terms), got \(leads)") }
        if let lags, lags < 0 { throw EstimationError.invalidOption("the number of lags must be at least 0, got \(lags)") }
        let (first, last) = window(for: panel)
        let (span, overflow) = last.subtractingReportingOverflow(first)   // terms: e = -1 is omitted
        let termCount = overflow ? Int.max : span
        guard termCount <= EventStudy.maximumTerms else {
            throw EstimationError.invalidOption(
                "the event-study window e\(first)…e+\(last) would have \(termCount) event-time terms; at most "
                + "\(EventStudy.maximumTerms) are allowed: bin the window with fewer leads and lags "
                + "(are the cohorts far outside the sample periods?)")
        }
        let eventTimes = (first...last).filter { $0 != -1 }
        var columns = [[Double]](repeating: [Double](repeating: 0, count: panel.observationCount),
                                 count: eventTimes.count)
        let position = Dictionary(uniqueKeysWithValues: eventTimes.enumerated().map { ($1, $0) })
        for row in 0..<panel.observationCount {
            let adoption = panel.adoptionPeriod[Int(panel.unitIndex[row])]
            guard adoption != Panel.neverTreated else { continue }
            let e = min(max(Int(panel.periodIndex[row]) - Int(adoption), first), last)
            if let column = position[e] { columns[column][row] = 1 }
        }
        let terms = eventTimes.map { Estimate.Term(name: EventStudy.termName($0), eventTime: $0) }
        var notes = ["reference period e-1 omitted; never-treated units carry no event-time dummies"]
        if leads != nil { notes.append("e\(first) bins all event times ≤ \(first)") }
        if lags != nil { notes.append("e+\(last) bins all event times ≥ \(last)") }
        return (terms, columns, notes)
    }

    /// "e-2", "e+0", "e+3".
    public static func termName(_ eventTime: Int) -> String {
        eventTime < 0 ? "e\(eventTime)" : "e+\(eventTime)"
    }
}
