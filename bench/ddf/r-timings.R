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
time <- function(f) median(sapply(seq_len(reps), function(i) system.time(f())[["elapsed"]]))
t_sat <- time(function() { mt <- as_lmerModLmerTest(m); summary(mt)$coefficients; anova(mt, type = 3) })
mt <- as_lmerModLmerTest(m)
t_sat_tables <- time(function() { summary(mt)$coefficients; anova(mt, type = 3) })
t_kr <- time(function() {
  summary(mt, ddf = "Kenward-Roger")$coefficients; anova(mt, type = 3, ddf = "Kenward-Roger") })
t_vcovadj <- time(function() vcovAdj(m))
cat(sprintf("lmerTest Satterthwaite (coerce + coef table + type III anova): %.3f s\n", t_sat))
cat(sprintf("lmerTest Satterthwaite tables only (model already coerced):   %.3f s\n", t_sat_tables))
cat(sprintf("pbkrtest Kenward-Roger (coef table + type III anova):         %.3f s\n", t_kr))
cat(sprintf("pbkrtest vcovAdj alone:                                        %.3f s\n", t_vcovadj))
print(anova(mt, type = 3))
