#!/usr/bin/env python3
"""Golden values for DiDLab's wild cluster bootstrap, from wildboottest 0.3.2 (the Python port
of fwildclusterboot/boottest used by pyfixest's `Feols.wildboottest`).

Writes Tests/Fixtures/wcb_reference.json.

Every case is the full dummy-variable regression `y ~ regressors + x1 + x2 + unit dummies + year
dummies` (no intercept: the unit dummies span it), which is how pyfixest hands a fixed-effects
model to wildboottest (`_model_matrix_one_hot`), clustered by province. `WildboottestCL` runs the
"11" bootstrap (CRV1 studentization) with the null imposed (WCR) or not (WCU). With Rademacher
weights and 2^G < B, wildboottest enumerates all 2^G sign vectors (`itertools.product([-1, 1],
repeat=G)` order), so those p-values are exact and deterministic.

Recorded per case: wildboottest's own t statistic and small-sample factor (its K counts every
dummy, so its t differs from fixest's by the factor sqrt(ssc_wbt / ssc_fixest); p-values do not
depend on it), its p-value, and tie-robust counts from its bootstrap statistics: `strict` =
#{|t*| > |t|(1 + 1e-7)}, `ties` = #{||t*| - |t|| <= 1e-7 |t|}. `wildboottest_counts_ties` says
whether its own p (strict `|t| < |t*|`, no tolerance) happened to include the ties.
For the G = 8 cases the full sorted distribution of t*/t and the first 16 t*/t in enumeration
order are stored. One sampled case (Webb weights, B = 9999) is stored for Monte Carlo-error
comparisons, and one FWL-only case (the same bootstrap on two-way demeaned data, ignoring that the
year effects are not nested in the clusters) documents why DiDLab re-applies the fixed effects.

Run (venv outside the repo):
    python3 -m venv /tmp/wcb-venv && /tmp/wcb-venv/bin/pip install wildboottest==0.3.2
    /tmp/wcb-venv/bin/python scripts/reference/make_wcb_reference.py
"""
from __future__ import annotations

import json
import platform
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from wildboottest.wildboottest import WildboottestCL

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
TOL = 1e-7
EIGHT = ["p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08"]


def load(provinces=None) -> pd.DataFrame:
    df = pd.read_csv(FIX / "synthetic.csv", dtype={"unit": str, "province": str})
    if provinces is not None:
        df = df[df["province"].isin(provinces)]
    df = df.sort_values(["unit", "year"]).reset_index(drop=True)
    df["D"] = ((df["cohort"] > 0) & (df["year"] >= df["cohort"])).astype(float)
    return df


def event_columns(df: pd.DataFrame, leads: int, lags: int) -> dict[str, np.ndarray]:
    """EventStudy's columns: e = t - g (periods on the year grid), e-1 omitted, binned ends."""
    years = sorted(df["year"].unique())
    pos = {y: i for i, y in enumerate(years)}
    treated = df["cohort"] > 0
    e = np.where(treated, df["year"].map(pos) - df["cohort"].map(lambda c: pos.get(c, 10**6)), 0)
    e = np.clip(e, -leads, lags)
    out = {}
    for k in [k for k in range(-leads, lags + 1) if k != -1]:
        name = f"e{k}" if k < 0 else f"e+{k}"
        out[name] = (treated & (e == k)).astype(float).to_numpy()
    return out


def design(df: pd.DataFrame, regressors: dict[str, np.ndarray], covariates: list[str]):
    names = list(regressors) + covariates
    cols = [regressors[n] for n in regressors] + [df[c].to_numpy(float) for c in covariates]
    units = pd.get_dummies(df["unit"], dtype=float).to_numpy()
    years = pd.get_dummies(df["year"], dtype=float).to_numpy()[:, 1:]
    X = np.column_stack(cols + [units, years])
    return X, names


def shift_for(df, regressors, covariates, term, target_t=1.8):
    """A null value c with |t| about target_t: testing beta = c on y is testing beta = 0 on y - c*x."""
    X, names = design(df, regressors, covariates)
    y = df["y"].to_numpy(float)
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    u = y - X @ beta
    j = names.index(term)
    bread = np.linalg.pinv(X.T @ X)[j]
    cl = df["province"].to_numpy()
    meat = sum((bread @ (X[cl == g].T @ u[cl == g])) ** 2 for g in np.unique(cl))
    n, G, K = len(y), len(np.unique(cl)), len(names) + df["year"].nunique()
    se = np.sqrt(meat * (n - 1) / (n - K) * G / (G - 1))
    return round(float(beta[j] - target_t * se), 4)


def run_case(name, df, regressors, covariates, term, impose_null, weights, B, seed=None, demeaned=False,
             shift=0.0):
    X, names = design(df, regressors, covariates)
    y = df["y"].to_numpy(float) - shift * regressors[term] if term in regressors else df["y"].to_numpy(float)
    cluster = pd.Categorical(df["province"]).codes.astype(np.int64)  # sorted labels, as DiDLab
    if demeaned:  # FWL only: two-way demean (balanced closed form) and drop the dummies
        k = len(names)
        T = df["year"].nunique()
        def demean(v):
            m = v.reshape(-1, T)
            return (m - m.mean(1, keepdims=True) - m.mean(0, keepdims=True) + m.mean()).ravel()
        X = np.column_stack([demean(X[:, j]) for j in range(k)])
        y = demean(y)
    R = np.zeros(X.shape[1])
    R[names.index(term)] = 1
    boot = WildboottestCL(X=X, Y=y, cluster=cluster, R=R, B=B, seed=seed, parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=impose_null)
    _, _, enumerated = boot.get_weights(weights_type=weights)
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    t = float(np.asarray(boot.t_stat).ravel()[0])
    tb = np.asarray(boot.t_boot, float).ravel()
    n, G = len(y), len(np.unique(cluster))
    k_all = X.shape[1]
    T = df["year"].nunique()
    K_fixest = len(names) + T  # fixest nested rule: units nested in provinces; year T-1 + intercept
    ssc_wbt = (n - 1) / (n - k_all) * G / (G - 1)
    ssc_fixest = (n - 1) / (n - K_fixest) * G / (G - 1)
    strict = int(np.sum(np.abs(tb) > abs(t) * (1 + TOL)))
    ties = int(np.sum(np.abs(np.abs(tb) - abs(t)) <= TOL * abs(t)))
    p_wbt = float(boot.pvalue)
    case = {
        "name": name,
        "provinces": sorted(df["province"].unique().tolist()),
        "regressors": list(regressors), "covariates": covariates, "term": term,
        "null_value": shift, "outcome": f"y - {shift} * {term}" if shift else "y",
        "bootstrap": "WCR" if impose_null else "WCU", "weights": weights,
        "B_requested": B, "B": int(len(tb)), "enumerated": bool(enumerated), "seed": seed,
        "fwl_only": demeaned,
        "n_obs": n, "n_clusters": G,
        "wildboottest_t": t, "ssc_wildboottest": ssc_wbt, "ssc_fixest": ssc_fixest, "K_fixest": K_fixest,
        "t_fixest": t * np.sqrt(ssc_wbt / ssc_fixest),
        "p_wildboottest": p_wbt,
        "count_strict": strict, "count_ties": ties,
        "p_ties_counted": (strict + ties) / len(tb), "p_ties_excluded": strict / len(tb),
        "wildboottest_counts_ties": bool(abs(p_wbt - (strict + ties) / len(tb)) < 1e-12 and ties > 0),
        "call": (f"WildboottestCL(X=[{', '.join(names)}, unit dummies, year dummies[1:]]"
                 f"{' two-way demeaned' if demeaned else ''}, Y=y, cluster=province, R=e_{term}, B={B}, "
                 f"seed={seed}, parallel=False); get_scores(bootstrap_type='11', impose_null={impose_null}); "
                 f"get_weights('{weights}'); get_numer(); get_denom(); get_tboot(); get_vcov(); get_tstat(); "
                 f"get_pvalue('two-tailed')"),
    }
    if G <= 8 and enumerated:
        ratio = tb / t
        case["ratio_sorted"] = sorted(float(x) for x in ratio)
        case["ratio_first16"] = [float(x) for x in ratio[:16]]
    return case


def main() -> None:
    full = load()
    eight = load(EIGHT)
    D = lambda df: {"D": df["D"].to_numpy(float)}
    ev = event_columns(eight, 3, 3)
    c12 = shift_for(full, D(full), ["x1", "x2"], "D")
    c8 = shift_for(eight, D(eight), [], "D")
    c8e = shift_for(eight, ev, ["x1", "x2"], "e+0")
    cases = [
        run_case("twfe_province12_wcr", full, D(full), ["x1", "x2"], "D", True, "rademacher", 9999),
        run_case("twfe_province12_wcr_shifted", full, D(full), ["x1", "x2"], "D", True, "rademacher", 9999,
                 shift=c12),
        run_case("twfe_province12_wcu_shifted", full, D(full), ["x1", "x2"], "D", False, "rademacher", 9999,
                 shift=c12),
        run_case("twfe_province8_wcr_nocov_shifted", eight, D(eight), [], "D", True, "rademacher", 999, shift=c8),
        run_case("event_province8_wcr_e0_shifted", eight, ev, ["x1", "x2"], "e+0", True, "rademacher", 999,
                 shift=c8e),
        run_case("twfe_province12_wcr_webb_sampled_shifted", full, D(full), ["x1", "x2"], "D", True, "webb", 9999,
                 seed=20240611, shift=c12),
        run_case("twfe_province12_wcr_fwl_only_shifted", full, D(full), ["x1", "x2"], "D", True, "rademacher", 9999,
                 demeaned=True, shift=c12),
    ]
    out = {
        "provenance": {
            "script": "scripts/reference/make_wcb_reference.py",
            "python": platform.python_version(),
            "wildboottest": version("wildboottest"), "numpy": version("numpy"), "pandas": version("pandas"),
            "numba": version("numba"),
            "data": "Tests/Fixtures/synthetic.csv (D = 1{cohort > 0 and year >= cohort})",
            "tie_tolerance": TOL,
        },
        "cases": cases,
    }
    (FIX / "wcb_reference.json").write_text(json.dumps(out, indent=1) + "\n")
    for c in cases:
        print(f"{c['name']}: B={c['B']} enumerated={c['enumerated']} t_fixest={c['t_fixest']:.6f} "
              f"p_wbt={c['p_wildboottest']:.6f} strict={c['count_strict']} ties={c['count_ties']} "
              f"counts_ties={c['wildboottest_counts_ties']}", file=sys.stderr)


if __name__ == "__main__":
    main()
