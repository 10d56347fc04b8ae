# The 5,000-row crossed data set of the degrees-of-freedom benchmark (bench/ddf.bench.ts): 100 subjects crossed
# with 50 items, every subject sees every item once; a 3-level condition and a numeric covariate.
# Run from the repository root: Rscript bench/ddf/make-data.R  (writes bench/ddf/crossed5000.csv)
set.seed(20260514)
ns <- 100; ni <- 50
d <- expand.grid(subj = sprintf("s%03d", seq_len(ns)), item = sprintf("i%02d", seq_len(ni)), stringsAsFactors = FALSE)
d$cond <- sample(c("a", "b", "c"), nrow(d), replace = TRUE)
d$x <- round(rnorm(nrow(d)), 3)
si <- match(d$subj, sprintf("s%03d", seq_len(ns))); ii <- match(d$item, sprintf("i%02d", seq_len(ni)))
u0 <- rnorm(ns, 0, 1); u1 <- rnorm(ns, 0, 0.4); w0 <- rnorm(ni, 0, 0.7)
d$y <- round(5 + 0.3 * (d$cond == "b") - 0.2 * (d$cond == "c") + (0.5 + u1[si]) * d$x +
  0.2 * (d$cond == "b") * d$x + u0[si] + w0[ii] + rnorm(nrow(d)), 3)
write.csv(d, "bench/ddf/crossed5000.csv", row.names = FALSE)
