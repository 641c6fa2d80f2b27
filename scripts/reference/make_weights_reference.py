#!/usr/bin/env python3
"""Golden values for regression weights (R fixest's `weights = ~w`) in TWFE, the event study and
Sun-Abraham, with iid, hetero and CR1 variances (issue 16).

Writes into Tests/Fixtures/:
  synthetic_weights.csv             synthetic.csv plus `w` (row-varying, uniform on [0.25, 4],
                                    numpy seed 20261206) and `wu` (constant within unit)
  synthetic_weights_unbalanced.csv  synthetic_unbalanced.csv (same row order) plus the same `w`,
                                    `wu` looked up by (unit, year); its 3 empty x1 stay empty
  weights_reference.json            one entry per case

mpdta has no weight column: its cases weight by `lpop` (log county population in 1000s, constant
within county, all > 0), the column R did's documentation uses for covariates.

Expected numbers (`expected`) are dense weighted least squares with explicit unit and year dummies
(numpy QR on sqrt(w)-scaled data) and the explicit fixest formulas under weights:
  iid:    sigma2 = sum(w u^2)/(n-K), K = k + N + T - 1, df = n - K
  hetero: n/(n-K) B (sum w^2 u^2 x~ x~') B, df = n - K
  CR1:    G/(G-1) (n-1)/(n-K) B (sum_g s_g s_g') B, s_g = sum_{i in g} w x~ u, K = k + T
          (unit FE nested in the cluster), df = G - 1
with n the number of observations (fixest counts rows, not the sum of the weights, for analytic
weights) and x~ the weighted within transform. pyfixest 0.60.0's own numbers sit beside
(`pyfixest`): pf.feols(fml, data, weights="w", vcov=..., demeaner=MapDemeaner(fixef_tol=1e-14)).

Sun-Abraham: pyfixest 0.60.0 has no sunab(), so the saturated regression is the explicit
cohort x relative-period interaction regression (never-treated controls, reference e = -1), and
the aggregation is fixest's aggregate() with use_weights = TRUE: the share of interaction (g, e)
at event time e is sum_{cell} w / sum_{cells at e} w, Var = W V W'.

Run:  /opt/didlab-did2s-venv/bin/python scripts/reference/make_weights_reference.py
Deterministic: a second run rewrites the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pin_hash_seed, versions, write_reference  # noqa: E402

pin_hash_seed()

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyfixest as pf  # noqa: E402
from pyfixest.demeaners import MapDemeaner  # noqa: E402

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
FLOAT_FMT = "%.17g"
SEED = 20261206
DEMEANER = MapDemeaner(fixef_tol=1e-14, fixef_maxiter=1_000_000)


def make_weight_files() -> None:
    syn = pd.read_csv(FIX / "synthetic.csv", dtype={"unit": str, "province": str})
    rng = np.random.default_rng(SEED)
    syn["w"] = rng.uniform(0.25, 4.0, len(syn))
    units = sorted(syn["unit"].unique())
    unit_w = dict(zip(units, rng.uniform(0.5, 2.0, len(units))))
    syn["wu"] = syn["unit"].map(unit_w)
    syn.to_csv(FIX / "synthetic_weights.csv", index=False, float_format=FLOAT_FMT)
    unb = pd.read_csv(FIX / "synthetic_unbalanced.csv", dtype={"unit": str, "province": str})
    key = syn.set_index(["unit", "year"])
    unb["w"] = [key.loc[(u, y), "w"] for u, y in zip(unb["unit"], unb["year"])]
    unb["wu"] = unb["unit"].map(unit_w)
    unb.to_csv(FIX / "synthetic_weights_unbalanced.csv", index=False, float_format=FLOAT_FMT, na_rep="")


DATA = {
    "mpdta": dict(file="mpdta.csv", y="lemp", unit="countyreal", time="year", cohort="first.treat", w="lpop",
                  x=[]),
    "synthetic": dict(file="synthetic_weights.csv", y="y", unit="unit", time="year", cohort="cohort", w="w",
                      x=["x1", "x2"]),
    "unbalanced": dict(file="synthetic_weights_unbalanced.csv", y="y", unit="unit", time="year", cohort="cohort",
                       w="w", x=["x1", "x2"]),
}
ALL = [("iid", None), ("hetero", None), ("cr1", "unit")]
CASES = [
    ("mpdta_twfe", "mpdta", "twfe", ALL),
    ("mpdta_event", "mpdta", "event", ALL),
    ("mpdta_sa", "mpdta", "sa", ALL),
    ("synthetic_twfe", "synthetic", "twfe", ALL + [("cr1", "province")]),
    ("synthetic_event", "synthetic", "event", ALL),
    ("synthetic_sa", "synthetic", "sa", ALL + [("cr1", "province")]),
    ("unbalanced_twfe", "unbalanced", "twfe", ALL),
    ("unbalanced_event", "unbalanced", "event", ALL),
    ("unbalanced_sa", "unbalanced", "sa", ALL),
]


def term(e: int) -> str:
    return f"e{e}" if e < 0 else f"e+{e}"


def col(e: int, g=None) -> str:
    base = f"e_m{-e}" if e < 0 else f"e_p{e}"
    return base if g is None else f"{base}_g{g}"


def design(df, spec, method):
    """Regressor columns (safe names) and their DiDLab term names."""
    c, t = df[spec["cohort"]], df[spec["time"]]
    treated = c > 0
    e = np.where(treated, t - c, 0)
    if method == "twfe":
        df["D"] = (treated & (t >= c)).astype(float)
        return ["D"], ["treat"]
    if method == "event":
        times = sorted(set(e[treated]) - {-1})
        names, terms = [], []
        for k in times:
            df[col(k)] = (treated & (e == k)).astype(float)
            names.append(col(k)); terms.append(term(k))
        return names, terms
    cells = sorted({(k, g) for k, g in zip(e[treated], c[treated]) if k != -1})
    names, terms = [], []
    for k, g in cells:
        df[col(k, g)] = (treated & (e == k) & (c == g)).astype(float)
        names.append(col(k, g)); terms.append(f"{term(k)}:g{g}")
    return names, terms


def weighted_fit(df, y, xs, unit, time, w):
    n = len(df)
    units = pd.factorize(df[unit], sort=True)[0]
    tcode = pd.factorize(df[time], sort=True)[0]
    N, T = units.max() + 1, tcode.max() + 1
    F = np.zeros((n, N + T - 1))
    F[np.arange(n), units] = 1.0
    m = tcode > 0
    F[np.where(m)[0], N + tcode[m] - 1] = 1.0
    r = np.sqrt(df[w].to_numpy(float))
    X = df[xs].to_numpy(float)
    Y = df[y].to_numpy(float)
    Z = np.hstack([X, F]) * r[:, None]
    Qz, Rz = np.linalg.qr(Z)
    assert np.min(np.abs(np.diag(Rz))) > 1e-8, "design not full rank"
    theta = np.linalg.solve(Rz, Qz.T @ (Y * r))
    beta = theta[: len(xs)]
    u = Y - np.hstack([X, F]) @ theta
    Qf, _ = np.linalg.qr(F * r[:, None])
    Xs = X * r[:, None]
    Xt = Xs - Qf @ (Qf.T @ Xs)          # sqrt(w) x~
    us = u * r                          # sqrt(w) u
    B = np.linalg.inv(Xt.T @ Xt)
    return dict(n=n, N=int(N), T=int(T), k=len(xs), beta=beta, Xt=Xt, us=us, B=B)


def vcov(fit, kind, cluster):
    n, N, T, k, Xt, us, B = (fit[key] for key in ("n", "N", "T", "k", "Xt", "us", "B"))
    K_full = k + N + T - 1
    if kind == "iid":
        return (us @ us) / (n - K_full) * B, dict(K=K_full, df=n - K_full)
    if kind == "hetero":
        S = Xt * us[:, None]
        return n / (n - K_full) * B @ (S.T @ S) @ B, dict(K=K_full, df=n - K_full)
    g = pd.factorize(cluster)[0]
    G = g.max() + 1
    S = np.zeros((G, k))
    np.add.at(S, g, Xt * us[:, None])
    K = k + T
    return G / (G - 1) * (n - 1) / (n - K) * B @ (S.T @ S) @ B, dict(K=K, df=int(G - 1), G=int(G))


def sa_aggregation(df, names, terms, w, extra):
    """Rows of W: one per event time (ascending), weights sum_cell w / sum_e w."""
    events = sorted({t.split(":")[0] for t in terms}, key=lambda s: int(s[1:]))
    mass = np.array([df.loc[df[c] == 1, w].sum() for c in names])
    rows, labels = [], []
    for ev in events:
        sel = np.array([t.split(":")[0] == ev for t in terms])
        row = np.where(sel, mass, 0.0) / mass[sel].sum()
        rows.append(np.concatenate([row, np.zeros(extra)]))
        labels.append(ev)
    return np.array(rows), labels


def run_case(name, data, method, vcovs):
    spec = DATA[data]
    df = pd.read_csv(FIX / spec["file"], dtype={"unit": str, "province": str})
    n_file = len(df)
    df = df.dropna(subset=[spec["y"], spec["w"], *spec["x"]]).reset_index(drop=True)
    names, terms = design(df, spec, method)
    xs = names + spec["x"]
    all_terms = terms + spec["x"]
    fit = weighted_fit(df, spec["y"], xs, spec["unit"], spec["time"], spec["w"])
    fml = f"{spec['y']} ~ {' + '.join(xs)} | {spec['unit']} + {spec['time']}"
    W = None
    if method == "sa":
        W, out_terms = sa_aggregation(df, names, terms, spec["w"], len(spec["x"]))
    else:
        out_terms = all_terms
    est = fit["beta"] if W is None else W @ fit["beta"]
    case = {"name": name, "data": spec["file"], "method": method, "outcome": spec["y"], "unit": spec["unit"],
            "time": spec["time"], "cohort": spec["cohort"], "weights": spec["w"], "covariates": spec["x"],
            "rows_in_file": n_file, "n_obs": fit["n"], "n_units": fit["N"], "n_periods": fit["T"],
            "call": f"pf.feols('{fml}', data, weights='{spec['w']}', vcov=..., demeaner=MapDemeaner(fixef_tol=1e-14))",
            "terms": out_terms, "estimate": dict(zip(out_terms, map(float, est))), "variances": []}
    worst = {"estimate": 0.0, "std_error": 0.0}
    for kind, clus in vcovs:
        clus_col = None if clus is None else (spec["unit"] if clus == "unit" else clus)
        V, info = vcov(fit, kind, None if clus_col is None else df[clus_col].to_numpy())
        if W is not None:
            V = W @ V @ W.T
        se = np.sqrt(np.diag(V))
        pf_fit = pf.feols(fml, data=df, weights=spec["w"], demeaner=DEMEANER,
                          vcov={"CRV1": clus_col} if kind == "cr1" else kind)
        assert pf_fit._N == fit["n"]
        pb = pf_fit.coef().to_numpy()
        pV = pf_fit._vcov
        if W is not None:
            pb, pV = W @ pb, W @ pV @ W.T
        pse = np.sqrt(np.diag(pV))
        worst["estimate"] = max(worst["estimate"], float(np.max(np.abs(pb - est))))
        worst["std_error"] = max(worst["std_error"], float(np.max(np.abs(pse - se))))
        entry = {"vcov": kind, "cluster": clus_col, "K": int(info["K"]), "df": int(info["df"]),
                 "std_error": dict(zip(out_terms, map(float, se))),
                 "pyfixest": {"estimate": dict(zip(out_terms, map(float, pb))),
                              "std_error": dict(zip(out_terms, map(float, pse))), "df": int(pf_fit._df_t)}}
        if "G" in info:
            entry["G"] = info["G"]
        case["variances"].append(entry)
    case["max_abs_diff_pyfixest"] = worst
    print(f"{name:20s} n={fit['n']:5d} terms={len(out_terms):3d} vs pyfixest {worst}")
    return case


def main() -> None:
    make_weight_files()
    cases = [run_case(*c) for c in CASES]
    write_reference(FIX / "weights_reference.json", {
        "generated_by": "scripts/reference/make_weights_reference.py",
        "oracle": "dense weighted least squares with explicit dummies and fixest's weighted variance formulas; "
                  "pyfixest 0.60.0 feols(weights=...) beside",
        "versions": versions("pyfixest", "numpy", "pandas"),
        "conventions": {
            "weights": "analytic (fixest/pyfixest aweights): WLS; n = number of rows; zero weights dropped",
            "iid": "sum(w u^2)/(n-K) B, K = k + N + T - 1, df = n - K",
            "hetero": "n/(n-K) B M B, M = sum w^2 u^2 x~x~', df = n - K",
            "cr1": "G/(G-1) (n-1)/(n-K) B M B, M = sum_g (sum_{i in g} w x~ u)^2, K = k + T, df = G - 1",
            "sa": "fixest sunab aggregate(use_weights = TRUE): shares sum_cell w / sum_e w; Var = W V W'",
            "mpdta_weights": "lpop (mpdta has no weight column)",
        },
        "cases": cases,
    })


if __name__ == "__main__":
    main()
