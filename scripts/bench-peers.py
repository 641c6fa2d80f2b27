#!/usr/bin/env python3
"""Time the Python peers of didlab-bench's workloads on the Bench's own data files.

Usage (inside the peers venv, see scripts/bench/setup-peers-venv.sh):
    python scripts/bench-peers.py --data-dir DIR [--only PREFIX] [--quick] [--threads N]

DIR is written by `didlab-bench --data-dir DIR` (or `didlab-bench --data-dir DIR --data-only`);
its manifest.json names the CSV files (panels written by the code of `didlab simulate`).
Prints one JSON object on stdout:
    {"python": ..., "versions": {...}, "settings": {...},
     "workloads": [{"name": "W1", "peers": [{"name", "median", "min", "max", "runs", "note"?, "memory"?}]}],
     "skipped": [{"workload", "peer", "reason"}]}
Times are seconds per full workload (e.g. all 1000 draws of W2); where a peer is timed on fewer
draws or replications and scaled, its name and note say so. Progress goes to stderr.
"""
import argparse
import os
import sys

# --- Process settings, before numpy (and its BLAS) or numba load ------------------------------
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set on some machines for old OpenBLAS builds; they slow
# a current numpy, so they are removed here, in this benchmark process only.
UNSET = [name for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if name in os.environ]
for _name in UNSET:
    del os.environ[_name]

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
                    "RAYON_NUM_THREADS", "POLARS_MAX_THREADS", "NUMEXPR_NUM_THREADS")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="directory written by didlab-bench (holds manifest.json)")
    parser.add_argument("--only", default=None, help="run only workloads whose name starts with this")
    parser.add_argument("--quick", action="store_true", help="few runs and fewer timed draws (smoke test)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="threads for every peer library (default: all cores, as DiDLab's default)")
    parser.add_argument("--w2-once", action="store_true",
                        help="run W2's batched placebo once as a whole program (read the CSV, draw, print) and exit: "
                             "the body the CLI-W2 peer times from outside")
    return parser.parse_args()


ARGS = parse_arguments()
for _name in THREAD_VARIABLES:
    os.environ[_name] = str(ARGS.threads)

# Everything any library prints goes to stderr; the JSON goes to the real stdout at the end.
JSON_OUT = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
sys.stdout = sys.stderr

import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402
from importlib.metadata import PackageNotFoundError, version  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

warnings.simplefilter("ignore")

QUICK = ARGS.quick
W2_DRAWS = 1000          # placebo draws of W2 (as the Swift workload)
W5_REPS = 999            # wild cluster bootstrap draws of W5
W6_REPLICATIONS = 1000   # Monte Carlo replications of W6 / W6p
W6P_DRAWS = 199          # placebo draws inside each W6p replication
SEED = 1


def log(message):
    print(f"peers: {message}", file=sys.stderr, flush=True)


# --- Timing --------------------------------------------------------------------------------------
def timed(body, runs, scale=1.0, warmup=1):
    """Median, min and max seconds of `runs` calls of `body` after `warmup` calls, times `scale`."""
    for _ in range(warmup):
        body()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append((time.perf_counter() - start) * scale)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": runs}


def runs(full, quick=3):
    return quick if QUICK else full


# --- Memory (W7) ---------------------------------------------------------------------------------
MIB = 1024.0 * 1024.0


def status_field(name):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(name):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def memory_of(body, data_bytes):
    """Peak resident memory of one call (VmHWM after a reset) and tracemalloc's peak of a second call."""
    before = status_field("VmRSS:")
    reset = reset_peak_rss()
    body()
    peak = status_field("VmHWM:") if reset else None
    tracemalloc.start()
    body()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {"data_mib": data_bytes / MIB, "tracemalloc_peak_mib": traced / MIB}
    if before is not None:
        result["rss_before_mib"] = before / MIB
    if peak is not None:
        result["peak_rss_mib"] = peak / MIB
        if before is not None:
            result["peak_increase_mib"] = (peak - before) / MIB
    return result


# --- Data ----------------------------------------------------------------------------------------
class Data:
    """The Bench's data directory, read lazily (each file once)."""

    def __init__(self, directory):
        self.directory = directory
        path = os.path.join(directory, "manifest.json")
        try:
            with open(path) as handle:
                self.manifest = json.load(handle)
        except OSError as error:
            sys.exit(f"bench-peers.py: cannot read {path} ({error.strerror}); write it with "
                     f"`didlab-bench --data-dir {directory} --data-only`")
        self.frames = {}

    def has(self, key):
        return key in self.manifest.get("files", {})

    def spec(self, key):
        return self.manifest["files"][key]

    def frame(self, key):
        if key not in self.frames:
            spec = self.spec(key)
            path = os.path.join(self.directory, spec["path"])
            if "unit" in spec:  # a panel: only the columns the peers use
                columns = [spec["unit"], spec["time"], spec["cohort"], spec["treat"], spec["y"]] + spec["x"]
                frame = pd.read_csv(path, usecols=columns)
                frame = frame.sort_values([spec["unit"], spec["time"]], kind="stable").reset_index(drop=True)
            else:
                frame = pd.read_csv(path)
            self.frames[key] = frame
        return self.frames[key]


def formula(spec, treat=None, controls=None):
    xs = spec["x"] if controls is None else controls
    return f"{spec['y']} ~ {treat or spec['treat']} + {' + '.join(xs)} | {spec['unit']} + {spec['time']}"


# --- Permutation placebo helpers (numpy) ---------------------------------------------------------
class PlaceboDesign:
    """Unit/time codes and per-unit cohorts of a balanced panel sorted by (unit, time)."""

    def __init__(self, frame, spec):
        self.units, unit_index = np.unique(frame[spec["unit"]].to_numpy(), return_inverse=True)
        _, time_index = np.unique(frame[spec["time"]].to_numpy(), return_inverse=True)
        self.unit_index = unit_index
        self.time_value = frame[spec["time"]].to_numpy()
        cohorts = np.zeros(len(self.units), dtype=np.int64)
        cohorts[unit_index] = frame[spec["cohort"]].to_numpy()
        self.cohorts = cohorts
        self.flist = np.column_stack([unit_index, time_index]).astype(np.uint64)
        self.weights = np.ones(len(frame))

    def permuted_treatment(self, draws, rng):
        """n × draws matrix of D_it under `draws` permutations of the units' cohorts."""
        perms = rng.permuted(np.tile(self.cohorts, (draws, 1)), axis=1)[:, self.unit_index]  # draws × n
        return ((perms > 0) & (self.time_value[None, :] >= perms)).T.astype(np.float64)


def batched_placebo_betas(y, x, design, draws, rng, demean):
    """One pyfixest demean call over [y, X, D_1 … D_draws], then β_r by FWL in closed form."""
    d = design.permuted_treatment(draws, rng)
    k = x.shape[1]
    stacked = np.ascontiguousarray(np.column_stack([y, x, d]))
    demeaned, converged = demean(stacked, design.flist, design.weights, tol=1e-8)
    yd, xd, dd = demeaned[:, 0], demeaned[:, 1:1 + k], demeaned[:, 1 + k:]
    q = np.linalg.solve(xd.T @ xd, xd.T @ np.column_stack([yd, dd]))
    ry = yd - xd @ q[:, 0]
    rd = dd - xd @ q[:, 1:]
    return (rd.T @ ry) / np.einsum("ij,ij->j", rd, rd)


# --- Peers ---------------------------------------------------------------------------------------
PEERS = []  # (workload, peer name, data key, setup(data) -> (callable, runs, scale, note, memory_fn|None))


def peer(workload, name, data_key="paper"):
    def register(setup):
        PEERS.append((workload, name, data_key, setup))
        return setup
    return register


def feols_crv1(data, key):
    """The TWFE fit of panel `key` by pyfixest feols, CRV1 by the spec's cluster column (W1, W7)."""
    import pyfixest as pf
    spec, frame = data.spec(key), data.frame(key)
    fml = formula(spec)
    return lambda: pf.feols(fml, data=frame, vcov={"CRV1": spec["cluster"]}).tidy()


PANELOLS_NOTE = "entity + time effects, clustered by entity"


def panelols_clustered(data, key):
    """The TWFE fit of panel `key` by linearmodels PanelOLS, clustered by entity (W1, W7)."""
    from linearmodels.panel import PanelOLS
    spec, frame = data.spec(key), data.frame(key)
    indexed = frame.set_index([spec["unit"], spec["time"]])
    y, x = indexed[spec["y"]], indexed[[spec["treat"]] + spec["x"]]
    return lambda: PanelOLS(y, x, entity_effects=True, time_effects=True).fit(cov_type="clustered", cluster_entity=True)


def fit_memory(data, key, fit):
    """W7's memory figures of `fit`, against the bytes of the columns it reads (y, D, covariates)."""
    spec, frame = data.spec(key), data.frame(key)
    data_bytes = len(frame) * (2 + len(spec["x"])) * 8
    return lambda: memory_of(fit, data_bytes)


@peer("W1", "pyfixest feols CRV1")
def w1_pyfixest(data):
    return feols_crv1(data, "paper"), runs(20), 1.0, None, None


@peer("W1", "linearmodels PanelOLS clustered")
def w1_linearmodels(data):
    return panelols_clustered(data, "paper"), runs(20), 1.0, PANELOLS_NOTE, None


@peer("W2", "pyfixest loop")
def w2_loop(data):
    import pyfixest as pf
    spec, frame = data.spec("paper"), data.frame("paper").copy()
    design = PlaceboDesign(frame, spec)
    draws = 10 if QUICK else 50
    fml = formula(spec, treat="placebo_treat")

    def loop():
        rng = np.random.default_rng(SEED)
        for _ in range(draws):
            frame["placebo_treat"] = design.permuted_treatment(1, rng)[:, 0]
            fit = pf.feols(fml, data=frame, vcov={"CRV1": spec["cluster"]})
            fit.coef().iloc[0], fit.tstat().iloc[0]
    note = (f"a plain Python loop of pyfixest feols (beta and CR1 t) per permuted cohort assignment; "
            f"{draws} draws timed, scaled x{W2_DRAWS // draws} to {W2_DRAWS}")
    return loop, runs(5), W2_DRAWS / draws, note, None


def w2_once():
    """W2's batched placebo as a user's whole program: read the CSV, draw, print the p-value (--w2-once)."""
    from pyfixest.estimation import demean
    data = Data(ARGS.data_dir)
    spec, frame = data.spec("paper"), data.frame("paper")
    design = PlaceboDesign(frame, spec)
    y, x = frame[spec["y"]].to_numpy(float), frame[spec["x"]].to_numpy(float)
    betas = batched_placebo_betas(y, x, design, W2_DRAWS, np.random.default_rng(SEED), demean)
    observed = batched_placebo_betas(y, x, design, 1, np.random.default_rng(SEED + 1), demean)[0]
    JSON_OUT.write(f"{(1 + np.sum(np.abs(betas) >= abs(observed))) / (1 + W2_DRAWS)}\n")


@peer("CLI-W2", "batched, timed from outside: python process (start, imports, CSV read, draws, print)")
def w2_cli(data):
    import subprocess
    command = [sys.executable, os.path.abspath(__file__), "--data-dir", data.directory, "--w2-once",
               "--threads", str(ARGS.threads)]

    def run():
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    note = ("the W2 batched peer as a whole program, timed from spawn to exit like `didlab placebo`: interpreter "
            "start, numpy/pandas/pyfixest imports, pandas CSV read, the 1000 batched draws, one line out")
    return run, runs(10), 1.0, note, None


@peer("W2", "batched: 1 pyfixest demean + closed-form beta")
def w2_batched(data):
    from pyfixest.estimation import demean
    spec, frame = data.spec("paper"), data.frame("paper")
    design = PlaceboDesign(frame, spec)
    y, x = frame[spec["y"]].to_numpy(float), frame[spec["x"]].to_numpy(float)

    def batch():
        batched_placebo_betas(y, x, design, W2_DRAWS, np.random.default_rng(SEED), demean)
    note = (f"all {W2_DRAWS} permuted treatment columns built in numpy and demeaned with y and X in one "
            f"pyfixest.estimation.demean call (tol 1e-8), then beta by FWL in closed form (no t statistic)")
    return batch, runs(10), 1.0, note, None


CS_NOTE = "never-treated controls, no covariates, analytic standard errors (no bootstrap, no uniform bands)"


@peer("W3", "diff-diff CallawaySantAnna")
def w3_diffdiff(data):
    import diff_diff as dd
    spec, frame = data.spec("paper"), data.frame("paper")

    def fit():
        result = dd.CallawaySantAnna(control_group="never_treated").fit(
            frame, outcome=spec["y"], unit=spec["unit"], time=spec["time"], first_treat=spec["cohort"])
        for kind in ("simple", "event_study", "group"):
            result.aggregate(kind)
    return fit, runs(10), 1.0, CS_NOTE + "; aggregations simple, event_study, group (diff-diff has no calendar)", None


@peer("W3", "csdid ATTgt + aggte")
def w3_csdid(data):
    from csdid.att_gt import ATTgt
    spec, frame = data.spec("paper"), data.frame("paper")

    def fit():
        with contextlib.redirect_stdout(io.StringIO()):
            att = ATTgt(yname=spec["y"], gname=spec["cohort"], idname=spec["unit"], tname=spec["time"], data=frame,
                        control_group=["nevertreated"]).fit(est_method="dr", bstrap=False)
            for kind in ("simple", "dynamic", "group", "calendar"):
                att.aggte(kind, bstrap=False, cband=False)
    return fit, runs(10), 1.0, CS_NOTE + "; aggregations simple, dynamic, group, calendar (summaries printed to a buffer)", None


@peer("W3", "moderndid att_gt + aggte")
def w3_moderndid(data):
    import moderndid as md
    spec, frame = data.spec("paper"), data.frame("paper")

    def fit():
        result = md.att_gt(data=frame, yname=spec["y"], tname=spec["time"], idname=spec["unit"], gname=spec["cohort"],
                           boot=False, cband=False)
        for kind in ("simple", "dynamic", "group", "calendar"):
            md.aggte(result, type=kind, boot=False, cband=False)
    return fit, runs(10), 1.0, CS_NOTE + "; aggregations simple, dynamic, group, calendar", None


@peer("W4", "diff-diff ImputationDiD")
def w4_diffdiff(data):
    import diff_diff as dd
    spec, frame = data.spec("paper"), data.frame("paper")

    def fit():
        dd.ImputationDiD().fit(frame, outcome=spec["y"], unit=spec["unit"], time=spec["time"],
                               first_treat=spec["cohort"])
    return fit, runs(10), 1.0, "Borusyak-Jaravel-Spiess imputation, overall ATT with its analytic SE, no covariates", None


@peer("E0", "pyfixest feols CRV1, no covariates")
def e0_pyfixest(data):
    import pyfixest as pf
    spec, frame = data.spec("paper"), data.frame("paper")
    fml = f"{spec['y']} ~ {spec['treat']} | {spec['unit']} + {spec['time']}"
    return lambda: pf.feols(fml, data=frame, vcov={"CRV1": spec["cluster"]}).tidy(), runs(20), 1.0, None, None


@peer("E1", "pyfixest did2s")
def e1_pyfixest(data):
    import pyfixest as pf
    spec, frame = data.spec("paper"), data.frame("paper")

    def fit():
        pf.did2s(frame, yname=spec["y"], first_stage=f"~ 0 | {spec['unit']} + {spec['time']}",
                 second_stage=f"~ {spec['treat']}", treatment=spec["treat"], cluster=spec["unit"]).tidy()
    return fit, runs(10), 1.0, "overall ATT, GMM-corrected SE clustered by city", None


@peer("E1", "diff-diff TwoStageDiD")
def e1_diffdiff(data):
    import diff_diff as dd
    spec, frame = data.spec("paper"), data.frame("paper")

    def fit():
        dd.TwoStageDiD(cluster=spec["unit"]).fit(frame, outcome=spec["y"], unit=spec["unit"], time=spec["time"],
                                                 first_treat=spec["cohort"])
    return fit, runs(10), 1.0, "overall ATT, GMM-corrected SE clustered by city", None


@peer("E2", "diff-diff StackedDiD")
def e2_diffdiff(data):
    import diff_diff as dd
    spec, frame = data.spec("paper"), data.frame("paper")

    def fit():
        dd.StackedDiD(kappa_pre=1, kappa_post=1).fit(frame, outcome=spec["y"], unit=spec["unit"], time=spec["time"],
                                                    first_treat=spec["cohort"])
    return fit, runs(10), 1.0, "window e-1..e+1, not-yet-treated clean controls, aggregate weights", None


@peer("E3", "diff-diff ChaisemartinDHaultfoeuille")
def e3_diffdiff(data):
    import diff_diff as dd
    spec, frame = data.spec("paper"), data.frame("paper")
    panel = frame.assign(_d=((frame[spec["cohort"]] > 0) & (frame[spec["time"]] >= frame[spec["cohort"]])).astype(int))
    periods = panel[spec["time"]].nunique()

    def fit():
        dd.ChaisemartinDHaultfoeuille(twfe_diagnostic=False).fit(
            panel, outcome=spec["y"], unit=spec["unit"], time=spec["time"], treatment="_d", L_max=periods - 4)
    return fit, runs(5), 1.0, "effects e+0.., analytic SE (its variance convention differs slightly, see README)", None


@peer("E3", "moderndid did_multiplegt")
def e3_moderndid(data):
    import moderndid as md
    spec, frame = data.spec("paper"), data.frame("paper")
    panel = frame.assign(_d=((frame[spec["cohort"]] > 0) & (frame[spec["time"]] >= frame[spec["cohort"]])).astype(int))
    periods = panel[spec["time"]].nunique()

    def fit():
        md.did_multiplegt(panel, yname=spec["y"], idname=spec["unit"], tname=spec["time"], dname="_d",
                          effects=periods - 4, placebo=4)
    return fit, runs(3), 1.0, "effects and placebos with analytic SEs (R DIDmultiplegtDYN's estimator)", None


@peer("E4", "synthdid-py staggered + jackknife")
def e4_synthdid(data):
    from synthdid.staggered import staggered_synthdid_estimate
    spec, frame = data.spec("paper"), data.frame("paper")
    panel = frame.assign(_d=((frame[spec["cohort"]] > 0) & (frame[spec["time"]] >= frame[spec["cohort"]])).astype(int))

    def fit():
        estimate = staggered_synthdid_estimate(panel, unit=spec["unit"], time=spec["time"], outcome=spec["y"],
                                               treatment="_d")
        estimate.se(method="jackknife")
    return fit, runs(3), 1.0, "each cohort against the never treated, fixed-weight jackknife SE (R synthdid's port)", None


@peer("W5", "wildboottest")
def w5_wildboottest(data):
    import statsmodels.formula.api as smf
    from wildboottest.wildboottest import wildboottest
    spec, frame = data.spec("paper"), data.frame("paper")
    fml = f"{spec['y']} ~ {spec['treat']} + {' + '.join(spec['x'])} + C({spec['unit']}) + C({spec['time']})"

    def boot():
        model = smf.ols(fml, data=frame)
        with contextlib.redirect_stdout(io.StringIO()):
            wildboottest(model, param=spec["treat"], cluster=frame[spec["cluster"]], B=W5_REPS,
                         weights_type="rademacher", seed=SEED)
    note = (f"WCR bootstrap-t, {W5_REPS} Rademacher draws, G = {frame[spec['cluster']].nunique()} city clusters, "
            f"on a statsmodels OLS with city and year dummies (model building included)")
    return boot, runs(3, 2), 1.0, note, None


@peer("W5", "pyfixest feols + wildboottest()")
def w5_pyfixest(data):
    import pyfixest as pf
    spec, frame = data.spec("paper"), data.frame("paper")
    fml = formula(spec)

    def boot():
        fit = pf.feols(fml, data=frame, vcov={"CRV1": spec["cluster"]})
        fit.wildboottest(param=spec["treat"], reps=W5_REPS, cluster=spec["cluster"], seed=SEED)
    note = f"pyfixest's wrapper of wildboottest: WCR bootstrap-t, {W5_REPS} Rademacher draws, city clusters (fit included)"
    return boot, runs(3, 2), 1.0, note, None


class MonteCarloPeer:
    """One replication of a paper-like DGP in numpy on the paper panel's units, years and cohorts,
    then pyfixest TWFE and event study with CR1 (and optionally a batched placebo test)."""

    def __init__(self, data):
        spec, frame = data.spec("paper"), data.frame("paper")
        self.spec = spec
        self.frame = frame[[spec["unit"], spec["time"], spec["cohort"]]].copy()
        self.design = PlaceboDesign(frame, spec)
        self.n_units = len(self.design.units)
        years = np.unique(self.design.time_value)
        self.n_periods = len(years)
        self.t = np.tile(np.arange(self.n_periods, dtype=float), self.n_units)
        cohort = frame[spec["cohort"]].to_numpy()
        treated = (cohort > 0) & (self.design.time_value >= cohort)
        self.treat = treated.astype(float)
        self.frame["treat"] = self.treat
        self.frame["rel"] = np.where(cohort > 0, self.design.time_value - cohort, -1)

    def simulate(self, rng):
        units, periods = self.n_units, self.n_periods
        mu = 0.5 + 0.1 * rng.standard_normal(units)
        year = 0.005 * np.arange(periods) + 0.005 * rng.standard_normal(periods)
        innovations = rng.standard_normal((units, periods)) * 0.02
        u = np.empty((units, periods))
        u[:, 0] = innovations[:, 0]
        for k in range(1, periods):
            u[:, k] = 0.8 * u[:, k - 1] + np.sqrt(1 - 0.64) * innovations[:, k]
        xi = rng.standard_normal(units)
        gdp = 10.8 + 0.5 * np.repeat(xi, periods) + 0.06 * self.t + 0.03 * rng.standard_normal(units * periods)
        share = 0.45 + 0.08 * np.repeat(rng.standard_normal(units), periods) - 0.005 * self.t \
            + 0.01 * rng.standard_normal(units * periods)
        y = np.repeat(mu, periods) + np.tile(year, units) + u.ravel() + 0.01 * self.treat \
            + 0.02 * (gdp - 10.8) - 0.02 * (share - 0.45)
        return y, np.column_stack([gdp, share])

    def replication(self, rng, placebo_draws, demean):
        import pyfixest as pf
        y, x = self.simulate(rng)
        frame = self.frame
        frame["y"], frame["x1"], frame["x2"] = y, x[:, 0], x[:, 1]
        unit, time_ = self.spec["unit"], self.spec["time"]
        pf.feols(f"y ~ treat + x1 + x2 | {unit} + {time_}", data=frame, vcov={"CRV1": unit}).tidy()
        pf.feols(f"y ~ i(rel, ref=-1) + x1 + x2 | {unit} + {time_}", data=frame, vcov={"CRV1": unit}).tidy()
        if placebo_draws:
            batched_placebo_betas(y, x, self.design, placebo_draws, rng, demean)


def monte_carlo_setup(data, placebo_draws):
    from pyfixest.estimation import demean
    mc = MonteCarloPeer(data)
    timed_reps = (2 if placebo_draws else 3) if QUICK else (5 if placebo_draws else 10)

    def loop():
        rng = np.random.default_rng(SEED)
        for _ in range(timed_reps):
            mc.replication(rng, placebo_draws, demean)
    note = (f"per replication: a paper-like panel drawn in numpy on the paper file's 282 cities x 14 years and "
            f"cohorts (unit effects, trend, year shocks, AR(1) 0.8 errors, 2 covariates, ATT 0.01), then pyfixest "
            f"TWFE and event study (i(rel, ref=-1)) with CR1")
    if placebo_draws:
        note += f", plus a {placebo_draws}-draw batched placebo (one demean call, closed-form beta)"
    note += f"; {timed_reps} replications timed, scaled x{W6_REPLICATIONS // timed_reps} to {W6_REPLICATIONS}"
    return loop, runs(3), W6_REPLICATIONS / timed_reps, note, None


@peer("W6", "pyfixest loop: simulate + TWFE + event study")
def w6_loop(data):
    return monte_carlo_setup(data, 0)


@peer("W6p", "pyfixest loop + batched placebo")
def w6p_loop(data):
    return monte_carlo_setup(data, W6P_DRAWS)


@peer("W7", "pyfixest feols CRV1", data_key="large")
def w7_pyfixest(data):
    fit = feols_crv1(data, "large")
    return fit, runs(5), 1.0, "time excludes reading the CSV", fit_memory(data, "large", fit)


@peer("W7", "linearmodels PanelOLS clustered", data_key="large")
def w7_linearmodels(data):
    fit = panelols_clustered(data, "large")
    return fit, runs(3), 1.0, PANELOLS_NOTE, fit_memory(data, "large", fit)


@peer("CSV", "pandas read_csv", data_key="numeric")
def csv_pandas(data):
    path = os.path.join(data.directory, data.spec("numeric")["path"])
    return (lambda: pd.read_csv(path)), runs(10), 1.0, "default C engine, every field parsed to float64", None


# --- Main ----------------------------------------------------------------------------------------
PACKAGES = ("pyfixest", "linearmodels", "diff-diff", "csdid", "moderndid", "synthdid-py", "wildboottest", "statsmodels",
            "numpy", "pandas", "scipy", "numba", "polars", "formulaic")


def versions():
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def blas_description():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    pools = [f"{p.get('internal_api')} {p.get('version')} {p.get('architecture', '')} {p.get('num_threads')} threads"
             for p in threadpool_info() if p.get("user_api") == "blas"]
    return "; ".join(" ".join(p.split()) for p in pools) or "none found"


def main():
    data = Data(ARGS.data_dir)
    results, skipped = {}, []
    for workload, name, data_key, setup in PEERS:
        if ARGS.only and not workload.startswith(ARGS.only):
            continue
        if not data.has(data_key):
            skipped.append({"workload": workload, "peer": name, "reason": f"no '{data_key}' file in the data directory"})
            continue
        try:
            body, count, scale, note, memory = setup(data)
            entry = {"name": name, **timed(body, count, scale)}
            if note:
                entry["note"] = note
            if memory:
                entry["memory"] = memory()
        except ImportError as error:
            skipped.append({"workload": workload, "peer": name, "reason": f"not installed ({error.name or error})"})
            log(f"{workload} {name}: skipped, not installed")
            continue
        except Exception as error:  # a peer that fails is reported, not fatal
            skipped.append({"workload": workload, "peer": name, "reason": f"failed: {type(error).__name__}: {error}"})
            log(f"{workload} {name}: failed: {error}")
            continue
        log(f"{workload} {name}: median {entry['median']:.4g} s (min {entry['min']:.4g}, max {entry['max']:.4g}, "
            f"{entry['runs']} runs)")
        results.setdefault(workload, []).append(entry)
    report = {
        "python": platform.python_version(),
        "versions": versions(),
        "settings": {"threads": ARGS.threads, "unset": UNSET, "blas": blas_description()},
        "workloads": [{"name": workload, "peers": peers} for workload, peers in results.items()],
        "skipped": skipped,
    }
    JSON_OUT.write(json.dumps(report, indent=2) + "\n")
    JSON_OUT.flush()


if __name__ == "__main__":
    w2_once() if ARGS.w2_once else main()
