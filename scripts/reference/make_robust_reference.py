#!/usr/bin/env python3
"""Golden values for DiDLab's Sun-Abraham, BJS imputation, Goodman-Bacon and TWFE-weights code.

Writes Tests/Fixtures/robust_reference.json from the committed fixtures mpdta.csv and
synthetic.csv (see make_fixest_reference.py) and from the pilot design built here.

Oracles (each value says where it comes from):
  Sun & Abraham  saturated cohort x relative-period regression, brute-force dense OLS with unit
                 and year dummies; CR1 with R fixest's rule (K = kept slopes + T, unit FE nested
                 in the cluster; G/(G-1)(n-1)/(n-K)); aggregation a la fixest aggregate.fixest
                 (shares n_{g,e} / sum n) with the delta method. Cross-checked against pyfixest
                 0.60.0 (feols on the same interaction columns) and diff-diff 3.13 SunAbraham.
  BJS            untreated-observation fit by dense least squares with dummies (numpy lstsq),
                 imputation weights v0 = -Z0 pinv(Z0'Z0) Z1'w, tau-tilde by cohort x year with
                 did_imputation's cluster-block weights, V = sum_c S_c S_c'. Cross-checked
                 against the did_imputation 0.1.0 Python port (iterative solvers, tol 1e-6).
                 Pre-trend test: dense OLS on untreated observations without singletons, CR1
                 (reghdfe = fixest nested K), F = W/P with (P, G-1) df.
  Bacon          diff-diff 3.13 bacon_decompose(weights="exact") (Goodman-Bacon 2021 Thm 1),
                 TWFE coefficient from dense OLS.
  TWFE weights   diff-diff 3.13 twowayfeweights (de Chaisemartin & D'Haultfoeuille 2020 Thm 1),
                 cross-checked against the closed form eps_it / sum_{D=1} eps.

Run:  bash scripts/reference/setup-robust-venv.sh
      /opt/didlab-robust-venv/bin/python scripts/reference/make_robust_reference.py
"""
from __future__ import annotations

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable, *sys.argv], dict(os.environ, PYTHONHASHSEED="0"))

import contextlib
import io
import json
import platform
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"


# ----------------------------------------------------------------------------- data
def load(name: str) -> pd.DataFrame:
    return pd.read_csv(FIX / name)


DATA = {
    "mpdta": dict(file="mpdta.csv", y="lemp", unit="countyreal", time="year", cohort="first.treat"),
    "synthetic": dict(file="synthetic.csv", y="y", unit="unit", time="year", cohort="cohort"),
}


def prepared(key: str) -> pd.DataFrame:
    spec = DATA[key]
    df = load(spec["file"]).rename(columns={spec["y"]: "Y", spec["unit"]: "U", spec["time"]: "T",
                                            spec["cohort"]: "G"})
    df = df.sort_values(["U", "T"]).reset_index(drop=True)
    return df


def dummies(codes: np.ndarray, drop_first: bool) -> np.ndarray:
    levels = np.unique(codes)
    mat = (codes[:, None] == levels[None, :]).astype(float)
    return mat[:, 1:] if drop_first else mat


def dense_ols(y: np.ndarray, slopes: np.ndarray, unit: np.ndarray, time: np.ndarray):
    """OLS of y on slopes + unit dummies + year dummies (first dropped); returns slope coefs, resid."""
    Z = np.column_stack([slopes, dummies(unit, False), dummies(time, True)])
    coef, *_ = np.linalg.lstsq(Z, y, rcond=None)
    resid = y - Z @ coef
    k = slopes.shape[1]
    return coef[:k], resid, Z


def cr1(slopes_tilde: np.ndarray, resid: np.ndarray, cluster: np.ndarray, n: int, K: int):
    bread = np.linalg.inv(slopes_tilde.T @ slopes_tilde)
    G = len(np.unique(cluster))
    scores = np.zeros((G, slopes_tilde.shape[1]))
    _, inv = np.unique(cluster, return_inverse=True)
    np.add.at(scores, inv, slopes_tilde * resid[:, None])
    meat = scores.T @ scores
    factor = G / (G - 1) * (n - 1) / (n - K)
    return factor * bread @ meat @ bread, G


def demean_two_way(X: np.ndarray, unit: np.ndarray, time: np.ndarray) -> np.ndarray:
    D = np.column_stack([dummies(unit, False), dummies(time, True)])
    coef, *_ = np.linalg.lstsq(D, X, rcond=None)
    return X - D @ coef


# ------------------------------------------------------------------------ Sun & Abraham
def sun_abraham_case(name, key, covariates, clusters, control="never"):
    df = prepared(key)
    last = None
    if control == "last":
        last = df.loc[df.G > 0, "G"].max()
        df = df[df["T"] < last].reset_index(drop=True)
    years = np.sort(df["T"].unique())
    pos = {t: i for i, t in enumerate(years)}
    tindex = df["T"].map(pos).to_numpy()
    # cohort index on the grid (never-treated: None); relative period on the grid
    gvals = df["G"].to_numpy()
    treated_cohorts = sorted(g for g in np.unique(gvals) if g > 0 and g != last and g in pos)
    rel = np.array([pos[t] - pos[g] if g in treated_cohorts else np.nan for t, g in zip(df["T"], gvals)])
    cells = sorted({(int(e), int(g)) for e, g in zip(rel, gvals) if not np.isnan(e) and e != -1})
    cols = np.column_stack([((rel == e) & (gvals == g)).astype(float) for e, g in cells])
    names = [(f"e{e}" if e < 0 else f"e+{e}") + f":g{g}" for e, g in cells]
    slopes = np.column_stack([cols] + ([df[covariates].to_numpy()] if covariates else []))
    y = df["Y"].to_numpy()
    unit = df["U"].to_numpy()
    coef, resid, _ = dense_ols(y, slopes, unit, tindex)
    n = len(y)
    T = len(years)
    K = slopes.shape[1] + T
    Xt = demean_two_way(slopes, unit, tindex)
    m = len(cells)
    counts = cols.sum(axis=0)
    out = dict(name=name, data=DATA[key]["file"], y=DATA[key]["y"], unit=DATA[key]["unit"],
               time=DATA[key]["time"], cohort=DATA[key]["cohort"], covariates=covariates, control=control,
               n_obs=n, interactions={nm: float(c) for nm, c in zip(names, coef[:m])},
               counts={nm: int(c) for nm, c in zip(names, counts)}, vcov={})
    events = sorted({e for e, _ in cells})
    W = []
    labels = []
    for e in events:
        w = np.array([counts[j] if cells[j][0] == e else 0.0 for j in range(m)])
        W.append(w / w.sum())
        labels.append(f"e{e}" if e < 0 else f"e+{e}")
    w = np.array([counts[j] if cells[j][0] >= 0 else 0.0 for j in range(m)])
    W.append(w / w.sum())
    labels.append("att")
    W = np.array(W)
    agg = W @ coef[:m]
    out["estimate"] = {lab: float(v) for lab, v in zip(labels, agg)}
    for cl in clusters:
        V, G = cr1(Xt, resid, df[cl].to_numpy(), n, K)
        Vagg = W @ V[:m, :m] @ W.T
        se = np.sqrt(np.diag(Vagg))
        out["vcov"][f"cr1:{DATA[key]['unit'] if cl == 'U' else cl}"] = dict(
            K=K, df=G - 1, se={lab: float(s) for lab, s in zip(labels, se)},
            interaction_se={nm: float(s) for nm, s in zip(names, np.sqrt(np.diag(V[:m, :m])))})
    # pyfixest cross-check (same interaction columns)
    import pyfixest as pf
    pdf = df.copy()
    cnames = [f"d{j}" for j in range(m)]
    for j, c in enumerate(cnames):
        pdf[c] = cols[:, j]
    fml = "Y ~ " + " + ".join(cnames + covariates) + " | U + T"
    from pyfixest.demeaners import MapDemeaner
    fit = pf.feols(fml, data=pdf, vcov={"CRV1": "U"}, demeaner=MapDemeaner(fixef_tol=1e-14, fixef_maxiter=1_000_000))
    pc = fit.coef()[cnames].to_numpy()
    pV = fit._vcov[:m, :m]
    Vref, _ = cr1(Xt, resid, unit, n, K)
    out["pyfixest_max_abs_diff"] = dict(coef=float(np.max(np.abs(pc - coef[:m]))),
                                        vcov=float(np.max(np.abs(pV - Vref[:m, :m]))))
    # diff-diff cross-check (points; SEs use its own finite-sample factor)
    if control == "never":
        from diff_diff import SunAbraham
        ddf = df.copy()
        with contextlib.redirect_stdout(io.StringIO()):
            res = SunAbraham(cluster="U").fit(ddf, outcome="Y", unit="U", time="T", first_treat="G",
                                              covariates=covariates or None)
        es = res.event_study_effects
        dd = {(f"e{e}" if e < 0 else f"e+{e}"): float(v["effect"]) for e, v in es.items()}
        dd["att"] = float(res.overall_att)
        out["diff_diff_estimate"] = dd
        out["diff_diff_max_abs_diff"] = float(max(abs(dd[k] - out["estimate"][k]) for k in dd if k in out["estimate"]))
    return out


# -------------------------------------------------------------------------- BJS imputation
def bjs_case(name, key, covariates, clusters, pretrends, file=None):
    spec = DATA[key]
    df = prepared(key) if file is None else load(file).rename(
        columns={spec["y"]: "Y", spec["unit"]: "U", spec["time"]: "T", spec["cohort"]: "G"}).sort_values(["U", "T"]).reset_index(drop=True)
    if covariates:
        df = df.dropna(subset=covariates).reset_index(drop=True)
    years = np.sort(df["T"].unique())
    pos = {t: i for i, t in enumerate(years)}
    tindex = df["T"].map(pos).to_numpy()
    G = df["G"].to_numpy()
    treated = (G > 0) & (df["T"].to_numpy() >= G)
    K = np.where(G > 0, df["T"].to_numpy() - G, -10**6)  # years are consecutive in both fixtures
    unit = df["U"].to_numpy()
    X = df[covariates].to_numpy() if covariates else np.zeros((len(df), 0))
    y = df["Y"].to_numpy()
    u_levels = np.unique(unit)
    t_levels = np.arange(len(years))
    Zu = (unit[:, None] == u_levels[None, :]).astype(float)
    Zt = (tindex[:, None] == t_levels[None, :]).astype(float)
    Z = np.column_stack([Zu, Zt, X])
    Z0, Z1 = Z[~treated], Z[treated]
    theta, *_ = np.linalg.lstsq(Z0, y[~treated], rcond=None)
    resid0 = y[~treated] - Z0 @ theta
    # imputable: unit and period with untreated rows (both fixtures are connected)
    has_u = Zu[~treated].sum(axis=0) > 0
    has_t = Zt[~treated].sum(axis=0) > 0
    ok = has_u[np.searchsorted(u_levels, unit[treated])] & has_t[tindex[treated]]
    tau = y[treated] - Z1 @ theta
    tr_idx = np.flatnonzero(treated)[ok]
    tau = tau[ok]
    Z1 = Z1[ok]
    K1 = K[tr_idx]
    labels = ["att"]
    W = [np.full(len(tau), 1.0 / len(tau))]
    for h in sorted(set(K1.tolist())):
        labels.append(f"e+{h}")
        W.append((K1 == h) / float((K1 == h).sum()))
    est = {lab: float(w @ tau) for lab, w in zip(labels, W)}
    P = np.linalg.pinv(Z0.T @ Z0)
    out = dict(name=name, data=file or spec["file"], y=spec["y"], unit=spec["unit"], time=spec["time"],
               cohort=spec["cohort"], covariates=covariates, n_untreated=int((~treated).sum()),
               n_treated=int(len(tau)), estimate=est, vcov={})
    cells = (G[tr_idx] * 10000 + tindex[tr_idx])
    for cl in clusters:
        cvals = df[cl].to_numpy()
        c_levels, c_inv = np.unique(cvals, return_inverse=True)
        S = np.zeros((len(c_levels), len(W)))
        for j, w in enumerate(W):
            v0 = -Z0 @ (P @ (Z1.T @ w))
            c1 = c_inv[tr_idx]
            # cluster-block sums within cells
            block = pd.Series(w).groupby([cells, c1]).transform("sum").to_numpy()
            share = w * block
            num = pd.Series(share * tau).groupby(cells).transform("sum").to_numpy()
            den = pd.Series(share).groupby(cells).transform("sum").to_numpy()
            tilde = np.where(den != 0, num / np.where(den != 0, den, 1), 0.0)
            np.add.at(S[:, j], c1, w * (tau - tilde))
            np.add.at(S[:, j], c_inv[~treated], v0 * resid0)
        V = S.T @ S
        out["vcov"][f"cr1:{spec['unit'] if cl == 'U' else cl}"] = dict(
            se={lab: float(s) for lab, s in zip(labels, np.sqrt(np.diag(V)))},
            cov_att_e0=float(V[0, 1]) if len(labels) > 1 else None, clusters=int(len(c_levels)))
    if pretrends:
        out["pretrend"] = pretrend(df, treated, tindex, K, covariates, pretrends, clusters[0])
    # did_imputation (Python port) cross-check, unit clustering
    try:
        from did_imputation import did_imputation
        ddf = df.copy()
        ddf["Gi"] = ddf["G"].where(ddf["G"] > 0, np.nan)
        ddf["T"] = ddf["T"].astype("int64")
        with contextlib.redirect_stdout(io.StringIO()):
            r = did_imputation(ddf, "Y", "U", "T", "Gi", controls=covariates, allhorizons=True, minn=0,
                               pretrends=pretrends)
        got = {f"e+{int(k[3:])}": float(v) for k, v in r.estimates.items()}
        got_se = {f"e+{int(k[3:])}": float(v) for k, v in r.std_errors.items()}
        ref_se = out["vcov"][f"cr1:{spec['unit']}"]["se"]
        out["did_imputation_max_abs_diff"] = dict(
            estimate=float(max(abs(got[k] - est[k]) for k in got)),
            se=float(max(abs(got_se[k] - ref_se[k]) for k in got_se)))
        if pretrends:
            pre = {k: float(v) for k, v in r.pretrends_estimates.items()}
            out["did_imputation_pretrend_max_abs_diff"] = float(max(
                abs(pre[f"pre{h}"] - out["pretrend"]["coef"][f"pre{h}"]) for h in range(1, pretrends + 1)))
    except Exception as exc:  # recorded, never silently
        out["did_imputation_error"] = repr(exc)
    return out


def pretrend(df, treated, tindex, K, covariates, P, cl):
    rows = np.flatnonzero(~treated)
    unit = df["U"].to_numpy()
    while True:
        uc = pd.Series(unit[rows]).map(pd.Series(unit[rows]).value_counts()).to_numpy()
        tc = pd.Series(tindex[rows]).map(pd.Series(tindex[rows]).value_counts()).to_numpy()
        keep = (uc > 1) & (tc > 1)
        if keep.all():
            break
        rows = rows[keep]
    leads = np.column_stack([(K[rows] == -h).astype(float) for h in range(1, P + 1)])
    X = np.column_stack([leads] + ([df[covariates].to_numpy()[rows]] if covariates else []))
    y = df["Y"].to_numpy()[rows]
    u, t = unit[rows], tindex[rows]
    coef, resid, _ = dense_ols(y, X, u, t)
    n = len(rows)
    Kk = X.shape[1] + len(np.unique(t))
    Xt = demean_two_way(X, u, t)
    V, G = cr1(Xt, resid, df[cl].to_numpy()[rows], n, Kk)
    b = coef[:P]
    Vp = V[:P, :P]
    wald = float(b @ np.linalg.solve(Vp, b))
    F = wald / P
    return dict(coef={f"pre{h}": float(b[h - 1]) for h in range(1, P + 1)},
                se={f"pre{h}": float(np.sqrt(Vp[h - 1, h - 1])) for h in range(1, P + 1)},
                n_obs=int(n), dropped_singletons=int((~treated).sum() - n), K=int(Kk), df=int(G - 1),
                F=F, p_value=float(stats.f.sf(F, P, G - 1)), chi2=wald, chi2_p_value=float(stats.chi2.sf(wald, P)))


# ------------------------------------------------------------------- Bacon and TWFE weights
def twfe_beta(df):
    D = ((df["G"] > 0) & (df["T"] >= df["G"])).astype(float).to_numpy()
    coef, *_ = dense_ols(df["Y"].to_numpy(), D[:, None], df["U"].to_numpy(),
                         df["T"].map({t: i for i, t in enumerate(np.sort(df["T"].unique()))}).to_numpy())
    return float(coef[0])


def bacon_case(name, key):
    from diff_diff import bacon_decompose
    df = prepared(key)
    with contextlib.redirect_stdout(io.StringIO()):
        res = bacon_decompose(df, outcome="Y", unit="U", time="T", first_treat="G", weights="exact")
    comps = []
    for c in res.comparisons:
        comps.append(dict(type=c.comparison_type, treated=int(c.treated_group),
                          control=(0 if c.control_group == "never_treated" else int(c.control_group)),
                          estimate=float(c.estimate), weight=float(c.weight)))
    comps.sort(key=lambda c: (c["type"], c["treated"], c["control"]))
    beta = twfe_beta(df)
    return dict(name=name, data=DATA[key]["file"], y=DATA[key]["y"], unit=DATA[key]["unit"],
                time=DATA[key]["time"], cohort=DATA[key]["cohort"], twfe=beta,
                diff_diff_twfe=float(res.twfe_estimate), comparisons=comps,
                sum_weights=float(sum(c["weight"] for c in comps)),
                sum_weighted=float(sum(c["weight"] * c["estimate"] for c in comps)))


def weights_frame(df):
    from diff_diff import twowayfeweights
    d = df.copy()
    d["D"] = ((d["G"] > 0) & (d["T"] >= d["G"])).astype(int)
    with contextlib.redirect_stdout(io.StringIO()):
        res = twowayfeweights(d, outcome="Y", unit="U", time="T", treatment="D")
    w = res.weights.merge(d[["U", "T", "G", "D"]], on=["U", "T"])
    tr = w[w["D"] == 1]
    # closed form: eps = two-way demeaned D, weight = eps / sum_{D=1} eps
    tindex = d["T"].map({t: i for i, t in enumerate(np.sort(d["T"].unique()))}).to_numpy()
    eps = demean_two_way(d["D"].to_numpy(float)[:, None], d["U"].to_numpy(), tindex)[:, 0]
    closed = eps / eps[d["D"].to_numpy() == 1].sum()
    dd = tr.set_index(["U", "T"])["weight"]
    cf = pd.Series(closed, index=pd.MultiIndex.from_arrays([d["U"], d["T"]]))[dd.index]
    cells = tr.groupby(["G", "T"])["weight"].agg(["first", "size"]).reset_index()
    return dict(beta_fe=float(res.beta_fe), sigma_fe=float(res.sigma_fe),
                fraction_negative=float(res.fraction_negative),
                negative_count=int((tr["weight"] < 0).sum()), treated_cells=int(len(tr)),
                negative_sum=float(tr.loc[tr["weight"] < 0, "weight"].sum()),
                positive_sum=float(tr.loc[tr["weight"] > 0, "weight"].sum()),
                closed_form_max_abs_diff=float(np.max(np.abs(cf.to_numpy() - dd.to_numpy()))),
                cells=[dict(cohort=int(r.G), period=int(r["T"]), weight=float(r["first"]), units=int(r["size"]))
                       for _, r in cells.iterrows()])


def weights_case(name, key):
    df = prepared(key)
    out = dict(name=name, data=DATA[key]["file"], y=DATA[key]["y"], unit=DATA[key]["unit"],
               time=DATA[key]["time"], cohort=DATA[key]["cohort"])
    out.update(weights_frame(df))
    return out


def pilot_frame(national: bool) -> pd.DataFrame:
    """282 cities x 2009-2022: 24 adopt 2013, 13 adopt 2014, the rest never (or 2021 if national).
    y = 0.001 * (unit + 1) * sqrt(year - 2008) + 0.01 * D: any y gives the same weights."""
    units = np.arange(282)
    cohort = np.where(units < 24, 2013, np.where(units < 37, 2014, 2021 if national else 0))
    rows = [(u, t, cohort[u]) for u in units for t in range(2009, 2023)]
    df = pd.DataFrame(rows, columns=["U", "T", "G"])
    D = ((df["G"] > 0) & (df["T"] >= df["G"])).astype(float)
    df["Y"] = 0.001 * (df["U"] + 1) * np.sqrt(df["T"] - 2008) + 0.01 * D
    return df


def main() -> None:
    cases = {
        "sun_abraham": [
            sun_abraham_case("mpdta_sa", "mpdta", [], ["U"]),
            sun_abraham_case("synthetic_sa", "synthetic", ["x1", "x2"], ["U", "province"]),
            sun_abraham_case("mpdta_sa_last", "mpdta", [], ["U"], control="last"),
        ],
        "imputation": [
            bjs_case("mpdta_bjs", "mpdta", [], ["U"], pretrends=3),
            bjs_case("synthetic_bjs", "synthetic", ["x1", "x2"], ["U", "province"], pretrends=2),
            bjs_case("unbalanced_bjs", "synthetic", [], ["U"], pretrends=2, file="synthetic_unbalanced.csv"),
        ],
        "bacon": [bacon_case("mpdta_bacon", "mpdta"), bacon_case("synthetic_bacon", "synthetic")],
        "twfe_weights": [weights_case("mpdta_weights", "mpdta"), weights_case("synthetic_weights", "synthetic")],
    }
    for national in (False, True):
        w = weights_frame(pilot_frame(national))
        w.pop("cells")
        cases["twfe_weights"].append(dict(name="pilot_national" if national else "pilot", **w))
    meta = dict(generator="scripts/reference/make_robust_reference.py", python=platform.python_version(),
                versions={p: version(p) for p in ("pyfixest", "diff-diff", "did_imputation", "numpy", "pandas", "scipy")})
    doc = dict(meta=meta, **cases)
    (FIX / "robust_reference.json").write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
    print(json.dumps({k: [c["name"] for c in v] for k, v in cases.items()}))
    for c in cases["sun_abraham"]:
        print(c["name"], "pyfixest", c["pyfixest_max_abs_diff"], "diff-diff", c.get("diff_diff_max_abs_diff"))
    for c in cases["imputation"]:
        print(c["name"], c.get("did_imputation_max_abs_diff"), c.get("did_imputation_pretrend_max_abs_diff"),
              c.get("did_imputation_error"))
    for c in cases["bacon"]:
        print(c["name"], c["twfe"], c["diff_diff_twfe"], c["sum_weights"], c["sum_weighted"])
    for c in cases["twfe_weights"]:
        print(c["name"], c["negative_count"], c["negative_sum"], c["closed_form_max_abs_diff"])


if __name__ == "__main__":
    main()
