import Estimators

/// A three-step mediation method of an experiment: one quantity of ``Mediation`` on one mediator.
///
/// The mediator column comes from ``ReplicationData/columns`` (Sim writes every mediator there);
/// the panel's covariates are the controls; every step is clustered CR1 by ``cluster`` (default the
/// unit). Quantities and what each replication records (`α` the run's test level):
/// - ``Quantity/indirect(_:)`` with ``IndirectTest/sobel``: `a·b`, Sobel SE, the normal interval
///   `a·b ± z_{1−α/2}·SE` and the Sobel p-value;
/// - with ``IndirectTest/joint``: `a·b`, Sobel SE, no interval, p = `max(p_a, p_b)` (rejects
///   exactly when `a` and `b` are both significant at `α`);
/// - with ``IndirectTest/bootstrap``: `a·b`, bootstrap SD, the `1 − α` percentile interval and the
///   percentile p-value, from ``replications`` pairs cluster draws seeded from the replication's
///   stream key (purpose `bootstrap`), serially (replications are the parallel loop);
/// - ``Quantity/a``, ``Quantity/b``, ``Quantity/direct`` (`c′`), ``Quantity/total`` (`c`): the
///   coefficient with its CR1 t interval and p-value. `b` and `c′` show the step-3 bias under an
///   unobserved M–Y confounder (Jiang 2022); their truths are `b:NAME` and `direct:NAME`.
public struct MediationMethod: MethodEvaluator {
    /// How the indirect effect is tested.
    public enum IndirectTest: String, Sendable, CaseIterable {
        case sobel, joint, bootstrap
    }

    /// What the method reports.
    public enum Quantity: Sendable, Equatable {
        /// `a·b` with a test.
        case indirect(IndirectTest)
        /// Step 2's effect of D on M.
        case a
        /// Step 3's coefficient of M.
        case b
        /// Step 3's coefficient of D (`c′`).
        case direct
        /// Step 1's coefficient of D (`c`).
        case total
    }

    /// Mediator column name.
    public let mediator: String
    /// The quantity.
    public let quantity: Quantity
    /// Cluster column of the CR1 variance and of the bootstrap (nil = the unit).
    public let cluster: String?
    /// Bootstrap draws per replication (``IndirectTest/bootstrap`` only).
    public let replications: Int
    /// Estimand key.
    public let target: String

    /// Creates the method; defaults: clusters = units, 199 bootstrap draws.
    public init(mediator: String, quantity: Quantity, cluster: String? = nil, replications: Int = 199, target: String) {
        self.mediator = mediator
        self.quantity = quantity
        self.cluster = cluster
        self.replications = replications
        self.target = target
    }

    /// The method from spec spellings: `term` ∈ indirect, a, b, direct, total; `inference` ∈
    /// sobel, joint, bootstrap (term indirect) or cr1 (other terms), each optionally `:COLUMN`
    /// (default `unitName`, so reports name the column, e.g. "sobel:city").
    /// - Throws: ``EstimationError/invalidOption(_:)`` naming the spelling.
    public static func parse(mediator: String, term: String, inference: String, replications: Int,
                             target: String, unitName: String? = nil) throws -> MediationMethod {
        let parts = inference.split(separator: ":", maxSplits: 1).map(String.init)
        let kind = parts.first ?? ""
        let column = parts.count > 1 ? parts[1] : unitName
        let quantity: Quantity
        switch (term, kind) {
        case ("indirect", _):
            guard let test = IndirectTest(rawValue: kind) else {
                throw EstimationError.invalidOption("mediation term indirect: inference must be sobel, joint or bootstrap[:COLUMN], got '\(inference)'")
            }
            quantity = .indirect(test)
        case ("a", "cr1"): quantity = .a
        case ("b", "cr1"): quantity = .b
        case ("direct", "cr1"): quantity = .direct
        case ("total", "cr1"): quantity = .total
        default:
            throw EstimationError.invalidOption("mediation: term must be indirect (inference sobel, joint, bootstrap) or "
                                                + "a, b, direct, total (inference cr1[:COLUMN]); got term '\(term)', inference '\(inference)'")
        }
        guard replications >= 1 else { throw EstimationError.invalidOption("mediation: reps must be at least 1, got \(replications)") }
        return MediationMethod(mediator: mediator, quantity: quantity, cluster: column, replications: replications, target: target)
    }

    public var estimatorName: String {
        switch quantity {
        case .indirect: return "mediation:indirect"
        case .a: return "mediation:a"
        case .b: return "mediation:b"
        case .direct: return "mediation:c'"
        case .total: return "mediation:c"
        }
    }

    public var inferenceName: String {
        let level = cluster ?? "unit"
        if case .indirect(let test) = quantity {
            return test == .bootstrap ? "bootstrap\(replications):\(level)" : "\(test.rawValue):\(level)"
        }
        return "cr1:\(level)"
    }

    /// Runs the three steps (and the bootstrap when asked) on the replication.
    /// - Throws: ``EstimationError/invalidOption(_:)`` when the mediator is not among the replication's
    ///   columns; ``MediationError`` and the regressions' errors.
    public func evaluate(_ data: ReplicationData, streamKey: UInt64, alpha: Double) throws -> MethodResult {
        guard let values = data.columns[mediator] else {
            throw EstimationError.invalidOption("mediator '\(mediator)' is not a column of the replication; available: "
                                                + data.columns.keys.sorted().joined(separator: ", "))
        }
        let bootstrapping = quantity == .indirect(.bootstrap)
        let seed = RandomStream.key(seed: streamKey, replication: 0, purpose: RandomStream.Purpose.bootstrap.rawValue)
        let mediation = Mediation(options: RegressionOptions(variance: .cluster(cluster ?? data.panel.unitName)),
                                  bootstrap: PairsBootstrapOptions(replications: bootstrapping ? replications : 0,
                                                                   seed: seed, threads: 1),
                                  alpha: alpha, level: 1 - alpha)
        let result = try mediation.estimate(data.panel, mediators: [MediatorColumn(name: mediator, values: values)])
        guard let path = result.paths.first else { throw MediationError.noMediators }
        func coefficient(_ estimate: Estimate, _ term: String, step: Int) throws -> MethodResult {
            guard let index = estimate.index(of: term) else {
                throw MediationError.notIdentified(step: step, mediator: mediator, term: term)
            }
            let interval = estimate.confidenceInterval(index, level: 1 - alpha)
            return MethodResult(estimate: estimate.coefficients[index], standardError: estimate.standardError(index),
                                confLow: interval.low, confHigh: interval.high, pValue: estimate.pValue(index))
        }
        switch quantity {
        case .indirect(.sobel):
            let interval = path.interval(level: 1 - alpha)
            return MethodResult(estimate: path.indirect, standardError: path.sobelStandardError, confLow: interval.low,
                                confHigh: interval.high, pValue: path.sobelPValue)
        case .indirect(.joint):
            return MethodResult(estimate: path.indirect, standardError: path.sobelStandardError, confLow: .nan,
                                confHigh: .nan, pValue: path.jointPValue)
        case .indirect(.bootstrap):
            guard let summary = path.bootstrap else { throw MediationError.invalidOption("bootstrap did not run") }
            return MethodResult(estimate: path.indirect, standardError: summary.standardError, confLow: summary.confLow,
                                confHigh: summary.confHigh, pValue: summary.pValue)
        case .a: return try coefficient(path.mediatorModel, "treat", step: 2)
        case .b: return try coefficient(path.outcomeModel, mediator, step: 3)
        case .direct: return try coefficient(path.outcomeModel, "treat", step: 3)
        case .total: return try coefficient(result.totalModel, "treat", step: 1)
        }
    }
}
