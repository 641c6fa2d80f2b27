import Foundation

// MARK: - Effects

extension Scenario {
    /// A cohort-specific effect, overriding ``EffectOptions/att`` (and optionally the slope) for one cohort.
    public struct CohortEffect: Codable, Sendable, Equatable {
        /// The cohort's adoption year.
        public var year: Int
        /// Its effect at adoption (before the dynamic slope).
        public var att: Double
        /// Its slope per year of exposure (default nil: ``EffectOptions/dynamicSlope``).
        public var dynamicSlope: Double?
        public init(year: Int, att: Double, dynamicSlope: Double? = nil) {
            self.year = year; self.att = att; self.dynamicSlope = dynamicSlope
        }
    }

    /// The *total* effect of treatment on the latent outcome of a treated observation with event
    /// time `e = t − g ≥ 0`: `τ_it = (att_g + slope_g·(e + 1)) × m_region × m_resource × m_oldIndustrial`.
    /// Mediators carve a constant `Σ a_k b_k` out of it (the rest is the direct effect).
    public struct EffectOptions: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// Effect at adoption (default 0.01 ≈ 0.5σ). Breaks nothing: a constant effect is the case
        /// in which TWFE is unbiased.
        public var att: Double = 0.01
        /// Added per year of exposure, counting the adoption year as 1 (default 0). Breaks
        /// homogeneity over event time: TWFE under staggered timing is then biased
        /// (Goodman-Bacon 2021). `paper-dynamic` uses att 0 and slope 0.002 (cell average ≈ 0.0107).
        public var dynamicSlope: Double = 0
        /// Cohort-specific effects (default empty). Breaks homogeneity across cohorts.
        public var cohortEffects: [CohortEffect] = []
        /// Multiplier in developed (east) cities (default 1; `paper-heterogeneous` 1.5).
        public var developedMultiplier: Double = 1
        /// Multiplier in resource-based cities (default 1; `paper-heterogeneous` 0.5).
        public var resourceMultiplier: Double = 1
        /// Multiplier in old industrial bases (default 1; `paper-heterogeneous` 0).
        public var oldIndustrialMultiplier: Double = 1
        /// Anticipation: treated cities already respond this many years before adoption (default 0).
        /// In those years the effect is `anticipationShare` × the effect at adoption. Breaks the
        /// no-anticipation assumption: an estimator whose base period is `g − 1` (TWFE, the event
        /// study with `e − 1` as reference, CS with `anticipation = 0`) compares with an already
        /// affected year. `paper-anticipation` uses 1: the pilots were announced in October 2011 and
        /// trading began in 2013–14.
        public var anticipationYears: Int = 0
        /// Size of the anticipation effect relative to the effect at adoption (default 0.5).
        public var anticipationShare: Double = 0.5
        /// Contaminated controls: from this year every city coded never-treated receives
        /// `contaminationShare` × ``att`` while staying coded never-treated (default nil: none).
        /// Breaks the clean-control assumption: `paper-contaminated-controls` uses 2021, the national
        /// ETS, which covers the power sector of every city. A year after the sample's last year
        /// means no contamination in sample (the sample truncated before it).
        public var contaminationYear: Int?
        /// Size of the contamination relative to ``att`` (default 0.3: an assumption — the national
        /// ETS covers power plants only, about 40% of China's CO2 emissions).
        public var contaminationShare: Double = 0.3

        public init() {}
    }
}

// MARK: - Spillovers

extension Scenario {
    /// How a spillover decays with distance.
    public enum SpilloverKind: String, Codable, Sendable, CaseIterable, ScenarioChoice {
        /// No spillovers (SUTVA holds).
        case none
        /// Full spillover within `radiusKm` of an adopted city, none beyond (Butts 2023's rings).
        case ring
        /// `amount · exp(−d/decayKm)` within `cutoffKm` (Clarke 2017, model 3).
        case exponential
    }

    /// Effects on *untreated* observations near cities that have already adopted. Timing follows the
    /// neighbours: `S_it` uses the distance `d_it` from city `i` to the nearest city adopted by year `t`.
    /// Any kind but `none` breaks SUTVA: naive DiD estimates `τ − τ_spill` (Butts 2021, Prop. 2.1).
    public struct SpilloverOptions: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// `none` (default), `ring` or `exponential`.
        public var kind: SpilloverKind = .none
        /// Size relative to ``EffectOptions/att`` (default 0.3; negative = "siphon" effect).
        public var share: Double = 0.3
        /// Absolute size, overriding `share` when given (default nil).
        public var amount: Double?
        /// `ring`: radius in km (default nil: chosen so that `exposedShare` of the never-treated
        /// cities lie within it of an eventually treated city).
        public var radiusKm: Double?
        /// Target share of never-treated cities within the ring when `radiusKm` is nil (default 0.2).
        public var exposedShare: Double = 0.2
        /// `exponential`: decay length in km (default 50).
        public var decayKm: Double = 50
        /// `exponential`: no spillover beyond this distance (default nil: 3 × decayKm).
        public var cutoffKm: Double?

        public init() {}
    }
}

// MARK: - Mediators, confounder, covariates

extension Scenario {
    /// A mediator `M_it = mean + θ(μ_i − E μ) + unitSD·η_i + trend·t + a·D_it + noiseSD·e_it`
    /// (`e` iid standard normal, mixed with the confounder when one is set); the outcome loads `b·(M_it − mean)`.
    /// The true indirect effect is `a·b`. Step 3 of Baron–Kenny (`Y` on `D` and `M`) is unbiased only
    /// without a confounder (Jiang 2022).
    public struct Mediator: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// Column name (default "m").
        public var name: String = "m"
        /// Level (default 0).
        public var mean: Double = 0
        /// Loading θ on the outcome's unit effect μ_i (default 0).
        public var unitLoading: Double = 0
        /// SD of the mediator's own unit effect η_i (default 0).
        public var unitSD: Double = 0
        /// Common trend per year (default 0).
        public var trend: Double = 0
        /// SD of the idiosyncratic noise (default 1).
        public var noiseSD: Double = 1
        /// Effect `a` of treatment on the mediator (default 0.5: half a noise SD).
        public var effect: Double = 0.5
        /// Effect `b` of the mediator on the outcome (default 0).
        public var outcomeLoading: Double = 0

        public init() {}
        public init(name: String, mean: Double = 0, unitLoading: Double = 0, unitSD: Double = 0, trend: Double = 0,
                    noiseSD: Double = 1, effect: Double, outcomeLoading: Double) {
            self.name = name; self.mean = mean; self.unitLoading = unitLoading; self.unitSD = unitSD
            self.trend = trend; self.noiseSD = noiseSD; self.effect = effect; self.outcomeLoading = outcomeLoading
        }

        /// The true indirect effect `a·b`.
        public var indirectEffect: Double { effect * outcomeLoading }
    }

    /// An unobserved confounder `U_it ~ N(0, 1)`: each mediator's noise is `√(1−r²)·e + r·U` and the
    /// outcome gets `λ·U`. Any `r ≠ 0` with `λ ≠ 0` biases step 3 of the causal-steps mediation test.
    public struct Confounder: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// Correlation r of U with each mediator's noise (default 0: no confounder).
        public var correlation: Double = 0
        /// Loading λ of the outcome on U (default 0).
        public var outcomeSD: Double = 0
        public init() {}

        /// True when U is drawn.
        public var isActive: Bool { correlation != 0 || outcomeSD != 0 }
    }

    /// A covariate `X_it = mean + unitSD·ξ_i + trend·t + noiseSD·z_it` with unit component
    /// `ξ_i = z_i + treatedShift·1{i ever treated}`. The outcome loads `β·(X_it − mean) + γ·(t − t̄)·ξ_i`.
    /// Selection on the covariate (`treatedShift ≠ 0`) together with a covariate-specific trend
    /// (`trendInteraction ≠ 0`) breaks unconditional parallel trends; they hold conditional on ξ.
    public struct Covariate: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// Column name (default "x").
        public var name: String = "x"
        /// Level (default 0).
        public var mean: Double = 0
        /// SD of the unit component (default 1).
        public var unitSD: Double = 1
        /// Common trend per year (default 0).
        public var trend: Double = 0
        /// SD of the idiosyncratic part (default 0.1).
        public var noiseSD: Double = 0.1
        /// β: outcome per unit of X (default 0).
        public var outcomeLoading: Double = 0
        /// Mean shift of ξ for ever-treated cities, in unit SDs (default 0: no selection).
        public var treatedShift: Double = 0
        /// γ: outcome trend per year per unit SD of ξ (default 0).
        public var trendInteraction: Double = 0

        public init() {}
        public init(name: String, mean: Double = 0, unitSD: Double = 1, trend: Double = 0, noiseSD: Double = 0.1,
                    outcomeLoading: Double = 0, treatedShift: Double = 0, trendInteraction: Double = 0) {
            self.name = name; self.mean = mean; self.unitSD = unitSD; self.trend = trend; self.noiseSD = noiseSD
            self.outcomeLoading = outcomeLoading; self.treatedShift = treatedShift; self.trendInteraction = trendInteraction
        }
    }
}

// MARK: - Errors

extension Scenario {
    /// Distribution of the unit effects μ_i.
    public enum UnitEffectDistribution: String, Codable, Sendable, CaseIterable, ScenarioChoice {
        /// Lognormal with the given mean and SD: right-skewed and positive, like an index level.
        case lognormal
        /// Normal with the given mean and SD.
        case normal
    }

    /// Unit effects, trend and errors. The idiosyncratic error is `s_i(ν_pt + w_it + u_it)`:
    /// province-year shocks `ν_pt ~ N(0, π σ²)` iid, a spatial field `w_·t ~ N(0, κ σ² R)` iid over
    /// years (`R_ij = exp(−d_ij/range)`), and AR(1) `u_it = ρ u_i,t−1 + √(1−ρ²) σ_u z_it` with
    /// stationary variance `σ_u² = (1 − π − κ)σ²` (started from the stationary distribution),
    /// so `Var(ν + w + u) = σ²` and π (κ) is the province (spatial) share of the error variance.
    public struct ErrorOptions: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// Distribution of μ_i (default lognormal).
        public var unitEffectDistribution: UnitEffectDistribution = .lognormal
        /// Mean of μ_i (default 0.10, an entropy index's typical city level).
        public var unitEffectMean: Double = 0.10
        /// SD of μ_i (default 0.08).
        public var unitEffectSD: Double = 0.08
        /// Common linear trend per year (default 0.005).
        public var trend: Double = 0.005
        /// SD of iid common year shocks ω_t (default 0; absorbed by year effects).
        public var yearShockSD: Double = 0
        /// Stationary SD σ of the idiosyncratic error (default 0.02).
        public var sd: Double = 0.02
        /// AR(1) coefficient ρ (default 0.8; BDM's Monte Carlo). Any ρ ≠ 0 breaks iid errors: non-
        /// clustered standard errors over-reject (Bertrand, Duflo & Mullainathan 2004).
        public var rho: Double = 0.8
        /// Province share π of the error variance (default 0.1; the textbook designs `bdm`, `blw-*`
        /// use 0). π > 0 correlates errors within provinces: city-clustered standard errors
        /// over-reject with few treated provinces. The default is an assumption, not an estimate:
        /// no NQPF panel is public to calibrate it (`didlab diagnose` estimates it on the user's
        /// panel as `level_share`); 0 would make city clustering look valid whenever a common
        /// provincial policy or shock exists (the `province-share` experiment shows the grid).
        public var provinceShare: Double = 0.1
        /// Heteroskedasticity h: error scale `s_i ∝ exp(h·z_i)`, where `z_i` is the standard normal
        /// draw behind city i's unit effect (so for h > 0 cities with larger μ_i are more volatile;
        /// for a lognormal μ this is `s_i ∝ μ_i^(h/σ_log)`), normalised so that the mean of s_i² over the
        /// cities is 1 (default 0: homoskedastic). Breaks iid variance; HC/CR estimators remain valid.
        public var heteroskedasticity: Double = 0
        /// Error scale of the one-city municipalities relative to the other cities, before the
        /// normalisation of the mean of s_i² to 1 (default 1). `paper-heteroskedastic` uses 3: the
        /// four municipalities — three of them 2013 pilots — are the largest and most volatile
        /// cities. Breaks the exchangeability that a city-level randomization test needs.
        public var municipalityScale: Double = 1
        /// Share of the error variance in a spatially correlated component (default 0): each year a
        /// Gaussian field over the cities with correlation `exp(−d/spatialRangeKm)` between cities
        /// `d` km apart, independent over years. It is taken out of the AR(1) part, so
        /// `Var(ν + w + u) = σ²` still. Breaks independence across clusters that are neighbours.
        public var spatialShare: Double = 0
        /// Range (km) of the spatial correlation (default 150: about a province's radius).
        public var spatialRangeKm: Double = 150

        public init() {}
    }
}

// MARK: - Measurement

extension Scenario {
    /// What the outcome column holds.
    public enum MeasurementKind: String, Codable, Sendable, CaseIterable, ScenarioChoice {
        /// The latent index `Y*` itself.
        case latent
        /// An entropy-weight index of ``MeasurementOptions/indicators`` (see ``EntropyWeightIndex``):
        /// a generated regressand whose scale depends on the data.
        case entropy
    }

    /// How the index weights are chosen.
    public enum IndicatorWeighting: String, Codable, Sendable, CaseIterable, ScenarioChoice {
        /// Entropy weights estimated from each replication's data (the genre's practice).
        case estimated
        /// Equal weights (the min–max normalisation is still estimated).
        case equal
    }

    /// How the value of an indicator relates to the latent index.
    public enum IndicatorTransform: String, Codable, Sendable, CaseIterable, ScenarioChoice {
        /// `x = mean + loading·Y* + noiseSD·z`.
        case linear
        /// `x = exp(mean + loading·Y* + noiseSD·z)` (counts, ratios): makes the index nonlinear in Y*.
        case exponential
    }

    /// One indicator of the index. Its direction is the sign of `loading` (negative indicators,
    /// such as energy intensity, are normalised as `(max − x)/(max − min)`).
    public struct Indicator: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// Column name (default "ind").
        public var name: String = "ind"
        /// Level (default 0).
        public var mean: Double = 0
        /// Loading on Y* (default 1).
        public var loading: Double = 1
        /// SD of the measurement noise (default 0.01).
        public var noiseSD: Double = 0.01
        /// Linear (default) or exponential.
        public var transform: IndicatorTransform = .linear

        public init() {}
        public init(name: String, mean: Double = 0, loading: Double = 1, noiseSD: Double = 0.01,
                    transform: IndicatorTransform = .linear) {
            self.name = name; self.mean = mean; self.loading = loading; self.noiseSD = noiseSD; self.transform = transform
        }
    }

    /// Outcome measurement. With `entropy`, the truth is computed on the index scale from the same
    /// draws with and without treatment: the counterfactual indicators are normalised and weighted
    /// with the bounds and weights estimated on the observed data (the index's formula held fixed).
    public struct MeasurementOptions: Codable, Sendable, Equatable, DefaultedScenarioSection {
        /// `latent` (default) or `entropy`.
        public var kind: MeasurementKind = .latent
        /// Name of the outcome column (default "y").
        public var outcomeName: String = "y"
        /// The indicators of an `entropy` index (default empty; required for `entropy`).
        public var indicators: [Indicator] = []
        /// Estimated entropy weights (default) or equal weights.
        public var weighting: IndicatorWeighting = .estimated
        /// Shift added after min–max normalisation to avoid log 0 (default 1e-4).
        public var shift: Double = 1e-4

        public init() {}
    }
}
