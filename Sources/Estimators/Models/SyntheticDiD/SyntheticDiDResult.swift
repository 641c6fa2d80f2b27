/// What ``SyntheticDiD`` returns: the ATT and each cohort's estimate, their standard errors, and
/// each cohort's unit and time weights with the tuning that produced them.
///
/// Effects (``effectEstimate(named:)``): `att` (the share-weighted average) and `g=PERIOD` (the
/// cohort adopting in PERIOD), each with the normal reference (R synthdid's intervals).
public struct SyntheticDiDResult: EstimatorOutput {
    /// One adoption cohort's block.
    public struct Cohort: Sendable {
        /// Adoption period index (also the number of pre-periods) and its label.
        public let adoptionPeriod: Int
        public let label: String
        /// The cohort's SDID estimate.
        public let estimate: Double
        /// Its own standard error (nil: undefined, e.g. one treated unit under the jackknife).
        public let standardError: Double?
        /// Treated units, never-treated controls, pre- and post-periods of the block.
        public let treatedCount: Int
        public let controlCount: Int
        public let preCount: Int
        public let postCount: Int
        /// Its weight in the ATT: N_tr T_post / Σ.
        public let share: Double
        /// ω, one per never-treated unit (in ``SyntheticDiDResult/controlLabels`` order).
        public let unitWeights: [Double]
        /// λ, one per pre-period (the first ``preCount`` periods).
        public let timeWeights: [Double]
        /// σ̂, ζ_ω and ζ_λ of the block.
        public let noiseLevel: Double
        public let zetaOmega: Double
        public let zetaLambda: Double
        /// Frank–Wolfe steps of the second (post-sparsify) pass; 10⁴ means the limit was reached.
        public let omegaIterations: Int
        public let lambdaIterations: Int
    }

    /// The outcome's name and the panel's size.
    public let outcome: String
    public let observationCount: Int
    public let unitCount: Int
    public let periodCount: Int
    /// The overall ATT.
    public let att: Double
    /// Its standard error.
    public let standardError: Double
    /// The variance method used (never ``SyntheticDiD/VarianceMethod/automatic``).
    public let variance: SyntheticDiD.VarianceMethod
    /// Draws and seed of the placebo or bootstrap (nil for the jackknife).
    public let replications: Int?
    public let seed: UInt64?
    /// Labels of the never-treated units, in ``Cohort/unitWeights`` order.
    public let controlLabels: [String]
    /// The panel's period labels (``Cohort/timeWeights`` are the first ``Cohort/preCount``).
    public let preLabels: [String]
    /// The cohorts, by adoption period.
    public let cohorts: [Cohort]
    /// Notes (what was dropped or chosen).
    public var notes: [String]

    /// `att` or `g=PERIOD`, with the normal reference; nil for other names or an undefined SE.
    public func effectEstimate(named name: String) -> EffectEstimate? {
        if name == "att" { return EffectEstimate(estimate: att, standardError: standardError) }
        guard name.hasPrefix("g="), let cohort = cohorts.first(where: { $0.label == String(name.dropFirst(2)) }),
              let se = cohort.standardError else { return nil }
        return EffectEstimate(estimate: cohort.estimate, standardError: se)
    }

    /// `att`, then `g=PERIOD` for each cohort with a standard error.
    public var effectNames: [String] { ["att"] + cohorts.filter { $0.standardError != nil }.map { "g=" + $0.label } }
}

extension SyntheticDiD: PanelEstimator {}
