# R psych reference pipelines for the benchmarks (WAI-SR key, 1-5 scale, impute = "none").
# Usage:
#   Rscript benchmarks/psych_wai_sr.R pipeline INPUT.csv OUTPUT.csv
#       read.csv + scoreItems + write.csv, as an R user scores an export (bench_csv.py)
#   Rscript benchmarks/psych_wai_sr.R in-memory INPUT.csv
#       prints the median elapsed seconds of 3 scoreItems calls on data in memory (bench_scoring.py)
suppressPackageStartupMessages(library(psych))
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[2], colClasses = c(client_id = "character"))
items <- data[, paste0("wai_", 1:12)]
keys <- list(
  task = paste0("wai_", c(1, 2, 10, 12)),
  bond = paste0("wai_", c(3, 5, 7, 9)),
  goal = paste0("wai_", c(4, 6, 8, 11)),
  total = paste0("wai_", 1:12)
)
score <- function() scoreItems(keys, items, totals = FALSE, impute = "none", min = 1, max = 5)
if (args[1] == "pipeline") {
  write.csv(cbind(data, score()$scores), args[3], row.names = FALSE)
} else {
  cat(median(replicate(3, system.time(score())[["elapsed"]])), "\n")
}
