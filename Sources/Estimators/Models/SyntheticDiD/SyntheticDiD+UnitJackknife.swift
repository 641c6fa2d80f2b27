/// Synthetic DiD with its fixed-weight jackknife (Arkhangelsky et al. 2021, Algorithm 3) as the
/// `cr3` of the registry: the jackknife leaves out one unit at a time, so it is CR3 by the unit
/// and by nothing coarser. This is how experiment specs and `diagnose` name SDID's own standard
/// error (`inference: cr3`).
public struct SyntheticDiDUnitJackknife: PanelEstimator {
    /// The estimator (its variance set to the jackknife).
    public let base: SyntheticDiD
    /// The clustering the caller asked the jackknife for; must be the panel's unit.
    public let cluster: String

    /// Creates the estimator from `base`, whose variance becomes the jackknife.
    public init(base: SyntheticDiD, cluster: String) {
        var jackknife = base
        jackknife.variance = .jackknife
        self.base = jackknife
        self.cluster = cluster
    }

    /// Estimates on `panel`.
    /// - Throws: ``InvalidParameter`` (role ``Parameter/inference``) when ``cluster`` is not the
    ///   panel's unit, and the estimator's own errors.
    public func estimate(_ panel: Panel) throws -> SyntheticDiDResult {
        guard cluster == panel.unitName else {
            throw InvalidParameter(.inference, "cr3:\(cluster)", "synthetic DiD's jackknife leaves out one unit at a time; "
                                   + "expected cr3 by the unit (\(panel.unitName))")
        }
        return try base.estimate(panel)
    }
}
