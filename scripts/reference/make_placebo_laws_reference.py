#!/usr/bin/env python3
"""Placebo-laws oracle for `didlab diagnose` (issue 13): a brute-force Monte Carlo on mpdta.

Writes Tests/Fixtures/placebo_laws_reference.json. Reads Tests/Fixtures/mpdta.csv (R did's mpdta,
500 counties x 2003-2007, first.treat 0 = never treated). The protocol (Bertrand, Duflo &
Mullainathan 2004, section IV; the "placebo laws" source of `diagnose`):

  1. Sample: the 309 never-treated counties, all 5 years (balanced, 1545 rows); outcome lemp.
     The real treatment never enters it.
  2. Template: the real counts of counties per adoption year, never included (2004: 20, 2006: 40,
     2007: 131, never: 309 of 500), apportioned to the 309 sample counties by largest remainder
     (Hamilton): floor(count * 309 / 500) first, the leftover units to the largest remainders (ties
     to the earlier category in the order 2004, 2006, 2007, never) -> 12, 25, 81, 191.
  3. Replication r = 0 .. R-1: labels = rng.permutation(template), rng = Generator(PCG64(SEED)),
     drawn in that order once for all effects; template = [2004]*12 + [2006]*25 + [2007]*81 +
     [0]*191 and labels[i] is the placebo cohort of the i-th county in ascending countyreal order.
  4. Effect delta: y = lemp + delta * D, D = 1{placebo cohort > 0 and year >= placebo cohort}.
  5. Methods, reject when the two-sided p < 0.05:
       twfe_cr1_county  y ~ D | county + year, CR1 by county
       twfe_cr1_state   the same, CR1 by state = countyreal // 1000 (FIPS state code; 16 states)
     Both use fixest's small-sample rule (ssc(): fixef.K = "nested", t.df = G - 1):
       V = G/(G-1) (n-1)/(n-K) sum_g s_g^2 / (sum Dt^2)^2,  s_g = sum_{rows in g} Dt u,  K = 1 + T = 6
     The county fixed effects are nested in either cluster (each county lies in one state), so
     neither counts them; pyfixest 0.60.0 reports K = 6 for both, and its SEs are matched below. A
     sensitivity block gives the state test with every fixed effect counted (fixef.K = "full",
     K = 1 + N + T - 1 = 314), which is NOT fixest's default.
     Estimation: the balanced two-way within transform (x - row mean - column mean + grand mean)
     of D and y, beta = sum(Dt yt) / sum(Dt^2), u = yt - beta Dt, vectorised over replications.
     The first CHECK_REPS replications of each method, at every effect, are re-estimated with
     pyfixest feols (MapDemeaner, fixef_tol 1e-14) and must agree to 1e-10 relative (estimate, SE,
     p-value); the check, and those replications' placebo cohorts, are stored.
  6. R replications at every effect in EFFECTS, the same permutations for every effect (common
     random numbers). Per method and effect: rejections, rejection rate, its MCSE
     sqrt(p(1-p)/R) and Wilson 95% interval, mean / SD (ddof 1) of the estimate, bias and its MCSE
     SD/sqrt(R), mean SE, coverage of delta by est +/- t_{0.975, G-1} SE and its MCSE.

Because y enters linearly and D is the same at every effect, the residuals, and hence the SEs, are
the same at every effect and beta(delta) = beta(0) + delta: coverage is the same at every effect.
The script computes every effect from scratch anyway and records how closely this holds.

Run:  python3 -m venv /opt/didlab-did2s-venv
      /opt/didlab-did2s-venv/bin/pip install pyfixest==0.60.0 pandas numpy
      /opt/didlab-did2s-venv/bin/python scripts/reference/make_placebo_laws_reference.py
The script restarts itself with PYTHONHASHSEED=0 (common.pin_hash_seed). Deterministic: a second
run rewrites the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pin_hash_seed, versions, write_reference  # noqa: E402

pin_hash_seed()

import os  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyfixest as pf  # noqa: E402
from pyfixest.demeaners import MapDemeaner  # noqa: E402
from scipy import stats  # noqa: E402

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
SEED = 20261206
R = 4000
EFFECTS = [0.0, 0.01, 0.02, 0.03, 0.05]
ALPHA = 0.05
CHECK_REPS = 5
CHECK_TOL = 1e-10
FIXEF_TOL = 1e-14
DEMEANER = MapDemeaner(fixef_tol=FIXEF_TOL, fixef_maxiter=1_000_000)
CATEGORIES = [2004, 2006, 2007, 0]  # 0 = never treated; also the tie order of the apportionment
EXPECTED_TEMPLATE = {2004: 12, 2006: 25, 2007: 81, 0: 191}
Z975 = float(stats.norm.ppf(0.975))


def label(c: int) -> str:
    return "never" if c == 0 else str(c)


def hamilton(counts: dict[int, int], seats: int) -> dict[int, int]:
    """Largest-remainder apportionment in exact integer arithmetic; ties go to the earlier category."""
    total = sum(counts.values())
    floors = {c: counts[c] * seats // total for c in CATEGORIES}
    rem = {c: counts[c] * seats % total for c in CATEGORIES}  # remainder numerators over `total`
    left = seats - sum(floors.values())
    order = sorted(CATEGORIES, key=lambda c: (-rem[c], CATEGORIES.index(c)))
    out = dict(floors)
    for c in order[:left]:
        out[c] += 1
    return out


def within(a: np.ndarray) -> np.ndarray:
    """Balanced two-way within transform over the last two axes (county, year)."""
    return a - a.mean(axis=-1, keepdims=True) - a.mean(axis=-2, keepdims=True) + a.mean(axis=(-2, -1), keepdims=True)


def rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    den = 1.0 + Z975**2 / n
    mid = (p + Z975**2 / (2 * n)) / den
    half = Z975 * np.sqrt(p * (1 - p) / n + Z975**2 / (4 * n * n)) / den
    return float(mid - half), float(mid + half)


def main():
    t0 = time.perf_counter()
    full = pd.read_csv(FIX / "mpdta.csv")
    per_county = full.groupby("countyreal")["first.treat"].agg(["min", "max"])
    assert (per_county["min"] == per_county["max"]).all(), "first.treat varies within a county"
    real_counts = {int(c): int(n) for c, n in per_county["min"].value_counts().items()}
    assert sorted(real_counts) == sorted(CATEGORIES), real_counts
    n_all = int(len(per_county))

    df = full[full["first.treat"] == 0].sort_values(["countyreal", "year"]).reset_index(drop=True)
    counties = np.sort(df["countyreal"].unique())
    years = np.sort(df["year"].unique())
    N, T = len(counties), len(years)
    assert len(df) == N * T, "the never-treated sample is not balanced"
    assert (df["countyreal"].to_numpy().reshape(N, T) == counties[:, None]).all()
    assert (df["year"].to_numpy().reshape(N, T) == years[None, :]).all()
    Y = df["lemp"].to_numpy().reshape(N, T)
    n = N * T

    template = hamilton(real_counts, N)
    assert template == EXPECTED_TEMPLATE, template
    labels = np.concatenate([np.full(template[c], c, dtype=np.int64) for c in CATEGORIES])

    state_of = counties // 1000
    states, state_idx = np.unique(state_of, return_inverse=True)
    n_states = len(states)
    clusters = {
        "twfe_cr1_county": dict(cluster="countyreal", index=np.arange(N), G=N),
        "twfe_cr1_state": dict(cluster="state", index=state_idx, G=n_states),
    }
    K = 1 + T  # k = 1 slope; the county FE are nested in the cluster (fixest fixef.K = "nested")
    K_full = 1 + N + T - 1

    # ---- permutations (common random numbers) and placebo treatment
    rng = np.random.Generator(np.random.PCG64(SEED))
    cohorts = np.stack([rng.permutation(labels) for _ in range(R)])  # R x N
    Dm = ((cohorts[:, :, None] > 0) & (years[None, None, :] >= cohorts[:, :, None])).astype(float)  # R x N x T
    Dt = within(Dm)
    sdd = (Dt * Dt).sum(axis=(1, 2))
    assert sdd.min() > 0

    def estimate(delta: float):
        yt = within(Y[None, :, :] + delta * Dm)
        beta = (Dt * yt).sum(axis=(1, 2)) / sdd
        u = yt - beta[:, None, None] * Dt
        score = (Dt * u).sum(axis=2)  # R x N: each county's score
        out = {}
        for name, cl in clusters.items():
            G = cl["G"]
            S = np.zeros((R, G))
            np.add.at(S.T, cl["index"], score.T)
            meat = (S * S).sum(axis=1)
            se = {k: np.sqrt(G / (G - 1) * (n - 1) / (n - k) * meat) / sdd for k in (K, K_full)}
            out[name] = (beta, se[K], se[K_full], G - 1)
        return out

    fits = {delta: estimate(delta) for delta in EFFECTS}

    # ---- pyfixest cross-check of the first CHECK_REPS replications
    check_rows, worst = [], {"estimate": 0.0, "se": 0.0, "p_value": 0.0}
    pyfixest_K = {}
    base = df[["countyreal", "year", "lemp"]].copy()
    base["state"] = base["countyreal"] // 1000
    for r in range(CHECK_REPS):
        coh = np.repeat(cohorts[r], T)
        Drow = ((coh > 0) & (base["year"].to_numpy() >= coh)).astype(float)
        row = {"replication": r,
               "placebo_cohorts": {label(c): [int(x) for x in counties[cohorts[r] == c]] for c in CATEGORIES if c != 0},
               "fits": []}
        for delta in EFFECTS:
            data = base.assign(D=Drow, y=base["lemp"] + delta * Drow)
            for name, cl in clusters.items():
                beta, se, _, dfree = fits[delta][name]
                p = 2.0 * stats.t.sf(abs(beta[r] / se[r]), dfree)
                fit = pf.feols("y ~ D | countyreal + year", data=data, vcov={"CRV1": cl["cluster"]}, demeaner=DEMEANER)
                pb, ps, pp = float(fit.coef().iloc[0]), float(fit.se().iloc[0]), float(fit.pvalue().iloc[0])
                pyfixest_K[name] = int(fit._df_k)
                assert int(fit._df_t) == dfree, (name, fit._df_t, dfree)
                errs = {"estimate": rel(beta[r], pb), "se": rel(se[r], ps), "p_value": rel(p, pp)}
                for k, v in errs.items():
                    worst[k] = max(worst[k], v)
                row["fits"].append({"effect": delta, "method": name, "estimate": float(beta[r]), "se": float(se[r]),
                                    "p_value": float(p), "pyfixest_estimate": pb, "pyfixest_se": ps,
                                    "pyfixest_p_value": pp})
        check_rows.append(row)
    assert max(worst.values()) < CHECK_TOL, worst
    assert pyfixest_K == {name: K for name in clusters}, pyfixest_K

    # ---- summaries
    def summarise(beta, se, dfree, delta):
        tcrit = float(stats.t.ppf(1 - ALPHA / 2, dfree))
        p = 2.0 * stats.t.sf(np.abs(beta / se), dfree)
        rej = int((p < ALPHA).sum())
        rate = rej / R
        cover = np.abs(beta - delta) <= tcrit * se
        cov = float(cover.mean())
        sd = float(beta.std(ddof=1))
        lo, hi = wilson(rej, R)
        return {"effect": delta, "rejections": rej, "rejection": rate, "mcse": float(np.sqrt(rate * (1 - rate) / R)),
                "wilson_low": lo, "wilson_high": hi,
                "mean_estimate": float(beta.mean()), "sd_estimate": sd,
                "bias": float(beta.mean() - delta), "bias_mcse": sd / float(np.sqrt(R)),
                "mean_se": float(se.mean()), "coverage": cov, "coverage_mcse": float(np.sqrt(cov * (1 - cov) / R))}

    methods, sensitivity = [], []
    for name, cl in clusters.items():
        dfree = cl["G"] - 1
        methods.append({
            "name": name, "estimator": "twfe", "inference": f"cr1:{cl['cluster']}",
            "G": cl["G"], "K": K, "df": dfree, "t_crit": float(stats.t.ppf(1 - ALPHA / 2, dfree)),
            "results": [summarise(fits[d][name][0], fits[d][name][1], dfree, d) for d in EFFECTS],
        })
    sensitivity.append({
        "name": "twfe_cr1_state_fixefK_full", "estimator": "twfe", "inference": "cr1:state",
        "note": "NOT fixest's default: K counts every fixed effect (fixest ssc(fixef.K = \"full\")); "
                "SE larger by sqrt((n-K)/(n-K_full)) = "
                f"{np.sqrt((n - K) / (n - K_full)):.6f}",
        "G": n_states, "K": K_full, "df": n_states - 1,
        "results": [{k: v for k, v in summarise(fits[d]["twfe_cr1_state"][0], fits[d]["twfe_cr1_state"][2],
                                                   n_states - 1, d).items()
                     if k in ("effect", "rejections", "rejection", "mcse", "mean_se", "coverage")}
                    for d in EFFECTS],
    })

    # How closely the linearity identity holds (it is exact in real arithmetic).
    b0 = {name: fits[0.0][name] for name in clusters}
    identity = {
        "se_max_rel_diff_across_effects": max(rel(fits[d][m][1], b0[m][1]) for d in EFFECTS for m in clusters),
        "estimate_minus_effect_max_abs_diff": max(float(np.max(np.abs(fits[d][m][0] - d - b0[m][0])))
                                                  for d in EFFECTS for m in clusters),
    }

    elapsed = time.perf_counter() - t0
    print(f"done in {elapsed:.1f} s; pyfixest check worst rel {worst}")
    for m in methods:
        print(m["name"], " ".join(f"{x['effect']}:{x['rejection']:.4f}+-{x['mcse']:.4f}" for x in m["results"]))
    print(sensitivity[0]["name"], " ".join(f"{x['effect']}:{x['rejection']:.4f}" for x in sensitivity[0]["results"]))

    ref = {
        "provenance": {
            "generated_by": "scripts/reference/make_placebo_laws_reference.py",
            "versions": versions("numpy", "pandas", "scipy", "pyfixest"),
            "pythonhashseed": os.environ.get("PYTHONHASHSEED"),
            "rng": "numpy.random.Generator(numpy.random.PCG64(seed)); for r in range(R): rng.permutation(template)",
            "seed": SEED, "replications": R,
        },
        "protocol": [
            "data: Tests/Fixtures/mpdta.csv; outcome lemp, unit countyreal, time year, cohort first.treat (0 = never)",
            "sample: the never-treated counties only (first.treat == 0), all their rows; the real treatment never enters it",
            "template: the real counts of counties per adoption year and never, apportioned to the sample's counties by "
            "largest remainder (Hamilton) over all categories including never: floor(count * N_sample / N_all) first, "
            "the leftover units to the largest remainders, ties to the earlier category in the order 2004, 2006, 2007, never",
            "replication: a uniformly random permutation of the template labels over the sample counties "
            "(counties in ascending countyreal order, template in category order); the same permutations at every effect",
            "effect delta: y = lemp + delta * D, D = 1{placebo cohort > 0 and year >= placebo cohort}",
            "estimate: y ~ D | countyreal + year (balanced two-way within transform; beta = sum(Dt yt) / sum(Dt^2))",
            "inference: CR1, V = G/(G-1) (n-1)/(n-K) sum_g s_g^2 / (sum Dt^2)^2, K = 1 + T (county FE nested in either "
            "cluster, fixest ssc() default fixef.K = 'nested'), two-sided p from t with G - 1 df; reject when p < 0.05",
            "coverage: |estimate - delta| <= t_{0.975, G-1} SE",
            "MCSE: sqrt(p (1 - p) / R) for rates, SD(estimate) / sqrt(R) for the bias; Wilson 95% interval for the rejection rate",
        ],
        "data": {
            "file": "Tests/Fixtures/mpdta.csv", "y": "lemp", "unit": "countyreal", "time": "year", "cohort": "first.treat",
            "n_units_all": n_all, "n_units": N, "n_periods": T, "n_obs": n, "years": [int(y) for y in years],
            "state": "countyreal // 1000 (FIPS state code)", "n_states": n_states,
            "counties_per_state": {str(int(s)): int((state_of == s).sum()) for s in states},
        },
        "template": {
            "real_counts": [{"cohort": label(c), "units": real_counts[c]} for c in CATEGORIES],
            "sample_counts": [{"cohort": label(c), "units": template[c]} for c in CATEGORIES],
        },
        "effects": EFFECTS, "alpha": ALPHA,
        "methods": methods,
        "sensitivity": sensitivity,
        "linearity_identity": identity,
        "pyfixest_check": {
            "call": f"pf.feols('y ~ D | countyreal + year', data, vcov={{'CRV1': CLUSTER}}, "
                    f"demeaner=MapDemeaner(fixef_tol={FIXEF_TOL:g}))",
            "replications": CHECK_REPS, "effects": "all", "tolerance_rel": CHECK_TOL,
            "max_rel_diff": worst, "pyfixest_K": pyfixest_K, "passed": True,
            "rows": check_rows,
        },
    }
    write_reference(FIX / "placebo_laws_reference.json", ref)


if __name__ == "__main__":
    main()
