#!/usr/bin/env python3
"""Golden values for DiDLab's Gardner two-stage estimator (`GardnerTwoStage`, method "did2s").

Writes Tests/Fixtures/did2s_reference.json: static ATT ("treat") and event-study coefficients with
standard errors on
  mpdta                    lemp, unit countyreal, year, cohort first.treat; no covariates
  synthetic                y, unit, year, cohort; covariates x1, x2 in stage 1
  synthetic_unbalanced     the same with rows dropped and 3 rows with empty x1 (dropped)
each clustered by the unit (synthetic also by province, which nests the units).

Golden = a dense numpy implementation of Gardner (2021) with explicit dummies, as R did2s's source
computes it: stage 1 lstsq of y on [unit dummies, year dummies, X] over D = 0; ytil = y - X1 theta
on rows whose unit and year have D = 0 rows; stage 2 solve of ytil on the terms (no intercept);
V = (X2'X2)^-1 (sum_g psi_g psi_g') (X2'X2)^-1, psi_g = X2_g'e2_g - Gamma' X10_g'e1_g,
Gamma = pinv(X10'X10) X1'X2, no small-sample factor. Two libraries are run beside it:

  pyfixest  pf.did2s(data, yname, first_stage="~ 0 | unit + year" (or "~ x1 + x2 | unit + year"),
            second_stage="~ D" (or the event dummies), treatment="D", cluster=...)
            It raises on mpdta (the exception is stored under "pyfixest_error"); on the synthetic
            panels its numbers are stored beside the golden ones.
  diff-diff TwoStageDiD(cluster=..., pretrends=...).fit(data, outcome, unit, time, first_treat,
            covariates, aggregate=None | "event_study"): overall_att / overall_se and
            event_study_effects[h]["effect"/"se"] (only unbinned windows: its horizon_max
            truncates instead of binning).

Event terms follow DiDLab's EventStudy: e = year - cohort on the grid, e-1 omitted, never-treated
units all zero; "leads"/"lags" null = every observed event time unbinned, else the outermost lead
and lag bin everything beyond them.

Run:  python3 -m venv /opt/didlab-did2s-venv
      /opt/didlab-did2s-venv/bin/pip install pyfixest==0.60.0 diff-diff==3.13.0 pandas numpy
      /opt/didlab-did2s-venv/bin/python scripts/reference/make_did2s_reference.py
"""
from __future__ import annotations

# No PYTHONHASHSEED re-exec as in the fixest scripts: that guards pyfixest's clustered small-sample
# K, and did2s applies no small-sample factor.
import json, platform, sys, warnings  # noqa: E401
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
from diff_diff import TwoStageDiD

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixest_reference import FIX, add_D, add_event, event_terms, read_synthetic, rel, safe  # noqa: E402

warnings.filterwarnings("ignore")

PANELS = {
    "mpdta": dict(file="mpdta.csv", y="lemp", unit="countyreal", time="year", cohort="first.treat", covariates=[],
                  clusters=["countyreal"]),
    "synthetic": dict(file="synthetic.csv", y="y", unit="unit", time="year", cohort="cohort",
                      covariates=["x1", "x2"], clusters=["unit", "province"]),
    "synthetic_unbalanced": dict(file="synthetic_unbalanced.csv", y="y", unit="unit", time="year", cohort="cohort",
                                 covariates=["x1", "x2"], clusters=["unit"]),
}
# (name, leads, lags, binned); None = every observed event time. leads=1 means no lead terms.
EFFECTS = [("static", None, None, False), ("event_all", None, None, False), ("event_post", 1, None, False),
           ("event_binned", 3, 2, True)]


def load(spec) -> pd.DataFrame:
    if spec["file"] == "mpdta.csv":
        df = pd.read_csv(FIX / "mpdta.csv")
    else:
        df = read_synthetic(spec["file"])
    df = df.dropna(subset=[spec["y"], *spec["covariates"]]).reset_index(drop=True)
    return add_D(df, spec["cohort"], spec["time"])


def window(df, spec, leads, lags):
    treated = df[spec["cohort"]] > 0
    e = (df[spec["time"]] - df[spec["cohort"]])[treated]
    return (-int(e.min()) if leads is None else leads), (int(e.max()) if lags is None else lags)


def dense(df, spec, terms, cluster):
    """Gardner's two stages and GMM variance with explicit dummies (numpy)."""
    s1_all = df["D"].to_numpy() == 0
    ok_units = set(df.loc[s1_all, spec["unit"]]); ok_years = set(df.loc[s1_all, spec["time"]])
    kept = df[spec["unit"]].isin(ok_units) & df[spec["time"]].isin(ok_years)
    sub = df[kept].reset_index(drop=True)
    n = len(sub)
    units = pd.factorize(sub[spec["unit"]], sort=True)[0]
    years = pd.factorize(sub[spec["time"]], sort=True)[0]
    N, T, k = units.max() + 1, years.max() + 1, len(spec["covariates"])
    X1 = np.zeros((n, N + T - 1 + k))
    X1[np.arange(n), units] = 1.0
    m = years > 0
    X1[np.where(m)[0], N + years[m] - 1] = 1.0
    for c, name in enumerate(spec["covariates"]):
        X1[:, N + T - 1 + c] = sub[name].to_numpy()
    s1 = sub["D"].to_numpy() == 0
    y = sub[spec["y"]].to_numpy()
    theta = np.linalg.lstsq(X1[s1], y[s1], rcond=None)[0]
    ytil = y - X1 @ theta
    X2 = sub[[safe(t) for t in terms]].to_numpy(dtype=float)
    beta = np.linalg.solve(X2.T @ X2, X2.T @ ytil)
    e2 = ytil - X2 @ beta
    e1 = np.where(s1, ytil, 0.0)
    X10 = X1 * s1[:, None]
    gamma = np.linalg.pinv(X10.T @ X10) @ (X1.T @ X2)
    B = np.linalg.inv(X2.T @ X2)
    groups = pd.factorize(sub[cluster])[0]
    meat = np.zeros((len(terms), len(terms)))
    for g in range(groups.max() + 1):
        idx = groups == g
        w = X2[idx].T @ e2[idx] - gamma.T @ (X10[idx].T @ e1[idx])
        meat += np.outer(w, w)
    V = B @ meat @ B
    return beta, np.sqrt(np.diag(V)), {"n_obs": n, "n_first_stage": int(s1.sum()),
                                       "n_clusters": int(groups.max() + 1)}


def singletons(df, spec) -> int:
    """Units with exactly one untreated row: kept here (R did2s via fixest, diff-diff), dropped by pyfixest."""
    return int((df[df["D"] == 0].groupby(spec["unit"]).size() == 1).sum())


def with_terms(df, spec, effect):
    name, leads, lags, binned = effect
    if name == "static":
        df = df.copy()
        df["treat"] = df["D"]
        return df, ["treat"]
    lo, hi = window(df, spec, leads, lags)
    return add_event(df, spec["cohort"], spec["time"], lo, hi, binned), event_terms(lo, hi)


def run_pyfixest(df, spec, terms, cluster):
    covs = spec["covariates"]
    first = "~ " + (" + ".join(covs) if covs else "0") + f" | {spec['unit']} + {spec['time']}"
    second = "~ " + " + ".join(safe(t) for t in terms)
    call = (f"pf.did2s(data, yname='{spec['y']}', first_stage='{first}', second_stage='{second}', "
            f"treatment='D', cluster='{cluster}')")
    try:
        fit = pf.did2s(df, yname=spec["y"], first_stage=first, second_stage=second, treatment="D", cluster=cluster)
    except Exception as exc:  # noqa: BLE001 - the failure is the recorded fact
        return {"pyfixest_call": call, "pyfixest_error": f"{type(exc).__name__}: {exc}"}
    names = list(fit._coefnames)
    assert names == [safe(t) for t in terms], names
    return {"pyfixest_call": call, "pyfixest_estimate": dict(zip(terms, map(float, fit.coef().to_numpy()))),
            "pyfixest_se": dict(zip(terms, map(float, np.sqrt(np.diag(fit._vcov)))))}


def run_diff_diff(df, spec, effect, terms, cluster):
    name, leads, _, binned = effect
    if binned:
        return {}
    pretrends = name == "event_all"
    aggregate = None if name == "static" else "event_study"
    data = df.copy()
    data["_first_treat"] = data[spec["cohort"]]
    est = TwoStageDiD(cluster=cluster, pretrends=pretrends)
    res = est.fit(data, outcome=spec["y"], unit=spec["unit"], time=spec["time"], first_treat="_first_treat",
                  covariates=spec["covariates"] or None, aggregate=aggregate)
    call = (f"TwoStageDiD(cluster='{cluster}', pretrends={pretrends}).fit(data, outcome='{spec['y']}', "
            f"unit='{spec['unit']}', time='{spec['time']}', first_treat='{spec['cohort']}', "
            f"covariates={spec['covariates'] or None}, aggregate={aggregate!r})")
    if name == "static":
        values = {"treat": (res.overall_att, res.overall_se)}
    else:
        effects = res.event_study_effects
        values = {}
        for t in terms:
            h = int(t[1:]) if t.startswith("e-") else int(t[2:])
            values[t] = (effects[h]["effect"], effects[h]["se"])
    return {"diff_diff_call": call, "diff_diff_estimate": {t: float(v[0]) for t, v in values.items()},
            "diff_diff_se": {t: float(v[1]) for t, v in values.items()}}


def main():
    cases = []
    for panel_name, spec in PANELS.items():
        base = load(spec)
        for effect in EFFECTS:
            df, terms = with_terms(base, spec, effect)
            for cluster in spec["clusters"]:
                beta, se, counts = dense(df, spec, terms, cluster)
                case = {"name": f"{panel_name}_{effect[0]}" + ("" if cluster == spec["unit"] else f"_{cluster}"),
                        "panel": spec["file"], "outcome": spec["y"], "unit": spec["unit"], "time": spec["time"],
                        "cohort": spec["cohort"], "covariates": spec["covariates"], "cluster": cluster,
                        "effects": effect[0], "leads": effect[1], "lags": effect[2], "terms": terms,
                        "estimate": dict(zip(terms, map(float, beta))), "se": dict(zip(terms, map(float, se))),
                        **counts, "first_stage_singleton_units": singletons(df, spec)}
                case.update(run_pyfixest(df, spec, terms, cluster))
                if cluster == spec["unit"]:
                    case.update(run_diff_diff(df, spec, effect, terms, cluster))
                line = f"{case['name']:36s}"
                for lib in ["pyfixest", "diff_diff"]:
                    if f"{lib}_estimate" in case:
                        got_b = [case[f"{lib}_estimate"][t] for t in terms]
                        got_s = [case[f"{lib}_se"][t] for t in terms]
                        case[f"{lib}_estimate_max_abs_diff"] = float(np.max(np.abs(np.array(got_b) - beta)))
                        case[f"{lib}_se_max_abs_diff"] = float(np.max(np.abs(np.array(got_s) - se)))
                        case[f"{lib}_se_max_rel_diff"] = rel(got_s, se)
                        line += (f"  {lib}: est {case[f'{lib}_estimate_max_abs_diff']:.1e}"
                                 f" se {case[f'{lib}_se_max_abs_diff']:.1e}")
                    elif f"{lib}_error" in case:
                        line += f"  {lib}: {case[f'{lib}_error'][:60]}"
                print(line)
                cases.append(case)
    ref = {
        "generated_by": "scripts/reference/make_did2s_reference.py",
        "versions": {"python": platform.python_version(), "pyfixest": version("pyfixest"),
                     "diff-diff": version("diff-diff"), "numpy": version("numpy"), "pandas": version("pandas")},
        "conventions": {
            "golden": "dense numpy Gardner two-stage with explicit dummies and the did2s GMM variance "
                      "(pinv(X10'X10)), no small-sample factor",
            "singletons": "units with one untreated row stay in stage 1 (R did2s through fixest, diff-diff, DiDLab); "
                          "pyfixest's stage-1 feols drops them, so on mpdta (20 counties of the 2004 cohort, one "
                          "untreated row each) 100 rows get NaN residuals and its _did2s_vcov raises the ValueError "
                          "stored under pyfixest_error (2400 vs 2500 rows)",
            "df": "not part of the golden values: DiDLab uses t(G - 1); diff-diff uses the normal",
        },
        "cases": cases,
    }
    out = FIX / "did2s_reference.json"
    out.write_text(json.dumps(ref, indent=1) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
