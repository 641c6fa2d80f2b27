/// Butts' (2021, 2023) spillover-robust DiD with distance rings.
///
/// **One stage** (``Stages/oneStage``, method "rings"): the TWFE regression
/// ```
/// y_it = τ D_it + Σ_j δ_j (1 − D_it) Ring_j,it + γ'X_it + μ_i + λ_t + ε_it
/// ```
/// with ``RingExposure``'s rings. Under parallel trends and no spillover beyond the last edge
/// (Butts' Assumption 5), `τ` is the direct effect, identified from the far controls, and `δ_j`
/// the average spillover on untreated observations in ring `j`. Without rings, TWFE estimates
/// `τ − (average spillover on the controls)` (Butts 2021, Prop. 2.1). Fitted by
/// ``FixedEffectsRegression`` (CR1 etc. as every regression).
///
/// **Two stages** (``Stages/twoStage``, method "rings-2s"), for staggered adoption (Gardner 2021
/// with Butts' exclusion): stage 1 fits `y_it = μ_i + λ_t + γ'X_it` on the observations that are
/// untreated **and** in no ring; stage 2 regresses `ỹ_it = y_it − μ̂_i − λ̂_t − γ̂'X_it` on `D_it`
/// and the ring indicators without intercept, over all observations. The variance is Gardner's
/// GMM correction as in R/py `did2s`: `V = (X₂'X₂)⁻¹ Σ_g ψ_g ψ_g' (X₂'X₂)⁻¹` with
/// `ψ_g = Σ_{r∈g} x₂_r ê₂_r − Γ' Σ_{r∈g} x₁₀_r ê₁_r`, `Γ = (X₁₀'X₁₀)⁻¹ X₁'X₂` (X₁ the stage-1
/// design, X₁₀ its rows in the stage-1 sample), no small-sample factor (the did2s convention),
/// and t(G − 1) for p-values and intervals (DiDLab's clustered convention). The fixed effects are
/// solved exactly (units partialled out, periods and controls by a dense Cholesky).
///
/// Rings with no observation are an error (``EmptyRingPolicy/error``, the default) or dropped
/// with a note (``EmptyRingPolicy/drop``).
public struct SpilloverRings: Sendable {
    /// Which estimator.
    public enum Stages: String, Sendable, CaseIterable {
        /// TWFE with ring indicators ("rings").
        case oneStage = "rings"
        /// Gardner's two-stage estimator with exposed observations excluded from stage 1 ("rings-2s").
        case twoStage = "rings-2s"
    }

    /// What to do with a ring that holds no untreated observation.
    public enum EmptyRingPolicy: String, Sendable, CaseIterable {
        /// Throw ``SpilloverError/emptyRing(ring:nearestBelow:nearestAbove:)`` (default).
        case error
        /// Drop its term and say so in the notes.
        case drop
    }

    /// Band edges `d₁ < … < d_J` in the metric's units.
    public var edges: [Double]
    /// One- or two-stage estimator (default one stage).
    public var stages: Stages
    /// Empty-ring policy (default error).
    public var emptyRings: EmptyRingPolicy
    /// Variance (default nil: CR1 by the panel's unit, fixest's correction). The two-stage
    /// estimator needs a clustered variance.
    public var options: RegressionOptions?

    /// Creates the estimator; see the properties for the defaults.
    public init(edges: [Double], stages: Stages = .oneStage, emptyRings: EmptyRingPolicy = .error,
                options: RegressionOptions? = nil) {
        self.edges = edges
        self.stages = stages
        self.emptyRings = emptyRings
        self.options = options
    }

    /// Estimates the model; the first term is "treat" (the direct effect), then one term per kept
    /// ring ("ring(0-50]", …), then the panel's covariates (one stage only).
    /// - Throws: ``SpilloverError`` for bad rings or coordinates; the regressions' errors.
    public func estimate(_ panel: Panel, coordinates: UnitCoordinates) throws -> Estimate {
        let exposure = try RingExposure(panel: panel, coordinates: coordinates, edges: edges)
        let kept = try keptRings(exposure, panel: panel)
        guard exposure.farControlCount > 0 else { throw SpilloverError.noFarControls(lastEdge: edges[edges.count - 1]) }
        let options = self.options ?? RegressionOptions(variance: .cluster(panel.unitName))
        let notes = describe(exposure, kept: kept, coordinates: coordinates)
        switch stages {
        case .oneStage:
            let terms = [Estimate.Term(name: "treat")] + kept.map { Estimate.Term(name: exposure.termName($0)) }
            var estimate = try FixedEffectsRegression.fit(panel: panel, method: stages.rawValue, terms: terms,
                                                          columns: [panel.treatmentColumn] + kept.map(exposure.column),
                                                          options: options, extraNotes: notes)
            estimate.droppedTerms = droppedNames(exposure, kept: kept) + estimate.droppedTerms
            return estimate
        case .twoStage:
            var estimate = try RingTwoStage(panel: panel, exposure: exposure, rings: kept, options: options)
                .estimate(notes: notes)
            estimate.droppedTerms = droppedNames(exposure, kept: kept) + estimate.droppedTerms
            return estimate
        }
    }

    /// The rings that hold observations, applying the empty-ring policy.
    func keptRings(_ exposure: RingExposure, panel: Panel) throws -> [Int] {
        let kept = (0..<exposure.ringCount).filter { exposure.observationCounts[$0] > 0 }
        guard !kept.isEmpty else { throw SpilloverError.allRingsEmpty(edges: exposure.edges) }
        if emptyRings == .error, let empty = (0..<exposure.ringCount).first(where: { exposure.observationCounts[$0] == 0 }) {
            var below: Double?, above: Double?
            for row in exposure.ring.indices where !panel.isTreated(row: row) {
                let distance = exposure.nearestTreatedDistance[row]
                guard distance.isFinite else { continue }
                if distance <= exposure.lowerEdge(empty) { below = max(below ?? distance, distance) }
                if distance > exposure.edges[empty] { above = min(above ?? distance, distance) }
            }
            throw SpilloverError.emptyRing(ring: exposure.termName(empty), nearestBelow: below, nearestAbove: above)
        }
        return kept
    }

    func droppedNames(_ exposure: RingExposure, kept: [Int]) -> [String] {
        (0..<exposure.ringCount).filter { !kept.contains($0) }.map(exposure.termName)
    }

    /// Notes describing the rings.
    func describe(_ exposure: RingExposure, kept: [Int], coordinates: UnitCoordinates) -> [String] {
        let metric = coordinates.metric == .planar
            ? "planar Euclidean distance from \(coordinates.names.joined(separator: ","))"
            : "great-circle (haversine, R = 6371.0088 km) distance in km from latitude,longitude "
                + coordinates.names.joined(separator: ",")
        var notes = ["rings: \(metric) to the nearest other unit adopted by that period; ring terms are 1 on untreated "
                     + "observations only; ring(0-d1] includes distance 0"]
        for j in 0..<exposure.ringCount {
            if kept.contains(j) {
                notes.append("\(exposure.termName(j)): \(exposure.observationCounts[j]) untreated observations of "
                             + "\(exposure.unitCounts[j]) units")
            } else {
                notes.append("\(exposure.termName(j)) has no untreated observation: term dropped")
            }
        }
        notes.append("direct effect 'treat' identified from \(exposure.farControlCount) untreated observations beyond "
                     + "\(RingExposure.format(exposure.edges[exposure.ringCount - 1])) of any adopted unit (or before "
                     + "any other unit adopted), assuming no spillover beyond the last edge (Butts 2021, Assumption 5)")
        return notes
    }
}
