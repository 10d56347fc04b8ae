# lme4's side of bench/insteval.bench.ts: InstEval's two reference models (test/fixtures/scale/*.json; the data as
# test/fixtures/conformance/runner/cases_scale.R wrote it), fitted by lmer once per model id read from stdin, so
# that the bench can alternate lme4's fits with spruce's in the same run. The data are read once and kept in
# memory; each reply times the lmer call alone (as spruce's side times fit() on a parsed frame).
#
# Usage: Rscript bench/lme4/insteval-timing.R test/fixtures/scale/data/insteval.csv
# Protocol: prints "ready"; then for each line "<id>" on stdin one JSON line
#   {"id", "seconds" (elapsed), "cpuSeconds" (user + system), "objective" (-2 logLik: deviance or REML criterion)}.
suppressMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
d$s <- factor(d$s)
d$d <- factor(d$d)
models <- list(
  insteval_ml = list(formula = y ~ 1 + service * dept + (1 | s) + (1 | d), REML = FALSE),
  insteval_3crossed_reml = list(formula = y ~ 1 + service + (1 | s) + (1 | d) + (1 | dept), REML = TRUE)
)
con <- file("stdin")
open(con)
cat("ready\n")
flush(stdout())
while (length(id <- readLines(con, n = 1)) > 0) {
  m <- models[[id]]
  if (is.null(m)) {
    cat(sprintf('{"id":"%s","error":"unknown model"}\n', id))
  } else {
    t <- system.time(fit <- lmer(m$formula, d, REML = m$REML))
    cat(sprintf('{"id":"%s","seconds":%.4f,"cpuSeconds":%.4f,"objective":%.8f,"lme4":"%s"}\n', id,
                t[["elapsed"]], t[["user.self"]] + t[["sys.self"]], -2 * as.numeric(logLik(fit)),
                as.character(packageVersion("lme4"))))
  }
  flush(stdout())
}
