#!/usr/bin/env python3
"""Golden values for Callaway & Sant'Anna (2021) with sampling weights, R did's `weightsname` (issue 16).

Writes into Tests/Fixtures/:
  mpdta_weights.csv           mpdta.csv (same rows, same order) plus `pop` = exp(lpop), the county
                              population in thousands: a deterministic weight, constant within county
  cs_weights_reference.json   one entry per case, in the layout of cs_reference.json plus `weights`

Weights used:
  mpdta        `pop` (constant within unit)
  synthetic    Tests/Fixtures/synthetic_weights.csv (make_weights_reference.py): `wu` (constant within
               unit) and `w` (varies within unit: uniform on [0.25, 4] per row)

Oracle (`expected`): csdid 0.4.3, the Python port tracking R did 2.5.1:
  ATTgt(yname, tname, idname, gname, data, control_group, xformla, weights_name, clustervar)
    .fit(est_method, base_period, bstrap=False); .aggte(typec, bstrap=False, cband=False)
Cross-checks, their largest differences in `max_abs_diff_vs_csdid`:
  moderndid 0.4.1  att_gt(..., weightsname, boot=False, cband=False) + aggte(boot=False, cband=False)
  diff-diff 3.13.0 CallawaySantAnna(n_bootstrap=0, pscore_trim=1e-6).fit(...,
                   survey_design=SurveyDesign(weights=COL)) (estimates only: its survey standard
                   errors are design-based, with an n/(n-1) factor; no calendar aggregation; weights
                   constant within units only, since it takes each unit's first weight; compared
                   where it follows R did's conventions, see make_cs_reference.py)

R did's weight conventions (did 2.5.1 pre_process_did2 / compute.att_gt / compute.aggte), which
csdid and moderndid both follow:
  - weights must be >= 0 with a positive mean and are divided by their mean;
  - DRDID divides a 2x2's weights by their mean again and weighs the outcome regression (weighted
    least squares), the propensity-score logit (glm weights) and every mean and influence function;
  - weights that vary within a unit of a balanced panel: each ATT(g,t) uses the weights of the
    earlier of its two periods (fix_weights = NULL, the default; R prints a message), and aggte's
    cohort shares pg = mean(w * 1{G = g}) and the estimated-share term (wif) use each unit's weight
    in the first period.

Agreement found (2026-12, these versions): moderndid within 2e-15 of csdid in every case, including the
time-varying weights `w` (see the JSON).

Run:  bash scripts/reference/setup-cs-venv.sh
      /opt/didlab-cs-venv/bin/python scripts/reference/make_cs_weights_reference.py
Deterministic (no bootstrap): a second run rewrites the same bytes.
"""
from __future__ import annotations

import contextlib
import io
import sys
import warnings
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pin_hash_seed, versions, write_reference  # noqa: E402

pin_hash_seed()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

warnings.filterwarnings("ignore")

import moderndid  # noqa: E402
from csdid.att_gt import ATTgt  # noqa: E402
from diff_diff import CallawaySantAnna, SurveyDesign  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
FLOAT_FMT = "%.17g"

DATA = {
    "mpdta": dict(file="mpdta_weights.csv", y="lemp", unit="countyreal", time="year", cohort="first.treat"),
    "synthetic": dict(file="synthetic_weights.csv", y="y", unit="unit", time="year", cohort="cohort"),
}

# name, data, weights, control, base period, est_method, covariates, cluster column (None = unit)
CASES = [
    *[(f"mpdta_pop_{control}_{method}", "mpdta", "pop", control, "varying", method, [], None)
      for control in ("never", "notyet") for method in ("reg", "ipw", "dr")],
    *[(f"mpdta_pop_lpop_{control}_{method}", "mpdta", "pop", control, "varying", method, ["lpop"], None)
      for control in ("never", "notyet") for method in ("reg", "ipw", "dr")],
    ("mpdta_pop_never_universal", "mpdta", "pop", "never", "universal", "dr", [], None),
    ("mpdta_pop_lpop_notyet_universal", "mpdta", "pop", "notyet", "universal", "dr", ["lpop"], None),
    *[(f"synthetic_wu_{control}", "synthetic", "wu", control, "varying", "dr", [], None) for control in ("never", "notyet")],
    *[(f"synthetic_wu_x1_{control}_{method}", "synthetic", "wu", control, "varying", method, ["x1"], None)
      for control in ("never", "notyet") for method in ("reg", "ipw", "dr")],
    ("synthetic_wu_x1_never_universal", "synthetic", "wu", "never", "universal", "dr", ["x1"], None),
    ("synthetic_wu_province", "synthetic", "wu", "never", "varying", "dr", [], "province"),
    # `w` varies within units: the earlier period's weight per 2x2, first-period weights in aggte
    ("synthetic_w_never", "synthetic", "w", "never", "varying", "dr", [], None),
    ("synthetic_w_notyet_universal", "synthetic", "w", "notyet", "universal", "dr", [], None),
    ("synthetic_w_x1_never_ipw", "synthetic", "w", "never", "varying", "ipw", ["x1"], None),
    ("synthetic_w_x1_notyet_dr", "synthetic", "w", "notyet", "varying", "dr", ["x1"], None),
    ("synthetic_w_x1_never_universal", "synthetic", "w", "never", "universal", "reg", ["x1"], None),
]

AGG_TYPES = ["simple", "dynamic", "group", "calendar"]
WINDOW = dict(min_e=-2, max_e=1)
WINDOW_CASES = {"mpdta_pop_lpop_never_dr", "synthetic_w_x1_notyet_dr"}


def make_mpdta_weights() -> None:
    df = pd.read_csv(FIX / "mpdta.csv")
    df["pop"] = np.exp(df["lpop"])
    df.to_csv(FIX / "mpdta_weights.csv", index=False, float_format=FLOAT_FMT, lineterminator="\n")


def load(name: str) -> pd.DataFrame:
    df = pd.read_csv(FIX / DATA[name]["file"])
    if name == "synthetic":
        # The ports want numeric ids: c001 -> 1, p07 -> 7 (labels are unique either way).
        df["unit"] = df["unit"].str[1:].astype("int64")
        df["province"] = df["province"].str[1:].astype("int64")
    return df


def floats(values) -> list:
    return [None if (v is None or not np.isfinite(v)) else float(v) for v in np.asarray(values, dtype=float)]


def run_csdid(df, spec, weights, control, base, method, xs, cluster, window=None) -> dict:
    xformla = f"{spec['y']} ~ " + " + ".join(xs) if xs else None
    model = ATTgt(yname=spec["y"], tname=spec["time"], idname=spec["unit"], gname=spec["cohort"], data=df,
                  control_group="nevertreated" if control == "never" else "notyettreated",
                  xformla=xformla, weights_name=weights, clustervar=cluster)
    with contextlib.redirect_stdout(io.StringIO()):  # csdid prints its summaries
        model.fit(est_method=method, base_period=base, bstrap=False)
    r = model.results
    out = {"att_gt": [{"group": int(g), "time": int(t), "estimate": float(a), "std_error": s}
                      for g, t, a, s in zip(r["group"], r["year"], r["att"], floats(r["se"]))]}
    for typ in AGG_TYPES if window is None else ["simple", "dynamic", "group"]:
        with contextlib.redirect_stdout(io.StringIO()):
            a = model.aggte(typec=typ, bstrap=False, cband=False, **(window or {})).atte
        entry = {"estimate": float(a["overall_att"]), "std_error": float(a["overall_se"])}
        if typ != "simple":
            entry["by"] = [{"key": int(k), "estimate": float(v), "std_error": s}
                           for k, v, s in zip(a["egt"], a["att_egt"], floats(a["se_egt"]))]
        out[typ] = entry
    return out


def run_moderndid(df, spec, weights, control, base, method, xs, cluster, window=None) -> dict:
    res = moderndid.att_gt(data=df, yname=spec["y"], tname=spec["time"], idname=spec["unit"],
                           gname=spec["cohort"], xformla=("~ " + " + ".join(xs)) if xs else None,
                           control_group="nevertreated" if control == "never" else "notyettreated",
                           base_period=base, est_method=method, weightsname=weights, boot=False, cband=False,
                           clustervars=[cluster] if cluster else None)
    out = {"att_gt": [{"group": int(g), "time": int(t), "estimate": float(a), "std_error": s}
                      for g, t, a, s in zip(res.groups, res.times, res.att_gt, floats(res.se_gt))]}
    for typ in AGG_TYPES if window is None else ["simple", "dynamic", "group"]:
        a = moderndid.aggte(res, type=typ, boot=False, cband=False, **(window or {}))
        entry = {"estimate": float(a.overall_att), "std_error": float(a.overall_se)}
        if typ != "simple":
            entry["by"] = [{"key": int(k), "estimate": float(v), "std_error": s}
                           for k, v, s in zip(a.event_times, a.att_by_event, floats(a.se_by_event))]
        out[typ] = entry
    return out


def run_diffdiff(df, spec, weights, control, base, method, xs, cluster) -> dict | None:
    """Estimates only (its survey standard errors follow other conventions), constant weights only."""
    if cluster is not None or df.groupby(spec["unit"])[weights].nunique().max() > 1:
        return None
    data = df.rename(columns={spec["cohort"]: "first_treat"})
    est = CallawaySantAnna(control_group="never_treated" if control == "never" else "not_yet_treated",
                           estimation_method=method, base_period=base, n_bootstrap=0, pscore_trim=1e-6)
    r = est.fit(data, outcome=spec["y"], unit=spec["unit"], time=spec["time"], first_treat="first_treat",
                covariates=xs or None, survey_design=SurveyDesign(weights=weights))
    cells = sorted(r.group_time_effects.items())
    out = {"att_gt": [{"group": int(g), "time": int(t), "estimate": float(v["effect"])} for (g, t), v in cells]}
    simple = r.aggregate("simple")
    out["simple"] = {"estimate": float(np.ravel(simple.att)[0])}
    es = r.aggregate("event_study")
    keep = ~np.asarray(es.is_reference, dtype=bool) if base == "universal" else np.ones(len(es.event_time), bool)
    out["dynamic"] = {"by": [{"key": int(k), "estimate": float(v)} for k, v, ok in zip(es.event_time, es.att, keep) if ok]}
    grp = r.aggregate("group").to_dataframe()
    out["group"] = {"by": [{"key": int(k), "estimate": float(v)} for k, v in zip(grp["label"], grp["att"])]}
    return out


def max_diffs(ref: dict, other: dict | None) -> dict | None:
    """Largest |difference| in estimates and in standard errors over every shared number."""
    if other is None:
        return None
    est, se = [0.0], [0.0]

    def compare(a, b):
        if a["estimate"] is not None and b.get("estimate") is not None:
            est.append(abs(a["estimate"] - b["estimate"]))
        if a.get("std_error") is not None and b.get("std_error") is not None:
            se.append(abs(a["std_error"] - b["std_error"]))

    theirs = {(c["group"], c["time"]): c for c in other["att_gt"]}
    for cell in ref["att_gt"]:
        if (cell["group"], cell["time"]) in theirs:
            compare(cell, theirs[(cell["group"], cell["time"])])
    for typ in AGG_TYPES:
        if typ not in other or typ not in ref:
            continue
        if other[typ].get("estimate") is not None:
            compare(ref[typ], other[typ])
        theirs_by = {b["key"]: b for b in other[typ].get("by", [])}
        for b in ref[typ].get("by", []):
            if b["key"] in theirs_by:
                compare(b, theirs_by[b["key"]])
    return {"estimate": max(est), "std_error": max(se) if len(se) > 1 else None}


def main() -> None:
    make_mpdta_weights()
    frames = {name: load(name) for name in DATA}
    cases = []
    for name, data, weights, control, base, method, xs, cluster in CASES:
        spec = DATA[data]
        args = (frames[data].copy(), spec, weights, control, base, method, xs, cluster)
        ref = run_csdid(*args)
        diffs = {"moderndid": max_diffs(ref, run_moderndid(*args)), "diff_diff": max_diffs(ref, run_diffdiff(*args))}
        windowed = None
        if name in WINDOW_CASES:
            windowed = run_csdid(*args, window=WINDOW)
            diffs["moderndid_windowed"] = max_diffs(windowed, run_moderndid(*args, window=WINDOW))
            windowed = {**WINDOW, **{k: v for k, v in windowed.items() if k != "att_gt"}}
        print(f"{name:34s} cells={len(ref['att_gt']):3d}  simple={ref['simple']['estimate']:+.10f} "
              f"({ref['simple']['std_error']:.10f})  vs moderndid {diffs['moderndid']}  vs diff-diff {diffs['diff_diff']}")
        cases.append({
            "name": name, "data": spec["file"], "outcome": spec["y"], "unit": spec["unit"], "time": spec["time"],
            "cohort": spec["cohort"], "weights": weights, "control": control, "base_period": base,
            "est_method": method, "covariates": xs, "cluster": cluster,
            "expected": ref, "windowed": windowed, "max_abs_diff_vs_csdid": diffs,
        })
    out = {
        "generated_by": "scripts/reference/make_cs_weights_reference.py",
        "oracle": "csdid 0.4.3 (Python port of R did 2.5.1) with weights_name, analytic SEs (bstrap=False, cband=False)",
        "versions": versions("csdid", "moderndid", "diff-diff", "drdid", "numpy", "pandas", "statsmodels"),
        "conventions": {
            "weights": "R did weightsname: divided by their mean; each 2x2 (DRDID) uses the weights of the earlier of "
                       "its two periods, aggte's cohort shares pg = mean(w 1{G=g}) and wif the first period's",
            "att_gt": "R did: varying base = previous period before g, g-1 after; universal = g-1 everywhere "
                      "(reference cell estimate 0, std_error null); covariates of the earlier of the two periods",
            "std_error": "sqrt(sum_c (sum_{i in c} IF_i)^2) / n, clusters c = units unless 'cluster' is set",
            "aggregates": "did::aggte with weighted cohort shares and the estimated-weights term (wif)",
            "by.key": "event time (dynamic), cohort (group), period (calendar)",
        },
        "cases": cases,
    }
    write_reference(FIX / "cs_weights_reference.json", out)


if __name__ == "__main__":
    main()
