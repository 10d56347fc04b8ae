# lme4's fit time on mlmRev's star (test/fixtures/perf/data/star.csv), for bench/sparse.bench.ts, which runs this
# between its own timings so that both are measured under the same load. Fit only, data in memory: one warm-up,
# then `reps` timed fits; prints one JSON line {"seconds": [...], "cpuSeconds": [...]} (elapsed, and user + system
# CPU time of the R process: the steadier figure on a shared machine).
# Usage: Rscript bench/sparse/lme4-star.R [reps]
suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) >= 1) as.integer(args[[1]]) else 3L
d <- read.csv("test/fixtures/perf/data/star.csv", stringsAsFactors = TRUE)
d$id <- factor(d$id)
d$tch <- factor(d$tch)
d$sch <- factor(d$sch)
f <- math ~ gr + cltype + sx + (1 | id) + (1 | tch) + (1 | sch)
fitOnce <- function() {
  t <- system.time(lmer(f, data = d, REML = TRUE), gcFirst = TRUE)
  c(t[["elapsed"]], t[["user.self"]] + t[["sys.self"]])
}
invisible(fitOnce())
times <- vapply(seq_len(reps), function(i) fitOnce(), numeric(2))
m <- lmer(f, data = d, REML = TRUE)
cat(toJSON(list(seconds = I(times[1, ]), cpuSeconds = I(times[2, ]), objective = REMLcrit(m)), digits = NA,
           auto_unbox = TRUE), "\n")
