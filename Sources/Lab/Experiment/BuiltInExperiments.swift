/// Experiments built into the tool, so `didlab run` works with no file. Each is identical to the
/// file of the same name in `experiments/` (a test checks it).
public enum BuiltInExperiments {
    /// `experiments/paper-baseline.yaml`.
    public static let paperBaseline = """
    # The paper's baseline design, in the ADEMP structure (Morris, White & Crowther 2019).
    experiment: paper-baseline
    aims: >
      Can the genre's baseline be trusted? Under the carbon-trading pilot calendar (37 treated cities
      in 6 provinces, 2013 and 2014 cohorts, 282 cities 2009-2022, AR(1) errors with rho 0.8,
      province-year shocks holding 10% of the error variance), do TWFE and the event study with
      city-clustered CR1 errors, and the placebo test, have the bias, coverage and size they claim,
      with no effect, a constant effect, one growing with exposure, and both; and what power do
      they have once their size is adjusted?
    data:
      scenario: paper
      grid: {effects.att: [0.0, 0.01], effects.dynamicSlope: [0.0, 0.002]}
    estimands: {att: overall ATT over treated city-years, "e+0": ATT in the adoption year}
    methods:
      - {name: TWFE, estimator: twfe, inference: cr1, target: att}
      - {name: TWFE iid, estimator: twfe, inference: iid, target: att}
      - {name: Event study e+0, estimator: event, term: "e+0", inference: cr1, target: "e+0"}
      - {name: TWFE placebo, estimator: twfe, inference: placebo, permutations: 199, target: att}
    performance: [bias, rmse, coverage, rejection, size, power]
    replications: 500
    seed: 20251215
    alpha: 0.05

    """
}
