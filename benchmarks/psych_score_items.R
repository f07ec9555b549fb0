# In-memory timing of psych::scoreItems for benchmarks/bench_scoring.py.
# Usage: Rscript benchmarks/psych_score_items.R INPUT.csv  -> prints the median seconds of 3 runs
suppressPackageStartupMessages(library(psych))
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[1], colClasses = c(client_id = "character"))
items <- data[, paste0("wai_", 1:12)]
keys <- list(
  task = paste0("wai_", c(1, 2, 10, 12)),
  bond = paste0("wai_", c(3, 5, 7, 9)),
  goal = paste0("wai_", c(4, 6, 8, 11)),
  total = paste0("wai_", 1:12)
)
times <- replicate(3, system.time(
  scoreItems(keys, items, totals = FALSE, impute = "none", min = 1, max = 5)
)[["elapsed"]])
cat(median(times), "\n")
