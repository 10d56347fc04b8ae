# lmerTest's and pbkrtest's times on the benchmark data (bench/ddf/crossed5000.csv), to set beside
# `npm run bench`'s ddf rows. Run from the repository root: Rscript bench/ddf/r-timings.R
# Each time covers what spruce's corresponding row does, starting from the fitted model:
# - Satterthwaite: as_lmerModLmerTest (the Hessian and Jacobian by numDeriv) + summary's coefficient table +
#   the type III anova table;
# - Kenward-Roger: summary(ddf = "Kenward-Roger") + anova(type = 3, ddf = "Kenward-Roger") (pbkrtest's vcovAdj
#   for each, as lmerTest calls it).
suppressPackageStartupMessages({ library(lmerTest); library(pbkrtest) })
d <- read.csv("bench/ddf/crossed5000.csv", stringsAsFactors = TRUE)
f <- y ~ cond * x + (1 + x | subj) + (1 | item)
m <- lme4::lmer(f, data = d, REML = TRUE)
reps <- as.integer(Sys.getenv("REPS", "3"))
# Median elapsed seconds over REPS runs, printed at once (CPU seconds beside it: the machine may be shared).
time <- function(label, f) {
  ts <- sapply(seq_len(reps), function(i) { s <- system.time(f()); c(s[["elapsed"]], s[["user.self"]] + s[["sys.self"]]) })
  cat(sprintf("%-62s elapsed %8.3f s   cpu %8.3f s\n", label, median(ts[1, ]), median(ts[2, ])))
  flush.console()
}
time("lmerTest Satterthwaite (coerce + coef table + type III anova)", function() { mt <- as_lmerModLmerTest(m); summary(mt)$coefficients; anova(mt, type = 3) })
mt <- as_lmerModLmerTest(m)
time("lmerTest Satterthwaite tables only (model already coerced)", function() { summary(mt)$coefficients; anova(mt, type = 3) })
# KR=0 skips pbkrtest (each vcovAdj on these 5,000 rows takes minutes: dense 5000×5000 products), KR=1 times one
# vcovAdj only, KR=2 (default) also the full tables (9 vcovAdj calls: one per coefficient and per term).
kr <- as.integer(Sys.getenv("KR", "2"))
if (kr >= 2) time("pbkrtest Kenward-Roger (coef table + type III anova)", function() {
  summary(mt, ddf = "Kenward-Roger")$coefficients; anova(mt, type = 3, ddf = "Kenward-Roger") })
if (kr >= 1) time("pbkrtest vcovAdj alone", function() vcovAdj(m))
print(anova(mt, type = 3))
