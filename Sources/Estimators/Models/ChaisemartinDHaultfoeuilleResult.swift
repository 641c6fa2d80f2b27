/// What ``ChaisemartinDHaultfoeuille`` returns: the effects of switching on, their placebos and
/// the average total effect, each with its influence-function standard error (normal reference).
///
/// Effect names follow DiDLab's event vocabulary (event time `e = t − F_g`, reference `e−1`):
/// - `e+K` (K ≥ 0): the paper's `DID_{K+1}`, the effect `K` periods after the switch (`e+0` is the
///   switch period, R's `Effect_1`);
/// - `e−K` (K ≥ 2): the placebo `DID^pl_{K−1}` (R's `Placebo_{K−1}`), comparing period `F_g − K`
///   with `F_g − 1`;
/// - `att`: the average total effect (R's `Av_tot_effect`), the switcher-weighted mean of the effects.
public struct ChaisemartinDHaultfoeuilleResult: EstimatorOutput {
    /// One effect or placebo.
    public struct Horizon: Sendable, Equatable {
        /// `e+0`, `e-2`, `att`.
        public let term: String
        /// Event time (nil for `att`).
        public let eventTime: Int?
        /// The paper's ℓ: positive for effects, negative for placebos (0 for `att`).
        public let lag: Int
        /// Estimate, standard error and the normal reference.
        public let effect: EffectEstimate
        /// Switchers it averages over (for `att`, summed over the effects).
        public let switcherCount: Int
    }

    /// The outcome column.
    public let outcomeName: String
    /// The unit column (the clustering of the standard errors).
    public let unitName: String
    /// Observations of the units kept.
    public let observationCount: Int
    /// Units kept (`G`).
    public let unitCount: Int
    /// Observed periods.
    public let periodCount: Int
    /// Kept units that switch, and that never switch.
    public let switcherCount: Int
    public let neverSwitcherCount: Int
    /// Effects `e+0 …`, in order.
    public let effects: [Horizon]
    /// Placebos `e−2 …`, in order.
    public let placebos: [Horizon]
    /// The average total effect (`att`).
    public let average: Horizon
    /// Units left out, and why.
    public var notes: [String]

    /// Every reported row: effects, placebos, then `att`.
    public var horizons: [Horizon] { effects + placebos + [average] }

    /// The named effect (`e+K`, `e-K`, `att`), or nil.
    public func effectEstimate(named name: String) -> EffectEstimate? {
        horizons.first { $0.term == name }?.effect
    }

    /// The reported names.
    public var effectNames: [String] { horizons.map(\.term) }
}

/// Why ``ChaisemartinDHaultfoeuille`` cannot run on a panel; each message names what was found
/// and what was expected.
public enum ChaisemartinDHaultfoeuilleError: Error, Equatable, CustomStringConvertible {
    /// Covariates were given (the estimator is implemented without controls).
    case covariates([String])
    /// A variance other than clustering by the unit was asked for.
    case clustering(requested: String, unit: String)
    /// No unit switches with a not-yet-switched unit of the same baseline to compare with.
    case noSwitchers(notes: [String])
    /// More effects asked for than any switcher reaches.
    case tooManyEffects(requested: Int, available: Int)
    /// More placebos asked for than any switcher reaches (or than effects).
    case tooManyPlacebos(requested: Int, available: Int)
    /// A horizon within reach has no switcher observed at both of its periods.
    case emptyHorizon(term: String)

    /// One line for the user.
    public var description: String {
        let method = "de Chaisemartin-D'Haultfoeuille"
        switch self {
        case .covariates(let names):
            return "\(method): implemented without covariates; drop the covariates (" + names.joined(separator: ", ") + ")"
        case let .clustering(requested, unit):
            return "\(method): standard errors are clustered by the unit column (\(unit)); got \(requested)"
        case .noSwitchers(let notes):
            return "\(method): no unit switches into treatment while a not-yet-treated unit is observed; expected "
                + "units adopting at different periods (or never-treated units)" + (notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")")
        case let .tooManyEffects(requested, available):
            return "\(method): \(requested) effect\(requested == 1 ? "" : "s") (e+0..e+\(requested - 1)) asked for, "
                + "expected at least 1 and at most \(available) (the last period with a not-yet-treated unit)"
        case let .tooManyPlacebos(requested, available):
            return "\(method): \(requested) placebo\(requested == 1 ? "" : "s") asked for, expected at most \(available) "
                + "(periods before the switchers' adoption, and no more than the effects)"
        case .emptyHorizon(let term):
            return "\(method): no switcher is observed at both periods of \(term); ask for fewer effects or placebos"
        }
    }
}
