#!/usr/bin/env python3
"""Golden values for DiDLab's Callaway & Sant'Anna pre-test of parallel trends (R did's `W`, `Wpval`).

Writes Tests/Fixtures/cs_pretest_reference.json: the Wald statistic that every pre-treatment ATT(g,t)
is 0 (analytic influence-function covariance, chi-square with q = number of tested cells), as the
Python ports of R did 2.5's `att_gt` report it:

  csdid 0.4.3      ATTgt(..., anticipation=k, clustervar).fit(est_method="dr", base_period, bstrap=False)
                   -> model.MP["W"], model.MP["Wpval"]
  moderndid 0.4.1  att_gt(..., anticipation=k, boot=False, cband=False) -> .wald_stat, .wald_pvalue

Both round the p-value to 5 decimals (R: `round(1 - pchisq(W, q), 5)`), so this script also records
`p_value_unrounded = scipy.stats.chi2.sf(W, q)` from each reference's W and the q that DiDLab's rule
gives (the count of pre-treatment cells, t < g, whose analytic SE is finite and > sqrt(eps)*10).

Which cells enter (read from the sources):
- R did 2.5 and moderndid 0.4.1: every cell with t < g (`which(group > tt)`), minus zero/NA-SE cells
  (a universal base period's reference cell). DiDLab follows this.
- csdid 0.4.3: only t < g - anticipation. With anticipation = 0 the two agree; with anticipation = 1
  csdid leaves out the anticipation-window cells, so its W differs (recorded, not compared).
- Clustering beyond the unit: R did 2.5 and csdid cluster the analytic V (bstrap = FALSE); moderndid
  reports no pre-test for a clustered fit. The clustered case (synthetic.csv by province) is csdid's.

Run:  /opt/didlab-cs-venv/bin/python scripts/reference/make_cs_pretest_reference.py
The output is deterministic (no bootstrap), so a second run rewrites the same bytes.
"""
from __future__ import annotations

import contextlib
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chi2

from common import versions, write_reference

warnings.filterwarnings("ignore")

import moderndid  # noqa: E402
from csdid.att_gt import ATTgt  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
MPDTA = dict(file="mpdta.csv", y="lemp", unit="countyreal", time="year", cohort="first.treat")
SYNTHETIC = dict(file="synthetic.csv", y="y", unit="unit", time="year", cohort="cohort")

# name, data, control, base period, anticipation, cluster
CASES = [
    (f"mpdta_{control}_{base}_a{k}", MPDTA, control, base, k, None)
    for k in (0, 1) for control in ("never", "notyet") for base in ("varying", "universal")
] + [
    ("synthetic_never_varying_a0", SYNTHETIC, "never", "varying", 0, None),
    # Clustered by province (12 clusters): the cluster sums of an influence function add up to 0, so the
    # clustered covariance has rank <= G - 1 = 11, and the full panel's 12 pre cells make it singular
    # (no pre-test; a case below records that). Without the never-treated units (pandas
    # query "`cohort` != 0"), the not-yet-treated design drops the periods from the last cohort on and
    # leaves 6 pre cells.
    ("synthetic_never_varying_a0_province", SYNTHETIC, "never", "varying", 0, "province"),
    ("synthetic_treated_notyet_varying_a0_province", {**SYNTHETIC, "keep": "`cohort` != 0"}, "notyet", "varying", 0,
     "province"),
    ("synthetic_treated_notyet_universal_a0_province", {**SYNTHETIC, "keep": "`cohort` != 0"}, "notyet", "universal",
     0, "province"),
]
SMALLEST_SE = np.sqrt(np.finfo(float).eps) * 10


def finite(value):
    """A float, or None (JSON null) for NaN and infinities."""
    return float(value) if np.isfinite(value) else None


def run_csdid(df, spec, control, base, k, cluster) -> dict:
    model = ATTgt(yname=spec["y"], tname=spec["time"], idname=spec["unit"], gname=spec["cohort"], data=df,
                  control_group="nevertreated" if control == "never" else "notyettreated", anticipation=k,
                  clustervar=cluster)
    with contextlib.redirect_stdout(io.StringIO()):
        model.fit(est_method="dr", base_period=base, bstrap=False)
    r = model.results
    se = np.asarray(r["se"], dtype=float)
    group, year = np.asarray(r["group"], dtype=float), np.asarray(r["year"], dtype=float)
    usable = np.isfinite(se) & (se > SMALLEST_SE)
    # DiDLab's (R did's) count: every t < g; csdid's own: t < g - k.
    q_r = int(np.count_nonzero((group > year) & usable))
    q_csdid = int(np.count_nonzero((group - k > year) & usable))
    w = model.MP["W"]
    out = {"W": None if w is None else float(w), "Wpval": model.MP["Wpval"], "q": q_csdid, "q_r_did_rule": q_r}
    if w is not None:
        out["p_value_unrounded"] = float(chi2.sf(float(w), q_csdid))
    out["pre_cells"] = [{"group": int(g), "time": int(t), "estimate": float(a), "std_error": finite(s)}
                        for g, t, a, s in zip(group, year, r["att"], se) if g > t]
    return out


def run_moderndid(df, spec, control, base, k) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        r = moderndid.att_gt(data=df, yname=spec["y"], tname=spec["time"], idname=spec["unit"], gname=spec["cohort"],
                             control_group="nevertreated" if control == "never" else "notyettreated",
                             base_period=base, anticipation=k, boot=False, cband=False)
    group, year = np.asarray(r.groups, dtype=float), np.asarray(r.times, dtype=float)
    se = np.asarray(r.se_gt, dtype=float)
    q = int(np.count_nonzero((group > year) & np.isfinite(se) & (se > SMALLEST_SE)))
    w = r.wald_stat
    out = {"W": None if w is None else float(w), "Wpval": r.wald_pvalue, "q": q}
    if w is not None:
        out["p_value_unrounded"] = float(chi2.sf(float(w), q))
    out["pre_cells"] = [{"group": int(g), "time": int(t), "estimate": float(a), "std_error": finite(s)}
                        for g, t, a, s in zip(group, year, r.att_gt, se) if g > t]
    return out


def main() -> None:
    cases = []
    for name, spec, control, base, k, cluster in CASES:
        df = pd.read_csv(FIX / spec["file"])
        if "keep" in spec:
            df = df.query(spec["keep"]).reset_index(drop=True)
        # csdid wants numeric unit and cluster ids: the labels' codes (the same partition).
        for column in (spec["unit"], "province"):
            if column in df and not pd.api.types.is_numeric_dtype(df[column]):
                df[column] = pd.factorize(df[column], sort=True)[0] + 1
        case = {"name": name, "data": spec["file"], "y": spec["y"], "unit": spec["unit"], "time": spec["time"],
                "cohort": spec["cohort"], **({"keep": spec["keep"]} if "keep" in spec else {}), "control": control, "base_period": base, "anticipation": k,
                "cluster": cluster, "csdid": run_csdid(df, spec, control, base, k, cluster)}
        if cluster is None:
            case["moderndid"] = run_moderndid(df, spec, control, base, k)
            a, b = case["csdid"], case["moderndid"]
            if k == 0 and a["W"] is not None and b["W"] is not None:
                case["abs_diff_W_csdid_moderndid"] = abs(a["W"] - b["W"])
        # The reference DiDLab compares with: R did's cell rule, so moderndid where it reports, else csdid
        # (clustered cases; anticipation 0 only).
        case["reference"] = "moderndid" if cluster is None else "csdid"
        cases.append(case)
    out = {
        "description": "Callaway & Sant'Anna Wald pre-test of parallel trends (R did att_gt's W, Wpval; analytic "
                       "influence-function covariance, chi2 with q tested cells); dr, no covariates "
                       "(scripts/reference/make_cs_pretest_reference.py)",
        "versions": versions("csdid", "moderndid", "numpy", "pandas", "scipy"),
        "calls": {"csdid": "ATTgt(yname, tname, idname, gname, data, control_group, anticipation=k, clustervar)"
                           ".fit(est_method='dr', base_period, bstrap=False); MP['W'], MP['Wpval']",
                  "moderndid": "att_gt(data, yname, tname, idname, gname, control_group, base_period, anticipation=k, "
                               "boot=False, cband=False); .wald_stat, .wald_pvalue",
                  "p_value_unrounded": "scipy.stats.chi2.sf(W, q)"},
        "cases": cases,
    }
    assert "NaN" not in json.dumps(out)
    write_reference(FIX / "cs_pretest_reference.json", out)
    for c in cases:
        ref = c[c["reference"]]
        print(c["name"], c["reference"], ref["W"], ref["q"], ref["Wpval"],
              "csdid", c["csdid"]["W"], c["csdid"]["q"], "diff", c.get("abs_diff_W_csdid_moderndid"))


if __name__ == "__main__":
    main()
