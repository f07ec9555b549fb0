# Golden outputs of R `psych` for the psychometric edge cases (issue 9) and for the parity
# figures that docs/psychometrics.md states.
#
# Regenerate (from the repo root; needs psych, GPArotation and lme4):
#   Rscript tests/golden/edges/reference_edges.R
#
# Same CSV conventions as ../reference.R: comma separated, unquoted, a header row, numbers written
# with sprintf("%.17g") (IEEE doubles round-trip exactly), missing values and NaN written as `NA`.
# Lists of items are written as one cell, names separated by spaces.
#
# Inputs written here (the numbers are typed in below, so R and Python read the same cells)
#   edges_items.csv   8 rows. a, b, c, d: the four-item example of docs/psychometrics.md
#                     (alpha 0.920334, omega 0.924185). e: the same answer (3) in every row.
#                     f: no answer. g: one answer. h: the same answer (2) in six rows, two
#                     unanswered. i: varies (1, 5, 4, ...) but is 4 in rows 3-8, the rows where
#                     j is answered. j: rows 1-2 unanswered. br = 6 - b (b stored reversed on a
#                     1-5 scale). cr7 = 8 - c (c stored reversed on a 1-7 scale of which the data
#                     use only 1-6). an = 6 - a (a + an is the same in every row). p1, p2, p3:
#                     a pairwise covariance matrix that is not positive semi-definite (alpha
#                     above 1, every pair answered together in at least 3 rows).
#   icc_centred_ratings.csv  ../icc_ratings.csv with every rater's mean moved to the grand mean
#                     (MSJ = 0 < MSE: the rater variance component is estimated negative).
#
# Outputs
#   edges_alpha.csv   one row per case: psych::alpha(x, keys) on the case's items (na.omit(x)
#                     first for policy "listwise"). `dropped` = the items psych deleted with its
#                     warning "Item = <name> had no variance and was deleted"; raw_alpha ...
#                     feldt_upper from $total and $feldt; n_obs = nrow(x); n_items = items kept.
#                     `psych_error` holds psych's error message where psych stops (then the
#                     statistics are psych's on the items that remain once the dropped ones are
#                     removed by hand, which is what alliance_metrics computes).
#   edges_alpha_drop.csv  $item.stats (r.drop, mean, sd, n) and $alpha.drop$raw_alpha of the same
#                     calls (reversed items named without psych's "-" suffix).
#   edges_omega.csv   psych::omega(x, nfactors = 1, fm = "minres")$omega.tot per case; psych
#                     stops on an item without variance ("missing values (NAs) in the correlation
#                     matrix"), so x there is the case's items without the dropped ones, reversed
#                     items reversed first (omega has no keys argument). `psych_error` is what
#                     psych says on all of the case's items; omega_tot is NA where psych stops
#                     even without the dropped items (pairwise_ij: cor(i, j) is undefined).
#   wai_sr_omega.csv, wai_sr_omega_listwise.csv  omega.tot per WAI-SR scale of ../wai_sr_items.csv
#                     (pairwise; na.omit), widening the omega parity measurement.
#   omega_sweep.csv, omega_sweep_cor.csv  omega.tot of 40 seeded data sets (see the sweep below)
#                     and their pairwise correlation matrices (long: set, i, j, r); `flipped`
#                     lists the items (1-based) psych's omega reversed because they load
#                     negatively.
#   icc_centred.csv, icc_centred_aov.csv  ICC(centred ratings) with lmer = TRUE (psych's default;
#                     lme4 reports a singular fit) and lmer = FALSE.
#   R_VERSION.txt     versions and sessionInfo().

suppressPackageStartupMessages(library(psych))

args_all <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args_all[grep("^--file=", args_all)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()
path <- function(f) file.path(here, f)
parent <- function(f) file.path(dirname(here), f)

fmt <- function(v) {
  out <- if (is.numeric(v)) sprintf("%.17g", v) else as.character(v)
  out[is.na(v)] <- "NA"
  out
}

write_plain <- function(df, file) {
  df[] <- lapply(df, fmt)
  write.table(df, path(file), sep = ",", quote = FALSE, row.names = FALSE,
              col.names = TRUE, na = "NA")
  cat("wrote", file, "\n")
}

# ------------------------------------------------------------------------------- inputs
a <- c(1, 2, 3, 4, 5, 3, 4, 2)
b <- c(2, 3, 3, 5, 4, 3, 5, 1)
c_ <- c(2, 3, 4, 4, 5, 2, 4, 3)
d <- c(1, 3, 3, 4, 4, 4, 5, 2)
items <- data.frame(
  a = a, b = b, c = c_, d = d,
  e = rep(3, 8),
  f = rep(NA_real_, 8),
  g = c(4, rep(NA, 7)),
  h = c(rep(2, 6), NA, NA),
  i = c(1, 5, 4, 4, 4, 4, 4, 4),
  j = c(NA, NA, 2, 4, 5, 3, 4, 1),
  br = 6 - b,
  cr7 = 8 - c_,
  an = 6 - a,
  p1 = c(4, 2, 3, 4, 1, NA, NA, NA),
  p2 = c(5, NA, 3, 1, 4, 3, 2, NA),
  p3 = c(1, NA, 3, NA, 3, 5, NA, NA)
)
write_plain(items, "edges_items.csv")

# case: items, policy ("pairwise" = alpha(x); "listwise" = alpha(na.omit(x))), reversed items
# (psych keys given as names), declared bounds (for the Python side), rows used (all if NA)
cases <- list(
  base           = list(items = c("a", "b", "c", "d")),
  constant       = list(items = c("a", "b", "c", "d", "e")),
  empty          = list(items = c("a", "b", "c", "d", "f")),
  single         = list(items = c("a", "b", "c", "d", "g")),
  constant_na    = list(items = c("a", "b", "c", "d", "h")),
  all_bad        = list(items = c("a", "b", "c", "d", "e", "f", "g", "h")),
  pairwise_ij    = list(items = c("a", "b", "c", "d", "i", "j")),
  listwise_ij    = list(items = c("a", "b", "c", "d", "i", "j"), policy = "listwise"),
  keys           = list(items = c("a", "br", "c", "d"), rev = "br", bounds = "1 5"),
  keys_narrow    = list(items = c("a", "b", "cr7", "d"), rev = "cr7", bounds = "1 7"),
  keys_dropped   = list(items = c("a", "br", "c", "d", "e"), rev = "br", bounds = "1 5"),
  above_one      = list(items = c("p1", "p2", "p3")),
  total_constant = list(items = c("a", "an")),
  rows_3         = list(items = c("a", "b", "c", "d"), rows = 3),
  rows_2         = list(items = c("a", "b", "c", "d"), rows = 2)
)

# ------------------------------------------------------------------------------- alpha
collect <- function(expr) {
  warned <- character(0)
  value <- tryCatch(
    withCallingHandlers(expr, warning = function(w) {
      warned <<- c(warned, conditionMessage(w))
      invokeRestart("muffleWarning")
    }),
    error = function(e) e
  )
  list(value = value, warnings = warned)
}

dropped_of <- function(warnings) {
  hit <- regmatches(warnings, regexpr("^Item = \\S+ had no variance", warnings))
  sub(" had no variance$", "", sub("^Item = ", "", hit))
}

alpha_rows <- list()
drop_rows <- list()
omega_rows <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  policy <- if (is.null(cs$policy)) "pairwise" else cs$policy
  rows <- if (is.null(cs$rows)) nrow(items) else cs$rows
  x <- items[seq_len(rows), cs$items, drop = FALSE]
  if (policy == "listwise") x <- na.omit(x)
  keys <- if (is.null(cs$rev)) NULL else cs$rev
  got <- collect(suppressMessages(alpha(x, keys = keys, check.keys = FALSE)))
  dropped <- dropped_of(got$warnings)
  psych_error <- ""
  if (inherits(got$value, "error")) {
    # psych stops when keys are given and an item is deleted (its keys vector keeps the old
    # length: "non-conformable arguments"); recompute without the deleted items
    psych_error <- conditionMessage(got$value)
    kept <- setdiff(cs$items, dropped)
    got <- collect(suppressMessages(alpha(x[, kept], keys = keys, check.keys = FALSE)))
  }
  al <- got$value
  kept <- setdiff(cs$items, dropped)
  failed <- inherits(al, "error")  # psych stops although nothing was deleted
  if (failed) {
    psych_error <- conditionMessage(al)
    al <- list(total = list(raw_alpha = NA, std.alpha = NA, average_r = NA),
               feldt = list(lower.ci = NA, upper.ci = NA))
  }
  alpha_rows[[name]] <- data.frame(
    case = name, items = paste(cs$items, collapse = " "), policy = policy,
    reversed = if (is.null(keys)) "" else keys,
    bounds = if (is.null(cs$bounds)) "" else cs$bounds,
    rows = rows,
    dropped = paste(dropped, collapse = " "),
    raw_alpha = al$total$raw_alpha, std.alpha = al$total$std.alpha,
    average_r = al$total$average_r,
    n_obs = nrow(x), n_items = length(kept),
    feldt_lower = as.numeric(al$feldt$lower.ci), feldt_upper = as.numeric(al$feldt$upper.ci),
    psych_error = gsub(",", ";", gsub("\n", " ", psych_error)),
    stringsAsFactors = FALSE
  )
  if (!failed) {
    st <- al$item.stats
    drop_rows[[name]] <- data.frame(
      case = name, item = sub("-$", "", rownames(st)),
      r.drop = st$r.drop, raw_alpha = al$alpha.drop[rownames(st), "raw_alpha"],
      mean = st$mean, sd = st$sd, n = st$n, stringsAsFactors = FALSE
    )
  }
  xo <- x[, kept, drop = FALSE]
  if (!is.null(keys)) {  # omega has no keys: reverse with the declared bounds first
    lim <- as.numeric(strsplit(cs$bounds, " ")[[1]])
    xo[, keys] <- lim[1] + lim[2] - xo[, keys]
  }
  om <- collect(suppressMessages(omega(xo, nfactors = 1, fm = "minres", plot = FALSE)))
  om_full <- collect(suppressMessages(
    omega(x, nfactors = 1, fm = "minres", plot = FALSE)
  ))
  error_of <- function(got) {
    if (inherits(got$value, "error")) gsub(",", ";", gsub("\n", " ", conditionMessage(got$value)))
    else ""
  }
  omega_rows[[name]] <- data.frame(
    case = name,
    omega_tot = if (inherits(om$value, "error")) NA_real_ else as.numeric(om$value$omega.tot),
    psych_error = error_of(om_full),
    stringsAsFactors = FALSE
  )
}
write_plain(do.call(rbind, alpha_rows), "edges_alpha.csv")
write_plain(do.call(rbind, drop_rows), "edges_alpha_drop.csv")
write_plain(do.call(rbind, omega_rows), "edges_omega.csv")

# ------------------------------------------------------------------------------- WAI-SR omega
sr <- read.csv(parent("wai_sr_items.csv"), na.strings = "NA")
sr_scales <- list(task = c(1, 2, 10, 12), bond = c(3, 5, 7, 9), goal = c(4, 6, 8, 11),
                  total = 1:12, goal_task = c(1, 2, 4, 6, 8, 10, 11, 12))
for (policy in c("pairwise", "listwise")) {
  out <- list()
  for (s in names(sr_scales)) {
    x <- sr[, paste0("item", sr_scales[[s]])]
    if (policy == "listwise") x <- na.omit(x)
    om <- suppressWarnings(suppressMessages(omega(x, nfactors = 1, fm = "minres", plot = FALSE)))
    out[[s]] <- data.frame(scale = s, omega_tot = as.numeric(om$omega.tot))
  }
  suffix <- if (policy == "listwise") "_listwise" else ""
  write_plain(do.call(rbind, out), paste0("wai_sr_omega", suffix, ".csv"))
}

# ------------------------------------------------------------------------------- omega sweep
# 40 seeded one-factor data sets (n 40-300, 4-12 items, loadings .3-.85, answers rounded to a
# Likert-like grid, 10 % of cells missing); omega.tot from each pairwise correlation matrix.
# Sampling noise gives some items a negative loading: psych's omega flips those items (its
# schmid() keys them), alliance_metrics does not (it never re-keys on its own).
set.seed(20240920)
sweep <- list()
sweep_cor <- list()
for (s in 1:40) {
  n <- sample(c(40, 80, 150, 300), 1)
  k <- sample(4:12, 1)
  lam <- runif(k, 0.3, 0.85)
  x <- matrix(rnorm(n), n, 1) %*% t(lam) +
    matrix(rnorm(n * k), n, k) %*% diag(sqrt(1 - lam^2))
  x <- round(3 + 1.2 * x)
  x[runif(n * k) < 0.1] <- NA
  r <- cor(x, use = "pairwise")
  om <- suppressWarnings(suppressMessages(
    omega(r, nfactors = 1, fm = "minres", n.obs = n, plot = FALSE)
  ))
  flipped <- grepl("-$", rownames(om$schmid$sl))
  sweep[[s]] <- data.frame(set = s, n = n, k = k, omega_tot = om$omega.tot,
                           flipped = paste(which(flipped), collapse = " "))
  sweep_cor[[s]] <- data.frame(set = s, i = rep(1:k, k), j = rep(1:k, each = k),
                               r = as.vector(r))
}
write_plain(do.call(rbind, sweep), "omega_sweep.csv")
write_plain(do.call(rbind, sweep_cor), "omega_sweep_cor.csv")

# ------------------------------------------------------------------------------- ICC
ratings <- read.csv(parent("icc_ratings.csv"))
centred <- sweep(ratings, 2, colMeans(ratings) - mean(colMeans(ratings)))
write_plain(centred, "icc_centred_ratings.csv")
centred <- read.csv(path("icc_centred_ratings.csv"))  # the cells exactly as Python reads them
icc_df <- function(res) {
  r <- res$results
  data.frame(type = r$type, ICC = r$ICC, F = r$F, df1 = r$df1, df2 = r$df2, p = r$p,
             lower_bound = r[["lower bound"]], upper_bound = r[["upper bound"]],
             stringsAsFactors = FALSE)
}
lmer_fit <- collect(ICC(centred))  # "boundary (singular) fit" is a message, not a warning
write_plain(icc_df(lmer_fit$value), "icc_centred.csv")
write_plain(icc_df(ICC(centred, lmer = FALSE)), "icc_centred_aov.csv")

writeLines(c(
  paste("psych version:", packageVersion("psych")),
  paste("GPArotation version:", packageVersion("GPArotation")),
  paste("lme4 version:", packageVersion("lme4")),
  "",
  capture.output(sessionInfo())
), path("R_VERSION.txt"))
cat("wrote R_VERSION.txt\n")
