#!/usr/bin/env python3
"""Golden values for DiDLab's three-step mediation (Baron-Kenny / Wen et al. 2004 with unit and
year fixed effects), from pyfixest feols and the explicit fixest formulas.

Writes Tests/Fixtures/mediation_reference.json. Reads the committed fixtures synthetic.csv and
synthetic_unbalanced.csv (made by make_fixest_reference.py); x1 plays the mediator, x2 the control:

  step 1   y  ~ D + x2      | unit + year      (c)
  step 2   x1 ~ D + x2      | unit + year      (a)
  step 3   y  ~ D + x1 + x2 | unit + year      (c', b)

Estimates: dense QR OLS with explicit dummies (brute force), checked against pyfixest.
SEs: the explicit fixest CR1 formula G/(G-1)(n-1)/(n-K), K = k + T (unit FE nested in the
cluster), t(G-1) -- pyfixest 0.60.0's clustered K depends on PYTHONHASHSEED, so its own SEs are
stored beside ours, not used as the golden value. Sobel z = ab / sqrt(b^2 s_a^2 + a^2 s_b^2) with
normal p-values, from the formula SEs.

Run:  bash scripts/reference/setup-venv.sh
      /opt/didlab-ref-venv/bin/python scripts/reference/make_mediation_reference.py
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pin_hash_seed, versions, write_reference  # noqa: E402

pin_hash_seed()

import warnings

import numpy as np
import pyfixest as pf
from scipy import stats

from make_fixest_reference import (  # noqa: E402
    DEMEANER, FIX, FIXEF_TOL, add_D, brute_force, formula_vcov, inference, read_synthetic, rel,
)

warnings.filterwarnings("ignore", category=FutureWarning)

STEPS = [
    (1, "y", ["D", "x2"]),
    (2, "x1", ["D", "x2"]),
    (3, "y", ["D", "x1", "x2"]),
]


def step(df, number, outcome, terms, clusters):
    fml = f"{outcome} ~ {' + '.join(terms)} | unit + year"
    bf = brute_force(df, outcome, terms, "unit", "year")
    assert bf["dropped"] == [], bf["dropped"]
    out = {
        "step": number, "outcome": outcome, "terms": terms, "n_obs": bf["n"],
        "call": f"pf.feols('{fml}', data, vcov={{'CRV1': CLUSTER}}, demeaner=MapDemeaner(fixef_tol={FIXEF_TOL:g}))",
        "estimate": {t: float(v) for t, v in zip(terms, bf["beta"])},
        "rss": bf["rss"], "r2_within": bf["r2_within"], "vcov": {},
    }
    for cluster in clusters:
        V, info = formula_vcov(bf, "cr1", df[cluster].to_numpy())
        se = np.sqrt(np.diag(V))
        p, lo, hi, _ = inference(bf["beta"], se, info["df"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = pf.feols(fml, data=df, vcov={"CRV1": cluster}, demeaner=DEMEANER)
        pf_coef = fit.coef().to_numpy()
        pf_se = fit.se().to_numpy()
        assert list(fit._coefnames) == terms, fit._coefnames
        out["vcov"][f"cr1:{cluster}"] = {
            "G": info["G"], "K": int(info["K"]), "df": int(info["df"]),
            "se": {t: float(v) for t, v in zip(terms, se)},
            "p_value": {t: float(v) for t, v in zip(terms, p)},
            "conf_low": {t: float(v) for t, v in zip(terms, lo)},
            "conf_high": {t: float(v) for t, v in zip(terms, hi)},
            "pyfixest_K": int(fit._df_k),
            "pyfixest_se": {t: float(v) for t, v in zip(terms, pf_se)},
            "pyfixest_se_max_rel_diff": rel(pf_se, se),
        }
        out["pyfixest_estimate"] = {t: float(v) for t, v in zip(terms, pf_coef)}
        out["pyfixest_estimate_max_rel_diff"] = rel(pf_coef, bf["beta"])
        print(f"  step {number} {outcome:2s} cr1:{cluster:8s} est diff {rel(pf_coef, bf['beta']):.1e}  "
              f"se diff {rel(pf_se, se):.1e}  K={info['K']} pyfixest K={fit._df_k}")
    return out


def sobel(steps, cluster):
    s2, s3 = steps[1], steps[2]
    a, b = s2["estimate"]["D"], s3["estimate"]["x1"]
    sa, sb = s2["vcov"][cluster]["se"]["D"], s3["vcov"][cluster]["se"]["x1"]
    se = float(np.sqrt(b * b * sa * sa + a * a * sb * sb))
    z = a * b / se
    return {"indirect": a * b, "std_error": se, "statistic": z, "p_value": float(2 * stats.norm.sf(abs(z))),
            "c_minus_c_prime": steps[0]["estimate"]["D"] - s3["estimate"]["D"],
            "proportion_mediated": a * b / steps[0]["estimate"]["D"]}


def case(name, data_file, clusters):
    df = add_D(read_synthetic(data_file), "cohort", "year")
    df = df.dropna(subset=["y", "x1", "x2", "D"]).reset_index(drop=True)
    print(name)
    steps = [step(df, number, outcome, terms, clusters) for number, outcome, terms in STEPS]
    return {"name": name, "data": data_file, "y": "y", "unit": "unit", "time": "year", "cohort": "cohort",
            "mediator": "x1", "covariates": ["x2"], "n_obs": len(df), "steps": steps,
            "sobel": {f"cr1:{c}": sobel(steps, f"cr1:{c}") for c in clusters}}


def main():
    cases = [
        case("synthetic_x1", "synthetic.csv", ["unit", "province"]),
        case("unbalanced_x1", "synthetic_unbalanced.csv", ["unit"]),
    ]
    ref = {
        "generated_by": "scripts/reference/make_mediation_reference.py",
        "versions": versions("pyfixest", "numpy", "pandas", "scipy"),
        "pythonhashseed": os.environ.get("PYTHONHASHSEED"),
        "conventions": {
            "model": "step 1 y ~ D + x2, step 2 x1 ~ D + x2, step 3 y ~ D + x1 + x2, all | unit + year; "
                     "D = 1{cohort > 0 and year >= cohort}",
            "estimate": "dense OLS with explicit unit (N) and year (T-1) dummies, Householder QR",
            "se": "fixest CR1: G/(G-1) (n-1)/(n-K) B (sum_g s_g s_g') B, K = k + T, df = G - 1",
            "sobel": "z = a b / sqrt(b^2 s_a^2 + a^2 s_b^2), p = 2 (1 - Phi(|z|))",
            "missing": "rows missing y, x1, x2 are dropped before all three steps (one common sample)",
        },
        "cases": cases,
    }
    write_reference(FIX / "mediation_reference.json", ref)


if __name__ == "__main__":
    main()
