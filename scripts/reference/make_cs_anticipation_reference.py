#!/usr/bin/env python3
"""Golden values for DiDLab's Callaway & Sant'Anna `anticipation` option (R did's `anticipation = k`).

Writes Tests/Fixtures/cs_anticipation_reference.json: on mpdta (lemp, no covariates), for anticipation
k = 1 (never-treated and not-yet-treated controls, varying and universal base period) and k = 2 (never
treated, varying), every ATT(g,t) and the simple and dynamic aggregations with analytic standard errors:

  csdid 0.4.3      ATTgt(..., anticipation=k).fit(est_method="dr", base_period, bstrap=False)
                   + aggte(typec, bstrap=False, cband=False)          <- what the Swift tests compare with
  diff-diff 3.13.0 CallawaySantAnna(anticipation=k, n_bootstrap=0, pscore_trim=1e-6).fit(...).aggregate(...)
                   (a cross-check, recorded with its differences from csdid)

Conventions of csdid 0.4.3 with anticipation k (which DiDLab follows):
- cohorts g <= first period + k are dropped ("already treated in the first period, accounting for
  anticipation"); cohorts after the last period + k count as never treated;
- every cell with t >= g - k uses the base period g - 1 - k (varying base: pre cells t < g - k use t - 1);
- not-yet-treated comparison units: cohort > max(t, base) + k, cohort != g;
- aggte keeps t >= g as post-treatment (anticipation-window cells g-k <= t < g stay pre-treatment):
  simple averages t >= g, the dynamic overall averages e >= 0.

diff-diff 3.13.0 differs in two documented ways, both visible in `max_abs_diff_vs_csdid`:
- varying base: its cells g - k <= t < g are short differences (base t - 1), not g - 1 - k;
- its aggregations count t >= g - k as post-treatment (simple and dynamic overall include e >= -k).
Every cell with t >= g, and every cell of the universal base period, agrees.

Run:  /opt/didlab-cs-venv/bin/python scripts/reference/make_cs_anticipation_reference.py
The output is deterministic (no bootstrap), so a second run rewrites the same bytes.
"""
from __future__ import annotations

import contextlib
import io
import json
import platform
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

from csdid.att_gt import ATTgt  # noqa: E402
from diff_diff import CallawaySantAnna  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
SPEC = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat")

# name, control, base period, anticipation
CASES = [
    ("mpdta_never_varying_a1", "never", "varying", 1),
    ("mpdta_notyet_varying_a1", "notyet", "varying", 1),
    ("mpdta_never_universal_a1", "never", "universal", 1),
    ("mpdta_notyet_universal_a1", "notyet", "universal", 1),
    ("mpdta_never_varying_a2", "never", "varying", 2),
]


def floats(values) -> list:
    return [None if (v is None or not np.isfinite(v)) else float(v) for v in np.asarray(values, dtype=float)]


def run_csdid(df, control, base, k) -> dict:
    model = ATTgt(yname=SPEC["y"], tname=SPEC["time"], idname=SPEC["unit"], gname=SPEC["cohort"], data=df,
                  control_group="nevertreated" if control == "never" else "notyettreated", anticipation=k)
    with contextlib.redirect_stdout(io.StringIO()):
        model.fit(est_method="dr", base_period=base, bstrap=False)
    r = model.results
    out = {"att_gt": [{"group": int(g), "time": int(t), "estimate": float(a), "std_error": s}
                      for g, t, a, s in zip(r["group"], r["year"], r["att"], floats(r["se"]))]}
    for typ in ["simple", "dynamic"]:
        with contextlib.redirect_stdout(io.StringIO()):
            a = model.aggte(typec=typ, bstrap=False, cband=False).atte
        entry = {"estimate": float(a["overall_att"]), "std_error": float(a["overall_se"])}
        if typ != "simple":
            entry["by"] = [{"key": int(e), "estimate": float(v), "std_error": s}
                           for e, v, s in zip(a["egt"], a["att_egt"], floats(a["se_egt"]))]
        out[typ] = entry
    return out


def run_diffdiff(df, control, base, k) -> dict:
    data = df.rename(columns={SPEC["cohort"]: "first_treat"})
    est = CallawaySantAnna(control_group="never_treated" if control == "never" else "not_yet_treated",
                           estimation_method="dr", base_period=base, anticipation=k, n_bootstrap=0, pscore_trim=1e-6)
    r = est.fit(data, outcome=SPEC["y"], unit=SPEC["unit"], time=SPEC["time"], first_treat="first_treat")
    cells = sorted(r.group_time_effects.items())
    # diff-diff lists the cohort without a base period (2004 with k >= 1) as NaN cells: written as null.
    out = {"att_gt": [{"group": int(g), "time": int(t), "estimate": floats([v["effect"]])[0],
                       "std_error": floats([v["se"]])[0]} for (g, t), v in cells]}
    simple = r.aggregate("simple")
    out["simple"] = {"estimate": float(np.ravel(simple.att)[0]), "std_error": float(np.ravel(simple.se)[0])}
    es = r.aggregate("event_study")
    keep = ~np.asarray(es.is_reference, dtype=bool) if base == "universal" else np.ones(len(es.event_time), bool)
    out["dynamic"] = {"by": [{"key": int(e), "estimate": float(v), "std_error": s}
                             for e, v, s, ok in zip(es.event_time, es.att, floats(es.se), keep) if ok]}
    return out


def max_diffs(ref: dict, other: dict) -> dict:
    """Largest |difference| over the cells both report, split where diff-diff's conventions differ."""
    def diff(a, b):
        return 0.0 if a is None and b is None else float("inf") if a is None or b is None else abs(a - b)
    cells = {(c["group"], c["time"]): c for c in other["att_gt"]}
    post, window, pre = [0.0], [0.0], [0.0]
    for c in ref["att_gt"]:
        o = cells.get((c["group"], c["time"]))
        if o is None:
            continue
        bucket = post if c["time"] >= c["group"] else window if c["time"] >= c["group"] - ref["k"] else pre
        bucket.append(max(diff(c["estimate"], o["estimate"]), diff(c["std_error"], o["std_error"])))
    by = {d["key"]: d for d in other["dynamic"]["by"]}
    dyn = [max(diff(d["estimate"], by[d["key"]]["estimate"]), diff(d["std_error"], by[d["key"]]["std_error"]))
           for d in ref["dynamic"]["by"] if d["key"] in by]
    return {"att_gt_post": max(post), "att_gt_anticipation_window": max(window), "att_gt_pre": max(pre),
            "dynamic_by": max(dyn or [0.0]),
            "simple": max(diff(ref["simple"]["estimate"], other["simple"]["estimate"]),
                          diff(ref["simple"]["std_error"], other["simple"]["std_error"]))}


def main() -> None:
    df = pd.read_csv(FIX / "mpdta.csv")
    cases = []
    for name, control, base, k in CASES:
        ref = run_csdid(df, control, base, k)
        other = run_diffdiff(df, control, base, k)
        cases.append({"name": name, "control": control, "base_period": base, "anticipation": k,
                      "csdid": ref, "diff_diff": other,
                      "max_abs_diff_vs_csdid": {"diff_diff": max_diffs({**ref, "k": k}, other)}})
    out = {
        "description": "Callaway & Sant'Anna with anticipation on mpdta (lemp, no covariates, dr): ATT(g,t), simple "
                       "and dynamic aggregations, analytic SEs (scripts/reference/make_cs_anticipation_reference.py)",
        "versions": {"python": platform.python_version(), **{p: version(p) for p in ["csdid", "diff-diff", "numpy", "pandas"]}},
        "calls": {"csdid": "ATTgt(yname='lemp', tname='year', idname='countyreal', gname='first.treat', control_group, "
                           "anticipation=k).fit(est_method='dr', base_period, bstrap=False); aggte(typec, bstrap=False, cband=False)",
                  "diff_diff": "CallawaySantAnna(control_group, estimation_method='dr', base_period, anticipation=k, "
                               "n_bootstrap=0, pscore_trim=1e-6).fit(...); aggregate('simple'|'event_study')"},
        "cases": cases,
    }
    path = FIX / "cs_anticipation_reference.json"
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1, allow_nan=False)
        fh.write("\n")
    print("wrote", path)
    for c in cases:
        print(c["name"], c["max_abs_diff_vs_csdid"]["diff_diff"])


if __name__ == "__main__":
    main()
