#!/usr/bin/env python3
"""Golden values for DiDLab's subgroup heterogeneity (interaction model, Wald test, split samples).

Writes Tests/Fixtures/subgroup_reference.json.

Data: Tests/Fixtures/synthetic.csv with a derived unit-level group column
    zone = north (provinces p01-p04), central (p05-p08), south (p09-p12).
Interaction model: y ~ D_north + D_central + D_south + x1 + x2 | unit + year, D_g = D * 1{zone = g}
(fixest: feols(y ~ i(zone, D) + x1 + x2 | unit + year)), CR1 by unit and by province.
 - `estimate`: dense OLS with explicit unit and year dummies (make_fixest_reference.brute_force);
 - `se`: the explicit fixest CR1 formula, K = k + T (unit FE nested in the cluster), df = G - 1;
 - `pyfixest_*`: pyfixest 0.60.0 `feols` with vcov={"CRV1": cluster} (PYTHONHASHSEED=0);
 - `wald`: F = W/q for H0: b_north = b_south, b_central = b_south, W = (Rb)'(R V R')^-1 (Rb) with
   the explicit V, p = scipy.stats.f.sf(F, q, G - 1) (fixest `wald`; pyfixest's `wald_test` with
   distribution="F" switches to chi2 for a non-identity R, so its W is recorded as `pyfixest_wald_W`).
Split samples: y ~ D + x1 + x2 | unit + year on each zone's units, CR1 by unit (pyfixest and brute force).

Run: /opt/didlab-ref-venv/bin/python scripts/reference/make_subgroup_reference.py
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
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pyfixest as pf
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixest_reference import DEMEANER, FIX, brute_force, formula_vcov, read_synthetic  # noqa: E402

warnings.filterwarnings("ignore")
ZONES = {"north": ["p01", "p02", "p03", "p04"], "central": ["p05", "p06", "p07", "p08"],
         "south": ["p09", "p10", "p11", "p12"]}


def with_zone(df):
    df = df.copy()
    df["zone"] = df["province"].map({p: z for z, ps in ZONES.items() for p in ps})
    df["D"] = ((df["cohort"] > 0) & (df["year"] >= df["cohort"])).astype("int64")
    for z in ZONES:
        df[f"D_{z}"] = df["D"] * (df["zone"] == z)
    return df


def fit_case(df, terms, cluster):
    bf = brute_force(df, "y", terms, "unit", "year")
    assert bf["kept"] == terms, bf["kept"]
    V, info = formula_vcov(bf, "cr1", df[cluster].to_numpy())
    fml = f"y ~ {' + '.join(terms)} | unit + year"
    fit = pf.feols(fml, data=df, vcov={"CRV1": cluster}, demeaner=DEMEANER)
    names = list(fit._coefnames)
    assert names == terms, names
    return bf, V, info, fit, fml


def main() -> None:
    df = with_zone(read_synthetic("synthetic.csv"))
    terms = [f"D_{z}" for z in ZONES] + ["x1", "x2"]
    interaction = {}
    for cluster in ["unit", "province"]:
        bf, V, info, fit, fml = fit_case(df, terms, cluster)
        beta = bf["beta"]
        se = np.sqrt(np.diag(V))
        # H0: equal effects, contrasts against the last zone (south).
        R = np.zeros((2, len(terms)))
        R[0, 0], R[0, 2] = 1, -1
        R[1, 1], R[1, 2] = 1, -1
        rb = R @ beta
        W = float(rb @ np.linalg.solve(R @ V @ R.T, rb))
        q, df2 = 2, info["df"]
        F = W / q
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pf_wald = fit.wald_test(R=R, distribution="F")
        interaction[f"cr1:{cluster}"] = {
            "call": f"pf.feols('{fml}', data, vcov={{'CRV1': '{cluster}'}})",
            "K": int(info["K"]), "df": int(df2), "G": int(info["G"]),
            "estimate": dict(zip(terms, map(float, beta))),
            "se": dict(zip(terms, map(float, se))),
            "pyfixest_estimate": dict(zip(terms, map(float, fit.coef().to_numpy()))),
            "pyfixest_se": dict(zip(terms, map(float, fit.se().to_numpy()))),
            "pyfixest_K": int(fit._df_k),
            "wald": {"restrictions": "D_north - D_south = 0, D_central - D_south = 0", "W": W, "F": F, "df1": q,
                     "df2": int(df2), "p_value": float(stats.f.sf(F, q, df2)),
                     "pyfixest_wald_W": float(pf_wald["statistic"])},
        }
    splits = {}
    for z, provinces in ZONES.items():
        sub = df[df["zone"] == z].reset_index(drop=True)
        bf, V, info, fit, fml = fit_case(sub, ["D", "x1", "x2"], "unit")
        splits[z] = {
            "call": f"pf.feols('{fml}', data[zone == '{z}'], vcov={{'CRV1': 'unit'}})",
            "n_obs": int(bf["n"]), "n_units": int(bf["N"]), "K": int(info["K"]),
            "estimate": float(bf["beta"][0]), "se": float(np.sqrt(V[0, 0])),
            "pyfixest_estimate": float(fit.coef().iloc[0]), "pyfixest_se": float(fit.se().iloc[0]),
        }
    out = {
        "generated_by": "scripts/reference/make_subgroup_reference.py",
        "versions": {"python": platform.python_version(), "pyfixest": version("pyfixest"),
                     "numpy": version("numpy"), "pandas": version("pandas"), "scipy": version("scipy")},
        "pythonhashseed": os.environ.get("PYTHONHASHSEED"),
        "data": "Tests/Fixtures/synthetic.csv",
        "zone": {z: ps for z, ps in ZONES.items()},
        "interaction": interaction,
        "split": splits,
    }
    (FIX / "subgroup_reference.json").write_text(json.dumps(out, indent=1) + "\n")
    for key, entry in interaction.items():
        print(key, {t: round(v, 6) for t, v in entry["estimate"].items()}, "F", round(entry["wald"]["F"], 6),
              "p", entry["wald"]["p_value"], "pyfixest W", entry["wald"]["pyfixest_wald_W"], "K", entry["K"],
              "pyfixest K", entry["pyfixest_K"], file=sys.stderr)


if __name__ == "__main__":
    main()
