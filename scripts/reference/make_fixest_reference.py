#!/usr/bin/env python3
"""Generate golden reference values for DiDLab's TWFE and event-study estimators.

Writes into Tests/Fixtures/:
  mpdta.csv                    real `mpdta` panel (R package `did`), from the moderndid wheel
  synthetic.csv                synthetic staggered panel (numpy, fixed seed)
  synthetic_unbalanced.csv     same panel, ~8% rows dropped, rows shuffled, 3 rows with x1 missing
  reference.json               estimates/SEs: brute-force dense OLS + explicit fixest formulas,
                               alongside pyfixest's own numbers

Run:  bash scripts/reference/setup-venv.sh
      /opt/didlab-ref-venv/bin/python scripts/reference/make_fixest_reference.py
The script re-executes itself with PYTHONHASHSEED=0 (pyfixest's clustered small-sample
K is reported to depend on the hash seed).
"""
from __future__ import annotations

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    env = dict(os.environ, PYTHONHASHSEED="0")
    os.execve(sys.executable, [sys.executable, *sys.argv], env)

import json
import platform
import warnings
from importlib.metadata import distribution, version
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
from pyfixest.demeaners import MapDemeaner
from scipy import stats

warnings.filterwarnings("ignore", category=FutureWarning)

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
FLOAT_FMT = "%.17g"
SEED = 20240611
FIXEF_TOL = 1e-14
DEMEANER = MapDemeaner(fixef_tol=FIXEF_TOL, fixef_maxiter=1_000_000)


# --------------------------------------------------------------------------- data
def write_mpdta() -> None:
    pkl = distribution("moderndid").locate_file("moderndid/core/datasets/mpdta_long.pkl.gz")
    df = pd.read_pickle(pkl)
    cols = ["year", "countyreal", "lpop", "lemp", "first.treat", "treat"]
    df = df[cols].copy()
    for c in ["year", "countyreal", "first.treat", "treat"]:
        df[c] = df[c].astype("int64")
    for c in ["lpop", "lemp"]:
        df[c] = df[c].astype("float64")
    assert len(df) == 2500, len(df)
    assert df["countyreal"].nunique() == 500 and sorted(df["year"].unique()) == list(range(2003, 2008))
    df.to_csv(FIX / "mpdta.csv", index=False, float_format=FLOAT_FMT)
    print(f"mpdta.csv: {len(df)} rows, {df['countyreal'].nunique()} counties")


def make_synthetic() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    n_units, years = 120, np.arange(2010, 2020)
    T = len(years)
    # cohorts assigned at unit level: 54 never (45%), 24 x 2013, 22 x 2015, 20 x 2017
    cohorts = rng.permutation(np.array([0] * 54 + [2013] * 24 + [2015] * 22 + [2017] * 20))
    # provinces of unequal sizes (sum 120), contiguous blocks of a random unit order
    sizes = [4, 6, 7, 8, 9, 10, 10, 11, 12, 13, 14, 16]
    assert sum(sizes) == n_units
    prov_of = np.empty(n_units, dtype=object)
    order = rng.permutation(n_units)
    start = 0
    for p, s in enumerate(sizes):
        prov_of[order[start:start + s]] = f"p{p + 1:02d}"
        start += s
    # unit effects (correlated with timing), year effects
    shift = {0: -0.2, 2013: 0.4, 2015: 0.2, 2017: 0.0}
    alpha = rng.normal(0.0, 1.0, n_units) + np.array([shift[int(c)] for c in cohorts])
    gamma = 0.1 * (years - 2010) + rng.normal(0.0, 0.2, T)
    base = {2013: 1.0, 2015: 0.6, 2017: 0.3}
    slope = {2013: 0.15, 2015: 0.10, 2017: 0.05}
    unit_het = rng.normal(0.0, 0.1, n_units)
    rows = []
    for i in range(n_units):
        u_prev = rng.normal(0.0, 0.5)
        for t, yr in enumerate(years):
            c = int(cohorts[i])
            treat = int(c > 0 and yr >= c)
            tau = (base[c] + slope[c] * (yr - c) + unit_het[i]) if treat else 0.0
            x1 = 0.5 * alpha[i] + rng.normal(0.0, 1.0)
            x2 = rng.normal(0.0, 1.0) + 0.05 * t
            u = 0.5 * u_prev + rng.normal(0.0, 0.5)
            u_prev = u
            y = alpha[i] + gamma[t] + tau + 0.3 * x1 - 0.2 * x2 + u
            rows.append((f"c{i + 1:03d}", prov_of[i], int(yr), c, treat, x1, x2, y))
    df = pd.DataFrame(rows, columns=["unit", "province", "year", "cohort", "treat", "x1", "x2", "y"])
    return df


def make_unbalanced(df: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(SEED + 1)
    n_drop = int(round(0.08 * len(df)))
    keep = np.ones(len(df), dtype=bool)
    counts = df["unit"].value_counts().to_dict()
    dropped = 0
    for idx in rng.permutation(len(df)):
        if dropped == n_drop:
            break
        u = df["unit"].iat[idx]
        if counts[u] > 3:  # keep >= 3 rows so that >= 2 complete rows survive the missing x1
            keep[idx] = False
            counts[u] -= 1
            dropped += 1
    out = df[keep].copy()
    out = out.iloc[rng.permutation(len(out))].reset_index(drop=True)
    out["x1"] = out["x1"].astype("float64")
    miss = rng.choice(len(out), size=3, replace=False)
    out.loc[miss, "x1"] = np.nan
    complete = out.dropna()
    assert complete.groupby("unit").size().min() >= 2
    assert complete.groupby("year").size().min() >= 2
    assert out["x1"].isna().sum() == 3
    return out


def write_csv(df: pd.DataFrame, name: str) -> None:
    df.to_csv(FIX / name, index=False, float_format=FLOAT_FMT, na_rep="")


def read_synthetic(name: str) -> pd.DataFrame:
    return pd.read_csv(FIX / name, dtype={"unit": str, "province": str})


# --------------------------------------------------------------------- regressors
def add_D(df: pd.DataFrame, cohort: str, time: str) -> pd.DataFrame:
    df = df.copy()
    df["D"] = ((df[cohort] > 0) & (df[time] >= df[cohort])).astype("int64")
    return df


def event_terms(leads: int, lags: int) -> list[str]:
    return [f"e-{k}" for k in range(leads, 1, -1)] + [f"e+{k}" for k in range(0, lags + 1)]


def safe(term: str) -> str:
    return term.replace("e-", "e_m").replace("e+", "e_p")


def add_event(df: pd.DataFrame, cohort: str, time: str, leads: int, lags: int, binned: bool) -> pd.DataFrame:
    df = df.copy()
    treated = df[cohort] > 0
    e = np.where(treated, df[time] - df[cohort], 0)
    for k in range(leads, 1, -1):
        hit = (e <= -k) if (binned and k == leads) else (e == -k)
        df[safe(f"e-{k}")] = (treated & hit).astype("int64")
    for k in range(0, lags + 1):
        hit = (e >= k) if (binned and k == lags) else (e == k)
        df[safe(f"e+{k}")] = (treated & hit).astype("int64")
    return df


# --------------------------------------------------------------- brute-force OLS
def brute_force(df, y, xs, unit, time):
    """Dense OLS with explicit unit dummies (all N) and year dummies (T-1)."""
    n = len(df)
    units = pd.factorize(df[unit], sort=True)[0]
    times_codes, time_levels = pd.factorize(df[time], sort=True)
    N, T = units.max() + 1, len(time_levels)
    F = np.zeros((n, N + T - 1))
    F[np.arange(n), units] = 1.0
    m = times_codes > 0
    F[np.where(m)[0], N + times_codes[m] - 1] = 1.0
    Q, R = np.linalg.qr(F)
    assert np.min(np.abs(np.diag(R))) > 1e-8, "FE design not full rank"

    def resid_fe(v):
        return v - Q @ (Q.T @ v)

    X = df[xs].to_numpy(dtype=float)
    Xt_all = resid_fe(X)
    # sequential collinearity check (fixest drops regressors collinear with FE / earlier ones)
    kept, dropped = [], []
    for j, name in enumerate(xs):
        v = Xt_all[:, j]
        if kept:
            B = Xt_all[:, [xs.index(k) for k in kept]]
            v = v - B @ np.linalg.lstsq(B, v, rcond=None)[0]
        if np.linalg.norm(v) <= 1e-9 * max(np.linalg.norm(X[:, j]), 1e-300):
            dropped.append(name)
        else:
            kept.append(name)
    Xk = df[kept].to_numpy(dtype=float)
    Y = df[y].to_numpy(dtype=float)
    # full dense least squares with explicit dummies, solved by Householder QR
    Z = np.hstack([Xk, F])
    Qz, Rz = np.linalg.qr(Z)
    theta = np.linalg.solve(Rz, Qz.T @ Y)
    beta = theta[: len(kept)]
    u = Y - Z @ theta
    # FWL pieces for the sandwich
    Xt = resid_fe(Xk)
    Yt = resid_fe(Y)
    beta_fwl = np.linalg.lstsq(Xt, Yt, rcond=None)[0]
    bread = np.linalg.inv(Xt.T @ Xt)
    return dict(
        n=n, N=N, T=T, kept=kept, dropped=dropped, beta=beta, beta_fwl=beta_fwl,
        u=u, Xt=Xt, Yt=Yt, bread=bread, rss=float(u @ u),
        r2_within=float(1.0 - (u @ u) / (Yt @ Yt)),
    )


def formula_vcov(bf, kind, cluster=None):
    n, N, T, k = bf["n"], bf["N"], bf["T"], len(bf["kept"])
    u, Xt, B = bf["u"], bf["Xt"], bf["bread"]
    K_full = k + N + T - 1
    if kind == "iid":
        K = K_full
        V = (u @ u) / (n - K) * B
        return V, dict(K=K, df=n - K, factor=f"sigma2 = RSS/(n-K), K = k + N + T - 1")
    if kind == "hetero":
        K = K_full
        S = Xt * u[:, None]
        V = n / (n - K) * B @ (S.T @ S) @ B
        return V, dict(K=K, df=n - K, factor="n/(n-K), K = k + N + T - 1")
    if kind == "cr1":
        g = pd.factorize(cluster)[0]
        G = g.max() + 1
        S = np.zeros((G, k))
        np.add.at(S, g, Xt * u[:, None])
        K = k + T  # unit FE nested in cluster: drop N unit params, +1 for the nested FE
        V = G / (G - 1) * (n - 1) / (n - K) * B @ (S.T @ S) @ B
        return V, dict(K=K, df=G - 1, G=int(G), factor="G/(G-1) * (n-1)/(n-K), K = k + T")
    raise ValueError(kind)


def inference(est, se, df):
    tcrit = stats.t.ppf(0.975, df)
    tstat = est / se
    p = 2.0 * stats.t.sf(np.abs(tstat), df)
    return p, est - tcrit * se, est + tcrit * se, tcrit


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) if a.size else 0.0


def d(names, vals):
    return {nm: float(v) for nm, v in zip(names, vals)}


# ------------------------------------------------------------------------ a case
def run_case(spec, data):
    name, y, unit, time, cohort = spec["name"], spec["y"], spec["unit"], spec["time"], spec["cohort"]
    df = add_D(data, cohort, time)
    ev = spec.get("event")
    if ev:
        df = add_event(df, cohort, time, ev["leads"], ev["lags"], ev["binned"])
        terms = event_terms(ev["leads"], ev["lags"])
    else:
        terms = ["D"]
    terms = terms + spec["covariates"]
    needed = [y, unit, time, cohort] + [safe(t) for t in terms] + list(spec["clusters"])
    n_raw = len(df)
    df = df.dropna(subset=list(dict.fromkeys(needed))).reset_index(drop=True)
    sterms = [safe(t) for t in terms]
    back = dict(zip(sterms, terms))
    fml = f"{y} ~ {' + '.join(sterms)} | {unit} + {time}"

    bf = brute_force(df, y, sterms, unit, time)
    kept = [back[t] for t in bf["kept"]]
    dropped = [back[t] for t in bf["dropped"]]
    beta = bf["beta"]

    out = {
        "name": name, "data": spec["data"],
        "call": f"pf.feols('{fml}', data, vcov=..., demeaner=MapDemeaner(fixef_tol={FIXEF_TOL:g}))",
        "y": y, "unit": unit, "time": time, "cohort": cohort,
        "covariates": spec["covariates"],
        "event": ev and {"leads": ev["leads"], "lags": ev["lags"], "binned": ev["binned"], "reference": -1},
        "treatment": "D = 1{cohort > 0 and time >= cohort}",
        "n_rows_in_file": n_raw,
        "n_obs": bf["n"], "n_units": int(bf["N"]), "n_periods": int(bf["T"]),
        "terms": kept, "dropped": dropped,
        "estimate": d(kept, beta),
        "estimate_fwl": d(kept, bf["beta_fwl"]),
        "rss": bf["rss"], "r2_within": bf["r2_within"],
    }
    if ev:
        out["term_columns"] = {t: safe(t) for t in terms if t.startswith("e")}
    if name == "mpdta_event" and ev:
        out["note"] = "e ranges exactly over [-4, 3] in mpdta, so endpoint binning is vacuous here."

    summary = {"est": 0.0, "se": 0.0}
    vc_out = {}
    pf_first = None
    for label, kind, clus in spec["vcovs"]:
        vcov_arg = {"CRV1": clus} if kind == "cr1" else kind
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = pf.feols(fml, data=df, vcov=vcov_arg, demeaner=DEMEANER)
        if pf_first is None:
            pf_first = fit
        pf_names = [back[c] for c in fit._coefnames]
        pf_coef = dict(zip(pf_names, fit.coef().to_numpy()))
        pf_se = dict(zip(pf_names, fit.se().to_numpy()))
        pf_p = dict(zip(pf_names, fit.pvalue().to_numpy()))
        ci = fit.confint()
        pf_lo = dict(zip(pf_names, ci.iloc[:, 0].to_numpy()))
        pf_hi = dict(zip(pf_names, ci.iloc[:, 1].to_numpy()))
        assert pf_names == kept, (name, pf_names, kept)
        assert fit._N == bf["n"], (fit._N, bf["n"])

        V, info = formula_vcov(bf, kind, df[clus].to_numpy() if clus else None)
        se = np.sqrt(np.diag(V))
        p, lo, hi, tcrit = inference(beta, se, info["df"])
        entry = {}
        if "G" in info:
            entry["G"] = info["G"]
        entry.update({
            "K": int(info["K"]), "df": int(info["df"]), "small_sample": info["factor"],
            "t_crit": float(tcrit),
            "se": d(kept, se), "p_value": d(kept, p), "conf_low": d(kept, lo), "conf_high": d(kept, hi),
            "pyfixest_K": int(fit._df_k), "pyfixest_df": int(fit._df_t),
            "pyfixest_se": {t: float(pf_se[t]) for t in kept},
            "pyfixest_p_value": {t: float(pf_p[t]) for t in kept},
            "pyfixest_conf_low": {t: float(pf_lo[t]) for t in kept},
            "pyfixest_conf_high": {t: float(pf_hi[t]) for t in kept},
        })
        se_rel = rel([pf_se[t] for t in kept], se)
        entry["pyfixest_se_max_rel_diff"] = se_rel
        if int(fit._df_k) != info["K"]:
            # pyfixest used a different K: record which, and check that this explains the gap
            alt = se * np.sqrt((bf["n"] - info["K"]) / (bf["n"] - fit._df_k))
            entry["pyfixest_K_mismatch"] = True
            entry["pyfixest_se_rel_diff_if_K_is_pyfixest_K"] = rel([pf_se[t] for t in kept], alt)
            print(f"  !! {name} {label}: pyfixest K={fit._df_k}, formula K={info['K']}")
        if "G" in info and int(np.atleast_1d(fit._G)[0]) != info["G"]:
            entry["pyfixest_G"] = int(np.atleast_1d(fit._G)[0])
        vc_out[label] = entry
        summary["se"] = max(summary["se"], se_rel)
        summary["est"] = max(summary["est"], rel([pf_coef[t] for t in kept], beta))
        out.setdefault("pyfixest_estimate", {t: float(pf_coef[t]) for t in kept})

    out["pyfixest_dropped"] = [back.get(c, c) for c in (pf_first._collin_vars or [])]
    pf_first.get_performance()
    out["pyfixest_rss"] = float(np.sum(pf_first._u_hat ** 2))
    out["pyfixest_r2_within"] = float(pf_first._r2_within)
    out["pyfixest_estimate_max_rel_diff"] = summary["est"]
    out["brute_force_vs_fwl_max_rel_diff"] = rel(bf["beta_fwl"], beta)
    out["vcov"] = vc_out
    print(f"{name:22s} n={bf['n']:5d} terms={len(kept)} dropped={dropped or '-'}  "
          f"est rel diff={summary['est']:.2e}  se rel diff={summary['se']:.2e}")
    return out


def main():
    FIX.mkdir(parents=True, exist_ok=True)
    write_mpdta()
    syn = make_synthetic()
    write_csv(syn, "synthetic.csv")
    write_csv(make_unbalanced(syn), "synthetic_unbalanced.csv")

    mpdta = pd.read_csv(FIX / "mpdta.csv")
    syn = read_synthetic("synthetic.csv")
    unb = read_synthetic("synthetic_unbalanced.csv")
    print(f"synthetic.csv: {len(syn)} rows; synthetic_unbalanced.csv: {len(unb)} rows, "
          f"{int(unb['x1'].isna().sum())} with x1 missing")

    m = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", data="mpdta.csv")
    s = dict(y="y", unit="unit", time="year", cohort="cohort", data="synthetic.csv")
    u = dict(s, data="synthetic_unbalanced.csv")
    iid, het = ("iid", "iid", None), ("hetero", "hetero", None)
    cr = lambda v: (f"cr1:{v}", "cr1", v)  # noqa: E731
    specs = [
        (dict(m, name="mpdta_twfe", covariates=[], vcovs=[iid, het, cr("countyreal")]), mpdta),
        (dict(m, name="mpdta_twfe_lpop", covariates=["lpop"], vcovs=[iid, het, cr("countyreal")]), mpdta),
        (dict(m, name="mpdta_event", covariates=[], event=dict(leads=4, lags=3, binned=False),
              vcovs=[cr("countyreal"), iid]), mpdta),
        (dict(m, name="mpdta_event_binned", covariates=[], event=dict(leads=2, lags=1, binned=True),
              vcovs=[cr("countyreal")]), mpdta),
        (dict(s, name="synthetic_twfe", covariates=["x1", "x2"],
              vcovs=[iid, het, cr("unit"), cr("province")]), syn),
        (dict(s, name="synthetic_event", covariates=["x1", "x2"], event=dict(leads=3, lags=3, binned=True),
              vcovs=[cr("province")]), syn),
        (dict(u, name="unbalanced_twfe", covariates=["x1", "x2"], vcovs=[iid, het, cr("unit")]), unb),
    ]
    cases = []
    for spec, data in specs:
        spec["clusters"] = [v[2] for v in spec["vcovs"] if v[2]]
        cases.append(run_case(spec, data))
        spec.pop("clusters")

    ref = {
        "generated_by": "scripts/reference/make_fixest_reference.py",
        "versions": {
            "python": platform.python_version(),
            "pyfixest": version("pyfixest"), "numpy": version("numpy"),
            "pandas": version("pandas"), "moderndid": version("moderndid"), "scipy": version("scipy"),
        },
        "pythonhashseed": os.environ.get("PYTHONHASHSEED"),
        "seed": SEED,
        "conventions": {
            "estimate": "dense OLS with explicit unit (N) and year (T-1) dummies, Householder QR, float64",
            "se": "explicit fixest-formula SE from brute-force residuals and FE-demeaned regressors",
            "k": "number of kept (non-collinear) slope terms",
            "iid": "V = RSS/(n-K) * (X~'X~)^-1, K = k + N + T - 1, df = n - K",
            "hetero": "V = n/(n-K) * B (sum x~_i x~_i' u_i^2) B, K = k + N + T - 1, df = n - K",
            "cr1": "V = G/(G-1) * (n-1)/(n-K) * B (sum_g s_g s_g') B, s_g = sum_{i in g} x~_i u_i, "
                   "K = k + T (unit FE nested in the cluster: its N params are dropped and 1 added back; "
                   "T-1 year params + 1 absorbed intercept), df = G - 1",
            "p_value_ci": "two-sided t with the stated df; 95% CI = est +/- t_{0.975,df} * se",
            "missing": "rows with a missing value in any used variable are dropped before estimation",
        },
        "cases": cases,
    }
    with open(FIX / "reference.json", "w") as fh:
        json.dump(ref, fh, indent=1)
        fh.write("\n")
    print(f"wrote {FIX / 'reference.json'}")


if __name__ == "__main__":
    main()
