# Reference pipeline for benchmarks/bench_csv.py: what an R user runs today.
# Usage: Rscript benchmarks/psych_score_csv.R INPUT.csv OUTPUT.csv
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
scored <- scoreItems(keys, items, totals = FALSE, impute = "none", min = 1, max = 5)
write.csv(cbind(data, scored$scores), args[2], row.names = FALSE)
