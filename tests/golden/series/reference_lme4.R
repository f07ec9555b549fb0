# Golden reference files for the growth model from R lme4.
#
# Usage (from the repository root; Debian r-cran-lme4):
#   Rscript tests/golden/series/reference_lme4.R
#
# Reads  growth_long.csv (client_id, session, score; written by make_series.py)
# Writes lme4_fixed.csv, lme4_varcorr.csv, lme4_fit.csv, lme4_coef.csv, lme4_fitted.csv
#
# Models (session enters as given: NOT centred or shifted; the intercept is the predicted score
# at session 0, one session before the first; rows with a missing score are dropped, na.omit):
#   slope_reml      lmer(score ~ session + (session | client_id), REML = TRUE)
#   slope_ml        lmer(score ~ session + (session | client_id), REML = FALSE)
#   intercept_reml  lmer(score ~ session + (1 | client_id), REML = TRUE)
#   intercept_ml    lmer(score ~ session + (1 | client_id), REML = FALSE)
# Each model is fitted twice (column `fit`):
#   default  lmerControl() as shipped (nloptwrap BOBYQA, lme4's default tolerances): what a user gets;
#   tight    lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-14, maxfun = 1e5)):
#            the optimum to about 1e-5 (checked against nloptwrap and nlminb with tight tolerances).
# The default fit stops early on this flat likelihood: its variance components differ from the
# tight optimum by up to ~8e-4 (log-likelihood by ~4e-8). Compare to the `tight` rows at 1e-4.

suppressPackageStartupMessages(library(lme4))

file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
here <- dirname(normalizePath(sub("^--file=", "", file_arg)))

fmt_col <- function(x) {
  if (is.logical(x)) x <- as.integer(x)
  out <- if (is.double(x)) sprintf("%.17g", x) else as.character(x)
  out[is.na(x)] <- "NA"
  out
}
write_golden <- function(df, name) {
  cols <- lapply(df, fmt_col)
  writeLines(c(paste(names(df), collapse = ","), do.call(paste, c(cols, sep = ","))),
             file.path(here, name))
}

d <- read.csv(file.path(here, "growth_long.csv"), na.strings = "NA",
              colClasses = c(client_id = "character", session = "integer", score = "numeric"))
d <- d[!is.na(d$score), ]

models <- list(
  slope_reml = list(formula = score ~ session + (session | client_id), REML = TRUE),
  slope_ml = list(formula = score ~ session + (session | client_id), REML = FALSE),
  intercept_reml = list(formula = score ~ session + (1 | client_id), REML = TRUE),
  intercept_ml = list(formula = score ~ session + (1 | client_id), REML = FALSE)
)

controls <- list(
  default = lmerControl(),
  tight = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-14, maxfun = 1e5))
)

fixed <- list(); varcorr <- list(); fit <- list(); coefs <- list(); fitted_rows <- list()
for (fit_name in names(controls)) for (model_name in names(models)) {
  spec <- models[[model_name]]
  name <- paste(fit_name, model_name)
  warns <- character(0)
  f <- withCallingHandlers(
    lmer(spec$formula, data = d, REML = spec$REML, control = controls[[fit_name]]),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  cf <- summary(f)$coefficients
  fixed[[name]] <- data.frame(fit = fit_name, model = model_name, term = c("intercept", "session"),
                              estimate = unname(cf[, "Estimate"]),
                              se = unname(cf[, "Std. Error"]),
                              t = unname(cf[, "t value"]), stringsAsFactors = FALSE)
  vc <- VarCorr(f)$client_id
  sdv <- attr(vc, "stddev")
  rows <- data.frame(fit = fit_name, model = model_name, component = c("var_intercept", "sd_intercept"),
                     value = c(vc[1, 1], sdv[1]), stringsAsFactors = FALSE)
  if (ncol(vc) == 2) {
    rows <- rbind(rows, data.frame(
      fit = fit_name, model = model_name,
      component = c("var_session", "sd_session", "cov_intercept_session", "cor_intercept_session"),
      value = c(vc[2, 2], sdv[2], vc[1, 2], attr(vc, "correlation")[1, 2]),
      stringsAsFactors = FALSE))
  }
  rows <- rbind(rows, data.frame(fit = fit_name, model = model_name, component = c("var_residual", "sd_residual"),
                                 value = c(sigma(f)^2, sigma(f)), stringsAsFactors = FALSE))
  varcorr[[name]] <- rows
  ll <- logLik(f)
  msgs <- c(f@optinfo$conv$lme4$messages, f@optinfo$message, warns)
  fit[[name]] <- data.frame(
    fit = fit_name, model = model_name, REML = spec$REML, logLik = as.numeric(ll), df = attr(ll, "df"),
    deviance_or_reml_criterion = if (spec$REML) unname(getME(f, "devcomp")$cmp["REML"])
                                 else unname(getME(f, "devcomp")$cmp["dev"]),
    AIC = AIC(f), nobs = nobs(f), n_clients = ngrps(f)[["client_id"]],
    optimizer = f@optinfo$optimizer, opt_convergence_code = f@optinfo$conv$opt,
    lme4_warnings = length(f@optinfo$conv$lme4$messages) + length(warns),
    singular = isSingular(f),
    messages = gsub("[,\n]", ";", paste(unique(msgs), collapse = " | ")),
    stringsAsFactors = FALSE)
  cc <- coef(f)$client_id
  re <- ranef(f)$client_id
  coefs[[name]] <- data.frame(
    fit = fit_name, model = model_name, client_id = rownames(cc),
    intercept = cc[, "(Intercept)"], slope = cc[, "session"],
    ranef_intercept = re[, "(Intercept)"],
    ranef_session = if ("session" %in% names(re)) re[, "session"] else NA_real_,
    stringsAsFactors = FALSE)
  fitted_rows[[name]] <- data.frame(fit = fit_name, model = model_name, client_id = d$client_id, session = d$session,
                                    fitted = unname(fitted(f)), stringsAsFactors = FALSE)
}

bind <- function(l) {
  out <- do.call(rbind, l)
  rownames(out) <- NULL
  out
}
coef_df <- bind(coefs)
coef_df <- coef_df[order(match(coef_df$fit, names(controls)), match(coef_df$model, names(models)),
                         coef_df$client_id, method = "radix"), ]
fit_df <- bind(fitted_rows)
fit_df <- fit_df[order(match(fit_df$fit, names(controls)), match(fit_df$model, names(models)),
                       fit_df$client_id, fit_df$session, method = "radix"), ]
fit_summary <- bind(fit)
# the tight fit must not be worse than the default one
stopifnot(all(fit_summary$logLik[fit_summary$fit == "tight"] >=
                fit_summary$logLik[fit_summary$fit == "default"] - 1e-9))
write_golden(bind(fixed), "lme4_fixed.csv")
write_golden(bind(varcorr), "lme4_varcorr.csv")
write_golden(fit_summary, "lme4_fit.csv")
write_golden(coef_df, "lme4_coef.csv")
write_golden(fit_df, "lme4_fitted.csv")
