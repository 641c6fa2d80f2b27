#!/usr/bin/env python3
"""Golden values for DiDLab's DenseLinearProgram (Tests/Fixtures/lp_reference.json).

Oracle: scipy.optimize.linprog(method="highs") in /opt/didlab-honest-venv (scipy version recorded).
Problems: random dense programs with inequality and equality rows, free and non-negative variables,
in the sizes HonestDiD solves (up to 16 variables and 24 constraints); the data are continuous
random draws, so the optimum and its duals are unique with probability one. Plus one infeasible and
one unbounded program. Recorded: x, the objective, ineqlin/eqlin marginals (d objective / d b).

Usage: /opt/didlab-honest-venv/bin/python scripts/reference/make_lp_reference.py
"""
import json
from importlib.metadata import version

import numpy as np
from scipy.optimize import linprog


def problem(rng, n, m_ub, m_eq, free_share):
    # A feasible point x0 and a bounded objective: c = A_ub' y + A_eq' z + s with y, s >= 0.
    nonneg = rng.random(n) >= free_share
    x0 = np.where(nonneg, rng.random(n), rng.normal(size=n))
    a_ub = rng.normal(size=(m_ub, n))
    b_ub = a_ub @ x0 + rng.random(m_ub)
    a_eq = rng.normal(size=(m_eq, n))
    b_eq = a_eq @ x0
    y = -rng.random(m_ub)
    z = rng.normal(size=m_eq)
    s = np.where(nonneg, rng.random(n), 0.0)
    c = -(a_ub.T @ y) + a_eq.T @ z + s
    return c, a_ub, b_ub, a_eq, b_eq, nonneg


def solve(name, c, a_ub, b_ub, a_eq, b_eq, nonneg):
    bounds = [(0, None) if k else (None, None) for k in nonneg]
    res = linprog(c, A_ub=a_ub if len(a_ub) else None, b_ub=b_ub if len(b_ub) else None,
                  A_eq=a_eq if len(a_eq) else None, b_eq=b_eq if len(b_eq) else None, bounds=bounds, method="highs")
    case = {"name": name, "c": list(c), "A_ub": [list(r) for r in a_ub], "b_ub": list(b_ub),
            "A_eq": [list(r) for r in a_eq], "b_eq": list(b_eq), "nonnegative": [bool(k) for k in nonneg],
            "status": {0: "optimal", 2: "infeasible", 3: "unbounded"}.get(res.status, str(res.status))}
    if res.status == 0:
        case.update({"x": list(res.x), "value": float(res.fun),
                     "ineq_marginals": list(res.ineqlin.marginals) if len(a_ub) else [],
                     "eq_marginals": list(res.eqlin.marginals) if len(a_eq) else []})
    return case


def main():
    rng = np.random.RandomState(20261206)
    cases = []
    for k, (n, m_ub, m_eq, free) in enumerate([(2, 3, 0, 0.0), (4, 6, 1, 0.5), (5, 8, 2, 0.3), (8, 12, 3, 0.5),
                                                (12, 18, 4, 0.25), (16, 24, 5, 0.5), (6, 0, 3, 0.0), (7, 10, 0, 1.0)]):
        cases.append(solve(f"random_{k}_{n}x{m_ub}+{m_eq}", *problem(rng, n, m_ub, m_eq, free)))
    # Infeasible: x1 + x2 <= -1 with x >= 0.
    cases.append(solve("infeasible", np.array([1.0, 1.0]), np.array([[1.0, 1.0]]), np.array([-1.0]),
                       np.zeros((0, 2)), np.zeros(0), [True, True]))
    # Unbounded: minimise -x1 with x1 - x2 <= 1, x >= 0.
    cases.append(solve("unbounded", np.array([-1.0, 0.0]), np.array([[1.0, -1.0]]), np.array([1.0]),
                       np.zeros((0, 2)), np.zeros(0), [True, True]))
    out = {"provenance": {"package": "scipy", "version": version("scipy"), "numpy": version("numpy"),
                          "call": "scipy.optimize.linprog(c, A_ub, b_ub, A_eq, b_eq, bounds, method='highs')",
                          "script": "scripts/reference/make_lp_reference.py"},
           "cases": cases}
    with open("Tests/Fixtures/lp_reference.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
