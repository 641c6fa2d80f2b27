#!/usr/bin/env python3
"""Golden values for DiDLab's HonestDiD (Tests/Fixtures/honestdid_reference.json).

Oracle: the `honestdid` PyPI package (a Python port of R HonestDiD; Rambachan & Roth 2023), run in
/opt/didlab-honest-venv (python3 -m venv; pip install honestdid numpy pandas). Its input is exactly
DiDLab's event study of mpdta (betahat and sigma from `didlab estimate ... --method event --honest
... --format json`, the `honest.betahat` / `honest.sigma` fields), so the comparison tests HonestDiD
alone, not the event study.

Recorded per target (first post period = R's l_vec default, and the average of the post periods):
- the original interval (constructOriginalCS);
- FLCI bounds under Delta^SD(M) (createSensitivityResults, method FLCI, seed 0: the package simulates
  the folded-normal quantile from 10^6 draws);
- C-LF bounds under Delta^RM(Mbar) (createSensitivityResults_relativeMagnitudes, method C-LF,
  gridPoints 1000, seed 0), the grid step, and each piece's least-favourable critical value (the
  package's _compute_least_favorable_cv with the arguments computeConditionalCS_DeltaRM passes it),
  so DiDLab's tests can separate the test inversion from the simulation noise;
- breakdown values: the largest M (FLCI excludes 0) and Mbar (the C-LF test rejects theta = 0, the
  package run on the one-point grid {0}) by bisection to 1e-4 of the bracket, as DiDLab does.

Usage: /opt/didlab-honest-venv/bin/python scripts/reference/make_honestdid_reference.py [path/to/didlab]
"""
import json
import subprocess
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np

import honestdid
from honestdid import core

warnings.filterwarnings("ignore")

DIDLAB = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/didlab"
CALL = ["estimate", "Tests/Fixtures/mpdta.csv", "--y", "lemp", "--unit", "countyreal", "--time", "year",
        "--cohort", "first.treat", "--method", "event", "--honest", "sd:0", "--format", "json"]
MS = [0.0, 0.005, 0.01, 0.02]
MBARS = [0.0, 0.5, 1.0, 2.0]
ALPHA = 0.05


def rm_lf_critical_values(betahat, sigma, pre, post, l_vec, Mbar):
    """The least-favourable critical value of each piece (s, sign), as computeConditionalCS_DeltaRM makes it."""
    out = []
    kappa = ALPHA / 10
    for s in range(-(pre - 1), 1):
        for positive in (True, False):
            A = core._create_A_RM(pre, post, Mbar=Mbar, s=s, max_positive=positive)
            post_idx = np.arange(pre, A.shape[1])
            rows = np.where(np.sum(A[:, post_idx] != 0, axis=1) > 0)[0]
            if post > 1:
                gamma = core._construct_Gamma(l_vec)
                a_gamma_inv = A[:, pre:pre + post] @ np.linalg.inv(gamma)
                cv = core._compute_least_favorable_cv(a_gamma_inv[:, 1:], A @ sigma @ A.T, kappa, rowsForARP=rows)
            else:
                A = A[np.where(A[:, -1] != 0)[0], :]
                cv = core._compute_least_favorable_cv(None, A @ sigma @ A.T, kappa, seed=0)
            out.append(float(cv))
    return out


def bisect(excludes_zero, start):
    if not excludes_zero(0.0):
        return None
    low, high = 0.0, start
    while excludes_zero(high):
        low, high = high, 2 * high
        if high > start * 1024:
            return low
    width = high
    while high - low > 1e-4 * width:
        mid = (low + high) / 2
        if excludes_zero(mid):
            low = mid
        else:
            high = mid
    return low


def main():
    report = json.loads(subprocess.run([DIDLAB] + CALL, check=True, capture_output=True, text=True).stdout)
    h = report["honest"]
    betahat = np.array(h["betahat"])
    sigma = np.array(h["sigma"])
    pre, post = h["num_pre_periods"], h["num_post_periods"]
    targets = {"first": np.eye(post)[0], "average": np.full(post, 1.0 / post)}
    cases, failures = [], []
    for name, l_vec in targets.items():
        started = time.time()
        try:
            cases.append(reference_case(name, l_vec, betahat, sigma, pre, post))
        except Exception as error:  # honestdid 0.1.1 under numpy 2.x: float() of a 1x1 array (primal branch)
            failures.append({"target": name, "error": f"{type(error).__name__}: {error}"})
        print(name, "done in", round(time.time() - started, 1), "s", file=sys.stderr)
    write(h, betahat, sigma, pre, post, cases, failures)


def reference_case(name, l_vec, betahat, sigma, pre, post):
    if True:
        started = time.time()
        orig = honestdid.constructOriginalCS(betahat, sigma, pre, post, l_vec=l_vec, alpha=ALPHA)
        sd = honestdid.createSensitivityResults(betahat, sigma, pre, post, method="FLCI", Mvec=MS, l_vec=l_vec,
                                                alpha=ALPHA, seed=0)
        rm = honestdid.createSensitivityResults_relativeMagnitudes(betahat, sigma, pre, post, method="C-LF",
                                                                   Mbarvec=MBARS, l_vec=l_vec, alpha=ALPHA,
                                                                   gridPoints=1000, seed=0)
        sd_theta = float(np.sqrt(l_vec @ sigma[pre:, pre:] @ l_vec))
        step = 40 * sd_theta / 999

        def rm_rejects_zero(mbar):
            grid = honestdid.computeConditionalCS_DeltaRM(betahat, sigma, pre, post, l_vec=l_vec, Mbar=mbar,
                                                          alpha=ALPHA, gridPoints=1, grid_lb=0.0, grid_ub=0.0, seed=0)
            return int(grid["accept"].iloc[0]) == 0

        def flci_excludes_zero(m):
            lo, hi = honestdid.find_optimal_flci(betahat, sigma, M=m, numPrePeriods=pre, numPostPeriods=post,
                                                 l_vec=l_vec, alpha=ALPHA, seed=0)["FLCI"]
            return not (lo <= 0 <= hi)

        case = {
            "target": name, "l_vec": l_vec.tolist(),
            "original": {"lower": float(orig["lb"][0]), "upper": float(orig["ub"][0])},
            "smoothness": [{"M": float(r.M), "lower": float(r.lb), "upper": float(r.ub), "method": r.method}
                           for r in sd.itertuples()],
            "relative_magnitudes": [
                {"Mbar": float(r.Mbar), "lower": float(r.lb), "upper": float(r.ub), "method": r.method,
                 "lf_critical_values": rm_lf_critical_values(betahat, sigma, pre, post, l_vec, float(r.Mbar))}
                for r in rm.itertuples()],
            "grid": {"lower": -20 * sd_theta, "upper": 20 * sd_theta, "points": 1000, "step": step},
            "breakdown": {"M": bisect(flci_excludes_zero, sd_theta), "Mbar": bisect(rm_rejects_zero, 1.0)},
            "seconds": round(time.time() - started, 1),
        }
        return case


def write(h, betahat, sigma, pre, post, cases, failures):
    out = {
        "provenance": {
            "package": "honestdid", "version": version("honestdid"), "numpy": version("numpy"),
            "scipy": version("scipy"), "cvxpy": version("cvxpy"), "torch": version("torch"),
            "calls": ["constructOriginalCS(betahat, sigma, pre, post, l_vec, alpha=0.05)",
                      "createSensitivityResults(..., method='FLCI', Mvec=M, l_vec, alpha=0.05, seed=0)",
                      "createSensitivityResults_relativeMagnitudes(..., method='C-LF', Mbarvec, l_vec, alpha=0.05, "
                      "gridPoints=1000, seed=0)",
                      "core._compute_least_favorable_cv (per piece, as computeConditionalCS_DeltaRM calls it)",
                      "breakdown: bisection to 1e-4 of the bracket on find_optimal_flci / "
                      "computeConditionalCS_DeltaRM(gridPoints=1, grid_lb=grid_ub=0)"],
            "input": "didlab " + " ".join(CALL) + " (honest.betahat, honest.sigma)",
            "script": "scripts/reference/make_honestdid_reference.py",
        },
        "terms": h["terms"], "num_pre_periods": pre, "num_post_periods": post,
        "betahat": betahat.tolist(), "sigma": sigma.tolist(), "alpha": ALPHA, "cases": cases,
        "failures": failures,
    }
    with open("Tests/Fixtures/honestdid_reference.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
