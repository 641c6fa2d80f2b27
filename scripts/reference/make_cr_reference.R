#!/usr/bin/env Rscript
# Golden values for DiDLab's CR2 and CR3 cluster-robust variances (issue 16).
#
# Writes Tests/Fixtures/cr_reference.json from the committed fixtures mpdta.csv, synthetic.csv and
# synthetic_unbalanced.csv (see scripts/reference/README.md).
#
# Oracles (each value says where it comes from):
#   CR2  R clubSandwich (Debian r-cran-clubsandwich) on the explicit-dummy regression
#        lm(y ~ slopes + factor(unit) + factor(year)):
#          V  <- vcovCR(fit, cluster = <column>, type = "CR2")          # Bell-McCaffrey A_g = (I - H_gg)^(+1/2)
#          coef_test(fit, vcov = V, test = "Satterthwaite")            # Pustejovsky-Tipton (2018) df
#          linear_contrast(fit, vcov = V, contrasts = C, test = "Satterthwaite")   # Sun-Abraham aggregates
#        clubSandwich's coef_test / linear_contrast build an array of size 3 x p x p x G over all
#        p coefficients (dummies included): ~3 GB and minutes on mpdta (p = 505, G = 500). So the
#        Satterthwaite df are computed by `satterthwaite_df()` below, which evaluates clubSandwich's
#        own P matrix (get_P_array(get_GH(...)), working model W = I, target Theta = I) for the
#        requested contrasts only, from clubSandwich's adjustment matrices (attr(V, "adjustments")).
#        On every case where the full computation is affordable (the synthetic panels, p <= 140)
#        the script also runs coef_test / linear_contrast themselves and stops unless both agree
#        to 1e-10 relative; the agreement is recorded as `check_clubsandwich_max_rel_diff`.
#   CR3  leave-one-cluster-out re-estimation: lm() of the same formula on the rows outside each
#        cluster g (unit and year dummies re-estimated), beta_(-g); V = (G-1)/G sum_g
#        (beta_(-g) - beta_hat)(beta_(-g) - beta_hat)' (MacKinnon, Nielsen & Webb 2023's CV3,
#        centred at the full-sample estimate), df = G - 1. clubSandwich's type = "CR3" is not used:
#        with unit effects nested in the clusters I - H_gg is singular and its inverse is undefined.
#        Sun-Abraham aggregates: C V C' with the cohort-share weights C held fixed (as the delta method).
#
# Run (a few minutes on one core):
#   Rscript scripts/reference/make_cr_reference.R
# The output is deterministic: a second run rewrites the same bytes.
suppressPackageStartupMessages({
  library(clubSandwich)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
root <- dirname(dirname(dirname(script)))
fixtures <- file.path(root, "Tests", "Fixtures")

DATA <- list(
  mpdta = list(file = "mpdta.csv", y = "lemp", unit = "countyreal", time = "year", cohort = "first.treat"),
  synthetic = list(file = "synthetic.csv", y = "y", unit = "unit", time = "year", cohort = "cohort"),
  unbalanced = list(file = "synthetic_unbalanced.csv", y = "y", unit = "unit", time = "year", cohort = "cohort")
)

# ---------------------------------------------------------------------------------------- data
load_data <- function(key, covariates) {
  spec <- DATA[[key]]
  d <- read.csv(file.path(fixtures, spec$file), stringsAsFactors = FALSE)
  keep <- complete.cases(d[, c(spec$y, spec$unit, spec$time, spec$cohort, covariates), drop = FALSE])
  d <- d[keep, , drop = FALSE]
  d <- d[order(as.character(d[[spec$unit]]), d[[spec$time]]), , drop = FALSE]
  rownames(d) <- NULL
  out <- data.frame(Y = d[[spec$y]], U = factor(as.character(d[[spec$unit]])), T = factor(d[[spec$time]]),
                    year = d[[spec$time]], G = d[[spec$cohort]])
  for (x in covariates) out[[x]] <- d[[x]]
  if ("province" %in% names(d)) out$province <- d$province
  out
}

# DiDLab's term names from safe R names: e_m4 -> e-4, e_p0 -> e+0, D -> treat.
event_name <- function(e) if (e < 0) paste0("e", e) else paste0("e+", e)
safe_name <- function(e) if (e < 0) paste0("e_m", -e) else paste0("e_p", e)

# Static TWFE: treat = 1{cohort > 0 and year >= cohort}.
twfe_slopes <- function(d, covariates) {
  d$treat <- as.numeric(d$G > 0 & d$year >= d$G)
  list(data = d, slopes = c("treat", covariates), names = c("treat", covariates))
}

# Event study: dummies for every event time but -1 (years are consecutive, so e = year - cohort),
# clipped to [first, last] when binned; never-treated units carry none.
event_slopes <- function(d, covariates, first = NULL, last = NULL) {
  treated <- d$G > 0
  e <- ifelse(treated, d$year - d$G, NA)
  lo <- if (is.null(first)) min(e, na.rm = TRUE) else first
  hi <- if (is.null(last)) max(e, na.rm = TRUE) else last
  e <- pmin(pmax(e, lo), hi)
  times <- setdiff(lo:hi, -1)
  slopes <- character(0)
  for (k in times) {
    col <- safe_name(k)
    d[[col]] <- as.numeric(treated & e == k)
    slopes <- c(slopes, col)
  }
  list(data = d, slopes = c(slopes, covariates), names = c(sapply(times, event_name), covariates))
}

# Sun-Abraham (never-treated control): cohort x relative-period interactions for every observed
# cell but e = -1; aggregation rows = cohort shares n_{g,e} / sum_g n_{g,e} (fixest sunab).
sa_slopes <- function(d, covariates) {
  treated <- d$G > 0
  e <- ifelse(treated, d$year - d$G, NA)
  cells <- unique(data.frame(e = e[treated], g = d$G[treated]))
  cells <- cells[cells$e != -1, ]
  cells <- cells[order(cells$e, cells$g), ]
  slopes <- character(0)
  counts <- numeric(0)
  for (r in seq_len(nrow(cells))) {
    col <- paste0(safe_name(cells$e[r]), "_g", cells$g[r])
    d[[col]] <- as.numeric(treated & e == cells$e[r] & d$G == cells$g[r])
    slopes <- c(slopes, col)
    counts <- c(counts, sum(d[[col]]))
  }
  times <- sort(unique(cells$e))
  weights <- t(sapply(times, function(k) {
    w <- ifelse(cells$e == k, counts, 0)
    c(w / sum(w), rep(0, length(covariates)))
  }))
  if (length(times) == 1) weights <- matrix(weights, nrow = 1)
  list(data = d, slopes = c(slopes, covariates), names = sapply(times, event_name), weights = weights)
}

fit_model <- function(d, slopes) {
  f <- as.formula(paste("Y ~", paste(slopes, collapse = " + "), "+ U + T"))
  lm(f, data = d)
}

# ------------------------------------------------------------------------ Satterthwaite df
# clubSandwich's P matrix (get_P_array(get_GH(fit, V))) for the contrasts in the rows of `C`
# (over the slope coefficients), for an unweighted lm: W = I, target Theta = I, M_U = M =
# (X'X)^-1, so P_gh = delta_gh ||w_g||^2 - u_g' M u_h with w_g = A_g X_g M c and u_g = X_g' w_g;
# df = (tr P)^2 / sum(P^2) (clubSandwich's Satterthwaite(): 2 E^2 / V, V = 2 sum(P^2)).
satterthwaite_df <- function(fit, V, slopes, C) {
  stopifnot(is.null(weights(fit)))
  cluster <- attr(V, "cluster")
  X <- model.matrix(fit)[, !is.na(coef(fit)), drop = FALSE]
  M <- attr(V, "bread") / attr(V, "v_scale")
  A <- attr(V, "adjustments")
  rows <- split(seq_len(nrow(X)), cluster)
  full <- matrix(0, nrow(C), ncol(X))
  full[, match(slopes, colnames(X))] <- C
  CM <- full %*% M
  W <- lapply(seq_along(rows), function(g) A[[g]] %*% X[rows[[g]], , drop = FALSE] %*% t(CM))
  U <- lapply(seq_along(rows), function(g) crossprod(X[rows[[g]], , drop = FALSE], W[[g]]))
  sapply(seq_len(nrow(C)), function(j) {
    Uj <- sapply(U, function(u) u[, j])
    P <- -crossprod(Uj, M %*% Uj)
    diag(P) <- diag(P) + sapply(W, function(w) sum(w[, j]^2))
    sum(diag(P))^2 / sum(P^2)
  })
}

# ------------------------------------------------------------------------------------ a case
cr2 <- function(fit, d, cluster, slopes, C, check) {
  V <- vcovCR(fit, cluster = d[[cluster]], type = "CR2")
  Vs <- V[slopes, slopes, drop = FALSE]
  se <- sqrt(diag(C %*% Vs %*% t(C)))
  est <- as.vector(C %*% coef(fit)[slopes])
  df <- satterthwaite_df(fit, V, slopes, C)
  out <- list(estimate = est, std_error = se, df = df,
              p_value = 2 * pt(abs(est / se), df = df, lower.tail = FALSE),
              n_clusters = nlevels(attr(V, "cluster")))
  if (check) {
    if (identical(C, diag(length(slopes)))) {
      ct <- coef_test(fit, vcov = V, test = "Satterthwaite", coefs = slopes)
      ref_se <- ct$SE; ref_df <- ct$df_Satt
    } else {
      full <- matrix(0, nrow(C), sum(!is.na(coef(fit))))
      colnames(full) <- names(coef(fit))[!is.na(coef(fit))]
      full[, slopes] <- C
      lc <- linear_contrast(fit, vcov = V, contrasts = full, test = "Satterthwaite")
      ref_se <- lc$SE; ref_df <- lc$df
    }
    diff <- max(abs(ref_se - se) / abs(ref_se), abs(ref_df - df) / abs(ref_df))
    if (!(diff < 1e-10)) stop(sprintf("satterthwaite_df disagrees with clubSandwich by %g", diff))
    out$check_clubsandwich_max_rel_diff <- diff
  }
  out
}

# The slope coefficients of lm(Y ~ slopes + U + T) on `sub`. On a balanced subsample with more
# than ~200 units (mpdta) the dummy regression is replaced by its Frisch-Waugh-Lovell equivalent,
# OLS on the closed-form two-way demeaned columns (x - unit mean - period mean + grand mean), which
# is the same estimator solved without 500 dummies; `cr3` checks it against lm() on the first
# clusters. Everywhere else lm() itself is used.
slope_coefficients <- function(sub, slopes, use_lm) {
  balanced <- nrow(sub) == nlevels(sub$U) * nlevels(sub$T) && !any(duplicated(sub[, c("U", "T")]))
  if (use_lm || !balanced) return(coef(fit_model(sub, slopes))[slopes])
  demean <- function(v) v - ave(v, sub$U) - ave(v, sub$T) + mean(v)
  X <- sapply(slopes, function(s) demean(sub[[s]]))
  if (!is.matrix(X)) X <- matrix(X, ncol = length(slopes))
  q <- qr(X)
  b <- qr.coef(q, demean(sub$Y))
  if (q$rank < length(slopes)) b[] <- NA
  setNames(as.vector(b), slopes)
}

cr3 <- function(fit, d, cluster, slopes, C) {
  beta <- coef(fit)[slopes]
  groups <- sort(unique(as.character(d[[cluster]])))
  deltas <- matrix(NA_real_, length(groups), length(slopes))
  fast <- nlevels(d$U) > 200
  for (k in seq_along(groups)) {
    sub <- d[as.character(d[[cluster]]) != groups[k], , drop = FALSE]
    sub$U <- droplevels(sub$U); sub$T <- droplevels(sub$T)
    b <- slope_coefficients(sub, slopes, use_lm = !fast)
    if (fast && k <= 3) {
      check <- coef(fit_model(sub, slopes))[slopes]
      if (!(max(abs(check - b)) < 1e-10)) stop("the demeaned re-estimation disagrees with lm()")
    }
    if (any(is.na(b))) stop(sprintf("removing %s = %s leaves a term unidentified", cluster, groups[k]))
    deltas[k, ] <- b - beta
  }
  G <- length(groups)
  V <- (G - 1) / G * crossprod(deltas)
  se <- sqrt(diag(C %*% V %*% t(C)))
  est <- as.vector(C %*% beta)
  list(estimate = est, std_error = se, df = G - 1,
       p_value = 2 * pt(abs(est / se), df = G - 1, lower.tail = FALSE), n_clusters = G)
}

make_case <- function(name, key, kind, covariates, clusters, event = NULL, check = TRUE, jackknife = TRUE) {
  d <- load_data(key, covariates)
  design <- switch(kind,
    twfe = twfe_slopes(d, covariates),
    event = event_slopes(d, covariates, event$first, event$last),
    sa = sa_slopes(d, covariates))
  d <- design$data
  fit <- fit_model(d, design$slopes)
  stopifnot(!any(is.na(coef(fit)[design$slopes])))
  C <- if (kind == "sa") design$weights else diag(length(design$slopes))
  cat(sprintf("%s: n = %d, p = %d\n", name, nrow(d), sum(!is.na(coef(fit)))))
  out <- list(name = name, data = DATA[[key]]$file, y = DATA[[key]]$y, unit = DATA[[key]]$unit,
              time = DATA[[key]]$time, cohort = DATA[[key]]$cohort, covariates = I(covariates),
              method = kind, n_obs = nrow(d), terms = I(unname(design$names)))
  if (!is.null(event)) out$event <- event
  if (kind == "sa") {
    out$interactions <- I(design$slopes[seq_len(ncol(design$weights) - length(covariates))])
    out$weights <- design$weights
  }
  out$cr2 <- list(); out$cr3 <- list()
  for (cl in clusters) {
    # fixest-style interactions, e.g. province^year: one cluster per observed pair.
    if (grepl("^", cl, fixed = TRUE)) d[[cl]] <- interaction(d[strsplit(cl, "^", fixed = TRUE)[[1]]], drop = TRUE)
    column <- if (cl == "unit") "U" else cl
    label <- if (cl == "unit") DATA[[key]]$unit else cl
    t0 <- proc.time()[["elapsed"]]
    out$cr2[[label]] <- cr2(fit, d, column, design$slopes, C, check)
    if (jackknife) out$cr3[[label]] <- cr3(fit, d, column, design$slopes, C)
    cat(sprintf("  %s: %.1f s\n", label, proc.time()[["elapsed"]] - t0))
  }
  out
}

cases <- list(
  make_case("mpdta_twfe", "mpdta", "twfe", character(0), "unit", check = FALSE),
  make_case("mpdta_event", "mpdta", "event", character(0), "unit", check = FALSE),
  make_case("mpdta_sa", "mpdta", "sa", character(0), "unit", check = FALSE, jackknife = FALSE),
  make_case("synthetic_twfe", "synthetic", "twfe", c("x1", "x2"), c("unit", "province")),
  make_case("synthetic_event", "synthetic", "event", c("x1", "x2"), c("unit", "province"),
            event = list(leads = 3, lags = 3, first = -3, last = 3)),
  make_case("synthetic_sa", "synthetic", "sa", c("x1", "x2"), c("unit", "province")),
  make_case("unbalanced_twfe", "unbalanced", "twfe", c("x1", "x2"), c("unit", "province")),
  make_case("unbalanced_event", "unbalanced", "event", c("x1", "x2"), "unit"),
  # Clusterings that split units (the period, an interaction with it): H_gg then mixes unit effects across clusters.
  make_case("unbalanced_twfe_split", "unbalanced", "twfe", "x1", c("year", "province^year"), jackknife = FALSE)
)

provenance <- list(
  script = "scripts/reference/make_cr_reference.R",
  r = R.version.string,
  clubSandwich = as.character(packageVersion("clubSandwich")),
  sandwich = as.character(packageVersion("sandwich")),
  calls = I(c(
    "fit <- lm(y ~ slopes + factor(unit) + factor(year))",
    "V <- clubSandwich::vcovCR(fit, cluster = d[[cluster]], type = \"CR2\")",
    "df: clubSandwich::coef_test(fit, vcov = V, test = \"Satterthwaite\") / linear_contrast(...) P matrix, evaluated for the reported contrasts (satterthwaite_df)",
    "CR3: lm(same formula, rows outside cluster g) (mpdta: OLS on the two-way demeaned balanced subsample, checked against lm on 3 clusters); V = (G-1)/G sum_g (b_-g - b)(b_-g - b)', df = G - 1")),
  conventions = I(c(
    "CR2: no small-sample factor; A_g = symmetric (I - H_gg)^(-1/2) with eigenvalues <= 1e-12 set to 0 (clubSandwich matrix_power); H the hat matrix of the explicit-dummy regression",
    "CR2 df: Bell-McCaffrey / Pustejovsky-Tipton (2018) Satterthwaite df per coefficient (working model: identity)",
    "CR3: MacKinnon-Nielsen-Webb CV3 (centred at the full-sample estimate), df = G - 1",
    "Sun-Abraham: aggregates C b with cohort-share weights C (n_{g,e} / sum), variance C V C', df of the contrast"))
)

out <- list(provenance = provenance, cases = cases)
json <- toJSON(out, auto_unbox = TRUE, digits = I(17), pretty = TRUE)
writeLines(json, file.path(fixtures, "cr_reference.json"))
cat("wrote Tests/Fixtures/cr_reference.json\n")
