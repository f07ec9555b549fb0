# Reference values for the analyses the pictures draw (issue 11): session means with their t
# intervals, Bland-Altman limits of agreement, item response frequencies, scale-score summaries
# and histograms. Run from the repository root:  Rscript tests/golden/pictures/reference_pictures.R
# Needs base R and psych (Debian r-base-core, r-cran-psych). Writes the CSVs of this folder with
# %.17g numbers (doubles round-trip), NA for missing, no quotes.

suppressPackageStartupMessages(library(psych))
out <- "tests/golden/pictures"
write_csv <- function(frame, name) {
  for (col in names(frame)) {
    if (is.double(frame[[col]])) frame[[col]] <- sprintf("%.17g", frame[[col]])
  }
  frame[frame == "NA" | frame == "NaN"] <- NA
  write.csv(frame, file.path(out, name), row.names = FALSE, quote = FALSE, na = "NA")
}

example <- read.csv("examples/data/wai_sr_example.csv")
items <- example[, paste0("wai_", 1:12)]

# WAI-SR total: mean of the answered items (no item of the WAI-SR is reversed), scored when at
# least 75 % of the 12 items (9) are answered.
answered <- rowSums(!is.na(items))
total <- ifelse(answered >= 9, rowMeans(items, na.rm = TRUE), NA)

# 1. session means: t.test per session (every valid score of the session once).
sessions <- sort(unique(example$session))
rows <- lapply(sessions, function(s) {
  x <- total[example$session == s & !is.na(total)]
  test <- t.test(x, conf.level = 0.95)
  data.frame(session = s, n = length(x), mean = mean(x), sd = sd(x),
             se = sd(x) / sqrt(length(x)), ci_lower = test$conf.int[1],
             ci_upper = test$conf.int[2])
})
write_csv(do.call(rbind, rows), "session_means.csv")
# The same at a 90 % level, to check that the level is used.
rows90 <- lapply(sessions, function(s) {
  x <- total[example$session == s & !is.na(total)]
  test <- t.test(x, conf.level = 0.90)
  data.frame(session = s, ci_lower = test$conf.int[1], ci_upper = test$conf.int[2])
})
write_csv(do.call(rbind, rows90), "session_means_90.csv")

# 2. Bland-Altman on seeded client/therapist ratings (Bland & Altman 1986, 1999): bias and
#    limits bias -/+ 1.96 SD; CIs with SE(bias) = SD/sqrt(n), SE(limit) = SD*sqrt(3/n), t on n-1.
set.seed(20250611)
n <- 60
client <- round(pmin(5, pmax(1, rnorm(n, 4, 0.5))), 2)
therapist <- round(pmin(5, pmax(1, client - 0.3 + rnorm(n, 0, 0.4))), 2)
client[c(7, 19)] <- NA
therapist[c(19, 33)] <- NA
write_csv(data.frame(client = client, therapist = therapist), "dyads.csv")
ok <- !is.na(client) & !is.na(therapist)
d <- client[ok] - therapist[ok]
m <- length(d)
s <- sd(d)
bias <- mean(d)
est <- c(bias - 1.96 * s, bias, bias + 1.96 * s)
se <- c(s * sqrt(3 / m), s / sqrt(m), s * sqrt(3 / m))
q <- qt(0.975, m - 1)
write_csv(data.frame(line = c("lower", "bias", "upper"), estimate = est,
                     ci_lower = est - q * se, ci_upper = est + q * se, n = m, sd = s),
          "bland_altman.csv")

# 3. item response frequencies: psych::response.frequencies (shares of the answered values 1-5,
#    and the share missing of all rows).
freq <- response.frequencies(items, max = 10)
write_csv(data.frame(column = rownames(freq), p1 = freq[, "1"], p2 = freq[, "2"],
                     p3 = freq[, "3"], p4 = freq[, "4"], p5 = freq[, "5"],
                     miss = freq[, "miss"]), "item_frequencies.csv")

# 4. scale summaries and histogram of the total: quantile type 7 (R's default); bins of three
#    possible scores (spacing 1/12) centred on them, from 1 - 1/24 in steps of 1/4.
x <- total[!is.na(total)]
q7 <- quantile(x, c(0, 0.25, 0.5, 0.75, 1), type = 7, names = FALSE)
write_csv(data.frame(scale = "total", n = length(x), n_missing = sum(is.na(total)),
                     mean = mean(x), sd = sd(x), min = q7[1], q1 = q7[2], median = q7[3],
                     q3 = q7[4], max = q7[5], pct_floor = 100 * mean(abs(x - 1) < 1e-9),
                     pct_ceiling = 100 * mean(abs(x - 5) < 1e-9)), "total_summary.csv")
edges <- 1 - 1 / 24 + 0.25 * (0:17)
counts <- as.vector(table(cut(x, breaks = edges, right = FALSE)))
write_csv(data.frame(bin = 0:16, left = edges[-18], right = edges[-1], count = counts),
          "total_histogram.csv")

writeLines(c(paste("psych version:", packageVersion("psych")), "", capture.output(sessionInfo())),
           file.path(out, "R_VERSION.txt"))
