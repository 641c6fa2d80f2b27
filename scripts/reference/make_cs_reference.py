#!/usr/bin/env python3
"""Generate golden reference values for DiDLab's Callaway & Sant'Anna (2021) estimator.

Writes Tests/Fixtures/cs_reference.json: for every case, every ATT(g,t) and every aggregation
(simple, dynamic, group, calendar: point estimates and analytic standard errors) as computed by
the Python ports of R `did`:

  csdid 0.4.3      ATTgt(...).fit(est_method, base_period, bstrap=False) + aggte(bstrap=False, cband=False)
                   (tracks R did 2.5.1; this is the value the Swift tests compare against)
  moderndid 0.4.1  att_gt(..., boot=False, cband=False) + aggte(boot=False, cband=False)
  differences 0.3.0 ATTgt(data, cohort_column, base_period).fit(formula, est_method, control_group)
                   + aggregate("simple" | "event" | "cohort" | "time", overall=...)
  diff-diff 3.13.0 CallawaySantAnna(n_bootstrap=0, pscore_trim=1e-6).fit(...).aggregate(...)
                   (no calendar aggregation; its own propensity clipping and clustered CR1
                   factor differ from R did, so it is compared only where those do not bite)

and the largest absolute differences between the ports, so the agreement is on record.

Agreement found (2026-11, these versions; `max_abs_diff_vs_csdid` in the JSON):
- moderndid: every number of every case within 7e-16 (it uses the same conventions throughout).
- differences: estimates within 7e-16; standard errors of ipw/dr with covariates up to 4e-8 off,
  because it takes the logit's information matrix from statsmodels' last IRLS iteration, where
  csdid and moderndid rebuild it at the final propensity scores (as R DRDID does). No cluster case.
- diff-diff: no covariates, reg and ipw agree (<= 5e-13), but its dr uses unnormalised
  (Horvitz-Thompson) comparison weights (differs by 1e-6 to 1e-3), its universal base period with
  covariates conditions on other periods' covariates, and without never-treated units it does not
  drop the periods from the last cohort on as R did does. Compared only as a cross-check.
- The group aggregation's overall standard error uses the estimated-share term over the distinct
  cohorts (csdid, moderndid and differences agree); R did versions whose compute.aggte passes the
  per-cell `group` vector to `wif` for this term would report a different group-overall SE.

Run:  bash scripts/reference/setup-cs-venv.sh
      /opt/didlab-cs-venv/bin/python scripts/reference/make_cs_reference.py
The output is deterministic (no bootstrap), so a second run rewrites the same bytes.
"""
from __future__ import annotations

import contextlib
import io
import json
import platform
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

from csdid.att_gt import ATTgt  # noqa: E402
import moderndid  # noqa: E402
from diff_diff import CallawaySantAnna  # noqa: E402
from differences import ATTgt as DifferencesATTgt  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"

DATA = {
    "mpdta": dict(file="mpdta.csv", y="lemp", unit="countyreal", time="year", cohort="first.treat"),
    "synthetic": dict(file="synthetic.csv", y="y", unit="unit", time="year", cohort="cohort"),
    # mpdta without its never-treated counties: R did drops the periods from the last cohort's
    # adoption on and keeps that cohort only as a not-yet-treated comparison group.
    "mpdta_treated_only": dict(file="mpdta.csv", y="lemp", unit="countyreal", time="year", cohort="first.treat",
                               keep="`first.treat` != 0"),
}

# name, data, control, base period, est_method, covariates, cluster column (None = unit)
CASES = [
    ("mpdta_never_varying", "mpdta", "never", "varying", "dr", [], None),
    ("mpdta_notyet_varying", "mpdta", "notyet", "varying", "dr", [], None),
    ("mpdta_never_universal", "mpdta", "never", "universal", "dr", [], None),
    ("mpdta_notyet_universal", "mpdta", "notyet", "universal", "dr", [], None),
    ("mpdta_lpop_reg", "mpdta", "never", "varying", "reg", ["lpop"], None),
    ("mpdta_lpop_ipw", "mpdta", "never", "varying", "ipw", ["lpop"], None),
    ("mpdta_lpop_dr", "mpdta", "never", "varying", "dr", ["lpop"], None),
    ("mpdta_lpop_dr_notyet", "mpdta", "notyet", "varying", "dr", ["lpop"], None),
    ("synthetic_x1_reg", "synthetic", "never", "varying", "reg", ["x1"], None),
    ("synthetic_x1_ipw", "synthetic", "never", "varying", "ipw", ["x1"], None),
    ("synthetic_x1_dr", "synthetic", "never", "varying", "dr", ["x1"], None),
    ("synthetic_x1_dr_notyet", "synthetic", "notyet", "varying", "dr", ["x1"], None),
    ("synthetic_x1_dr_universal", "synthetic", "never", "universal", "dr", ["x1"], None),
    ("synthetic_province", "synthetic", "never", "varying", "dr", [], "province"),
    ("mpdta_treated_only_notyet", "mpdta_treated_only", "notyet", "varying", "dr", [], None),
]

AGG_TYPES = ["simple", "dynamic", "group", "calendar"]
# aggte(min_e, max_e) window, checked on these cases (calendar ignores it, as in R did)
WINDOW = dict(min_e=-2, max_e=1)
WINDOW_CASES = {"mpdta_never_varying", "mpdta_lpop_dr", "synthetic_x1_dr_notyet"}


def load(name: str) -> pd.DataFrame:
    spec = DATA[name]
    df = pd.read_csv(FIX / spec["file"])
    if "keep" in spec:
        df = df.query(spec["keep"]).reset_index(drop=True)
    if name == "synthetic":
        # The ports want numeric ids: c001 -> 1, p07 -> 7 (labels are unique either way).
        df["unit"] = df["unit"].str[1:].astype("int64")
        df["province"] = df["province"].str[1:].astype("int64")
    return df


def floats(values) -> list:
    return [None if (v is None or not np.isfinite(v)) else float(v) for v in np.asarray(values, dtype=float)]


def run_csdid(df, spec, control, base, method, xs, cluster, window=None) -> dict:
    xformla = f"{spec['y']} ~ " + " + ".join(xs) if xs else None
    model = ATTgt(yname=spec["y"], tname=spec["time"], idname=spec["unit"], gname=spec["cohort"], data=df,
                  control_group="nevertreated" if control == "never" else "notyettreated",
                  xformla=xformla, clustervar=cluster)
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


def run_moderndid(df, spec, control, base, method, xs, cluster, window=None) -> dict:
    res = moderndid.att_gt(data=df, yname=spec["y"], tname=spec["time"], idname=spec["unit"],
                           gname=spec["cohort"], xformla=("~ " + " + ".join(xs)) if xs else None,
                           control_group="nevertreated" if control == "never" else "notyettreated",
                           base_period=base, est_method=method, boot=False, cband=False,
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


def run_diffdiff(df, spec, control, base, method, xs, cluster) -> dict | None:
    if cluster is not None:
        return None  # diff-diff clusters with a CR1 factor sqrt(G/(G-1)); R did does not
    data = df.rename(columns={spec["cohort"]: "first_treat"})
    est = CallawaySantAnna(control_group="never_treated" if control == "never" else "not_yet_treated",
                           estimation_method=method, base_period=base, n_bootstrap=0, pscore_trim=1e-6)
    r = est.fit(data, outcome=spec["y"], unit=spec["unit"], time=spec["time"], first_treat="first_treat",
                covariates=xs or None)
    cells = sorted(r.group_time_effects.items())
    out = {"att_gt": [{"group": int(g), "time": int(t), "estimate": float(v["effect"]),
                       "std_error": floats([v["se"]])[0]} for (g, t), v in cells]}
    simple = r.aggregate("simple")
    out["simple"] = {"estimate": float(np.ravel(simple.att)[0]), "std_error": float(np.ravel(simple.se)[0])}
    es = r.aggregate("event_study")
    keep = ~np.asarray(es.is_reference, dtype=bool) if base == "universal" else np.ones(len(es.event_time), bool)
    out["dynamic"] = {"by": [{"key": int(k), "estimate": float(v), "std_error": s}
                             for k, v, s, ok in zip(es.event_time, es.att, floats(es.se), keep) if ok]}
    grp = r.aggregate("group").to_dataframe()
    out["group"] = {"by": [{"key": int(k), "estimate": float(v), "std_error": s}
                           for k, v, s in zip(grp["label"], grp["att"], floats(grp["se"]))]}
    return out


def run_differences(df, spec, control, base, method, xs, cluster) -> dict:
    data = df.rename(columns={spec["cohort"]: "cohort_"}).copy()
    data["cohort_"] = data["cohort_"].where(data["cohort_"] != 0)
    data = data.set_index([spec["unit"], spec["time"]])
    model = DifferencesATTgt(data=data, cohort_column="cohort_", base_period=base)
    formula = spec["y"] + (" ~ " + " + ".join(xs) if xs else "")
    # differences names R did's standardized IPW "std_ipw" (its "ipw" is the unnormalized Horvitz-Thompson one)
    model.fit(formula=formula, est_method="std_ipw" if method == "ipw" else method, progress_bar=False,
              control_group="never_treated" if control == "never" else "not_yet_treated", cluster_var=cluster)
    cells = model.results()
    out = {"att_gt": [{"group": int(g), "time": int(t), "estimate": float(row.iloc[0]), "std_error": floats([row.iloc[1]])[0]}
                      for (g, _, t), row in cells.iterrows()]}
    simple = model.aggregate("simple")
    out["simple"] = {"estimate": float(simple.iloc[0, 0]), "std_error": float(simple.iloc[0, 1])}
    for typ, name in (("dynamic", "event"), ("group", "cohort"), ("calendar", "time")):
        parts = model.aggregate(name)
        overall = model.aggregate(name, overall=True)
        out[typ] = {"estimate": float(overall.iloc[0, 0]), "std_error": float(overall.iloc[0, 1]),
                    "by": [{"key": int(k), "estimate": float(r.iloc[0]), "std_error": floats([r.iloc[1]])[0]}
                           for k, r in parts.iterrows()]}
    return out


def max_diffs(ref: dict, other: dict | None) -> dict | None:
    """Largest |difference| in estimates and in standard errors over every shared number."""
    if other is None:
        return None
    est, se = [0.0], [0.0]

    def compare(a, b):
        if a["estimate"] is not None and b["estimate"] is not None:
            est.append(abs(a["estimate"] - b["estimate"]))
        if a.get("std_error") is not None and b.get("std_error") is not None:
            se.append(abs(a["std_error"] - b["std_error"]))

    theirs = {(c["group"], c["time"]): c for c in other["att_gt"]}
    for cell in ref["att_gt"]:
        if (cell["group"], cell["time"]) in theirs:
            compare(cell, theirs[(cell["group"], cell["time"])])
    for typ in AGG_TYPES:
        if typ not in other:
            continue
        if "std_error" in other[typ] and other[typ].get("estimate") is not None:
            compare(ref[typ], other[typ])
        theirs_by = {b["key"]: b for b in other[typ].get("by", [])}
        for b in ref[typ].get("by", []):
            if b["key"] in theirs_by:
                compare(b, theirs_by[b["key"]])
    return {"estimate": max(est), "std_error": max(se)}


def main() -> None:
    frames = {name: load(name) for name in DATA}
    cases = []
    for name, data, control, base, method, xs, cluster in CASES:
        spec = DATA[data]
        df = frames[data]
        args = (df.copy(), spec, control, base, method, xs, cluster)
        ref = run_csdid(*args)
        modern = run_moderndid(*args)
        dd = run_diffdiff(*args)
        try:
            differences_out = run_differences(*args)
        except Exception as error:  # recorded, not fatal: it is a cross-check only
            print(f"  differences failed on {name}: {error!r}", file=sys.stderr)
            differences_out = None
        diffs = {"moderndid": max_diffs(ref, modern), "diff_diff": max_diffs(ref, dd),
                 "differences": max_diffs(ref, differences_out)}
        windowed = None
        if name in WINDOW_CASES:
            windowed = run_csdid(*args, window=WINDOW)
            windowed_modern = run_moderndid(*args, window=WINDOW)
            diffs["moderndid_windowed"] = max_diffs(windowed, windowed_modern)
            windowed = {**WINDOW, **{k: v for k, v in windowed.items() if k != "att_gt"}}
        print(f"{name:28s} cells={len(ref['att_gt']):3d}  simple={ref['simple']['estimate']:+.10f} "
              f"({ref['simple']['std_error']:.10f})  vs moderndid {diffs['moderndid']}  vs diff-diff {diffs['diff_diff']}"
              f"  vs differences {diffs['differences']}")
        cases.append({
            "name": name, "data": spec["file"], "keep": spec.get("keep"), "outcome": spec["y"], "unit": spec["unit"],
            "time": spec["time"], "cohort": spec["cohort"], "control": control, "base_period": base,
            "est_method": method, "covariates": xs, "cluster": cluster,
            "expected": ref, "windowed": windowed, "max_abs_diff_vs_csdid": diffs,
        })
    out = {
        "generated_by": "scripts/reference/make_cs_reference.py",
        "oracle": "csdid 0.4.3 (Python port of R did 2.5.1), analytic SEs (bstrap=False, cband=False)",
        "versions": {"python": platform.python_version(), "csdid": version("csdid"),
                     "moderndid": version("moderndid"), "diff-diff": version("diff-diff"),
                     "differences": version("differences"),
                     "drdid": version("drdid"), "numpy": np.__version__, "pandas": pd.__version__,
                     "statsmodels": version("statsmodels")},
        "conventions": {
            "att_gt": "R did: varying base = previous period before g, g-1 after; universal = g-1 everywhere "
                      "(reference cell estimate 0, std_error null); covariates of the earlier of the two periods",
            "std_error": "sqrt(sum_c (sum_{i in c} IF_i)^2) / n, clusters c = units unless 'cluster' is set",
            "aggregates": "did::aggte: simple/dynamic/calendar cells weighted by cohort share with the "
                          "estimated-weights term (wif); group: per-cohort mean, overall with wif over cohorts",
            "by.key": "event time (dynamic), cohort (group), period (calendar)",
        },
        "cases": cases,
    }
    (FIX / "cs_reference.json").write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", FIX / "cs_reference.json", file=sys.stderr)


if __name__ == "__main__":
    main()
