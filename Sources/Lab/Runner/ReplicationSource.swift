import Estimators

/// One replication's data: the panel every method sees, and the true values of the estimands.
public struct ReplicationData: Sendable {
    /// The simulated panel.
    public var panel: Panel
    /// True values by estimand name (e.g. "att", "e+0", "indirect").
    public var truth: [String: Double]
    /// Numeric columns besides the panel's outcome and controls, in the panel's row order, for
    /// methods that need them (Sim: every mediator and covariate by name, and each city's plane
    /// coordinates in km as "coord_x", "coord_y").
    public var columns: [String: [Double]]
    /// Set when ``panel``'s outcome is a baseline draw plus a constant effect on its treated cells
    /// (a diagnosis's constant profile): methods whose result at the effect is exactly their
    /// baseline result shifted may compute it once per replication (``EffectShift``).
    public var effectShift: EffectShift?
    /// Creates replication data.
    public init(panel: Panel, truth: [String: Double], columns: [String: [Double]] = [:],
                effectShift: EffectShift? = nil) {
        self.panel = panel
        self.truth = truth
        self.columns = columns
        self.effectShift = effectShift
    }
}

/// Where replications come from: conditions (grid points) × replications, each drawn from its
/// own stream, so replication r of condition c is the same whoever runs it.
public protocol ReplicationSource: Sendable {
    /// Number of conditions.
    var conditionCount: Int { get }
    /// The name of condition `c` (e.g. "paper, rho=0.8").
    func conditionName(_ condition: Int) -> String
    /// The grid values of condition `c`, for reports.
    func conditionParameters(_ condition: Int) -> [(String, Double)]
    /// The stream key of replication `r` of condition `c`.
    func streamKey(condition: Int, replication: Int) -> UInt64
    /// Draws replication `r` of condition `c`.
    func replicate(condition: Int, replication: Int) throws -> ReplicationData
    /// What reading the source's real panel dropped or assumed (its ``Panel/notes``), for the
    /// reports; empty for simulated data.
    var dataNotes: [String] { get }
}

extension ReplicationSource {
    /// Simulated data: nothing was read, nothing dropped.
    public var dataNotes: [String] { [] }
}

/// One method's numbers in one replication.
public struct MethodResult: Sendable {
    public var estimate: Double
    public var standardError: Double
    public var confLow: Double
    public var confHigh: Double
    public var pValue: Double
    /// Creates a result.
    public init(estimate: Double, standardError: Double, confLow: Double, confHigh: Double, pValue: Double) {
        self.estimate = estimate
        self.standardError = standardError
        self.confLow = confLow
        self.confHigh = confHigh
        self.pValue = pValue
    }
}

/// A method of an experiment: estimator + inference, aimed at one estimand.
public protocol MethodEvaluator: Sendable {
    /// Estimator name, e.g. "twfe".
    var estimatorName: String { get }
    /// Inference name with level, e.g. "cr1:city", "placebo:units".
    var inferenceName: String { get }
    /// Estimand key in ``ReplicationData/truth``.
    var target: String { get }
    /// Runs the method on one replication's panel; `streamKey` seeds any randomness it needs.
    func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult
    /// The test's exact size at `alpha` under exchangeability on panels like `panel`, for tests
    /// whose p-values take few values (randomization, bootstrap); nil for analytic tests.
    func designSize(alpha: Double, on panel: Panel) -> DesignSize?
    /// True for a method whose number is a test, not an estimate of its target (a joint Wald test,
    /// a test of equal subgroup effects): reports leave its bias, RMSE and coverage blank.
    var reportsTestOnly: Bool { get }
    /// True for a pre-trend test (the event study's leads, CS's pre-treatment cells): the runner
    /// reports every other method conditional on passing the first one.
    var isPreTrendTest: Bool { get }
}

extension MethodEvaluator {
    /// Analytic tests: no design size beyond α.
    public func designSize(alpha: Double, on panel: Panel) -> DesignSize? { nil }

    /// Most methods estimate their target.
    public var reportsTestOnly: Bool { false }

    /// Most methods are not pre-trend tests.
    public var isPreTrendTest: Bool { false }
}
