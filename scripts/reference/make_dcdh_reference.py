#!/usr/bin/env python3
"""Golden values for DiDLab's de Chaisemartin & D'Haultfoeuille estimator (`--method dcdh`).

Writes Tests/Fixtures/dcdh_reference.json: effects DID_l (DiDLab e+(l-1)), placebos DID^pl_l
(DiDLab e-(l+1)), the average total effect (DiDLab att), their analytic standard errors and switcher
counts, for a binary staggered treatment D = 1{t >= first treated period}, no covariates, clustered by
the unit (the default), as

  moderndid 0.4.1  did_multiplegt(data, yname, idname, tname, dname, effects=L, placebo=K)
                   -> .effects, .placebos, .ate         (the parity oracle; R DIDmultiplegtDYN 2.x's
                   variance with the E_hat cohort means and sqrt(n/(n-1)) DOF factors)
  diff-diff 3.13   ChaisemartinDHaultfoeuille(twfe_diagnostic=False).fit(..., L_max=L)
                   -> .event_study_effects, .placebo_event_study, .overall_att/.overall_se
                   (second opinion: same point estimates; its plug-in SE recentres by cohort without
                   the DOF factors, so its SEs differ; recorded, not compared)

diff-diff refuses units not observed in the first period and drops units with interior gaps (moderndid, like
R, keeps them and uses the periods observed), so on the unbalanced fixtures it runs on the other units,
beside moderndid on the same subset (cross_check: the two references' largest
point-estimate difference); DiDLab's parity cases are moderndid's on the full files.

Unit labels of synthetic*.csv ("c001") are passed as integers (moderndid casts ids to float).
Covariates: not supported by DiDLab's dcdh (both references offer R's residualisation `controls`),
so the synthetic cases run without x1, x2.

Run:  /opt/didlab-cs-venv/bin/python scripts/reference/make_dcdh_reference.py
Deterministic (no bootstrap): a second run rewrites the same bytes.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from common import versions, write_reference

warnings.filterwarnings("ignore")

import moderndid  # noqa: E402
from diff_diff import ChaisemartinDHaultfoeuille  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
MPDTA = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat")
SYNTHETIC = dict(y="y", unit="unit", time="year", cohort="cohort")

# name, file, columns, effects L, placebos K (None: all that moderndid finds estimable)
CASES = [
    ("mpdta_all", "mpdta.csv", MPDTA, None, None),
    ("mpdta_L2_K1", "mpdta.csv", MPDTA, 2, 1),
    ("synthetic_all", "synthetic.csv", SYNTHETIC, None, None),
    ("synthetic_unbalanced_all", "synthetic_unbalanced.csv", SYNTHETIC, None, None),
    ("mpdta_unbalanced_all", "mpdta_unbalanced.csv", MPDTA, None, None),
]


def load(file: str, cols: dict) -> pd.DataFrame:
    raw = pd.read_csv(FIX / file)
    unit = raw[cols["unit"]]
    if not pd.api.types.is_numeric_dtype(unit):
        unit = unit.str.lstrip("c").astype(int)
    cohort = raw[cols["cohort"]]
    return pd.DataFrame({
        "unit": unit, "time": raw[cols["time"]], "y": raw[cols["y"]],
        "d": ((cohort > 0) & (raw[cols["time"]] >= cohort)).astype(int),
    })


def rows(result, prefix_sign: int) -> list[dict]:
    if result is None:
        return []
    out = []
    for h, est, se, n in zip(result.horizons, result.estimates, result.std_errors, result.n_switchers):
        lag = int(abs(h))
        term = f"e+{lag - 1}" if prefix_sign > 0 else f"e-{lag + 1}"
        out.append({"term": term, "lag": int(h), "estimate": float(est), "std_error": float(se),
                    "n_switchers": int(n)})
    return out


def run_moderndid(df: pd.DataFrame, effects: int, placebo: int):
    return moderndid.did_multiplegt(df, yname="y", idname="unit", tname="time", dname="d",
                                    effects=effects, placebo=placebo)


def run_diff_diff(df: pd.DataFrame, effects: int) -> dict:
    r = ChaisemartinDHaultfoeuille(twfe_diagnostic=False).fit(
        df, outcome="y", unit="unit", time="time", treatment="d", L_max=effects)
    eff = {f"e+{k - 1}": [float(v["effect"]), float(v["se"])] for k, v in sorted(r.event_study_effects.items())}
    pl = {f"e-{-k + 1}": [float(v["effect"]), float(v["se"])]
          for k, v in sorted((r.placebo_event_study or {}).items()) if np.isfinite(v["effect"])}
    return {"effects": eff, "placebos": pl, "att": [float(r.overall_att), float(r.overall_se)]}


def main() -> None:
    cases = []
    for name, file, cols, effects, placebo in CASES:
        df = load(file, cols)
        if effects is None:  # ask for many; moderndid cuts back to what the data reach
            probe = run_moderndid(df, 99, 99)
            effects, placebo = len(probe.effects.horizons), len(probe.placebos.horizons) if probe.placebos else 0
        m = run_moderndid(df, effects, placebo)
        case = {
            "name": name, "file": file, **{k: cols[k] for k in ("y", "unit", "time", "cohort")},
            "effects_requested": effects, "placebos_requested": placebo,
            "n_units": int(m.n_units), "n_switchers": int(m.n_switchers),
            "effects": rows(m.effects, 1), "placebos": rows(m.placebos, -1),
            "att": {"estimate": float(m.ate.estimate), "std_error": float(m.ate.std_error),
                    "n_switchers": int(m.ate.n_switchers)},
        }
        # diff-diff refuses units missing the first period and drops units with interior gaps
        # (moderndid and R keep them, using the periods observed): compare on the units it keeps.
        periods = {p: i for i, p in enumerate(sorted(df["time"].unique()))}
        index = df["time"].map(periods)
        by_unit = index.groupby(df["unit"])
        complete = (by_unit.transform("min") == 0) & (by_unit.transform("max") - by_unit.transform("min") + 1
                                                      == by_unit.transform("count"))
        sub = df[complete]
        dd = run_diff_diff(sub, effects)
        case["diff_diff"] = {"sample": "all units" if complete.all() else "units observed in the first period without interior gaps",
                             **dd}
        msub = m if complete.all() else run_moderndid(sub, effects, placebo)
        points = [(f"e+{int(h) - 1}", e) for h, e in zip(msub.effects.horizons, msub.effects.estimates)]
        if msub.placebos is not None:
            points += [(f"e-{int(-h) + 1}", e) for h, e in zip(msub.placebos.horizons, msub.placebos.estimates)]
        diffs = [abs(dd["effects"][t][0] - e) if t.startswith("e+") else abs(dd["placebos"][t][0] - e)
                 for t, e in points if t in dd["effects"] or t in dd["placebos"]]
        diffs.append(abs(dd["att"][0] - float(msub.ate.estimate)))
        case["cross_check"] = {"max_abs_point_difference_moderndid_vs_diff_diff": max(diffs),
                               "compared": len(diffs)}
        cases.append(case)
        print(name, "effects", effects, "placebos", placebo, "cross-check", max(diffs))

    write_reference(FIX / "dcdh_reference.json", {
        "description": "de Chaisemartin & D'Haultfoeuille did_multiplegt_dyn, binary staggered treatment, no "
                       "covariates, SEs clustered by the unit (scripts/reference/make_dcdh_reference.py)",
        "versions": versions("moderndid", "diff-diff", "numpy", "pandas", "polars"),
        "calls": {
            "moderndid": "moderndid.did_multiplegt(df, yname='y', idname='unit', tname='time', dname='d', "
                         "effects=L, placebo=K)",
            "diff_diff": "ChaisemartinDHaultfoeuille(twfe_diagnostic=False).fit(df, outcome='y', unit='unit', "
                         "time='time', treatment='d', L_max=L)",
            "treatment": "d = 1{cohort > 0 and time >= cohort}",
        },
        "cases": cases,
    })


if __name__ == "__main__":
    main()
