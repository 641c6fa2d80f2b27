#!/usr/bin/env python3
"""Fixture and golden values for DiDLab's spillover-ring estimators (Butts 2021; Gardner 2021).

Writes into Tests/Fixtures/:
  spillover.csv                90 units x 2010-2019 with staggered adoption (2013/2015/2017), a
                               control x1, plane coordinates coord_x, coord_y (km) and lat, lon
                               (degrees, from the plane by an equirectangular map around 32N 112E),
                               and a spillover on untreated units near adopters
  spillover_reference.json     ring counts, one-stage and two-stage estimates and SEs

Rings are recomputed here independently: for each row, the distance to the nearest *other* unit
with cohort > 0 and cohort <= year; untreated rows within (0, 50], (50, 100], (100, 150] get the
ring dummies r1..r3 (distance 0 counts in r1). Planar distance is Euclidean on coord_x, coord_y;
great-circle distance is haversine with R = 6371.0088 km on lat, lon.

  one stage: y ~ D + r1 + r2 + r3 + x1 | unit + year, CR1 by unit (pyfixest feols; brute-force
             dense OLS with dummies + explicit fixest CR1 formula, K = k + T, df = G - 1)
  two stage: golden = a dense numpy implementation (explicit dummies, lstsq; Gardner's GMM
             variance with pinv(X10'X10), no small-sample factor, as did2s), checked against pyfixest
             did2s(first_stage="~ x1 | unit + year", second_stage="~ D + r1 + r2 + r3",
             treatment="excluded" (= D or in a ring), cluster="unit"); pyfixest's numbers are stored
             beside (its iterative demeaning runs at its default tolerance: agreement ~1e-9).

Run:  /opt/didlab-ref-venv/bin/python scripts/reference/make_spillover_reference.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pin_hash_seed, versions, write_reference  # noqa: E402

pin_hash_seed()

import math
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf

from make_fixest_reference import (  # noqa: E402
    DEMEANER, FIX, FLOAT_FMT, brute_force, formula_vcov, inference, rel,
)

warnings.filterwarnings("ignore")
SEED = 20210512
EDGES = [50.0, 100.0, 150.0]
EARTH_RADIUS_KM = 6371.0088


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def make_panel() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    n_units, years = 90, np.arange(2010, 2020)
    # adopters clustered in the south-west corner, controls spread over 900 x 900 km
    xy = rng.uniform(0, 900, size=(n_units, 2))
    cohort = np.zeros(n_units, dtype=int)
    corner = np.argsort(xy[:, 0] + xy[:, 1])[:40]
    adopters = rng.choice(corner, size=24, replace=False)
    cohort[adopters[:10]], cohort[adopters[10:18]], cohort[adopters[18:]] = 2013, 2015, 2017
    lat = 32.0 + xy[:, 1] / 111.2
    lon = 112.0 + xy[:, 0] / (111.2 * math.cos(math.radians(32.0)))
    alpha = rng.normal(0, 1, n_units)
    gamma = 0.1 * (years - 2010) + rng.normal(0, 0.1, len(years))
    rows = []
    for i in range(n_units):
        u = rng.normal(0, 0.3)
        for t, yr in enumerate(years):
            d = int(cohort[i] > 0 and yr >= cohort[i])
            near = min((math.dist(xy[i], xy[k]) for k in range(n_units)
                        if k != i and 0 < cohort[k] <= yr), default=math.inf)
            spill = 0.0 if d else (0.5 if near <= 80 else (0.2 if near <= 160 else 0.0))
            x1 = 0.4 * alpha[i] + rng.normal(0, 1)
            u = 0.5 * u + rng.normal(0, 0.3)
            y = alpha[i] + gamma[t] + 1.0 * d + spill + 0.3 * x1 + u
            rows.append((f"u{i + 1:02d}", int(yr), int(cohort[i]), d, x1, y, xy[i, 0], xy[i, 1], lat[i], lon[i]))
    return pd.DataFrame(rows, columns=["unit", "year", "cohort", "treat", "x1", "y", "coord_x", "coord_y",
                                       "lat", "lon"])


def add_rings(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    df = df.copy()
    units = df.groupby("unit").first()
    names = list(units.index)
    nearest = np.full(len(df), np.inf)
    for r, (unit, yr) in enumerate(zip(df["unit"], df["year"])):
        a = units.loc[unit]
        for other in names:
            b = units.loc[other]
            if other == unit or not (0 < b["cohort"] <= yr):
                continue
            if metric == "planar":
                dist = math.hypot(a["coord_x"] - b["coord_x"], a["coord_y"] - b["coord_y"])
            else:
                dist = haversine(a["lat"], a["lon"], b["lat"], b["lon"])
            nearest[r] = min(nearest[r], dist)
    untreated = df["treat"].to_numpy() == 0
    lower = 0.0
    for j, edge in enumerate(EDGES):
        inside = (nearest <= edge) & ((nearest > lower) if j > 0 else (nearest >= 0))
        df[f"r{j + 1}"] = (untreated & inside).astype("int64")
        lower = edge
    df["D"] = df["treat"]
    df["excluded"] = ((df["D"] == 1) | (df[["r1", "r2", "r3"]].sum(axis=1) > 0)).astype("int64")
    df["nearest"] = nearest
    return df


def one_stage(df):
    terms = ["D", "r1", "r2", "r3", "x1"]
    bf = brute_force(df, "y", terms, "unit", "year")
    V, info = formula_vcov(bf, "cr1", df["unit"].to_numpy())
    se = np.sqrt(np.diag(V))
    p, lo, hi, _ = inference(bf["beta"], se, info["df"])
    fit = pf.feols("y ~ D + r1 + r2 + r3 + x1 | unit + year", data=df, vcov={"CRV1": "unit"}, demeaner=DEMEANER)
    return {
        "call": "pf.feols('y ~ D + r1 + r2 + r3 + x1 | unit + year', data, vcov={'CRV1': 'unit'})",
        "terms": terms, "K": int(info["K"]), "df": int(info["df"]),
        "estimate": dict(zip(terms, map(float, bf["beta"]))), "se": dict(zip(terms, map(float, se))),
        "p_value": dict(zip(terms, map(float, p))), "conf_low": dict(zip(terms, map(float, lo))),
        "rss": bf["rss"],
        "pyfixest_estimate_max_rel_diff": rel(fit.coef().to_numpy(), bf["beta"]),
        "pyfixest_se_max_rel_diff": rel(fit.se().to_numpy(), se), "pyfixest_K": int(fit._df_k),
    }


def two_stage_dense(df):
    """Gardner's two-stage estimator and GMM variance with explicit dummies (numpy)."""
    n = len(df)
    units = pd.factorize(df["unit"], sort=True)[0]
    years = pd.factorize(df["year"], sort=True)[0]
    N, T = units.max() + 1, years.max() + 1
    X1 = np.zeros((n, N + T - 1 + 1))
    X1[np.arange(n), units] = 1.0
    m = years > 0
    X1[np.where(m)[0], N + years[m] - 1] = 1.0
    X1[:, -1] = df["x1"].to_numpy()
    s1 = df["excluded"].to_numpy() == 0
    X10 = X1 * s1[:, None]
    y = df["y"].to_numpy()
    theta = np.linalg.lstsq(X10[s1], y[s1], rcond=None)[0]
    ytil = y - X1 @ theta
    X2 = df[["D", "r1", "r2", "r3"]].to_numpy(dtype=float)
    beta = np.linalg.solve(X2.T @ X2, X2.T @ ytil)
    e2 = ytil - X2 @ beta
    e1 = np.where(s1, ytil, 0.0)
    gamma = np.linalg.pinv(X10.T @ X10) @ (X1.T @ X2)
    B = np.linalg.inv(X2.T @ X2)
    meat = np.zeros((4, 4))
    for g in np.unique(units):
        idx = units == g
        w = X2[idx].T @ e2[idx] - gamma.T @ (X10[idx].T @ e1[idx])
        meat += np.outer(w, w)
    V = B @ meat @ B
    return beta, np.sqrt(np.diag(V))


def two_stage(df):
    terms = ["D", "r1", "r2", "r3"]
    fit = pf.did2s(df, yname="y", first_stage="~ x1 | unit + year", second_stage="~ D + r1 + r2 + r3",
                   treatment="excluded", cluster="unit")
    names = list(fit._coefnames)
    assert names == terms, names
    est = fit.coef().to_numpy()
    se = np.sqrt(np.diag(fit._vcov))
    beta, se_dense = two_stage_dense(df)
    print(f"  did2s vs dense: est {rel(est, beta):.1e}  se {rel(se, se_dense):.1e}")
    assert rel(est, beta) < 1e-8 and rel(se, se_dense) < 1e-8
    return {
        "call": "pf.did2s(data, yname='y', first_stage='~ x1 | unit + year', "
                "second_stage='~ D + r1 + r2 + r3', treatment='excluded', cluster='unit')",
        "golden": "dense numpy two-stage with explicit dummies (lstsq) and the GMM variance with pinv(X10'X10); "
                  "pyfixest did2s (iterative demeaning at its default tolerance) agrees to ~1e-9",
        "terms": terms, "estimate": dict(zip(terms, map(float, beta))), "se": dict(zip(terms, map(float, se_dense))),
        "pyfixest_estimate": dict(zip(terms, map(float, est))), "pyfixest_se": dict(zip(terms, map(float, se))),
        "pyfixest_estimate_max_rel_diff": rel(est, beta), "pyfixest_se_max_rel_diff": rel(se, se_dense),
        "n_first_stage": int((df["excluded"] == 0).sum()),
    }


def main():
    panel = make_panel()
    panel.to_csv(FIX / "spillover.csv", index=False, float_format=FLOAT_FMT)
    panel = pd.read_csv(FIX / "spillover.csv", dtype={"unit": str})
    cases = {}
    for metric in ["planar", "great-circle"]:
        df = add_rings(panel, metric)
        counts = {f"r{j + 1}": int(df[f"r{j + 1}"].sum()) for j in range(len(EDGES))}
        far = int(((df["treat"] == 0) & (df["excluded"] == 0)).sum())
        print(f"{metric}: rings {counts}, far controls {far}")
        assert min(counts.values()) > 0 and far > 0
        cases[metric] = {
            "ring_observations": counts, "far_controls": far,
            "nearest_first_rows": [None if not np.isfinite(v) else float(v) for v in df["nearest"].to_numpy()[:40]],
            "one_stage": one_stage(df), "two_stage": two_stage(df),
        }
    ref = {
        "generated_by": "scripts/reference/make_spillover_reference.py",
        "versions": versions("pyfixest", "numpy", "pandas"),
        "seed": SEED, "edges": EDGES, "earth_radius_km": EARTH_RADIUS_KM,
        "haversine_lyon_paris_km": haversine(45.7597, 4.8422, 48.8567, 2.3508),
        "cases": cases,
    }
    write_reference(FIX / "spillover_reference.json", ref)


if __name__ == "__main__":
    main()
