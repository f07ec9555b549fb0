# Golden reference files for sudden losses / gains from R suddengains 0.7.2.
#
# Usage (from the repository root; suddengains installed in a private library, see README.md):
#   SG_LIB=/tmp/Rlib Rscript tests/golden/series/reference_suddengains.R
#
# Reads  series_long.csv (client_id, session, score; written by make_series.py)
# Writes sg_configs.csv, sg_intervals.csv, sg_interval_stats.csv, sg_events.csv,
#        sg_select_cases.csv, sg_grid_summary.csv, R_VERSION.txt
# Stops with an error when one of its own consistency checks fails (see the end of the file).
#
# Layout: suddengains works on wide data, one column per consecutive session. Column k of the
# wide table is session k (sessions start at 1), for every client alike; absent sessions and NA
# rows are both NA cells. suddengains tests the intervals 2->3 ... (K-2)->(K-1) of that grid
# (K = last session in the file). Only the intervals SESSION-SERIES.md tests are kept: those
# whose post session n+1 lies in [first + 2, last - 1], first/last = the client's first/last
# session with a valid score. For those intervals the result is the same as on a grid that
# starts at the client's first and ends at its last observed session (the extra cells are NA,
# and suddengains drops NA before the window statistics), so nothing depends on the grid.

lib <- Sys.getenv("SG_LIB", "/tmp/Rlib")
.libPaths(c(lib, .libPaths()))
suppressPackageStartupMessages(library(suddengains))

file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
here <- dirname(normalizePath(sub("^--file=", "", file_arg)))

# ---- writing helpers: doubles with %.17g, logicals as 0/1, NA as NA ----
fmt_col <- function(x) {
  if (is.logical(x)) x <- as.integer(x)
  out <- if (is.double(x)) sprintf("%.17g", x) else as.character(x)
  out[is.na(x)] <- "NA"
  out
}
write_golden <- function(df, name) {
  cols <- lapply(df, fmt_col)
  lines <- c(paste(names(df), collapse = ","), do.call(paste, c(cols, sep = ",")))
  if (nrow(df) == 0) lines <- lines[1]
  writeLines(lines, file.path(here, name))
}

# ---- long -> wide ----
long <- read.csv(file.path(here, "series_long.csv"), na.strings = "NA",
                 colClasses = c(client_id = "character", session = "integer", score = "numeric"))
stopifnot(!anyDuplicated(long[, c("client_id", "session")]), min(long$session) == 1)
ids <- sort(unique(long$client_id), method = "radix")
smax <- max(long$session)
vars <- paste0("s", seq_len(smax))
m <- matrix(NA_real_, nrow = length(ids), ncol = smax, dimnames = list(NULL, vars))
m[cbind(match(long$client_id, ids), long$session)] <- long$score
wide <- data.frame(client_id = ids, m, stringsAsFactors = FALSE)
obs <- !is.na(m)
first <- apply(obs, 1, function(r) if (any(r)) min(which(r)) else NA_integer_)
last <- apply(obs, 1, function(r) if (any(r)) max(which(r)) else NA_integer_)

# every interval suddengains tests on the grid: pre session a, post session a + 1
grid <- expand.grid(k = seq_along(ids), pre_session = 2:(smax - 2))
grid$client_id <- ids[grid$k]
grid$post_session <- grid$pre_session + 1L
grid$in_range <- !is.na(first[grid$k]) &
  grid$post_session >= first[grid$k] + 2 & grid$post_session <= last[grid$k] - 1
grid <- grid[order(grid$client_id, grid$pre_session, method = "radix"), ]

# ---- configurations ----
# api_* columns: the same rule in alliance_metrics' sudden_changes() terms.
cfg <- function(id, fun, cutoff, pct, crit3, alpha = 0.05, adjust = TRUE, cv = 2.776) {
  inc <- fun == "identify_sl"
  data.frame(
    config_id = id, sg_function = fun,
    sg_crit1_cutoff = if (inc) -cutoff else cutoff,
    sg_crit2_pct = pct, sg_crit3 = crit3, sg_crit3_alpha = alpha,
    sg_crit3_adjust = adjust, sg_crit3_critical_value = cv,
    api_direction = if (inc) "increase" else "decrease",
    api_cutoff = cutoff,
    api_pct = if (is.na(pct)) NA_real_ else abs(pct),
    api_stability = crit3, api_alpha = alpha, api_adjust = adjust, api_critical_value = cv,
    api_compat = if (inc && !is.na(pct) && pct > 0) "suddengains" else "mirrored",
    stringsAsFactors = FALSE)
}
configs <- rbind(
  cfg("dec_c7_p25_adj05", "identify_sg", 7, 0.25, TRUE),
  cfg("dec_c7_nopct_adj05", "identify_sg", 7, NA, TRUE),
  cfg("dec_c6_nopct_adj05", "identify_sg", 6, NA, TRUE),
  cfg("dec_c6_p25_adj05", "identify_sg", 6, 0.25, TRUE),
  cfg("dec_c7_nopct_adj01", "identify_sg", 7, NA, TRUE, alpha = 0.01),
  cfg("dec_c7_p25_fixed2776", "identify_sg", 7, 0.25, TRUE, adjust = FALSE),
  cfg("dec_c6_nopct_fixed2776", "identify_sg", 6, NA, TRUE, adjust = FALSE),
  cfg("dec_c7_nopct_fixed35_a01", "identify_sg", 7, NA, TRUE, alpha = 0.01, adjust = FALSE, cv = 3.5),
  cfg("dec_c0_nopct_adj05", "identify_sg", 0, NA, TRUE),
  cfg("dec_c7_p25_nocrit3", "identify_sg", 7, 0.25, FALSE),
  cfg("dec_c6_nopct_nocrit3", "identify_sg", 6, NA, FALSE),
  cfg("inc_c7_p25sg_adj05", "identify_sl", 7, 0.25, TRUE),
  cfg("inc_c7_p25mir_adj05", "identify_sl", 7, -0.25, TRUE),
  cfg("inc_c7_nopct_adj05", "identify_sl", 7, NA, TRUE),
  cfg("inc_c6_nopct_adj05", "identify_sl", 6, NA, TRUE),
  cfg("inc_c6_p25mir_adj01", "identify_sl", 6, -0.25, TRUE, alpha = 0.01),
  cfg("inc_c7_nopct_fixed2776", "identify_sl", 7, NA, TRUE, adjust = FALSE),
  cfg("inc_c6_p25sg_fixed2776", "identify_sl", 6, 0.25, TRUE, adjust = FALSE),
  cfg("inc_c0_nopct_adj05", "identify_sl", 0, NA, TRUE),
  cfg("inc_c6_p25sg_nocrit3", "identify_sl", 6, 0.25, FALSE),
  cfg("inc_c6_p25mir_nocrit3", "identify_sl", 6, -0.25, FALSE),
  cfg("inc_c7_nopct_nocrit3", "identify_sl", 7, NA, FALSE)
)

sg_args <- function(cf, data, var_list) {
  list(data = data, id_var_name = "client_id", sg_var_list = var_list,
       sg_crit1_cutoff = cf$sg_crit1_cutoff,
       sg_crit2_pct = if (is.na(cf$sg_crit2_pct)) NULL else cf$sg_crit2_pct,
       sg_crit3 = cf$sg_crit3, sg_crit3_alpha = cf$sg_crit3_alpha,
       sg_crit3_adjust = cf$sg_crit3_adjust, sg_crit3_critical_value = cf$sg_crit3_critical_value)
}

# ---- identify_sg / identify_sl, per interval ----
run_identify <- function(cf) {
  fun <- get(cf$sg_function, envir = asNamespace("suddengains"))
  res <- suppressWarnings(suppressMessages(
    do.call(fun, c(sg_args(cf, wide, vars), crit123_details = TRUE))))
  res <- as.data.frame(res)
  pfx <- if (cf$sg_function == "identify_sl") "sl_" else "sg_"
  row <- match(grid$client_id, res$client_id)
  lab <- paste0(grid$pre_session, "to", grid$post_session)
  pick <- function(prefix) {
    cols <- paste0(prefix, lab)
    stopifnot(all(cols %in% names(res)))
    as.numeric(as.matrix(res[, unique(cols)])[cbind(row, match(cols, unique(cols)))])
  }
  data.frame(config_id = cf$config_id, client_id = grid$client_id,
             pre_session = grid$pre_session, post_session = grid$post_session,
             crit1 = pick(paste0(pfx, "crit1_")), crit2 = pick(paste0(pfx, "crit2_")),
             crit3 = pick(paste0(pfx, "crit3_")), flag = pick(pfx),
             in_range = grid$in_range, stringsAsFactors = FALSE)
}
all_iv <- do.call(rbind, lapply(seq_len(nrow(configs)), function(i) run_identify(configs[i, ])))
intervals <- all_iv[all_iv$in_range, names(all_iv) != "in_range"]

# what suddengains did outside the series range (on the common grid)
grid_summary <- do.call(rbind, lapply(split(all_iv, all_iv$config_id), function(d) {
  data.frame(config_id = d$config_id[1],
             n_in_range = sum(d$in_range),
             n_in_range_flag1 = sum(d$in_range & d$flag %in% 1),
             n_in_range_flag0 = sum(d$in_range & d$flag %in% 0),
             n_in_range_flagNA = sum(d$in_range & is.na(d$flag)),
             n_outside = sum(!d$in_range),
             n_outside_flag1 = sum(!d$in_range & d$flag %in% 1),
             n_outside_flag0 = sum(!d$in_range & d$flag %in% 0),
             stringsAsFactors = FALSE)
}))
grid_summary <- grid_summary[match(configs$config_id, grid_summary$config_id), ]

# ---- per-interval statistics computed by this driver (not returned by suddengains) ----
# Same windows and formulas as suddengains' criterion 3: pre x_{n-2..n}, post x_{n+1..n+3},
# NA dropped, sample SDs; t_crit = |qt(alpha/2, n_pre + n_post - 2)|.
iv_grid <- grid[grid$in_range, ]
win <- function(k, from, to) {
  cols <- from:to
  cols <- cols[cols >= 1 & cols <= smax]
  v <- m[k, cols]
  v[!is.na(v)]
}
stats <- do.call(rbind, lapply(seq_len(nrow(iv_grid)), function(i) {
  k <- iv_grid$k[i]; n <- iv_grid$pre_session[i]
  pre <- win(k, n - 2, n); post <- win(k, n + 1, n + 3)
  n1 <- length(pre); n2 <- length(post)
  ok <- n1 >= 2 && n2 >= 2
  sp <- if (ok) sqrt(((n1 - 1) * sd(pre)^2 + (n2 - 1) * sd(post)^2) / (n1 + n2 - 2)) else NA_real_
  data.frame(client_id = iv_grid$client_id[i], pre_session = n, post_session = n + 1L,
             pre_value = m[k, n], post_value = m[k, n + 1], n_pre = n1, n_post = n2,
             mean_pre = if (n1 > 0) mean(pre) else NA_real_,
             mean_post = if (n2 > 0) mean(post) else NA_real_,
             sd_pre = if (n1 > 1) sd(pre) else NA_real_,
             sd_post = if (n2 > 1) sd(post) else NA_real_,
             pooled_sd = sp,
             t_crit_05 = if (ok) abs(qt(0.05 / 2, n1 + n2 - 2)) else NA_real_,
             t_crit_01 = if (ok) abs(qt(0.01 / 2, n1 + n2 - 2)) else NA_real_,
             stringsAsFactors = FALSE)
}))

# ---- create_bysg: one row per flagged interval, both reversal-scan modes ----
# scan "from_n3": identify_sg_1to2 = FALSE (suddengains' default), grid s1..sK.
# scan "from_n2": identify_sg_1to2 = TRUE on the grid s0..sK with an all-NA column s0 (session 0),
#                 so interval labels still equal session numbers.
wide0 <- data.frame(client_id = ids, s0 = NA_real_, m, stringsAsFactors = FALSE)
vars0 <- c("s0", vars)
ev_cols <- c("sg_freq_byperson", "sg_wai_2n", "sg_wai_1n", "sg_wai_n", "sg_wai_n1", "sg_wai_n2",
             "sg_wai_n3", "sg_magnitude", "sg_reversal_value", "sg_reversal")
run_bysg <- function(cf, scan) {
  one_to_two <- scan == "from_n2"
  d <- if (one_to_two) wide0 else wide
  vl <- if (one_to_two) vars0 else vars
  a <- sg_args(cf, d, vl)
  a <- c(a, tx_start_var_name = vl[1], tx_end_var_name = vl[length(vl)],
         sg_measure_name = "wai",
         identify = if (cf$sg_function == "identify_sl") "sl" else "sg",
         identify_sg_1to2 = one_to_two)
  res <- tryCatch(suppressWarnings(suppressMessages(do.call(create_bysg, a))),
                  error = function(e) if (grepl("No sudden", conditionMessage(e))) NULL else stop(e))
  if (is.null(res)) return(NULL)
  res <- as.data.frame(res)
  out <- data.frame(config_id = cf$config_id, scan = scan, client_id = res$client_id,
                    pre_session = as.integer(res$sg_session_n),
                    post_session = as.integer(res$sg_session_n) + 1L, stringsAsFactors = FALSE)
  cbind(out, res[, ev_cols])
}
bysg_cfgs <- configs[configs$sg_crit3, ]
events <- do.call(rbind, unlist(lapply(seq_len(nrow(bysg_cfgs)), function(i) {
  lapply(c("from_n3", "from_n2"), function(s) run_bysg(bysg_cfgs[i, ], s))
}), recursive = FALSE))
events <- events[order(match(events$config_id, configs$config_id), events$scan != "from_n3",
                       events$client_id, events$pre_session, method = "radix"), ]

# ---- select_cases(method = "pattern") ----
sel <- suppressMessages(select_cases(wide, id_var_name = "client_id", sg_var_list = vars,
                                     method = "pattern", return_id_lgl = TRUE))
sel <- as.data.frame(sel)
sel <- sel[order(sel$client_id, method = "radix"), c("client_id", "sg_select")]

# ---- consistency checks (stop on failure) ----
key <- function(d) paste(d$config_id, d$client_id, d$pre_session)
# 1. create_bysg's events are exactly identify's flag == 1 intervals, in both scan modes,
#    and no interval outside the series range was flagged in those configurations.
flagged <- intervals[intervals$flag %in% 1 & intervals$config_id %in% bysg_cfgs$config_id, ]
for (s in c("from_n3", "from_n2")) {
  e <- events[events$scan == s, ]
  stopifnot(setequal(key(e), key(flagged)), !anyDuplicated(key(e)))
}
stopifnot(all(grid_summary$n_outside_flag1[grid_summary$config_id %in% bysg_cfgs$config_id] == 0))
# 2. events per client = number of flagged intervals of that client
cnt <- table(paste(flagged$config_id, flagged$client_id))
stopifnot(all(events$sg_freq_byperson == as.vector(cnt[paste(events$config_id, events$client_id)])))
# 3. both scan modes agree on everything except sg_reversal
e3 <- events[events$scan == "from_n3", ]; e2 <- events[events$scan == "from_n2", ]
e2 <- e2[match(key(e3), key(e2)), ]
same <- setdiff(ev_cols, "sg_reversal")
stopifnot(isTRUE(all.equal(e3[, same], e2[, same], check.attributes = FALSE, tolerance = 0)))
# 4. criterion 3 recomputed from sg_interval_stats.csv equals suddengains' crit3
st_key <- paste(stats$client_id, stats$pre_session)
for (i in which(configs$sg_crit3)) {
  cf <- configs[i, ]
  iv <- intervals[intervals$config_id == cf$config_id, ]
  s <- stats[match(paste(iv$client_id, iv$pre_session), st_key), ]
  tc <- if (!cf$sg_crit3_adjust) ifelse(is.na(s$pooled_sd), NA, cf$sg_crit3_critical_value)
        else if (cf$sg_crit3_alpha == 0.05) s$t_crit_05 else s$t_crit_01
  d <- if (cf$sg_function == "identify_sg") s$mean_pre - s$mean_post else s$mean_post - s$mean_pre
  mine <- as.numeric(d > tc * s$pooled_sd)
  stopifnot(identical(is.na(mine), is.na(iv$crit3)), all(mine == iv$crit3, na.rm = TRUE))
}
# 5. reference vectors of SESSION-SERIES.md section 1 (hand-entered expectations)
expect_flags <- function(config, client, pre_sessions, flags) {
  iv <- intervals[intervals$config_id == config & intervals$client_id == client, ]
  got <- iv$flag[match(pre_sessions, iv$pre_session)]
  if (!identical(is.na(got), is.na(flags)) || !all(got == flags, na.rm = TRUE) ||
      nrow(iv) != length(pre_sessions)) {
    stop(sprintf("reference vector %s / %s: expected %s, got %s", config, client,
                 paste(flags, collapse = " "), paste(got, collapse = " ")))
  }
}
expect_flags("dec_c7_p25_adj05", "ref_dec_knife_noflag", 2:3, c(0, 0))
expect_flags("dec_c7_p25_adj05", "ref_dec_flag", 2:3, c(0, 1))
expect_flags("dec_c7_p25_adj05", "ref_dec_na", 2:3, c(NA, NA))
expect_flags("dec_c7_p25_adj05", "ref_dec_100", 2:4, c(1, 0, 0))
expect_flags("dec_c7_p25_adj05", "ref_dec_010", 2:4, c(0, 1, 0))
expect_flags("dec_c7_p25_adj05", "ref_dec_001", 2:4, c(0, 0, 1))
expect_flags("dec_c7_p25_adj05", "ref_dec_000", 2:4, c(0, 0, 0))
expect_flags("inc_c7_p25sg_adj05", "ref_inc_010", 2:4, c(0, 1, 0))
expect_flags("inc_c7_p25sg_adj05", "ref_inc_001", 2:4, c(0, 0, 1))
expect_flags("inc_c7_p25sg_adj05", "ref_inc_100", 2:4, c(1, 0, 0))
expect_flags("inc_c7_p25sg_adj05", "ref_inc_000", 2:4, c(0, 0, 0))
vdip <- intervals[intervals$config_id == "dec_c6_p25_adj05" & intervals$client_id == "ref_v_dip" &
                    intervals$pre_session == 3, ]
stopifnot(vdip$crit1 == 1, vdip$crit2 == 1, vdip$crit3 == 0, vdip$flag == 0)
vst <- stats[stats$client_id == "ref_v_dip" & stats$pre_session == 3, ]
stopifnot(abs(vst$pooled_sd - 4.4347) < 5e-5, abs(vst$mean_pre - vst$mean_post - 6.6667) < 5e-5)
kst <- stats[stats$client_id == "ref_dec_knife_noflag" & stats$pre_session == 3, ]
stopifnot(abs(kst$t_crit_05 * kst$pooled_sd - 11.79) < 5e-3, abs(kst$mean_pre - kst$mean_post - 10.83) < 5e-3)

# ---- write ----
write_golden(configs, "sg_configs.csv")
write_golden(intervals, "sg_intervals.csv")
write_golden(stats, "sg_interval_stats.csv")
write_golden(events, "sg_events.csv")
write_golden(sel, "sg_select_cases.csv")
write_golden(grid_summary, "sg_grid_summary.csv")

pkgs <- c("suddengains", "dplyr", "tidyr", "tibble", "rlang", "magrittr", "stringr", "lme4",
          "Matrix", "nloptr", "minqa", "naniar")
vers <- vapply(pkgs, function(p) tryCatch(as.character(packageVersion(p)), error = function(e) "absent"), "")
writeLines(c(
  R.version.string,
  paste0(pkgs, " ", vers),
  "naniar is a local stub (not a Debian package; suddengains uses it only in plot_sg_intervals).",
  "suddengains built from tag 0.7.2 (commit 35f0211) of the GitHub repository milanwiedemann/suddengains.",
  "",
  capture.output(sessionInfo())
), file.path(here, "R_VERSION.txt"))
