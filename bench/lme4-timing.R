# lme4's side of the scaling bench (bench/scaling.bench.ts): fit one model on a CSV file the way the bench fits it
# with spruce (data read once with read.csv(stringsAsFactors = TRUE), then lmer(formula, data, REML) timed: one
# warm-up, then `reps` fits: elapsed and CPU seconds). Prints one JSON line. Only a timing: the reference values the tests
# compare with are in test/fixtures (perf/, scale/), made by the scripts beside them.
#
#   Rscript bench/lme4-timing.R <csv> "<formula>" <REML TRUE|FALSE> [reps]
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[[1]], stringsAsFactors = TRUE)
formula <- as.formula(args[[2]])
REML <- as.logical(args[[3]])
reps <- if (length(args) >= 4) as.integer(args[[4]]) else 5L
fit <- function() suppressWarnings(suppressMessages(lmer(formula, data, REML = REML)))
invisible(fit())
times <- lapply(seq_len(reps), function(i) system.time(fit()))
seconds <- vapply(times, function(t) unname(t[["elapsed"]]), numeric(1))
cpu <- vapply(times, function(t) unname(t[["user.self"]] + t[["sys.self"]]), numeric(1))
m <- fit()
cat(sprintf(
  '{"seconds":[%s],"cpu":[%s],"objective":%.10g,"lme4":"%s"}\n',
  paste(sprintf("%.4f", seconds), collapse = ","), paste(sprintf("%.4f", cpu), collapse = ","), unname(if (REML) REMLcrit(m) else deviance(m)),
  as.character(packageVersion("lme4"))
))
