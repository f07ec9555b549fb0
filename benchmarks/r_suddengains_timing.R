# Time R suddengains::identify_sg on a wide table, for the session-series speed comparison.
#
# Usage:
#   SG_LIB=/tmp/Rlib Rscript benchmarks/r_suddengains_timing.R WIDE.csv [ROWS] [CHUNK]
#
# WIDE.csv  one row per client, columns s1..s12 (consecutive sessions, NA = missing) and,
#           optionally, an id column `client_id` (row numbers are used when it is absent). Any
#           other session count works too: every column named s<number> is used, in order.
# ROWS      time only the first ROWS rows (default: all; "all" also accepted).
# CHUNK     call identify_sg on consecutive blocks of CHUNK rows and add up the times
#           (default: one call on all timed rows). Rows are independent in identify_sg, so the
#           flags are the same. identify_sg loops over rows and intervals in R and writes each
#           result into a data.frame cell, so it costs ~10 ms CPU per 12-session row and grows a
#           little faster than linearly (measured here: 10.6 ms/row at 500-2,000 rows, 13.7 ms/row
#           at 100,000 rows in one call, 1,372 s CPU, 1,550 s elapsed).
# Prints one line, space-separated key=value pairs:
#   rows=<timed rows> chunk=<rows per call> seconds=<elapsed seconds of the identify_sg calls>
#   cpu_seconds=<user + system CPU seconds of those calls> seconds_per_1000_rows=<...>
#   rows_in_file=<...> estimated_seconds_all_rows=<linear estimate from the elapsed time>
# Settings: Tang & DeRubeis as in suddengains' examples: sg_crit1_cutoff = 7, sg_crit2_pct = .25,
# sg_crit3 = TRUE, sg_crit3_alpha = .05, sg_crit3_adjust = TRUE. Reading the CSV is not timed.
# suddengains 0.7.2 must be installed (see tests/golden/series/README.md); SG_LIB names its library.

lib <- Sys.getenv("SG_LIB", "")
if (nzchar(lib)) .libPaths(c(lib, .libPaths()))
suppressPackageStartupMessages(library(suddengains))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: r_suddengains_timing.R WIDE.csv [ROWS] [CHUNK]", call. = FALSE)
wide <- read.csv(args[1], na.strings = c("NA", ""))
rows_in_file <- nrow(wide)
rows <- if (length(args) >= 2 && args[2] != "all") min(rows_in_file, as.integer(args[2])) else rows_in_file
chunk <- if (length(args) >= 3) as.integer(args[3]) else rows
wide <- wide[seq_len(rows), ]
if (!"client_id" %in% names(wide)) wide$client_id <- seq_len(nrow(wide))
vars <- grep("^s[0-9]+$", names(wide), value = TRUE)
vars <- vars[order(as.integer(sub("^s", "", vars)))]

blocks <- split(wide, (seq_len(rows) - 1L) %/% chunk)
elapsed <- 0
cpu <- 0
for (b in blocks) {
  tm <- system.time(suppressWarnings(suppressMessages(
    identify_sg(data = b, id_var_name = "client_id", sg_var_list = vars,
                sg_crit1_cutoff = 7, sg_crit2_pct = 0.25, sg_crit3 = TRUE,
                sg_crit3_alpha = 0.05, sg_crit3_adjust = TRUE)
  )))
  elapsed <- elapsed + tm[["elapsed"]]
  cpu <- cpu + tm[["user.self"]] + tm[["sys.self"]]
}
per_1000 <- elapsed / rows * 1000
cat(sprintf(paste("rows=%d chunk=%d seconds=%.3f cpu_seconds=%.3f seconds_per_1000_rows=%.3f",
                  "rows_in_file=%d estimated_seconds_all_rows=%.1f\n"),
            rows, chunk, elapsed, cpu, per_1000, rows_in_file, per_1000 * rows_in_file / 1000))
