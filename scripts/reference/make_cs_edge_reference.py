#!/usr/bin/env python3
"""Fixtures and golden values for the edge cases of DiDLab's Callaway & Sant'Anna estimator:
ATT(g,t) that cannot be estimated, and unbalanced panels.

Writes
  Tests/Fixtures/cs_separation.csv     a small synthetic panel (seeded) in which a covariate
                                       completely separates two small cohorts from the
                                       never-treated units in some periods, so R did's overlap
                                       check (max propensity score >= 0.999) fails those cells;
  Tests/Fixtures/mpdta_unbalanced.csv  mpdta without a fixed, seeded set of 120 rows;
  Tests/Fixtures/cs_edge_reference.json  csdid 0.4.3 on both.

Oracle: csdid 0.4.3 (the Python port that tracks R did 2.5.1; cs_reference.json records its
agreement with moderndid 0.4.1 on the balanced cases):
  ATTgt(yname, tname, idname, gname, data, control_group, xformla, allow_unbalanced_panel)
      .fit(est_method, base_period, bstrap=False)
  .aggte(typec, bstrap=False, cband=False, na_rm=...)
Failed cells are those csdid returns as NaN (R did: NA with the warning "overlap condition
violated for group g in time period t"); the aggregations use na_rm=True (R did: aggte's
na.rm = TRUE; with na.rm = FALSE both stop: "Missing values at att_gt found").

Unbalanced panel: "balance" = allow_unbalanced_panel=False (R did's default: units missing a
period are dropped, BMisc::makeBalancedPanel); "allow" = allow_unbalanced_panel=True (each
ATT(g,t) by the repeated-cross-section DRDID estimators on the rows of its two periods, the
influence function summed by unit).

Run:  bash scripts/reference/setup-cs-venv.sh
      /opt/didlab-cs-venv/bin/python scripts/reference/make_cs_edge_reference.py
Deterministic: a second run rewrites the same bytes.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import platform
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from csdid.att_gt import ATTgt

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
AGG_TYPES = ["simple", "dynamic", "group", "calendar"]


def separation_panel() -> pd.DataFrame:
    """45 units x 6 years (2001-2006): cohort 2003 (12 units), cohort 2004 (2 units whose x lies
    above every never-treated unit's in every year: all its cells separate), cohort 2005 (1 unit
    whose x lies above the never-treated units' only in 2001-2002: the cells conditioning on
    those years separate), 30 never treated. y has unit and year effects, an effect of x, and a
    treatment effect 0.5 + 0.1 * event time."""
    rng = np.random.default_rng(20260412)
    years = list(range(2001, 2007))
    cohorts = [2003] * 12 + [2004] * 2 + [2005] + [0] * 30
    rows = []
    for unit, cohort in enumerate(cohorts, start=1):
        alpha = rng.normal()
        base_x = rng.normal()
        for year in years:
            x = base_x + 0.3 * rng.normal()
            if cohort == 2004:
                x = 6.0 + 0.5 * rng.normal()
            if cohort == 2005 and year <= 2002:
                x = 7.0 + 0.5 * rng.normal()
            treated = cohort != 0 and year >= cohort
            effect = 0.5 + 0.1 * (year - cohort) if treated else 0.0
            y = alpha + 0.2 * (year - 2001) + 0.4 * x + effect + rng.normal()
            rows.append(dict(unit=unit, year=year, cohort=cohort, x=round(x, 12), y=round(y, 12)))
    return pd.DataFrame(rows)


def unbalanced_mpdta() -> pd.DataFrame:
    mpdta = pd.read_csv(FIX / "mpdta.csv")
    rng = np.random.default_rng(7)
    drop = rng.choice(len(mpdta), size=120, replace=False)
    return mpdta.drop(index=drop).reset_index(drop=True)


def number(v):
    return None if v is None or not np.isfinite(v) else float(v)


def run_csdid(df, y, unit, time, cohort, control, base, method, xs, allow_unbalanced, na_rm) -> dict:
    model = ATTgt(yname=y, tname=time, idname=unit, gname=cohort, data=df.copy(),
                  control_group="nevertreated" if control == "never" else "notyettreated",
                  xformla=(f"{y} ~ " + " + ".join(xs)) if xs else None,
                  allow_unbalanced_panel=allow_unbalanced)
    captured = []
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(est_method=method, base_period=base, bstrap=False)
        captured = sorted({str(w.message) for w in caught if "overlap" in str(w.message) or "No " in str(w.message)})
    r = model.results
    out = {"att_gt": [{"group": int(g), "time": int(t), "estimate": number(a), "std_error": number(s)}
                      for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"])],
           "warnings": captured}
    for typ in AGG_TYPES:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = model.aggte(typec=typ, bstrap=False, cband=False, na_rm=na_rm).atte
        entry = {"estimate": number(a["overall_att"]), "std_error": number(a["overall_se"])}
        if typ != "simple":
            entry["by"] = [{"key": int(k), "estimate": number(v), "std_error": number(s)}
                           for k, v, s in zip(a["egt"], a["att_egt"], a["se_egt"])]
        out[typ] = entry
    if not na_rm:
        return out
    # What R did / csdid do without na.rm: aggte stops.
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.aggte(typec="simple", bstrap=False, cband=False, na_rm=False)
        out["without_na_rm"] = "no error"
    except ValueError as error:
        out["without_na_rm"] = str(error)
    return out


# name, data, control, base, est_method, covariates, allow_unbalanced_panel, na_rm
CASES = [
    ("separation_dr", "separation", "never", "varying", "dr", ["x"], False, True),
    ("separation_ipw", "separation", "never", "varying", "ipw", ["x"], False, True),
    ("separation_dr_notyet", "separation", "notyet", "varying", "dr", ["x"], False, True),
    ("separation_reg", "separation", "never", "varying", "reg", ["x"], False, False),
    ("unbalanced_balance", "unbalanced", "never", "varying", "dr", [], False, False),
    ("unbalanced_balance_lpop", "unbalanced", "never", "varying", "dr", ["lpop"], False, False),
    ("unbalanced_balance_notyet_universal", "unbalanced", "notyet", "universal", "dr", [], False, False),
    ("unbalanced_allow", "unbalanced", "never", "varying", "dr", [], True, False),
    ("unbalanced_allow_notyet", "unbalanced", "notyet", "varying", "dr", [], True, False),
    ("unbalanced_allow_universal", "unbalanced", "never", "universal", "dr", [], True, False),
    # Recorded for a future implementation; DiDLab refuses this combination (see the tests).
    ("unbalanced_allow_lpop", "unbalanced", "never", "varying", "dr", ["lpop"], True, False),
]

DATA = {
    "separation": dict(file="cs_separation.csv", y="y", unit="unit", time="year", cohort="cohort"),
    "unbalanced": dict(file="mpdta_unbalanced.csv", y="lemp", unit="countyreal", time="year", cohort="first.treat"),
}


def main() -> None:
    frames = {"separation": separation_panel(), "unbalanced": unbalanced_mpdta()}
    for name, frame in frames.items():
        frame.to_csv(FIX / DATA[name]["file"], index=False, float_format="%.17g")
    # Read back what was written, so the reference sees exactly the committed bytes.
    frames = {name: pd.read_csv(FIX / DATA[name]["file"]) for name in DATA}
    cases = []
    for name, data, control, base, method, xs, allow, na_rm in CASES:
        spec = DATA[data]
        ref = run_csdid(frames[data], spec["y"], spec["unit"], spec["time"], spec["cohort"], control, base, method, xs,
                        allow, na_rm)
        failed = [(c["group"], c["time"]) for c in ref["att_gt"] if c["estimate"] is None]
        print(f"{name:38s} cells={len(ref['att_gt']):3d} failed={failed} simple={ref['simple']['estimate']}",
              file=sys.stderr)
        cases.append({"name": name, "data": spec["file"], "outcome": spec["y"], "unit": spec["unit"],
                      "time": spec["time"], "cohort": spec["cohort"], "control": control, "base_period": base,
                      "est_method": method, "covariates": xs, "allow_unbalanced_panel": allow, "na_rm": na_rm,
                      "expected": ref})
    mpdta = pd.read_csv(FIX / "mpdta.csv")
    unbalanced = frames["unbalanced"]
    counts = unbalanced.groupby("countyreal").size()
    out = {
        "generated_by": "scripts/reference/make_cs_edge_reference.py",
        "oracle": "csdid 0.4.3 (Python port of R did 2.5.1), analytic SEs (bstrap=False, cband=False)",
        "versions": {"python": platform.python_version(), "csdid": version("csdid"), "drdid": version("drdid"),
                     "numpy": np.__version__, "pandas": pd.__version__, "statsmodels": version("statsmodels")},
        "fixtures": {
            "mpdta_unbalanced.csv": {"rows": len(unbalanced), "rows_removed": len(mpdta) - len(unbalanced),
                                     "units": int(counts.size), "incomplete_units": int((counts < 5).sum())},
            "cs_separation.csv": {"rows": len(frames["separation"]), "units": int(frames["separation"]["unit"].nunique())},
        },
        "cases": cases,
    }
    (FIX / "cs_edge_reference.json").write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", FIX / "cs_edge_reference.json", file=sys.stderr)


if __name__ == "__main__":
    main()
