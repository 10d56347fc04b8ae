/**
 * `spruce anova DATA.csv "F0" "F1" [...] [--ml] [--json]`: lme4's likelihood-ratio table for nested models.
 * The models are fitted as lmer would (REML unless --ml) and, like lme4's anova, REML fits are refitted with ML.
 */
import type { Command } from "commander";
import { SpruceError } from "../../errors.js";
import { fit as fitModel } from "../../fit/fit.js";
import { LinearMixedModel } from "../../fit/model.js";
import { readCsv } from "../../frame/csv.js";
import { anova, anovaSummary, formatAnova } from "../../inference/anova.js";
import { anovaLm, anovaMixedLm, BOUNDARY_NOTE, formatFTest, fTestJson } from "../../lm/anova.js";
import { LinearModel } from "../../lm/model.js";

export function registerAnova(program: Command): void {
  program
    .command("anova")
    .description("likelihood-ratio test of nested models (lme4's anova; REML fits are refitted with ML)")
    .argument("<data>", "CSV file with a header row")
    .argument("<formulas...>", 'two or more lme4 formulas, e.g. "y ~ x + (1|g)" "y ~ x + (x|g)"')
    .option("--ml", "fit the models by maximum likelihood directly (no REML fit and refit)")
    .option("--json", "print { Chisq, Df, p, logLik, AIC, BIC, refitted, ... } as JSON")
    .action(async (dataPath: string, formulas: string[], options: { ml?: boolean; json?: boolean }) => {
      if (formulas.length < 2) throw new SpruceError("anova needs at least two formulas");
      const data = readCsv(dataPath);
      const models = [];
      for (const f of formulas) models.push(await fitModel(f, data, { REML: !options.ml }));
      const linear = models.filter((m) => m instanceof LinearModel);
      if (linear.length === models.length) {
        // R's anova(lm0, lm1, ...): the F test.
        const f = anovaLm(linear);
        if (options.json) process.stdout.write(`${JSON.stringify(fTestJson(f), null, 2)}\n`);
        else process.stdout.write(`${formatFTest(f)}\n`);
        return;
      }
      const mixed = models.filter((m) => m instanceof LinearMixedModel);
      const result = linear.length > 0 ? anovaMixedLm(models) : anova(mixed);
      if (options.json) {
        for (const m of result.messages) process.stderr.write(`${m}\n`);
        process.stdout.write(
          `${JSON.stringify(
            {
              ...anovaSummary(result),
              table: result.rows,
              // Random effects against a model without them: the χ² p-value is conservative (boundary).
              ...(linear.length > 0 ? { test: "LRT", conservative: true, note: BOUNDARY_NOTE } : {}),
            },
            null,
            2,
          )}\n`,
        );
        return;
      }
      process.stdout.write(`Data: ${dataPath}\n${formatAnova(result)}\n`);
    });
}
