# Golden reference outputs from R `psych` for alliance_metrics parity tests.
#
# Regenerate (from the repo root):
#   .venv/bin/python tests/golden/make_inputs.py
#   Rscript tests/golden/reference.R
#
# All outputs are plain CSV (no comment lines), comma separated, unquoted,
# numbers written with sprintf("%.17g") (round-trips IEEE doubles exactly),
# missing values written as `NA` (R's NaN is also written as `NA`).
#
# ---------------------------------------------------------------------------
# Notes on psych behaviour (verified against psych 2.2.9 source + outputs):
#
# scoreItems(keys, items, totals = FALSE, impute = "none", min, max)
#   * For each scale: positively keyed items as-is, negatively keyed items
#     transformed as (max + min - x), then rowMeans(..., na.rm = TRUE).
#     => score = mean of the ANSWERED items of that scale (no imputation,
#        no minimum-number-of-items rule; a single answered item is enough).
#   * A row with no answered item for a scale gives rowMeans of an empty set
#     = NaN (not NA).  We write it as `NA`.  In wai_s_items.csv, data row 201
#     (0-based index 200) is entirely missing -> NA in every column; rows
#     11, 51, 151 (0-based 10, 50, 150) have only 1-2 answers, so most of
#     their subscale scores are NA and the rest are the single answered item.
#   * $alpha with impute = "none" is computed from the PAIRWISE item covariance
#     matrix C = cov(items, use = "pairwise"): cov.scales = t(keys) C keys,
#     alpha = (var.scale - sum(item var)) * k / ((k - 1) * var.scale).
#     This is identical to psych::alpha(raw_alpha) on the reversed items,
#     which also uses cov(x, use = "pairwise").
#
# alpha(x, check.keys = FALSE)   (default use = "pairwise", na.rm = TRUE)
#   * x has reversed items already reversed (min + max - x).
#   * raw_alpha / std.alpha / average_r come from C = cov(x, use="pairwise")
#     (std.alpha, average_r from R = cov2cor(C)).  NOT listwise.
#   * psych does not return an n.obs element for raw data.  The n it uses for
#     `ase` and the Feldt CI is nsub = nrow(x), i.e. ALL rows including rows
#     that are all-missing on the scale.  We write that as n_obs.  We also
#     write n_complete (rows with every scale item answered) and n_any (rows
#     with >= 1 answered scale item) for information only.
#   * $feldt exists (psych >= 1.9): alpha.ci(raw_alpha, n.obs = nrow(x), n.var):
#       lower = 1 - (1 - a) * qf(0.975, n - 1, (n - 1)(k - 1))
#       upper = 1 - (1 - a) * qf(0.025, n - 1, (n - 1)(k - 1))
#   * ase = sqrt(Q / nrow(x)).
#   * $total$mean / $total$sd: mean/sd of the per-row MEAN of answered items
#     (rowMeans(x, na.rm = TRUE)), all-missing rows dropped.
#   * $item.stats$n = number of non-missing responses for that item;
#     r.drop = corrected item-total r computed from the pairwise covariance
#     matrix: (sum(C[, i]) - C[i, i]) / sqrt(C[i, i] * sum(C[-i, -i])).
#   * $alpha.drop$raw_alpha = alpha of the pairwise covariance matrix with
#     item i removed.
#
# omega(x, nfactors = 1, fm = "minres")
#   * works on cor(x, use = "pairwise"); with nfactors = 1 psych warns that
#     omega_h is not meaningful; omega.tot is still reported.  Warnings are
#     collected and printed to stdout, not written into the CSV.
#   * plot = FALSE is passed only to avoid an Rplots.pdf side effect.
#
# ICC(ratings)
#   * Default in psych 2.2.9 is lmer = TRUE: the mean squares are rebuilt
#     from lme4 REML variance components (MSB = k*var_id + var_e, ...).  For
#     complete balanced data these equal the classical two-way ANOVA mean
#     squares only up to optimizer tolerance.  icc.csv is the default
#     (lmer = TRUE) call as requested; icc_aov.csv is ICC(ratings,
#     lmer = FALSE), the exact ANOVA version, which is the better target for
#     a closed-form Python implementation.
# ---------------------------------------------------------------------------

suppressPackageStartupMessages(library(psych))

args_all <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args_all[grep("^--file=", args_all)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()
path <- function(f) file.path(here, f)

fmt <- function(v) {
  if (is.numeric(v)) {
    out <- sprintf("%.17g", v)
    out[is.na(v)] <- "NA" # covers NA and NaN
    out
  } else {
    out <- as.character(v)
    out[is.na(v)] <- "NA"
    out
  }
}

write_plain <- function(df, file) {
  df[] <- lapply(df, fmt)
  write.table(df, path(file), sep = ",", quote = FALSE, row.names = FALSE,
              col.names = TRUE, na = "NA")
  cat("wrote", file, "\n")
}

read_items <- function(file) {
  x <- read.csv(path(file), na.strings = "NA")
  as.data.frame(lapply(x, as.numeric))
}

it <- function(idx) paste0("item", idx)

# ---------------------------------------------------------------------------
# Instrument definitions
# ---------------------------------------------------------------------------
instruments <- list(
  wai_s = list(
    file = "wai_s_items.csv", min = 1, max = 7, n_items = 12,
    scales = list(
      task = c(1, 2, 8, 12),
      bond = c(3, 5, 7, 9),
      goal = c(4, 6, 10, 11),
      total = 1:12
    ),
    reversed = c(4, 10),
    reliability = TRUE
  ),
  wai_sr = list(
    file = "wai_sr_items.csv", min = 1, max = 5, n_items = 12,
    scales = list(
      task = c(1, 2, 10, 12),
      bond = c(3, 5, 7, 9),
      goal = c(4, 6, 8, 11),
      total = 1:12,
      goal_task = sort(c(4, 6, 8, 11, 1, 2, 10, 12))
    ),
    reversed = integer(0),
    reliability = FALSE
  ),
  wai_c = list(
    file = "wai_c_items.csv", min = 1, max = 7, n_items = 36,
    scales = list(
      task = c(2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35),
      bond = c(1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36),
      goal = c(3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34),
      total = 1:36
    ),
    reversed = c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34),
    reliability = TRUE
  )
)

# keys list in psych's character format, reversed items prefixed with "-"
make_keys_list <- function(inst) {
  lapply(inst$scales, function(idx) {
    ifelse(idx %in% inst$reversed, paste0("-item", idx), paste0("item", idx))
  })
}

# ---------------------------------------------------------------------------
# 1. Scoring via scoreItems (impute = "none")
# ---------------------------------------------------------------------------
for (name in names(instruments)) {
  inst <- instruments[[name]]
  items <- read_items(inst$file)
  stopifnot(ncol(items) == inst$n_items)
  keys <- make_keys_list(inst)
  si <- scoreItems(keys, items, totals = FALSE, impute = "none",
                   min = inst$min, max = inst$max)
  scores <- as.data.frame(si$scores)
  colnames(scores) <- names(inst$scales)
  all_na <- which(rowSums(!is.na(items)) == 0)
  if (length(all_na) > 0) {
    cat(name, ": all-missing rows (1-based):", all_na, "-> scoreItems gives",
        paste(format(si$scores[all_na[1], ]), collapse = " "), "\n")
  }
  write_plain(scores, paste0(name, "_scores.csv"))

  al <- data.frame(
    scale = colnames(si$alpha),
    alpha = as.numeric(si$alpha[1, ]),
    av_r = as.numeric(si$av.r),
    n_items = as.numeric(si$n.items),
    stringsAsFactors = FALSE
  )
  write_plain(al, paste0(name, "_scoreitems_alpha.csv"))
}

# ---------------------------------------------------------------------------
# 2. Reliability: alpha / alpha-if-dropped / omega (wai_s, wai_c)
# ---------------------------------------------------------------------------
for (name in names(instruments)) {
  inst <- instruments[[name]]
  if (!inst$reliability) next
  items <- read_items(inst$file)
  rev_cols <- it(inst$reversed)
  items[rev_cols] <- inst$min + inst$max - items[rev_cols]

  alpha_rows <- list()
  drop_rows <- list()
  omega_rows <- list()
  for (sc in names(inst$scales)) {
    x <- items[, it(inst$scales[[sc]]), drop = FALSE]
    a <- alpha(x, check.keys = FALSE)
    tot <- a$total
    fe <- a$feldt
    alpha_rows[[sc]] <- data.frame(
      scale = sc,
      raw_alpha = tot$raw_alpha,
      std.alpha = tot$std.alpha,
      g6_smc = tot[["G6(smc)"]],
      average_r = tot$average_r,
      s_n = tot[["S/N"]],
      ase = tot$ase,
      mean = tot$mean,
      sd = tot$sd,
      median_r = tot$median_r,
      n_obs = nrow(x),
      n_complete = sum(complete.cases(x)),
      n_any = sum(rowSums(!is.na(x)) > 0),
      n_items = ncol(x),
      feldt_lower = if (is.null(fe)) NA_real_ else as.numeric(fe$lower.ci),
      feldt_upper = if (is.null(fe)) NA_real_ else as.numeric(fe$upper.ci),
      stringsAsFactors = FALSE
    )
    st <- a$item.stats
    ad <- a$alpha.drop
    drop_rows[[sc]] <- data.frame(
      scale = sc,
      item = rownames(st),
      r.drop = st$r.drop,
      raw_alpha = ad[rownames(st), "raw_alpha"],
      mean = st$mean,
      sd = st$sd,
      n = st$n,
      stringsAsFactors = FALSE
    )

    warns <- character(0)
    om <- withCallingHandlers(
      tryCatch(omega(x, nfactors = 1, fm = "minres", plot = FALSE),
               error = function(e) {
                 cat(name, sc, "omega error:", conditionMessage(e), "\n")
                 NULL
               }),
      warning = function(w) {
        warns <<- c(warns, conditionMessage(w))
        invokeRestart("muffleWarning")
      }
    )
    if (length(warns) > 0) {
      cat(name, sc, "omega warnings:", paste(unique(warns), collapse = " | "),
          "\n")
    }
    omega_rows[[sc]] <- data.frame(
      scale = sc,
      omega_tot = if (is.null(om)) NA_real_ else as.numeric(om$omega.tot),
      stringsAsFactors = FALSE
    )
  }
  write_plain(do.call(rbind, alpha_rows), paste0(name, "_alpha.csv"))
  write_plain(do.call(rbind, drop_rows), paste0(name, "_alpha_drop.csv"))
  write_plain(do.call(rbind, omega_rows), paste0(name, "_omega.csv"))
}

# ---------------------------------------------------------------------------
# 3. ICC
# ---------------------------------------------------------------------------
ratings <- read.csv(path("icc_ratings.csv"))
icc_df <- function(res) {
  r <- res$results
  data.frame(
    type = r$type,
    ICC = r$ICC,
    F = r$F,
    df1 = r$df1,
    df2 = r$df2,
    p = r$p,
    lower_bound = r[["lower bound"]],
    upper_bound = r[["upper bound"]],
    stringsAsFactors = FALSE
  )
}
write_plain(icc_df(ICC(ratings)), "icc.csv")                 # default lmer = TRUE
write_plain(icc_df(ICC(ratings, lmer = FALSE)), "icc_aov.csv") # classical ANOVA

# ---------------------------------------------------------------------------
# 4. Versions
# ---------------------------------------------------------------------------
sink(path("R_VERSION.txt"))
cat("psych version:", as.character(packageVersion("psych")), "\n")
cat("GPArotation version:", as.character(packageVersion("GPArotation")), "\n")
if (requireNamespace("lme4", quietly = TRUE)) {
  cat("lme4 version:", as.character(packageVersion("lme4")), "\n")
}
cat("\n")
print(sessionInfo())
sink()
cat("wrote R_VERSION.txt\n")
