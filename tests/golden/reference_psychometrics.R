# Extra golden outputs from R `psych` for alliance_metrics.psychometrics / icc parity tests:
# listwise reliability and ICC confidence levels / rater counts not covered by reference.R.
#
# Regenerate (from the repo root; inputs come from make_inputs.py):
#   Rscript tests/golden/reference_psychometrics.R
#
# Same CSV conventions as reference.R: comma separated, unquoted, numbers written with
# sprintf("%.17g"), missing values written as `NA`.
#
# Outputs
#   <inst>_alpha_listwise.csv       alpha(na.omit(x), check.keys = FALSE)$total and $feldt per scale
#                                   (x = the scale's items, reversed items reversed first).
#                                   n_obs = nrow(na.omit(x)), the n psych uses for the Feldt CI.
#   <inst>_alpha_drop_listwise.csv  $item.stats (r.drop, mean, sd, n) and $alpha.drop$raw_alpha of
#                                   the same call.
#   <inst>_omega_listwise.csv       omega(na.omit(x), nfactors = 1, fm = "minres")$omega.tot.
#   icc_aov_ci90.csv                ICC(ratings, lmer = FALSE, alpha = 0.10)$results (90 % CIs).
#   icc_aov_3raters.csv             ICC(ratings[, 1:3], lmer = FALSE)$results (three raters).
#   omega_heywood_cor.csv           a positive definite 4 × 4 correlation matrix whose one-factor
#                                   minres solution is a Heywood case (unbounded: loading 1.017).
#   omega_heywood.csv               omega(that matrix, nfactors = 1, fm = "minres")$omega.tot.
#                                   psych bounds uniquenesses at >= .005 and its L-BFGS-B stops
#                                   early here (ultra-Heywood warning, loading 1.003), so expect
#                                   agreement to about 1e-3 only.
#
# Notes: for the wai_c total, na.omit leaves 26 rows for 36 items; alpha() and omega() then print
# "Matrix was not positive definite, smoothing was done" (from their internal principal()/fa()
# factor-score steps). raw_alpha, std.alpha, average_r, the Feldt CI and omega.tot do not use the
# smoothed matrix.

suppressPackageStartupMessages(library(psych))

args_all <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args_all[grep("^--file=", args_all)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()
path <- function(f) file.path(here, f)

fmt <- function(v) {
  if (is.numeric(v)) {
    out <- sprintf("%.17g", v)
    out[is.na(v)] <- "NA"
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

instruments <- list(
  wai_s = list(
    file = "wai_s_items.csv", min = 1, max = 7,
    scales = list(task = c(1, 2, 8, 12), bond = c(3, 5, 7, 9), goal = c(4, 6, 10, 11),
                  total = 1:12),
    reversed = c(4, 10)
  ),
  wai_c = list(
    file = "wai_c_items.csv", min = 1, max = 7,
    scales = list(
      task = c(2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35),
      bond = c(1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36),
      goal = c(3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34),
      total = 1:36
    ),
    reversed = c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34)
  )
)

for (name in names(instruments)) {
  inst <- instruments[[name]]
  items <- read_items(inst$file)
  rev_cols <- it(inst$reversed)
  items[rev_cols] <- inst$min + inst$max - items[rev_cols]
  alpha_rows <- list()
  drop_rows <- list()
  omega_rows <- list()
  for (sc in names(inst$scales)) {
    x <- na.omit(items[, it(inst$scales[[sc]]), drop = FALSE])
    a <- alpha(x, check.keys = FALSE)
    alpha_rows[[sc]] <- data.frame(
      scale = sc,
      raw_alpha = a$total$raw_alpha,
      std.alpha = a$total$std.alpha,
      average_r = a$total$average_r,
      n_obs = nrow(x),
      n_items = ncol(x),
      feldt_lower = as.numeric(a$feldt$lower.ci),
      feldt_upper = as.numeric(a$feldt$upper.ci),
      stringsAsFactors = FALSE
    )
    st <- a$item.stats
    drop_rows[[sc]] <- data.frame(
      scale = sc,
      item = rownames(st),
      r.drop = st$r.drop,
      raw_alpha = a$alpha.drop[rownames(st), "raw_alpha"],
      mean = st$mean,
      sd = st$sd,
      n = st$n,
      stringsAsFactors = FALSE
    )
    om <- suppressWarnings(suppressMessages(
      omega(x, nfactors = 1, fm = "minres", plot = FALSE)
    ))
    omega_rows[[sc]] <- data.frame(scale = sc, omega_tot = as.numeric(om$omega.tot),
                                   stringsAsFactors = FALSE)
  }
  write_plain(do.call(rbind, alpha_rows), paste0(name, "_alpha_listwise.csv"))
  write_plain(do.call(rbind, drop_rows), paste0(name, "_alpha_drop_listwise.csv"))
  write_plain(do.call(rbind, omega_rows), paste0(name, "_omega_listwise.csv"))
}

ratings <- read.csv(path("icc_ratings.csv"))
icc_df <- function(res) {
  r <- res$results
  data.frame(type = r$type, ICC = r$ICC, F = r$F, df1 = r$df1, df2 = r$df2, p = r$p,
             lower_bound = r[["lower bound"]], upper_bound = r[["upper bound"]],
             stringsAsFactors = FALSE)
}
write_plain(icc_df(ICC(ratings, lmer = FALSE, alpha = 0.10)), "icc_aov_ci90.csv")
write_plain(icc_df(ICC(ratings[, 1:3], lmer = FALSE)), "icc_aov_3raters.csv")

heywood <- matrix(c(1, .8, .8, .3,
                    .8, 1, .5, .4,
                    .8, .5, 1, .35,
                    .3, .4, .35, 1), 4, dimnames = list(NULL, paste0("item", 1:4)))
write_plain(as.data.frame(heywood), "omega_heywood_cor.csv")
om <- suppressWarnings(suppressMessages(
  omega(heywood, nfactors = 1, fm = "minres", plot = FALSE)
))
write_plain(data.frame(omega_tot = as.numeric(om$omega.tot)), "omega_heywood.csv")
