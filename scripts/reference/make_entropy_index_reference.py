#!/usr/bin/env python3
"""Golden values for `didlab index` (the entropy-weight index of NQPF papers), computed by hand in numpy.

Writes Tests/Fixtures/entropy_index.csv (a small panel: 5 cities x 3 years, four indicators, a text
column with a comma to check that other fields pass through) and Tests/Fixtures/entropy_index_reference.json.

The computation is the textbook entropy-weight method, written out step by step (not DiDLab's code):
  x'_ij = (x_ij - min_j)/(max_j - min_j) + shift     positive indicator
  x'_ij = (max_j - x_ij)/(max_j - min_j) + shift     negative indicator
  p_ij  = x'_ij / sum_i x'_ij
  e_j   = -(1/ln n) sum_i p_ij ln p_ij               (0 ln 0 = 0)
  w_j   = (1 - e_j) / sum_k (1 - e_k)
  s_i   = sum_j w_j x'_ij
"pooled" fits all n rows; "year" fits each year's rows apart (bounds, n, entropies and weights per year).

Run:  /opt/didlab-cs-venv/bin/python scripts/reference/make_entropy_index_reference.py   (numpy only)
The output is deterministic, so a second run rewrites the same bytes.
"""
from __future__ import annotations

import json
import platform
from importlib.metadata import version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"

CITIES = ["Wuhan", "Yichang", "Xiangyang", "Jingzhou", "Shiyan"]
PROVINCE = "\"Hubei, CN\""   # quoted: it holds a comma
YEARS = [2011, 2012, 2013]
# Indicators: a (R&D share, %), b (patents per 10k), c (digital index), d (energy per GDP; negative).
VALUES = {
    ("Wuhan", 2011): (2.91, 31.5, 0.62, 0.48), ("Wuhan", 2012): (3.05, 35.2, 0.66, 0.45), ("Wuhan", 2013): (3.22, 40.8, 0.71, 0.41),
    ("Yichang", 2011): (1.42, 8.7, 0.31, 1.12), ("Yichang", 2012): (1.55, 9.9, 0.35, 1.05), ("Yichang", 2013): (1.61, 11.3, 0.38, 0.99),
    ("Xiangyang", 2011): (1.88, 10.4, 0.29, 0.93), ("Xiangyang", 2012): (1.93, 12.0, 0.33, 0.90), ("Xiangyang", 2013): (2.07, 13.6, 0.36, 0.84),
    ("Jingzhou", 2011): (0.97, 4.1, 0.22, 0.88), ("Jingzhou", 2012): (1.02, 4.9, 0.24, 0.86), ("Jingzhou", 2013): (1.10, 5.6, 0.27, 0.80),
    ("Shiyan", 2011): (1.65, 6.3, 0.25, 0.77), ("Shiyan", 2012): (1.71, 7.2, 0.28, 0.79), ("Shiyan", 2013): (1.79, 8.4, 0.30, 0.72),
}
NAMES = ["a", "b", "c", "d"]

CASES = [
    {"name": "pooled", "normalise": "pooled", "shift": 1e-4, "negative": ["d"]},
    {"name": "year", "normalise": "year", "shift": 1e-4, "negative": ["d"]},
    {"name": "pooled_shift0_all_positive", "normalise": "pooled", "shift": 0.0, "negative": []},
    {"name": "year_shift001_two_negative", "normalise": "year", "shift": 0.01, "negative": ["b", "d"]},
]


def rows():
    """Rows in file order: city-major (each city's years together), as panels usually are."""
    return [(city, year) for city in CITIES for year in YEARS]


def fit(x: np.ndarray, negative: list[bool], shift: float) -> dict:
    n, m = x.shape
    out = {"min": [], "max": [], "entropy": [], "weight": [], "normalised": np.zeros_like(x)}
    k = 1.0 / np.log(n)
    for j in range(m):
        low, high = x[:, j].min(), x[:, j].max()
        if negative[j]:
            xn = (high - x[:, j]) / (high - low) + shift
        else:
            xn = (x[:, j] - low) / (high - low) + shift
        p = xn / xn.sum()
        plogp = np.array([pi * np.log(pi) if pi > 0 else 0.0 for pi in p])
        out["min"].append(float(low))
        out["max"].append(float(high))
        out["entropy"].append(float(-k * plogp.sum()))
        out["normalised"][:, j] = xn
    d = 1.0 - np.array(out["entropy"])
    w = d / d.sum()
    out["weight"] = [float(v) for v in w]
    out["index"] = out["normalised"] @ w
    return out


def main() -> None:
    order = rows()
    lines = ["city,province,year,a,b,c,d"]
    for city, year in order:
        a, b, c, d = VALUES[(city, year)]
        lines.append(f"{city},{PROVINCE},{year},{a},{b},{c},{d}")
    (FIXTURES / "entropy_index.csv").write_text("\n".join(lines) + "\n")
    x = np.array([VALUES[key] for key in order], dtype=float)
    years = np.array([year for _, year in order])
    cases = []
    for case in CASES:
        negative = [name in case["negative"] for name in NAMES]
        index = np.zeros(len(order))
        fits = []
        groups = [None] if case["normalise"] == "pooled" else YEARS
        for year in groups:
            mask = np.ones(len(order), bool) if year is None else years == year
            result = fit(x[mask], negative, case["shift"])
            index[mask] = result["index"]
            fits.append({"period": None if year is None else str(year), "rows": int(mask.sum()),
                         **{key: result[key] for key in ("min", "max", "entropy", "weight")}})
        cases.append({**case, "fits": fits, "index": [float(v) for v in index]})
    ref = {
        "description": "entropy-weight index of Tests/Fixtures/entropy_index.csv, by hand in numpy "
                       "(scripts/reference/make_entropy_index_reference.py); index in file row order",
        "versions": {"python": platform.python_version(), "numpy": version("numpy")},
        "indicators": NAMES,
        "cases": cases,
    }
    path = FIXTURES / "entropy_index_reference.json"
    with open(path, "w") as fh:
        json.dump(ref, fh, indent=1)
        fh.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
