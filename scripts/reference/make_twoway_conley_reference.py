#!/usr/bin/env python3
"""Golden values for DiDLab's two-way clustered (Cameron, Gelbach & Miller 2011) and Conley (1999)
spatial HAC variances of the regression estimators (TWFE, event study, Sun-Abraham).

Writes Tests/Fixtures/twoway_conley_reference.json.

Two-way clustering (oracle: pyfixest 0.60.0, `feols(..., vcov={"CRV1": "A+B"})`, default ssc()):
  V = c * (V_A + V_B - V_{A∩B}),  V_C = B (Σ_g s_g s_g') B over the clusters g of C,
  c = Gmin/(Gmin-1) * (n-1)/(n-K) for every term (pyfixest's default G_df = "min", as R fixest's
  cluster.df = "min"), Gmin = min(G_A, G_B), df = Gmin - 1 (t.df = "min"),
  K = k + FE, where a fixed effect nested in A or in B counts as one parameter (k_fixef = "nonnested").
  A∩B is the pair (A, B) (pyfixest joins the two labels). `A^B` in a cluster term is fixest's
  interaction: here the explicit column province_year = province + "-" + year.
  Golden values are that formula on the brute-force dense OLS (explicit dummies); pyfixest's own
  vcov, K and df are checked against it (pyfixest_max_abs_diff) and its numbers stored beside.
  pyfixest does not repair a non-PSD result (R fixest's vcov_fix would zero negative eigenvalues): several
  cases here are not PSD (min_eigenvalue < 0), and mpdta's Sun-Abraham e+0 and att have a negative
  variance by county + year (5 years): SE, p-value and interval are null there (NaN in pyfixest),
  and `variance` holds the diagonal as computed.

Conley (oracle: a by-hand numpy implementation below, checked against diff-diff 3.13's
  `diff_diff.conley._compute_conley_vcov`, the panel block-decomposed form that matches R conleyreg):
  scores s_it = x~_it u_it (x~ the within-transformed regressors, u the residuals);
  M = Σ_t Σ_{i,j observed in t} K(d_ij / h) s_it s_jt'                        (spatial, same period)
    + Σ_i Σ_{t≠s, |t-s| <= L} (1 - |t-s|/(L+1)) s_it s_is'                   (serial, within unit)
  with t, s the panel-wide period positions (0..T-1); K = Bartlett max(0, 1-u) or uniform 1{u <= 1};
  V = B M B with no small-sample factor (diff-diff and conleyreg apply none); df = n - K with every
  fixed effect counted (diff-diff's default df_convention="residual").
  Distances: planar (Euclidean in the coordinates' units) or haversine with R = 6371.0088 km (the
  IUGG mean radius DiDLab uses for rings); diff-diff hard-codes 6371.01 km, so the cross-check
  sets diff_diff.conley._CONLEY_EARTH_RADIUS_KM = 6371.0088 and also records the unpatched difference.
  Unit coordinates are synthetic (seeded draws, stored in the JSON per unit label): mpdta's
  counties in a 6° x 8° box around 38N 90W, synthetic.csv's cities lat/lon around 30N 112E and a
  plane in km.

Run:  /opt/didlab-did2s-venv/bin/python scripts/reference/make_twoway_conley_reference.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pin_hash_seed, versions, write_reference  # noqa: E402

pin_hash_seed()

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyfixest as pf  # noqa: E402
from pyfixest.demeaners import MapDemeaner  # noqa: E402
from scipy import stats  # noqa: E402

from make_fixest_reference import FIX, add_D, add_event, brute_force, event_terms, read_synthetic, safe  # noqa: E402

warnings.filterwarnings("ignore")
SEED = 20261206
EARTH_RADIUS_KM = 6371.0088
DEMEANER = MapDemeaner(fixef_tol=1e-14, fixef_maxiter=1_000_000)

M = dict(y="lemp", unit="countyreal", time="year", cohort="first.treat", file="mpdta.csv")
S = dict(y="y", unit="unit", time="year", cohort="cohort", file="synthetic.csv")
U = dict(S, file="synthetic_unbalanced.csv")


# ------------------------------------------------------------------ data and designs
def load(spec) -> pd.DataFrame:
    if spec["file"] == "mpdta.csv":
        df = pd.read_csv(FIX / "mpdta.csv")
    else:
        df = read_synthetic(spec["file"])
        df = df.dropna(subset=["x1", "x2"]).reset_index(drop=True)
        df["province_year"] = df["province"].astype(str) + "-" + df["year"].astype(str)
    return df


def sun_abraham_columns(df, spec):
    """Cohort x relative-period indicators (never-treated controls, e = -1 left out), as DiDLab's SA."""
    years = np.sort(df[spec["time"]].unique())
    pos = {t: i for i, t in enumerate(years)}
    g = df[spec["cohort"]].to_numpy()
    t = df[spec["time"]].to_numpy()
    rel = np.array([pos[tt] - pos[gg] if gg > 0 and gg in pos else np.nan for tt, gg in zip(t, g)])
    cells = sorted({(int(e), int(c)) for e, c in zip(rel, g) if not np.isnan(e) and e != -1})
    names = []
    for j, (e, c) in enumerate(cells):
        name = f"sa_{j}"
        df[name] = ((rel == e) & (g == c)).astype(float)
        names.append(name)
    labels = [(f"e{e}" if e < 0 else f"e+{e}") + f":g{c}" for e, c in cells]
    counts = np.array([df[nm].sum() for nm in names])
    events = sorted({e for e, _ in cells})
    W, agg = [], []
    for e in events:
        w = np.array([counts[j] if cells[j][0] == e else 0.0 for j in range(len(cells))])
        W.append(w / w.sum())
        agg.append(f"e{e}" if e < 0 else f"e+{e}")
    w = np.array([counts[j] if cells[j][0] >= 0 else 0.0 for j in range(len(cells))])
    W.append(w / w.sum())
    agg.append("att")
    return names, labels, np.array(W), agg


def design(spec, model, covariates):
    """The data frame with D / event / SA columns, the regressor names and the reported terms."""
    df = add_D(load(spec), spec["cohort"], spec["time"])
    if model == "twfe":
        xs = ["D"] + covariates
        return df, xs, ["treat"] + covariates, None
    if model[0] == "event":
        _, leads, lags = model
        df = add_event(df, spec["cohort"], spec["time"], leads, lags, True)
        terms = event_terms(leads, lags)
        return df, [safe(t) for t in terms] + covariates, terms + covariates, None
    names, labels, W, agg = sun_abraham_columns(df, spec)
    return df, names + covariates, labels + covariates, (W, agg, len(names))


def codes(values) -> np.ndarray:
    return pd.factorize(pd.Series(values).astype(str))[0]


def nested(fe, cluster) -> bool:
    """Every level of `fe` lies inside one cluster."""
    frame = pd.DataFrame({"f": codes(fe), "c": codes(cluster)})
    return bool((frame.groupby("f")["c"].nunique() == 1).all())


def cluster_meat(Xt, u, cluster):
    g = codes(cluster)
    s = np.zeros((g.max() + 1, Xt.shape[1]))
    np.add.at(s, g, Xt * u[:, None])
    return s.T @ s, int(g.max() + 1)


# -------------------------------------------------------------------------- two-way
def twoway(bf, df, spec, a, b):
    n, N, T, k = bf["n"], bf["N"], bf["T"], len(bf["kept"])
    A = df[a].astype(str).to_numpy()
    Bc = df[b].astype(str).to_numpy()
    AB = np.char.add(np.char.add(A.astype(str), "-"), Bc.astype(str))
    unit, year = df[spec["unit"]].to_numpy(), df[spec["time"]].to_numpy()
    K = k + N + T - 1
    if nested(unit, A) or nested(unit, Bc):
        K -= N - 1
    if nested(year, A) or nested(year, Bc):
        K -= T - 1
    meats, Gs = [], []
    for c in (A, Bc, AB):
        m, G = cluster_meat(bf["Xt"], bf["u"], c)
        meats.append(m)
        Gs.append(G)
    Gmin = min(Gs[0], Gs[1])
    c = Gmin / (Gmin - 1) * (n - 1) / (n - K)
    Bm = bf["bread"]
    V = c * Bm @ (meats[0] + meats[1] - meats[2]) @ Bm
    return V, dict(K=int(K), df=int(Gmin - 1), G=[int(g) for g in Gs], factor=float(c),
                   min_eigenvalue=float(np.min(np.linalg.eigvalsh(V))))


# ---------------------------------------------------------------------------- Conley
def haversine(lat1, lon1, lat2, lon2, radius=EARTH_RADIUS_KM):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = np.radians(lat2 - lat1), np.radians(lon2 - lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return 2 * radius * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def conley_meat(scores, xy, metric, cutoff, kernel, tcode, unit, lag):
    """The by-hand meat: an explicit loop over periods (all pairs) and units (all lag pairs)."""
    p = scores.shape[1]
    meat = np.zeros((p, p))
    for t in np.unique(tcode):
        idx = np.where(tcode == t)[0]
        c = xy[idx]
        if metric == "planar":
            d = np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))
        else:
            d = haversine(c[:, None, 0], c[:, None, 1], c[None, :, 0], c[None, :, 1])
        u = d / cutoff
        w = np.maximum(0.0, 1.0 - u) if kernel == "bartlett" else (u <= 1.0).astype(float)
        s = scores[idx]
        meat += s.T @ w @ s
    if lag > 0:
        for i in np.unique(unit):
            idx = np.where(unit == i)[0]
            for r in idx:
                for q in idx:
                    gap = abs(int(tcode[r]) - int(tcode[q]))
                    if 0 < gap <= lag:
                        meat += (1 - gap / (lag + 1)) * np.outer(scores[r], scores[q])
    return meat


def unit_locations(labels, center, spread, rng):
    first = center[0] + rng.uniform(-spread[0], spread[0], len(labels))
    second = center[1] + rng.uniform(-spread[1], spread[1], len(labels))
    return {str(lab): [float(a), float(b)] for lab, a, b in zip(labels, first, second)}


def conley(bf, df, spec, locations, metric, cutoff, kernel, lag):
    import diff_diff.conley as ddc

    n, N, T, k = bf["n"], bf["N"], bf["T"], len(bf["kept"])
    keys = df[spec["unit"]].astype(str).to_numpy()
    xy = np.array([locations[key] for key in keys])
    tcode = pd.factorize(df[spec["time"]], sort=True)[0]
    unit = codes(df[spec["unit"]])
    scores = bf["Xt"] * bf["u"][:, None]
    meat = conley_meat(scores, xy, metric, cutoff, kernel, tcode, unit, lag)
    Bm = bf["bread"]
    V = Bm @ meat @ Bm
    dd_metric = "euclidean" if metric == "planar" else "haversine"
    saved = ddc._CONLEY_EARTH_RADIUS_KM
    ddc._CONLEY_EARTH_RADIUS_KM = EARTH_RADIUS_KM
    Vdd = ddc._compute_conley_vcov(bf["Xt"], bf["u"], xy, cutoff, dd_metric, kernel, bf["Xt"].T @ bf["Xt"],
                                   time=df[spec["time"]].to_numpy(), unit=keys, lag_cutoff=lag)
    ddc._CONLEY_EARTH_RADIUS_KM = saved
    Vdd_own = ddc._compute_conley_vcov(bf["Xt"], bf["u"], xy, cutoff, dd_metric, kernel, bf["Xt"].T @ bf["Xt"],
                                       time=df[spec["time"]].to_numpy(), unit=keys, lag_cutoff=lag)
    K = k + N + T - 1
    return V, dict(K=int(K), df=int(n - K), factor=1.0,
                   diff_diff_max_abs_diff=float(np.max(np.abs(Vdd - V))),
                   diff_diff_radius_6371_01_max_rel_se_diff=float(np.max(
                       np.abs(np.sqrt(np.diag(Vdd_own)) / np.sqrt(np.diag(V)) - 1))))


# ------------------------------------------------------------------------------- case
def run(name, spec, model, covariates, twoways, conleys, locations):
    df, xs, terms, sa = design(spec, model, covariates)
    bf = brute_force(df, spec["y"], xs, spec["unit"], spec["time"])
    assert not bf["dropped"], bf["dropped"]
    out = dict(name=name, data=spec["file"], y=spec["y"], unit=spec["unit"], time=spec["time"],
               cohort=spec["cohort"], covariates=covariates, n_obs=int(bf["n"]), variances={})
    if model != "twfe" and model[0] == "event":
        out["event"] = dict(leads=model[1], lags=model[2])
    if sa is not None:
        out["sun_abraham"] = True
    beta = bf["beta"]
    W = None
    if sa is not None:
        W, agg, m = sa
        full = np.eye(len(xs))
        W = np.vstack([np.hstack([W, np.zeros((W.shape[0], len(xs) - m))]), full[m:]])
        terms = agg + covariates
    est = W @ beta if W is not None else beta
    out["terms"] = terms
    out["estimate"] = {t: float(v) for t, v in zip(terms, est)}

    def record(key, V, info, pyfixest=None):
        Vr = W @ V @ W.T if W is not None else V
        se = np.sqrt(np.diag(Vr))
        dfv = info["df"]
        tstat = est / se
        tcrit = stats.t.ppf(0.975, dfv)
        # A negative variance (a two-way result that is not PSD) has no SE: null here, NaN in pyfixest.
        fin = lambda v: float(v) if np.isfinite(v) else None  # noqa: E731
        entry = dict(info, se={t: fin(s) for t, s in zip(terms, se)},
                     variance={t: float(v) for t, v in zip(terms, np.diag(Vr))},
                     p_value={t: fin(2 * stats.t.sf(abs(z), dfv)) for t, z in zip(terms, tstat)},
                     conf_low={t: fin(e - tcrit * s) for t, e, s in zip(terms, est, se)},
                     conf_high={t: fin(e + tcrit * s) for t, e, s in zip(terms, est, se)})
        if pyfixest is not None:
            entry.update(pyfixest)
        out["variances"][key] = entry

    for a, b in twoways:
        V, info = twoway(bf, df, spec, a, b)
        # pyfixest's own two-way CRV1 on the same regression
        fml = f"{spec['y']} ~ " + " + ".join(xs) + f" | {spec['unit']} + {spec['time']}"
        fit = pf.feols(fml, data=df.rename(columns={}), vcov={"CRV1": f"{a}+{b}"}, demeaner=DEMEANER)
        pV = fit._vcov
        pyf = dict(pyfixest_K=int(fit._df_k), pyfixest_df=int(fit._df_t),
                   pyfixest_max_abs_diff=float(np.max(np.abs(pV - V))),
                   pyfixest_se={t: (float(s) if np.isfinite(s) else None)
                                for t, s in zip(terms, np.sqrt(np.diag(W @ pV @ W.T if W is not None else pV)))})
        assert pyf["pyfixest_K"] == info["K"] and pyf["pyfixest_df"] == info["df"], (name, a, b, pyf, info)
        bname = "province^year" if b == "province_year" else b
        record(f"twoway:{a}+{bname}", V, info, pyf)
    for metric, cutoff, kernel, lag in conleys:
        V, info = conley(bf, df, spec, locations[metric], metric, cutoff, kernel, lag)
        record(f"conley:{metric}:{kernel}:{cutoff:g}:{lag}", V, info)
    print(name, {k: (v.get("pyfixest_max_abs_diff"), v.get("diff_diff_max_abs_diff")) for k, v in out["variances"].items()})
    return out


def main() -> None:
    rng = np.random.default_rng(SEED)
    mp = pd.read_csv(FIX / "mpdta.csv")
    syn = read_synthetic("synthetic.csv")
    loc = {
        "mpdta": {"great-circle": unit_locations(sorted(mp["countyreal"].unique()), (38.0, -90.0), (3.0, 4.0), rng)},
        "synthetic": {"great-circle": unit_locations(sorted(syn["unit"].unique()), (30.0, 112.0), (2.0, 2.5), rng),
                      "planar": unit_locations(sorted(syn["unit"].unique()), (300.0, 300.0), (300.0, 300.0), rng)},
    }
    cases = [
        run("mpdta_twfe", M, "twfe", [], [("countyreal", "year")],
            [("great-circle", 150.0, "bartlett", 0), ("great-circle", 100.0, "uniform", 2)], loc["mpdta"]),
        run("mpdta_event", M, ("event", 4, 3), [], [("countyreal", "year")],
            [("great-circle", 150.0, "bartlett", 1)], loc["mpdta"]),
        run("mpdta_sa", M, "sa", [], [("countyreal", "year")], [("great-circle", 150.0, "bartlett", 0)], loc["mpdta"]),
        run("synthetic_twfe", S, "twfe", ["x1", "x2"], [("province", "year"), ("unit", "province_year")],
            [("planar", 150.0, "bartlett", 0), ("planar", 150.0, "uniform", 3),
             ("great-circle", 200.0, "bartlett", 1)], loc["synthetic"]),
        run("synthetic_event", S, ("event", 3, 3), ["x1", "x2"], [("province", "year")],
            [("great-circle", 200.0, "bartlett", 2)], loc["synthetic"]),
        run("synthetic_sa", S, "sa", ["x1", "x2"], [("province", "year")], [("planar", 150.0, "bartlett", 1)],
            loc["synthetic"]),
        run("unbalanced_twfe", U, "twfe", ["x1", "x2"], [("province", "year"), ("unit", "province_year")],
            [("planar", 150.0, "uniform", 2), ("great-circle", 200.0, "bartlett", 1)], loc["synthetic"]),
    ]
    ref = {
        "generated_by": "scripts/reference/make_twoway_conley_reference.py",
        "versions": versions("pyfixest", "diff-diff", "numpy", "pandas", "scipy"),
        "seed": SEED,
        "earth_radius_km": EARTH_RADIUS_KM,
        "conventions": {
            "estimate": "dense OLS with explicit unit (N) and year (T-1) dummies (make_fixest_reference.brute_force)",
            "twoway": "pyfixest feols(vcov={'CRV1': 'A+B'}), default ssc(): V = c (V_A + V_B - V_AB), "
                      "c = Gmin/(Gmin-1) (n-1)/(n-K) on every term, df = Gmin - 1, K = k + FE with a FE nested in "
                      "A or B counted once; key twoway:A+B (B = province^year is the column province_year)",
            "conley": "V = B M B, no small-sample factor, df = n - (k + N + T - 1); M = within-period spatial "
                      "pairs K(d/h) s_i s_j' + within-unit serial pairs (1 - l/(L+1)) for 0 < l <= L; key "
                      "conley:METRIC:KERNEL:CUTOFF:LAG; haversine R = 6371.0088 km",
            "sun_abraham": "the saturated cohort x relative-period regression (never-treated controls), variance "
                           "aggregated W V W' with fixest's n_{g,e} shares; terms e-K..e+L then att",
            "p_value_ci": "two-sided t with the stated df; 95% CI = est +/- t_{0.975,df} se",
        },
        "locations": loc,
        "cases": cases,
    }
    write_reference(FIX / "twoway_conley_reference.json", ref)


if __name__ == "__main__":
    main()
