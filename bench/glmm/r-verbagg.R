# lme4 and glmmTMB fit times of VerbAgg for `npm run bench` (bench/glmm.bench.ts runs this between its own
# rounds, so that spruce and R are timed in the same run under the same load). Prints one JSON line.
#
#   Rscript bench/glmm/r-verbagg.R [reps] [which]    (which: both | lme4 | glmmTMB; default 3, both)
#
# The data are read before timing; each figure is the elapsed (wall) and CPU time of one fit with the data in
# memory, after one warm-up fit of each package.
suppressMessages({
  library(lme4)
  library(jsonlite)
})
args <- commandArgs(TRUE)
reps <- if (length(args) >= 1) as.integer(args[1]) else 3L
which <- if (length(args) >= 2) args[2] else "both"
verbagg <- read.csv("test/fixtures/glmm/data/verbagg.csv", stringsAsFactors = TRUE)
vf <- r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)
# Elapsed and CPU (user + system) seconds of one evaluation.
timed <- function(expr) {
  t <- system.time(expr, gcFirst = TRUE)
  c(wall = t[["elapsed"]], cpu = t[["user.self"]] + t[["sys.self"]])
}
timeReps <- function(f) {
  t <- vapply(seq_len(reps), function(i) timed(f()), c(wall = 0, cpu = 0))
  list(wall = I(unname(t["wall", ])), cpu = I(unname(t["cpu", ])))
}
res <- list(R = R.version.string, lme4Version = as.character(packageVersion("lme4")))
if (which %in% c("both", "lme4")) {
  m <- glmer(vf, data = verbagg, family = binomial)
  res$lme4 <- timeReps(function() glmer(vf, data = verbagg, family = binomial))
  res$lme4LogLik <- as.numeric(logLik(m))
}
if (which %in% c("both", "glmmTMB") && requireNamespace("glmmTMB", quietly = TRUE)) {
  res$glmmTMBVersion <- as.character(packageVersion("glmmTMB"))
  m <- glmmTMB::glmmTMB(vf, data = verbagg, family = binomial)
  res$glmmTMB <- timeReps(function() glmmTMB::glmmTMB(vf, data = verbagg, family = binomial))
  res$glmmTMBLogLik <- as.numeric(logLik(m))
}
cat(toJSON(res, auto_unbox = TRUE, digits = NA), "\n")
