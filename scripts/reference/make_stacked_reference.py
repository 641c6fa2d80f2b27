#!/usr/bin/env python3
"""Golden values for DiDLab's stacked DiD (`StackedDifferenceInDifferences`, method "stacked").

Writes Tests/Fixtures/stacked_reference.json: per case the event-study coefficients delta_h and the
overall ATT (the mean of the post-period delta_h, delta-method SE) with standard errors, on
  mpdta                    lemp, unit countyreal, year, cohort first.treat
  synthetic                y, unit, year, cohort (clustered by unit, and once by province)
  synthetic_unbalanced     the same panel with 96 rows dropped (ragged event windows)
No covariates: diff-diff's StackedDiD takes covariates only for entropy balancing of the controls
(balance="entropy", Ustyuzhanin 2026), not as regressors, so DiDLab's stacked estimator takes none.

Golden = diff-diff 3.13 StackedDiD (Wing, Freedman & Hollingsworth 2024):
  StackedDiD(kappa_pre=K, kappa_post=L, weighting=W, control_group=C, cluster="unit",
             df_convention="cluster").fit(data, outcome, unit, time, first_treat)
  -> event_study_effects[h]["effect"/"se"], overall_att, overall_se, groups, trimmed_groups,
     n_stacked_obs, n_clusters, stacked_data (with _sub_exp, _event_time, _D_sa, _Q_weight).
Its regression is the paper's equation 3: Q-weighted least squares of y on
[1, D_sa, 1{e=h} (h != -1), D_sa*1{e=h} (h != -1)] over the stacked rows, CR1 clustered by the
original unit with G/(G-1)*(n-1)/(n-k), n = rows of positive weight, k = kept columns.

Cross-check (a second library on the same stacked rows): pyfixest 0.60.0
  feols("y ~ d_h... | _D_sa + _event_time", data=stacked_data, weights="_Q_weight",
        vcov={"CRV1": cluster})
which is the same regression; its numbers and max differences are stored beside. For the province
clustering (diff-diff clusters only by unit or unit x sub-experiment) pyfixest is the golden value.

Also stored, for the Cengiz et al. (2019) specification with sub-experiment x unit and
sub-experiment x period fixed effects (`fe_*` fields): pyfixest
  feols("y ~ d_h... | unit^sub_exp + time^sub_exp", data=stacked_data, weights="_Q_weight",
        vcov={"CRV1": cluster})
and a dense numpy WLS with explicit dummies (the golden value of `fe_*`), whose CR1 factor counts
fixest's `fixef.K = "nested"`: K = kept slopes + every sub-experiment x period level, the
sub-experiment x unit effects nesting in the cluster (pyfixest agrees).

Run:  /opt/didlab-did2s-venv/bin/python scripts/reference/make_stacked_reference.py
      (pyfixest==0.60.0, diff-diff==3.13.0; see make_did2s_reference.py for the venv)
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pin_hash_seed, versions, write_reference  # noqa: E402

pin_hash_seed()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyfixest as pf  # noqa: E402
from diff_diff import StackedDiD  # noqa: E402

warnings.filterwarnings("ignore")
FIX = Path(__file__).resolve().parents[2] / "Tests" / "Fixtures"

PANELS = {
    "mpdta": dict(file="mpdta.csv", y="lemp", unit="countyreal", time="year", cohort="first.treat"),
    "synthetic": dict(file="synthetic.csv", y="y", unit="unit", time="year", cohort="cohort"),
    "synthetic_unbalanced": dict(file="synthetic_unbalanced.csv", y="y", unit="unit", time="year", cohort="cohort"),
}
# (panel, kappa_pre, kappa_post, control_group, weighting, cluster or None = the unit)
CASES = [
    ("mpdta", 1, 1, "not_yet_treated", "aggregate", None),
    ("mpdta", 1, 0, "never_treated", "aggregate", None),
    ("mpdta", 2, 1, "not_yet_treated", "aggregate", None),
    ("mpdta", 1, 1, "strict", "aggregate", None),
    ("mpdta", 1, 1, "not_yet_treated", "sample_share", None),
    ("synthetic", 3, 2, "not_yet_treated", "aggregate", None),
    ("synthetic", 3, 2, "never_treated", "aggregate", None),
    ("synthetic", 2, 4, "not_yet_treated", "sample_share", None),
    ("synthetic", 3, 2, "not_yet_treated", "aggregate", "province"),
    ("synthetic_unbalanced", 3, 2, "not_yet_treated", "aggregate", None),
    ("synthetic_unbalanced", 1, 1, "never_treated", "aggregate", None),
    ("synthetic_unbalanced", 2, 2, "strict", "sample_share", None),
]
CONTROL = {"not_yet_treated": "notyet", "never_treated": "never", "strict": "strict"}
WEIGHTING = {"aggregate": "aggregate", "sample_share": "sampleShare"}


def term(h: int) -> str:
    return f"e{h}" if h < 0 else f"e+{h}"


def load(spec) -> pd.DataFrame:
    return pd.read_csv(FIX / spec["file"], dtype={"unit": str, "province": str})


def dummies(stack: pd.DataFrame, hs: list[int]) -> list[str]:
    names = []
    for h in hs:
        name = f"d_{'m' if h < 0 else 'p'}{abs(h)}"
        stack[name] = ((stack["_event_time"] == h) & (stack["_D_sa"] == 1)).astype(float)
        names.append(name)
    return names


def pyfixest_fit(stack, spec, names, hs, fixef, cluster):
    # fixef_rm="none": keep singleton fixed-effect groups (R fixest's feols default; they fit exactly).
    fit = pf.feols(f"{spec['y']} ~ " + " + ".join(names) + f" | {fixef}", data=stack, weights="_Q_weight",
                   vcov={"CRV1": cluster}, fixef_rm="none")
    coef, se = fit.coef(), fit.se()
    est = {term(h): float(coef[n]) for h, n in zip(hs, names)}
    ses = {term(h): float(se[n]) for h, n in zip(hs, names)}
    post = [n for h, n in zip(hs, names) if h >= 0]
    a = np.array([1.0 / len(post) if n in post else 0.0 for n in names])
    V = fit._vcov
    est["att"] = float(a @ coef[names].to_numpy())
    ses["att"] = float(np.sqrt(a @ V @ a))
    return est, ses


def dense_fe(stack, spec, names, hs, cluster):
    """WLS with explicit sub-experiment x unit and x period dummies; CR1 with fixest's nested K."""
    s = stack[stack["_Q_weight"] > 0].reset_index(drop=True)
    n = len(s)
    ue = pd.factorize(s[spec["unit"]].astype(str) + "|" + s["_sub_exp"].astype(str))[0]
    te = pd.factorize(s[spec["time"]].astype(str) + "|" + s["_sub_exp"].astype(str))[0]
    U, T = ue.max() + 1, te.max() + 1
    D = np.zeros((n, U + T))
    D[np.arange(n), ue] = 1.0
    D[np.arange(n), U + te] = 1.0
    X = s[names].to_numpy()
    w = s["_Q_weight"].to_numpy()
    y = s[spec["y"]].to_numpy()
    sw = np.sqrt(w)[:, None]
    # Partial the dummies out exactly (lstsq on the weighted dummies), then solve the slopes.
    Dw = D * sw
    def resid(v):
        vw = v * sw if v.ndim == 2 else v * sw[:, 0]
        return vw - Dw @ np.linalg.lstsq(Dw, vw, rcond=None)[0]
    Xt, yt = resid(X), resid(y)
    beta = np.linalg.solve(Xt.T @ Xt, Xt.T @ yt)
    e = y - (X @ beta) - (D @ np.linalg.lstsq(Dw, (y - X @ beta) * sw[:, 0], rcond=None)[0])
    # scores on the weighted, demeaned design: sum_g (Xt_g' sqrt(w) e_g)
    g = pd.factorize(s[cluster])[0]
    G = g.max() + 1
    scores = Xt * (sw[:, 0] * e)[:, None]
    S = np.zeros((G, len(names)))
    np.add.at(S, g, scores)
    B = np.linalg.inv(Xt.T @ Xt)
    # fixest's K.fixef = "nested": the sub-experiment x unit effects nest in a unit (or coarser)
    # clustering and are not counted; the sub-experiment x period effects count every level.
    nested_te = all(s.groupby(te)[cluster].nunique() == 1)
    k_fixest = len(names) + (0 if nested_te else T)
    c = G / (G - 1) * (n - 1) / (n - k_fixest)
    V = c * B @ (S.T @ S) @ B
    est = {term(h): float(b) for h, b in zip(hs, beta)}
    ses = {term(h): float(np.sqrt(V[i, i])) for i, h in enumerate(hs)}
    a = np.array([1.0 / sum(h >= 0 for h in hs) if h >= 0 else 0.0 for h in hs])
    est["att"] = float(a @ beta)
    ses["att"] = float(np.sqrt(a @ V @ a))
    return est, ses, {"fe_k": int(k_fixest), "fe_unit_levels": int(U), "fe_period_levels": int(T)}


def max_diffs(a: dict, b: dict) -> tuple[float, float]:
    keys = sorted(b)
    return (float(max(abs(a[k] - b[k]) for k in keys)),
            float(max(abs(a[k] - b[k]) / max(abs(b[k]), 1e-300) for k in keys)))


def main():
    cases = []
    for panel_name, kpre, kpost, control, weighting, cluster in CASES:
        spec = PANELS[panel_name]
        df = load(spec)
        cl = cluster or spec["unit"]
        est = StackedDiD(kappa_pre=kpre, kappa_post=kpost, weighting=weighting, control_group=control,
                         cluster="unit", df_convention="cluster")
        res = est.fit(df, outcome=spec["y"], unit=spec["unit"], time=spec["time"], first_treat=spec["cohort"])
        call = (f"StackedDiD(kappa_pre={kpre}, kappa_post={kpost}, weighting='{weighting}', "
                f"control_group='{control}', cluster='unit', df_convention='cluster').fit(data, "
                f"outcome='{spec['y']}', unit='{spec['unit']}', time='{spec['time']}', "
                f"first_treat='{spec['cohort']}')")
        hs = sorted(h for h in res.event_study_effects if h != -1)
        stack = res.stacked_data.copy()
        stack[cl] = df.set_index([spec["unit"], spec["time"]]).loc[
            list(zip(stack[spec["unit"]], stack[spec["time"]])), cl].to_numpy() if cluster else stack[spec["unit"]]
        names = dummies(stack, hs)
        dd_est = {term(h): float(res.event_study_effects[h]["effect"]) for h in hs}
        dd_se = {term(h): float(res.event_study_effects[h]["se"]) for h in hs}
        dd_est["att"], dd_se["att"] = float(res.overall_att), float(res.overall_se)
        pf_est, pf_se = pyfixest_fit(stack, spec, names, hs, "_D_sa + _event_time", cl)
        fe_est, fe_se, fe_counts = dense_fe(stack, spec, names, hs, cl)
        pf_fe_est, pf_fe_se = pyfixest_fit(stack, spec, names, hs, f"{spec['unit']}^_sub_exp + {spec['time']}^_sub_exp",
                                           cl)
        positive = stack["_Q_weight"] > 0
        name = (f"{panel_name}_k{kpre}_{kpost}_{CONTROL[control]}"
                + ("" if weighting == "aggregate" else f"_{WEIGHTING[weighting]}") + (f"_{cluster}" if cluster else ""))
        golden_est, golden_se = (pf_est, pf_se) if cluster else (dd_est, dd_se)
        case = {
            "name": name, "panel": spec["file"], "outcome": spec["y"], "unit": spec["unit"], "time": spec["time"],
            "cohort": spec["cohort"], "cluster": cl, "leads": kpre, "lags": kpost, "control": CONTROL[control],
            "weighting": WEIGHTING[weighting],
            "terms": [term(h) for h in hs] + ["att"],
            "estimate": golden_est, "se": golden_se,
            "golden": "pyfixest" if cluster else "diff_diff",
            "sub_experiments": [int(g) for g in res.groups], "trimmed": [int(g) for g in res.trimmed_groups],
            "n_stacked_rows": int(res.n_stacked_obs), "n_obs": int(positive.sum()),
            "n_clusters": int(stack.loc[positive, cl].nunique()),
            "q_weights": {f"{int(a)}|{int(e)}|{int(d)}": float(q) for (a, e, d), q in
                          stack.groupby(["_sub_exp", "_event_time", "_D_sa"])["_Q_weight"].first().items()},
            "diff_diff_call": call, "diff_diff_estimate": dd_est, "diff_diff_se": dd_se,
            "diff_diff_df": float(res.inference_df) if res.inference_df is not None else None,
            "pyfixest_call": (f"pf.feols('{spec['y']} ~ d_h... | _D_sa + _event_time', data=stacked_data, "
                              f"weights='_Q_weight', vcov={{'CRV1': '{cl}'}})"),
            "pyfixest_estimate": pf_est, "pyfixest_se": pf_se,
            "fe_estimate": fe_est, "fe_se": fe_se, **fe_counts,
            "fe_pyfixest_call": (f"pf.feols('{spec['y']} ~ d_h... | {spec['unit']}^_sub_exp + {spec['time']}^_sub_exp', "
                                 f"data=stacked_data, weights='_Q_weight', vcov={{'CRV1': '{cl}'}}, fixef_rm='none')"),
            "fe_pyfixest_estimate": pf_fe_est, "fe_pyfixest_se": pf_fe_se,
        }
        line = f"{name:48s}"
        pairs = {"fe_pyfixest": (pf_fe_est, pf_fe_se, fe_est, fe_se)}
        if not cluster:  # diff-diff clusters by the unit only
            pairs["pyfixest"] = (pf_est, pf_se, dd_est, dd_se)
        for label, (e1, s1, e2, s2) in pairs.items():
            ea, _ = max_diffs(e1, e2)
            _, sr = max_diffs(s1, s2)
            case[f"{label}_estimate_max_abs_diff"], case[f"{label}_se_max_rel_diff"] = ea, sr
            line += f"  {label}: est {ea:.1e} se(rel) {sr:.1e}"
        print(line)
        cases.append(case)
    ref = {
        "generated_by": "scripts/reference/make_stacked_reference.py",
        "versions": versions("diff-diff", "pyfixest", "numpy", "pandas"),
        "conventions": {
            "golden": "diff-diff StackedDiD (WFH 2024 equation 3, Q-weighted, CR1 by unit); pyfixest feols on the "
                      "same stacked rows for the province clustering",
            "window": "sub-experiment a keeps periods a-kappa_pre..a+kappa_post of its treated cohort and clean controls; "
                      "a is trimmed unless a-kappa_pre >= first period and a+kappa_post <= last period and a clean "
                      "control exists",
            "controls": "notyet: first treated after a+kappa_post (never-treated included); never: never treated; "
                        "strict: first treated after a+kappa_post+kappa_pre",
            "weights": "treated rows 1; control rows of sub-experiment a at event time e: aggregate "
                       "(N^D_ae/N^D_e)/(N^C_ae/N^C_e) with row counts per (event time, sub-experiment); sampleShare "
                       "((N^D_a+N^C_a)/(N^D+N^C))/(N^C_a/N^C) with unit counts per sub-experiment",
            "att": "mean of delta_0..delta_kappa_post, delta-method SE",
            "small_sample": "G/(G-1)(n-1)/(n-k), n rows of positive weight, k = 2 + 2*(event times - 1) kept columns; "
                            "diff_diff_df is G-1 (df_convention='cluster')",
            "fe": "fe_*: sub-experiment x unit and sub-experiment x period fixed effects (Cengiz et al. 2019), dense "
                  "numpy golden; fe_k is the K of the CR1 factor",
        },
        "cases": cases,
    }
    write_reference(FIX / "stacked_reference.json", ref)


if __name__ == "__main__":
    main()
