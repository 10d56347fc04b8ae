/**
 * `spruce anova DATA.csv "F0" "F1" [...] [--ml] [--json]`: lme4's likelihood-ratio table for nested models.
 * The models are fitted as lmer would (REML unless --ml) and, like lme4's anova, REML fits are refitted with ML.
 */
import type { Command } from "commander";
import { SpruceError } from "../../errors.js";
import { fit as fitModel } from "../../fit/fit.js";
import { readCsv } from "../../frame/csv.js";
import { glmmAnova } from "../../glmm/anova.js";
import { fitGlmm } from "../../glmm/fit.js";
import { anova, anovaSummary, formatAnova } from "../../inference/anova.js";
import { parseNAGQ, wantsGlmm } from "./fit-glmm.js";

interface AnovaCommandOptions {
  ml?: boolean;
  json?: boolean;
  family?: string;
  link?: string;
  nAGQ?: string;
  weights?: string;
}

export function registerAnova(program: Command): void {
  program
    .command("anova")
    .description("likelihood-ratio test of nested models (lme4's anova; REML fits are refitted with ML)")
    .argument("<data>", "CSV file with a header row")
    .argument("<formulas...>", 'two or more lme4 formulas, e.g. "y ~ x + (1|g)" "y ~ x + (x|g)"')
    .option("--ml", "fit the models by maximum likelihood directly (no REML fit and refit)")
    .option("--json", "print { Chisq, Df, p, logLik, AIC, BIC, refitted, ... } as JSON")
    .option("--family <name>", "compare GLMMs (binomial or poisson), as lme4's anova of glmer fits")
    .option("--link <name>", "link of the family")
    .option("--nAGQ <n>", "GLMM quadrature points (default 1, Laplace)")
    .option("--weights <column>", "GLMM prior weights (binomial trials)")
    .action(async (dataPath: string, formulas: string[], options: AnovaCommandOptions) => {
      if (formulas.length < 2) throw new SpruceError("anova needs at least two formulas");
      const data = readCsv(dataPath);
      let result: ReturnType<typeof anova>;
      if (wantsGlmm(options)) {
        if (options.ml) throw new SpruceError("--ml does not apply to GLMMs (always maximum likelihood)");
        const nAGQ = parseNAGQ(options.nAGQ);
        const glmms = [];
        for (const f of formulas)
          glmms.push(
            await fitGlmm(f, data, {
              family: options.family as string,
              ...(options.link !== undefined ? { link: options.link } : {}),
              ...(nAGQ !== undefined ? { nAGQ } : {}),
              ...(options.weights !== undefined ? { weights: options.weights } : {}),
            }),
          );
        result = glmmAnova(glmms);
      } else {
        if (options.weights !== undefined)
          throw new SpruceError("--weights is only supported with --family here");
        const models = [];
        for (const f of formulas) models.push(await fitModel(f, data, { REML: !options.ml }));
        result = anova(models);
      }
      if (options.json) {
        for (const m of result.messages) process.stderr.write(`${m}\n`);
        process.stdout.write(`${JSON.stringify({ ...anovaSummary(result), table: result.rows }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`Data: ${dataPath}\n${formatAnova(result)}\n`);
    });
}
