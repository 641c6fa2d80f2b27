/// de Chaisemartin & D'Haultfœuille (2024) event-study estimator `did_multiplegt_dyn`, for a
/// binary treatment that switches on once and stays on (staggered adoption, the paper's case).
///
/// Periods are the ranks of the periods observed in the panel (`1…T`). A unit's baseline
/// treatment is its treatment in its first observed period; `F_g` is the first observed period
/// in which its treatment differs from its previous observed period (∞ when it never does).
/// Units treated in their first observed period (always treated in the sample) have no switcher
/// of their own baseline to compare with and are left out, as are all units when the
/// never-treated-at-baseline units share one `F_g` (nothing to compare); both are counted in
/// ``ChaisemartinDHaultfoeuilleResult/notes``. `G` is the number of units kept.
///
/// Effect `ℓ ≥ 1` (the paper's `DID_ℓ`, reported as event time `e+(ℓ−1)`):
///
///     DID_ℓ = (1/N_ℓ) Σ_t [ Σ_{g∈S_t} ΔY_g − (n^S_t / n^C_t) Σ_{g∈C_t} ΔY_g ],   ΔY_g = Y_{g,t} − Y_{g,t−ℓ}
///
/// where `S_t` are the switchers with `F_g − 1 + ℓ = t`, `C_t` the units not yet switched at `t`
/// (`F_g > t`, never-treated included), both with `Y_t` and `Y_{t−ℓ}` observed, `n^S_t`, `n^C_t`
/// their sizes (a switcher counts only when `n^C_t > 0`), and `N_ℓ = Σ_t n^S_t`.
/// Placebo `ℓ` (`DID^pl_ℓ`, event time `e−(ℓ+1)`, base period `e−1`) is the same with
/// `ΔY = Y_{t−2ℓ} − Y_{t−ℓ}` at `t = F_g − 1 + ℓ` (so `Y_{F_g−1−ℓ} − Y_{F_g−1}`), `Y_t` observed too:
/// the same switchers and controls as effect `ℓ`. The average total effect (R's `Av_tot_effect`,
/// reported as `att`) is `Σ_ℓ N_ℓ DID_ℓ / Σ_ℓ N_ℓ` over the reported effects.
///
/// Standard errors follow R `DIDmultiplegtDYN` 2.x as ported by moderndid 0.4.1 (`did_multiplegt`):
/// each unit's influence function
///
///     U_g = (G/N_ℓ) [ 1{g∈S_t} s_t (ΔY_g − m^S_t) − Σ_{t: g∈C_t} (n^S_t/n^C_t) c_t (ΔY_{g,t} − m^C_t) ]
///
/// demeans a switcher by its cohort's mean `m^S_t` (the switchers of `S_t`) with the
/// degrees-of-freedom factor `s_t = √(n/(n−1))`, `n = n^S_t`, and a control by the mean of `C_t`
/// with `c_t = √(n/(n−1))`, `n = n^C_t`; a cohort or control set of one unit falls back to the mean
/// and factor of `S_t ∪ C_t`. `se = √(Σ_g U_g²)/G` (clustered by the unit), normal reference; the
/// average total effect's influence function is the `N_ℓ`-weighted average of the effects'.
/// diff-diff 3.13 (`ChaisemartinDHaultfoeuille`) gives the same point estimates and a
/// cohort-recentred plug-in standard error without the factors (smaller by about 0.5% on mpdta).
///
/// Not supported (refused, never ignored): covariates, clustering coarser than the unit,
/// normalised effects, linear trends. A treatment that switches off cannot reach a ``Panel``.
public struct ChaisemartinDHaultfoeuille: PanelEstimator {
    /// Number of effects `L` (`e+0 … e+(L−1)`); nil: every effect some switcher reaches.
    public var effects: Int?
    /// Number of placebos `K` (`e−2 … e−(K+1)`), at most ``effects``; nil: every placebo some
    /// switcher reaches, up to the number of effects.
    public var placebos: Int?
    /// Clustering of the standard errors: the unit (`.cluster(unit)`) is the only one accepted.
    public var variance: VarianceType?

    /// Creates the estimator; nil counts mean "as many as the data allow" (see the properties).
    public init(effects: Int? = nil, placebos: Int? = nil, variance: VarianceType? = nil) {
        self.effects = effects
        self.placebos = placebos
        self.variance = variance
    }

    /// Estimates the effects, placebos and average total effect on `panel`.
    /// - Throws: ``ChaisemartinDHaultfoeuilleError`` (covariates, a coarser clustering, no switcher
    ///   with a control, more effects or placebos asked for than the data reach, a horizon without switchers).
    public func estimate(_ panel: Panel) throws -> ChaisemartinDHaultfoeuilleResult {
        if !panel.covariateNames.isEmpty { throw ChaisemartinDHaultfoeuilleError.covariates(panel.covariateNames) }
        switch variance {
        case .cluster(let name) where name != panel.unitName:
            throw ChaisemartinDHaultfoeuilleError.clustering(requested: name, unit: panel.unitName)
        case .iid, .hetero:
            throw ChaisemartinDHaultfoeuilleError.clustering(requested: variance?.label ?? "", unit: panel.unitName)
        default: break
        }
        let data = DCDHPanel(panel)
        let available = data.availableHorizons
        guard available.effects > 0 else { throw ChaisemartinDHaultfoeuilleError.noSwitchers(notes: data.notes) }
        let effectCount = effects ?? available.effects
        guard effectCount >= 1, effectCount <= available.effects else {
            throw ChaisemartinDHaultfoeuilleError.tooManyEffects(requested: effectCount, available: available.effects)
        }
        let placeboLimit = min(available.placebos, effectCount)
        let placeboCount = placebos ?? placeboLimit
        guard placeboCount >= 0, placeboCount <= placeboLimit else {
            throw ChaisemartinDHaultfoeuilleError.tooManyPlacebos(requested: placeboCount, available: placeboLimit)
        }

        var effectHorizons: [ChaisemartinDHaultfoeuilleResult.Horizon] = []
        var influences: [[Double]] = []
        for lag in 1...effectCount {
            guard let (horizon, influence) = data.horizon(lag, placebo: false) else {
                throw ChaisemartinDHaultfoeuilleError.emptyHorizon(term: "e+\(lag - 1)")
            }
            effectHorizons.append(horizon)
            influences.append(influence)
        }
        var placeboHorizons: [ChaisemartinDHaultfoeuilleResult.Horizon] = []
        for lag in stride(from: 1, through: placeboCount, by: 1) {
            guard let (horizon, _) = data.horizon(lag, placebo: true) else {
                throw ChaisemartinDHaultfoeuilleError.emptyHorizon(term: "e-\(lag + 1)")
            }
            placeboHorizons.append(horizon)
        }

        // Average total effect: effects weighted by their switcher counts (binary treatment: each
        // switcher's treatment change is 1, so R's denominator is 1).
        let total = Double(effectHorizons.reduce(0) { $0 + $1.switcherCount })
        var average = 0.0
        var averageInfluence = [Double](repeating: 0, count: data.unitCount)
        for (horizon, influence) in zip(effectHorizons, influences) {
            let weight = Double(horizon.switcherCount) / total
            average += weight * horizon.effect.estimate
            for g in 0..<data.unitCount { averageInfluence[g] += weight * influence[g] }
        }
        let averageSE = (averageInfluence.reduce(0) { $0 + $1 * $1 }).squareRoot() / Double(data.unitCount)
        let averageEffect = ChaisemartinDHaultfoeuilleResult.Horizon(
            term: "att", eventTime: nil, lag: 0, effect: EffectEstimate(estimate: average, standardError: averageSE),
            switcherCount: Int(total))

        return ChaisemartinDHaultfoeuilleResult(
            outcomeName: panel.outcomeName, unitName: panel.unitName, observationCount: data.observationCount,
            unitCount: data.unitCount, periodCount: data.periodCount, switcherCount: data.switcherCount,
            neverSwitcherCount: data.neverSwitcherCount, effects: effectHorizons, placebos: placeboHorizons,
            average: averageEffect, notes: data.notes)
    }
}

extension ChaisemartinDHaultfoeuille: Sendable {}
