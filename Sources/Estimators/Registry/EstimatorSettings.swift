/// The typed choices an estimator is built from: one value for every estimator, read by each
/// ``EstimatorEntry`` for the fields it uses (which fields an estimator accepts is declared in
/// its entry and checked by ``EstimatorEntry/check(_:)``).
public struct EstimatorSettings: Sendable {
    /// The analytic variance (default CR1 by the unit column, given by the caller).
    public var variance: VarianceType
    /// The small-sample correction (default fixest's).
    public var correction: SmallSampleCorrection = .fixest
    /// The control group; nil: the estimator's default (its entry's first allowed).
    public var control: ComparisonGroup?
    /// Event window: pre-periods with a term (nil: all observed).
    public var leads: Int?
    /// Event window: post-periods with a term (nil: all observed).
    public var lags: Int?
    /// Callaway–Sant'Anna's clustering column (nil: the unit, R did's default).
    public var cluster: String?
    /// Callaway–Sant'Anna's base period, estimation method, unbalanced-panel and failed-cell policies.
    public var basePeriod: CallawaySantAnnaOptions.BasePeriod = .varying
    public var estimationMethod: CallawaySantAnnaOptions.EstimationMethod = .doublyRobust
    public var unbalancedPanel: CallawaySantAnnaOptions.UnbalancedPanelPolicy = .dropIncompleteUnits
    public var failedCells: CallawaySantAnnaOptions.FailedCellPolicy = .reject
    /// Callaway–Sant'Anna's anticipation periods (R did's `anticipation`; default 0).
    public var anticipation = 0
    /// The spillover-ring estimators' band edges, empty-ring policy and unit locations.
    public var ringEdges: [Double] = []
    public var emptyRings: SpilloverRings.EmptyRingPolicy = .error
    public var coordinates: UnitCoordinates?
    /// Synthetic DiD's variance method, draws, seed and threads (``SyntheticDiD``'s defaults).
    public var syntheticDiD = SyntheticDiD()
    /// The effect a scalar use (lab method, placebo statistic) reads; nil: the entry's default.
    public var effect: String?

    /// Settings with `variance` and every other choice at its default.
    public init(variance: VarianceType) { self.variance = variance }

    /// The clustering name of ``variance`` (nil when not clustered).
    public var clusterName: String? {
        switch variance {
        case .cluster(let name), .cr2(let name), .cr3(let name): return name
        default: return nil
        }
    }

    /// Regression options from ``variance`` and ``correction``.
    public var regressionOptions: RegressionOptions {
        RegressionOptions(variance: variance, correction: correction, coordinates: coordinates)
    }
}
