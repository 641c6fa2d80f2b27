#!/usr/bin/env python3
"""Self-consistency oracle of `didlab diagnose` (issue 13).

For each condition of experiments/diagnose-self-consistency.yaml (province share 0, 0.1, 0.25 x
AR(1) rho 0.5, 0.8 on the paper design without mediators or covariates):

1. the truth: `didlab run` on the true scenario gives each method's size (effect 0) and power
   (effects 0.005, 0.01, 0.015) over 500 replications;
2. one realization of the scenario (with the paper's effect 0.01) is simulated and diagnosed
   (`didlab diagnose --level province`, 500 replications, both sources);
3. the calibration band: the model source is rerun at the low and high ends of the calibrated
   rho and level share (their 95% jackknife intervals), which brackets what the calibration's
   uncertainty does to size and power.

A diagnosis "recovers" a number when the truth lies within the band widened by 2 Monte Carlo SEs
of each side. Writes experiments/results/diagnose-self-consistency/{results.json,report.md} and
the truth run's results beside them. Standard library only; needs a release build of didlab
(scripts/build-release.sh --product didlab). Deterministic: the same binary writes the same bytes.

Usage: python3 scripts/diagnose_self_consistency.py [--didlab .build/release/didlab] [--threads N]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPERIMENT = os.path.join(ROOT, "experiments", "diagnose-self-consistency.yaml")
OUT = os.path.join(ROOT, "experiments", "results", "diagnose-self-consistency")
SHARES = [0.0, 0.1, 0.25]
RHOS = [0.5, 0.8]
EFFECTS = [0.005, 0.01, 0.015]
REPLICATIONS = 500


def run(cmd: list[str]) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stderr}")
    return result.stdout


def fmt(x: float | None, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--didlab", default=os.path.join(ROOT, ".build", "release", "didlab"))
    parser.add_argument("--threads", default=None)
    args = parser.parse_args()
    didlab = args.didlab
    threads = ["--threads", args.threads] if args.threads else []
    work = tempfile.mkdtemp(prefix="didlab-self-consistency-")
    try:
        # 1. The truth.
        truth_dir = os.path.join(work, "truth")
        run([didlab, "run", EXPERIMENT, "--out", truth_dir, "--format", "json"] + threads)
        with open(os.path.join(truth_dir, "results.json")) as fh:
            truth_json = json.load(fh)
        truth: dict[tuple[float, float, float], dict[str, dict]] = {}
        for scenario in truth_json["scenarios"]:
            p = scenario["parameters"]
            key = (p["errors.provinceShare"], p["errors.rho"], p["effects.att"])
            truth[key] = {r["method"]: r for r in scenario["results"]}
        conditions = []
        for k, (share, rho) in enumerate([(s, r) for s in SHARES for r in RHOS]):
            scenario = os.path.join(work, f"scenario-{k}.yaml")
            with open(os.path.join(ROOT, "experiments", "scenarios", "paper-plain.yaml")) as fh:
                base = fh.read()
            with open(scenario, "w") as fh:
                fh.write(base + f"errors: {{rho: {rho}, provinceShare: {share}}}\neffects: {{att: 0.01}}\n")
            panel = os.path.join(work, f"panel-{k}.csv")
            run([didlab, "simulate", "--spec", scenario, "--seed", str(500 + k), "--out", panel])
            common = [didlab, "diagnose", panel, "--y", "y", "--unit", "city", "--time", "year", "--cohort", "cohort",
                      "--cluster", "city", "--level", "province", "--effects", ",".join(map(str, EFFECTS)),
                      "--replications", str(REPLICATIONS), "--seed", "7", "--format", "json"] + threads
            diagnosis = json.loads(run(common))
            cal = diagnosis["calibration"]
            band = []
            for end in ("low", "high"):
                rho_end = min(max(cal["rho"][end], -0.99), 0.99)
                share_end = min(max(cal["level_share"][end], 0.0), 1.0)
                band.append(json.loads(run(common + ["--source", "model", "--set", f"errors.rho={rho_end}",
                                                     "--set", f"errors.level_share={share_end}"])))
            conditions.append(compare(share, rho, truth, diagnosis, band))
        write(conditions, truth_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rate_at(method: dict, effect: float) -> tuple[float, float]:
    if effect == 0:
        return method["size"]["rejection"], method["size"]["mcse"]
    for p in method["power"]:
        if abs(p["effect"] - effect) < 1e-12:
            return p["rejection"], p["mcse"]
    raise KeyError(effect)


def compare(share: float, rho: float, truth: dict, diagnosis: dict, band: list[dict]) -> dict:
    by_source = {s["source"]: {m["name"]: m for m in s["methods"]} for s in diagnosis["sources"]}
    band_methods = [{m["name"]: m for m in b["sources"][0]["methods"]} for b in band]
    rows = []
    for name, model_method in by_source["model"].items():
        for effect in [0.0] + EFFECTS:
            if model_method["kind"] == "pretest" and effect > 0:
                continue
            t = truth[(share, rho, effect)][name]
            t_rate, t_mcse = t["rejection_rate"], t["rejection_mcse"]
            m_rate, m_mcse = rate_at(model_method, effect)
            ends = [rate_at(b[name], effect) for b in band_methods]
            low = min([m_rate] + [e[0] for e in ends]) - 2 * max([m_mcse] + [e[1] for e in ends]) - 2 * t_mcse
            high = max([m_rate] + [e[0] for e in ends]) + 2 * max([m_mcse] + [e[1] for e in ends]) + 2 * t_mcse
            laws = by_source.get("placebo-laws", {}).get(name)
            l_rate, l_mcse = rate_at(laws, effect) if laws else (None, None)
            rows.append({
                "method": name, "effect": effect, "design_size": model_method["size"]["design_size"], "truth": t_rate, "truth_mcse": t_mcse,
                "model": m_rate, "model_mcse": m_mcse,
                "band_low": min([m_rate] + [e[0] for e in ends]), "band_high": max([m_rate] + [e[0] for e in ends]),
                "recovered": low <= t_rate <= high,
                "z_model": (m_rate - t_rate) / math.sqrt(m_mcse ** 2 + t_mcse ** 2) if m_mcse + t_mcse > 0 else 0.0,
                "placebo_laws": l_rate, "placebo_laws_mcse": l_mcse,
            })
    cal = diagnosis["calibration"]
    return {"province_share": share, "rho": rho,
            "calibration": {k: {"estimate": cal[k]["estimate"], "low": cal[k]["low"], "high": cal[k]["high"]}
                            for k in ("rho", "level_share", "sigma")},
            "rows": rows,
            "verdict": [v for v in diagnosis["verdict"] if v["recommended"]]}


def write(conditions: list[dict], truth_dir: str) -> None:
    os.makedirs(OUT, exist_ok=True)
    for name in ("results.json", "results.csv", "results.md"):
        shutil.copy(os.path.join(truth_dir, name), os.path.join(OUT, "truth-" + name))
    rows = [r for c in conditions for r in c["rows"]]
    size_rows = [r for r in rows if r["effect"] == 0]
    power_rows = [r for r in rows if r["effect"] > 0]
    summary = {
        "numbers": len(rows),
        "recovered": sum(r["recovered"] for r in rows),
        "size_numbers": len(size_rows),
        "size_recovered": sum(r["recovered"] for r in size_rows),
        "median_abs_size_error_model": sorted(abs(r["model"] - r["truth"]) for r in size_rows)[len(size_rows) // 2],
        "max_abs_size_error_model": max(abs(r["model"] - r["truth"]) for r in size_rows),
        "median_abs_power_error_model": sorted(abs(r["model"] - r["truth"]) for r in power_rows)[len(power_rows) // 2],
        "max_abs_power_error_model": max(abs(r["model"] - r["truth"]) for r in power_rows),
        "holds_size_agreement": agreement(conditions),
    }
    with open(os.path.join(OUT, "results.json"), "w") as fh:
        json.dump({"experiment": "diagnose-self-consistency", "replications": REPLICATIONS, "effects": EFFECTS,
                   "summary": summary, "conditions": conditions}, fh, indent=1)
        fh.write("\n")
    lines = ["# Does `didlab diagnose` recover the truth? (self-consistency oracle, issue 13)", "",
             "Each condition: the paper design without mediators or covariates (282 cities, 2009–2022, pilot",
             "calendar; 37 treated cities in 6 provinces), errors with the given province share and AR(1) ρ.",
             f"**Truth**: `didlab run experiments/diagnose-self-consistency.yaml` ({REPLICATIONS} replications per effect).",
             "**Diagnosis**: one simulated panel of the condition (effect 0.01), `didlab diagnose --level province",
             f"--effects {','.join(map(str, EFFECTS))} --replications {REPLICATIONS}`; the model source is rerun at the low",
             "and high ends of the calibrated ρ and level share (the band). *Recovered*: the truth lies in the",
             "band ± 2 MCSE of each side. Placebo laws are shown beside: they draw whole never-treated provinces",
             "of other sizes than the real pilots, so they answer for a different design (see the README).", "",
             f"**Summary**: {summary['recovered']} of {summary['numbers']} numbers recovered "
             f"({summary['size_recovered']} of {summary['size_numbers']} sizes); model-source size error median "
             f"{fmt(summary['median_abs_size_error_model'])}, max {fmt(summary['max_abs_size_error_model'])}; "
             f"power error median {fmt(summary['median_abs_power_error_model'])}, max "
             f"{fmt(summary['max_abs_power_error_model'])}; the verdict's holds-size call agrees with the truth's "
             f"for {summary['holds_size_agreement']['agree']} of {summary['holds_size_agreement']['total']} method × condition pairs.", ""]
    for c in conditions:
        cal = c["calibration"]
        lines += [f"## province share {c['province_share']}, ρ = {c['rho']}", "",
                  f"Calibrated: ρ {fmt(cal['rho']['estimate'])} [{fmt(cal['rho']['low'])}, {fmt(cal['rho']['high'])}], "
                  f"level share {fmt(cal['level_share']['estimate'])} [{fmt(cal['level_share']['low'])}, "
                  f"{fmt(cal['level_share']['high'])}], σ {fmt(cal['sigma']['estimate'], 4)} (truth σ 0.02).", "",
                  "| method | effect | truth | model | band | recovered | placebo laws |", "|---|---|---|---|---|---|---|"]
        for r in c["rows"]:
            lines.append(f"| {r['method']} | {r['effect']} | {fmt(r['truth'])} ± {fmt(r['truth_mcse'])} | "
                         f"{fmt(r['model'])} ± {fmt(r['model_mcse'])} | [{fmt(r['band_low'])}, {fmt(r['band_high'])}] | "
                         f"{'yes' if r['recovered'] else 'NO'} | {fmt(r['placebo_laws'])} |")
        lines.append("")
    with open(os.path.join(OUT, "report.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines[:12]))


def agreement(conditions: list[dict]) -> dict:
    agree = total = 0
    for c in conditions:
        for r in c["rows"]:
            if r["effect"] != 0:
                continue
            d = r["design_size"]
            limit = d + 2 * math.sqrt(d * (1 - d) / REPLICATIONS)
            holds_truth, holds_model = r["truth"] <= limit, r["model"] <= limit
            total += 1
            agree += holds_truth == holds_model
    return {"agree": agree, "total": total}


if __name__ == "__main__":
    main()
