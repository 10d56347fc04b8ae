/**
 * `spruce demo` (what `npm start` runs): the lecture's story (MATH-516, week 7, Sitka spruce) in its order.
 * 1. Linear models and their F test: a curve per treatment against a line per tree (the table the lecture prints).
 * 2. Why that fails: the treatment model's residuals cluster by tree (the residuals-by-tree picture).
 * 3. The mixed model: random intercept, slope and curvature per tree, fitted by ML.
 * 4. The likelihood-ratio test of the treatment, and of the random effects against the model without them
 *    (whose χ² p-value is conservative: boundary).
 * 5. The parametric bootstrap: R-compatible (the lecture's set.seed(517 * i) loop, reproducing its 0.011), then
 *    spruce's own counter-based streams on every core.
 * 6. The diagnostics, and where the pictures come from.
 */
import type { Command } from "commander";
import { datasets } from "../../datasets/index.js";
import { fitMixed as fitModel } from "../../fit/fit.js";
import { anova, formatAnova } from "../../inference/anova.js";
import { anovaLm, anovaMixedLm, formatFTest } from "../../lm/anova.js";
import { fitLinearModel } from "../../lm/fit.js";
import { defaultWorkerCount } from "../../parallel/node.js";
import { groupLabels } from "../../plot/lecture-model.js";
import { groupedBoxStats } from "../../plot/lecture-plots.js";
import { formatBootstrap, integerOption, runBootstrap } from "./boot.js";

export const SITKA_NULL = "size ~ time+I(time^2) + (time+I(time^2)|tree)";
export const SITKA_ALT = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "the lecture's Sitka analysis in order: lm and F test, mixed model, LRT, bootstraps, diagnostics",
    )
    .option("--nsim <n>", "bootstrap replicates", "1000")
    .option("--seed <s>", "seed of spruce's own bootstrap streams", "1")
    .option("--workers <n>", "worker threads (default: all cores)")
    .action(async (options: { nsim: string; seed: string; workers?: string }) => {
      const out = (s = ""): void => {
        process.stdout.write(`${s}\n`);
      };
      const nsim = integerOption("nsim", options.nsim, 1) as number;
      const seed = integerOption("seed", options.seed, 0) as number;
      const workers = integerOption("workers", options.workers, 0) ?? defaultWorkerCount();
      // The bundled data set (a module of the package, so the demo runs wherever the package is installed).
      const data = datasets.sitka;
      out("spruce demo: ozone and the growth of Sitka spruce (79 trees, 5 measurements each)");
      out("data: spruce's bundled Sitka data (datasets.sitka; examples/sitka.csv in the repository)");
      out();

      out("1. Linear models: a line per treatment against a line per tree (R's anova(lm0, lm1))");
      const lm0 = fitLinearModel("size ~ time*treat", data);
      const lm1 = fitLinearModel("size ~ time*factor(tree)", data);
      out(formatFTest(anovaLm([lm0, lm1])));
      out(
        "The per-tree model fits far better, but it cannot estimate the treatment: every tree is either ozone or",
      );
      out("control, so the treatment is aliased with the trees.");
      out();

      out("2. Why the smaller model fails: its residuals cluster by tree");
      const byTree = groupedBoxStats(lm0.residuals(), groupLabels(data, "tree", lm0.design.rows));
      const away = byTree.filter((s) => s.q1 > 0 || s.q3 < 0).length;
      const share = 1 - lm1.rss / lm0.rss;
      out(
        `${(100 * share).toFixed(1)}% of its residual sum of squares lies between trees; in ${away} of 79 trees`,
      );
      out(
        "the middle half of the residuals does not cover zero. The observations of a tree are correlated, which",
      );
      out(
        'the lm\'s independence assumption denies. Picture: spruce plot examples/sitka.csv "size ~ time*treat"',
      );
      out(
        "--group tree --out plots/ (residuals by tree; and the fixed-effect vs random-intercept lines per tree).",
      );
      out();

      out("3. The mixed model: a random intercept, slope and curvature per tree (maximum likelihood)");
      const t0 = performance.now();
      const m0 = await fitModel(SITKA_NULL, data, { REML: false });
      const m1 = await fitModel(SITKA_ALT, data, { REML: false });
      const fitMs = performance.now() - t0;
      out(m1.summary({ dataName: "sitka" }));
      out(`(both models fitted in ${fitMs.toFixed(0)} ms)`);
      out();

      out("4. Likelihood-ratio tests");
      out(formatAnova(anova([m0, m1], { names: [SITKA_NULL, SITKA_ALT] })));
      out();
      out("The random effects themselves, against the model without them (lme4's anova(mixed, lm)):");
      const lmNoTree = fitLinearModel("size ~ time+I(time^2)", data);
      out(formatAnova(anovaMixedLm([m0, lmNoTree], [SITKA_NULL, "size ~ time+I(time^2)"])));
      out();

      out(
        `5. The parametric bootstrap of the treatment test (${nsim} replicates, ${workers} worker${workers === 1 ? "" : "s"})`,
      );
      out(
        "R-compatible: the lecture's loop for (i in 1:1000) { set.seed(517*i); simulate(mm0); refit both },",
      );
      out(
        "with R's Mersenne-Twister and Inversion normals in lme4's simulate() order (--rng r --r-seed-per-replicate 517):",
      );
      const rBoot = await runBootstrap(m0, m1, { nsim, workers, rng: "r", rSeedPerReplicate: 517 });
      out(formatBootstrap(rBoot));
      out(`The lecture: mean(lrstats > lrstat) = 0.011; spruce: ${rBoot.pExceed.toFixed(3)}.`);
      out();
      out(
        `spruce's own counter-based streams (seed ${seed}): a different, equally valid sample of replicates:`,
      );
      const ownBoot = await runBootstrap(m0, m1, { nsim, seed, workers });
      out(formatBootstrap(ownBoot));
      out();

      out(
        "6. Diagnostics (the lecture's plot(fitted, resid), qqnorm(resid), Cook's distance, QQ of the random effects):",
      );
      out(`spruce fit examples/sitka.csv "${SITKA_ALT}" --ml --diagnostics`);
      out(`spruce plot examples/sitka.csv "${SITKA_ALT}" --ml --out plots/`);
    });
}
