#!/usr/bin/env python3
"""Golden values for DiDLab's synthetic difference-in-differences (`SyntheticDiD`, method "sdid").

Writes Tests/Fixtures/sdid_reference.json. Cases (outcome, unit, period, first treated period):
  california   the R package's california_prop99 (shipped by synthdid-py): PacksPerCapita, State, Year,
               California from 1989 (1 treated unit, 38 controls, 19 pre + 12 post years);
               Tests/Fixtures/california_prop99.csv is the same data in DiDLab's cohort form
  mpdta_2006   mpdta (lemp, countyreal, year, first.treat) restricted to the 2006 cohort and the never
               treated: one adoption date, 40 treated, 309 controls, 3 pre + 2 post years
  mpdta_staggered  mpdta without the 2004 cohort: cohorts 2006 (40 units) and 2007 (131) against the 309
               never treated (staggered). The 2004 cohort has one pre-period, so no first difference to
               set the noise level: R's sd() is NA there, synthdid 0.10.1 divides by zero, synthdid-py
               carries a NaN zeta on; DiDLab refuses it.

Golden = synthdid-py 0.1.0 ("a complete Python port of the reference R package"), whose solver is a
line-by-line port of R/solver.R (Frank-Wolfe with exact line search, stopping when an iteration
decreases the objective by less than min.decrease^2, 100 iterations, sparsify, then up to 10^4):
  single adoption  synthdid_estimate(Y, N0, T0) (R's defaults: eta.omega = (N1 T1)^(1/4),
                   zeta.omega = eta.omega * sd(first differences of the control pre-period outcomes),
                   zeta.lambda = 1e-6 * that sd, intercepts, min.decrease = 1e-5 * that sd);
                   jackknife_se(est) (Algorithm 3: fixed weights, omega renormalised after leaving a
                   control out, sqrt((n-1)^2/n var(u)))
  staggered        staggered_synthdid_estimate(panel) (the Stata sdid / Clarke et al. extension: each
                   cohort against the never treated over every period, cohorts averaged with weights
                   N_tr,a T_post,a / sum); est.se("jackknife") (fixed weights, a cohort that loses its last
                   treated unit is left out of that replicate); per cohort jackknife_se(est.estimates[g])
  placebo/bootstrap draws with given indices: the refit that synthdid-py's placebo_se / bootstrap_sample do
                   (weights re-solved from the renormalised fitted omega and the fitted lambda, zeta fixed)

Checked beside it (stored, not golden):
  synthdid 0.10.1 (d2cml-ai)  Synthdid(df, unit, time, treatment, outcome).fit().vcov(method="jackknife"):
                   its att is rounded to 5 decimals; its jackknife neither renormalises omega nor centres
                   at the replicates' mean (it centres at the estimate), so its SE differs; its placebo draws
                   controls with replacement and its bootstrap uses the global numpy RNG.
  diff-diff 3.13   SyntheticDiD(variance_method="jackknife").fit(df, outcome, treatment=ever treated, unit,
                   time, post_periods) (single adoption only; it rescales Y before solving); run in
                   /opt/didlab-cs-venv through a subprocess.

Run:  python3 -m venv /opt/didlab-sdid-venv
      /opt/didlab-sdid-venv/bin/pip install --no-deps synthdid-py==0.1.0 numpy pandas scipy
      /opt/didlab-sdid-venv/bin/pip install --no-deps --target /opt/didlab-sdid-venv/synthdid-0.10.1 synthdid==0.10.1
      (both distributions install a module named `synthdid`: the second lives in its own directory)
      /opt/didlab-sdid-venv/bin/python scripts/reference/make_sdid_reference.py
"""
from __future__ import annotations

import json
import subprocess
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import versions, write_reference  # noqa: E402

import synthdid as sdpy  # noqa: E402  (synthdid-py 0.1.0)
from synthdid.estimate import refit, synthdid_estimate  # noqa: E402
from synthdid.staggered import staggered_synthdid_estimate  # noqa: E402
from synthdid.utils import sum_normalize  # noqa: E402
from synthdid.vcov import jackknife_se  # noqa: E402

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests" / "Fixtures"
D2CML = "/opt/didlab-sdid-venv/synthdid-0.10.1"
DIFFDIFF_PYTHON = "/opt/didlab-cs-venv/bin/python"


def california() -> pd.DataFrame:
    """The R package's california_prop99, as DiDLab reads it (cohort = 1989 for California, else 0)."""
    df = sdpy.load_california_prop99() if hasattr(sdpy, "load_california_prop99") else None
    if df is None:
        df = pd.read_csv(Path(sdpy.__file__).parent / "data" / "california_prop99.csv", sep=";")
    df = df.rename(columns={"PacksPerCapita": "packs", "State": "state", "Year": "year", "treated": "D"})
    cohort = df.groupby("state")["D"].transform(lambda d: 1989 if d.max() == 1 else 0)
    out = df.assign(cohort=cohort)[["state", "year", "cohort", "packs"]].sort_values(["state", "year"])
    out.to_csv(FIX / "california_prop99.csv", index=False, float_format="%.17g")
    return out


def mpdta() -> pd.DataFrame:
    return pd.read_csv(FIX / "mpdta.csv")


def synthetic() -> pd.DataFrame:
    return pd.read_csv(FIX / "synthetic.csv")[["unit", "year", "cohort", "y"]]


CASES = {
    "california": dict(load=california, y="packs", unit="state", time="year", cohort="cohort", keep=None),
    "mpdta_2006": dict(load=mpdta, y="lemp", unit="countyreal", time="year", cohort="first.treat", keep=[0, 2006]),
    "mpdta_staggered": dict(load=mpdta, y="lemp", unit="countyreal", time="year", cohort="first.treat",
                            keep=[0, 2006, 2007]),
    # The synthetic panel (120 units x 2010-2019, cohorts 2013, 2015, 2017, 54 never treated); SDID takes no covariates.
    "synthetic_staggered": dict(load=synthetic, y="y", unit="unit", time="year", cohort="cohort", keep=None),
}


def frame(case) -> pd.DataFrame:
    df = case["load"]()
    if case["keep"] is not None:
        df = df[df[case["cohort"]].isin(case["keep"])]
    df = df.copy()
    df["D"] = ((df[case["cohort"]] > 0) & (df[case["time"]] >= df[case["cohort"]])).astype(int)
    df["ever"] = (df[case["cohort"]] > 0).astype(int)
    return df.reset_index(drop=True)


def block(df, case, cohort):
    """Y (controls first, then the cohort's treated, each by unit label), N0, T0, units, periods."""
    u, t, g = case["unit"], case["time"], case["cohort"]
    wide = df.pivot(index=u, columns=t, values=case["y"]).sort_index().sort_index(axis=1)
    first = df.groupby(u)[g].first().reindex(wide.index)
    controls = list(wide.index[first == 0])
    treated = list(wide.index[first == cohort])
    periods = list(wide.columns)
    Y = wide.loc[controls + treated].to_numpy(float)
    return Y, len(controls), periods.index(cohort), controls, treated, periods


def floats(a):
    return [float(x) for x in np.asarray(a, float).ravel()]


def draws_check(est, rng, kind, count):
    """Per-draw estimates of the placebo / bootstrap refits with recorded indices (0-based rows of Y)."""
    setup = est.setup
    N = setup.Y.shape[0]
    out = []
    while len(out) < count:
        if kind == "placebo":
            ind = rng.permutation(setup.N0)
            n0 = setup.N0 - setup.N1
            w = est.weights.copy()
            w.omega = sum_normalize(est.weights.omega[ind[:n0]])
            value = refit(est, Y=setup.Y[ind], N0=n0, T0=setup.T0, X=setup.X[ind], weights=w)
        else:
            ind = np.sort(rng.integers(0, N, size=N))
            n0 = int((ind < setup.N0).sum())
            if n0 == 0 or n0 == N:
                continue
            w = est.weights.copy()
            w.omega = sum_normalize(est.weights.omega[ind[ind < setup.N0]])
            value = refit(est, Y=setup.Y[ind], N0=n0, T0=setup.T0, X=setup.X[ind], weights=w)
        out.append({"rows": [int(i) for i in ind], "estimate": float(value)})
    return out


def synthdid_py(df, case):
    cohorts = sorted(int(c) for c in df[case["cohort"]].unique() if c > 0)
    by_cohort = []
    for g in cohorts:
        Y, N0, T0, controls, treated, periods = block(df, case, g)
        est = synthdid_estimate(Y, N0, T0)
        se = jackknife_se(est)
        by_cohort.append({
            "cohort": g, "estimate": float(est), "n_treated": len(treated), "n_control": N0, "n_pre": T0,
            "n_post": len(periods) - T0, "controls": [str(c) for c in controls],
            "treated": [str(c) for c in treated],
            "omega": floats(est.weights.omega), "lambda": floats(est.weights.lambda_),
            "zeta_omega": float(est.opts["zeta_omega"]), "zeta_lambda": float(est.opts["zeta_lambda"]),
            "min_decrease": float(est.opts["min_decrease"]),
            "omega_iterations": int(len(est.weights.omega_vals)), "lambda_iterations": int(len(est.weights.lambda_vals)),
            "jackknife_se": None if not np.isfinite(se) else float(se),
        })
        if len(cohorts) == 1:
            rng = np.random.default_rng(20261206)
            by_cohort[-1]["placebo_draws"] = draws_check(est, rng, "placebo", 3)
            if len(treated) > 1:
                by_cohort[-1]["bootstrap_draws"] = draws_check(est, rng, "bootstrap", 3)
    stag = staggered_synthdid_estimate(df, unit=case["unit"], time=case["time"], outcome=case["y"], treatment="D")
    jk = stag.se(method="jackknife")
    weights = {int(r.adoption_time): float(r.weight) for r in stag.by_cohort.itertuples()}
    for c in by_cohort:
        c["share"] = weights[c["cohort"]]
        assert abs(float(stag.estimates[c["cohort"]]) - c["estimate"]) < 1e-12
    return {"att": float(stag.att), "jackknife_se": None if not np.isfinite(jk) else float(jk), "cohorts": by_cohort}


def d2cml(df, case):
    """synthdid 0.10.1 (its own module tree), in a subprocess so the two `synthdid` modules never meet."""
    code = f"""
import json, sys, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, {D2CML!r})
import pandas as pd
from synthdid.synthdid import Synthdid
df = pd.read_csv(sys.argv[1])
m = Synthdid(df, unit={case["unit"]!r}, time={case["time"]!r}, treatment="D", outcome={case["y"]!r}).fit()
out = dict(att=float(m.att), cohort_estimates=[float(x) for x in m.att_info.att_time],
           cohorts=[int(x) for x in m.att_info.time], omega=[[float(v) for v in w] for w in m.weights["omega"]],
           **{{"lambda": [[float(v) for v in w] for w in m.weights["lambda"]]}})
try:
    out["jackknife_se"] = float(m.vcov(method="jackknife").se)
except Exception as e:
    out["jackknife_error"] = str(e)
print(json.dumps(out))
"""
    return run_python(sys.executable, code, df)


def diff_diff(df, case):
    cohorts = sorted(int(c) for c in df[case["cohort"]].unique() if c > 0)
    if len(cohorts) != 1:
        return {"skipped": "SyntheticDiD takes one adoption date (block treatment) only"}
    post = sorted(int(t) for t in df[case["time"]].unique() if t >= cohorts[0])
    method = "jackknife" if (df.groupby(case["unit"])["ever"].first().sum() > 1) else "placebo"
    code = f"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from diff_diff import SyntheticDiD
from importlib.metadata import version
df = pd.read_csv(sys.argv[1])
r = SyntheticDiD(variance_method={method!r}, n_bootstrap=200, seed=1).fit(df, outcome={case["y"]!r}, treatment="ever",
    unit={case["unit"]!r}, time={case["time"]!r}, post_periods={post!r})
print(json.dumps(dict(version=version("diff-diff"), variance_method={method!r}, att=float(r.att), se=float(r.se),
     omega={{str(k): float(v) for k, v in r.unit_weights.items()}}, **{{"lambda": [float(v) for v in r.time_weights.values()]}},
     zeta_omega=float(r.zeta_omega), noise_level=float(r.noise_level))))
"""
    return run_python(DIFFDIFF_PYTHON, code, df)


def run_python(python, code, df):
    path = Path("/tmp/didlab_sdid_case.csv")
    df.to_csv(path, index=False, float_format="%.17g")
    done = subprocess.run([python, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def agreement(ref, other, diffdiff):
    """Max abs differences of the cross-checks against the golden numbers (for the record)."""
    cohorts = ref["cohorts"]
    out = {"d2cml_cohort_estimates": max(abs(a - c["estimate"]) for a, c in zip(other["cohort_estimates"], cohorts)),
           "d2cml_att_rounded_to_5_decimals": abs(other["att"] - ref["att"]),
           "d2cml_omega": max(float(np.max(np.abs(np.asarray(w) - c["omega"]))) for w, c in zip(other["omega"], cohorts)),
           "d2cml_lambda": max(float(np.max(np.abs(np.asarray(w) - c["lambda"]))) for w, c in zip(other["lambda"], cohorts))}
    if "att" in diffdiff:
        c = cohorts[0]
        omega = [diffdiff["omega"][u] for u in c["controls"]]
        out.update(diff_diff_att=abs(diffdiff["att"] - ref["att"]),
                   diff_diff_omega=float(np.max(np.abs(np.asarray(omega) - c["omega"]))),
                   diff_diff_lambda=float(np.max(np.abs(np.asarray(diffdiff["lambda"]) - c["lambda"]))))
        if diffdiff["variance_method"] == "jackknife":
            out["diff_diff_jackknife_se"] = abs(diffdiff["se"] - c["jackknife_se"])
    return out


def main() -> None:
    ref = {"provenance": {
        "script": "scripts/reference/make_sdid_reference.py",
        "golden": "synthdid-py 0.1.0: synthdid_estimate(Y, N0, T0) per cohort, jackknife_se(est); "
                  "staggered_synthdid_estimate(df, unit, time, outcome, treatment='D') and .se(method='jackknife')",
        "cross_checks": "synthdid 0.10.1 (d2cml-ai) Synthdid(...).fit().vcov(method='jackknife'); "
                        "diff-diff 3.13 SyntheticDiD(variance_method='jackknife'|'placebo').fit(...)",
        "versions": {**versions("synthdid-py", "numpy", "pandas"), "synthdid (d2cml-ai)": "0.10.1"},
        "solver_note": "Frank-Wolfe stops on min.decrease = 1e-5 * noise level: weights are the iterate at the stop, "
                       "reproducible to rounding only when the iteration path is the same",
    }, "cases": {}}
    for name, case in CASES.items():
        df = frame(case)
        golden = synthdid_py(df, case)
        other = d2cml(df, case)
        dd = diff_diff(df, case)
        ref["provenance"]["versions"]["diff-diff"] = dd.get("version", ref["provenance"]["versions"].get("diff-diff"))
        ref["cases"][name] = {"outcome": case["y"], "unit": case["unit"], "time": case["time"], "cohort": case["cohort"],
                              "restrict_cohorts": case["keep"], **golden,
                              "synthdid_0_10_1": other, "diff_diff": dd, "agreement": agreement(golden, other, dd)}
        print(name, json.dumps(ref["cases"][name]["agreement"]))
    write_reference(FIX / "sdid_reference.json", ref)


if __name__ == "__main__":
    main()
