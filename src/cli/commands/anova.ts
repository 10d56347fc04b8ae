/**
 * `spruce anova DATA.csv "F0" "F1" [...] [--ml] [--json]`: lme4's likelihood-ratio table for nested models.
 * The models are fitted as lmer would (REML unless --ml) and, like lme4's anova, REML fits are refitted with ML.
 *
 * `spruce anova DATA.csv "F" [--type 3|2|1] [--ddf satterthwaite|kenward-roger] [--json]` (one formula):
 * lmerTest's F tests of the fixed-effects terms (type III and Satterthwaite by default), as JSON
 * { terms, NumDF, DenDF, F, p, SumSq, MeanSq, type, ddfMethod }.
 */
import { type Command, Option } from "commander";
import { SpruceError } from "../../errors.js";
import { fitMixed, fit as fitModel } from "../../fit/fit.js";
import { LinearMixedModel } from "../../fit/model.js";
import { readCsv } from "../../frame/csv.js";
import { glmmAnova } from "../../glmm/anova.js";
import { fitGlmm } from "../../glmm/fit.js";
import { anova, anovaSummary, formatAnova } from "../../inference/anova.js";
import { fixedEffectsAnova, formatFixedAnova, parseDdfMethod } from "../../inference/ddf/index.js";
import { anovaLm, anovaMixedLm, BOUNDARY_NOTE, formatFTest, fTestJson } from "../../lm/anova.js";
import { LinearModel } from "../../lm/model.js";
import { ddfOption } from "./fit-ddf.js";
import { parseNAGQ, wantsGlmm } from "./fit-glmm.js";

interface AnovaCommandOptions {
  ml?: boolean;
  json?: boolean;
  type?: string;
  ddf?: string;
  family?: string;
  link?: string;
  nAGQ?: string;
  weights?: string;
}

export function registerAnova(program: Command): void {
  program
    .command("anova")
    .description(
      "likelihood-ratio test of nested models (lme4's anova; REML fits are refitted with ML), or with one formula " +
        "lmerTest's F tests of the fixed-effects terms",
    )
    .argument("<data>", "CSV file with a header row")
    .argument(
      "<formulas...>",
      'two or more lme4 formulas, e.g. "y ~ x + (1|g)" "y ~ x + (x|g)"; or one, for F tests of its terms',
    )
    .option("--ml", "fit the models by maximum likelihood directly (no REML fit and refit)")
    .option("--json", "print { Chisq, Df, p, logLik, AIC, BIC, refitted, ... } as JSON")
    .addOption(
      new Option("--type <type>", "one formula: type of the F tests (lmerTest's; default 3)").choices([
        "3",
        "2",
        "1",
      ]),
    )
    .addOption(ddfOption())
    .option("--family <name>", "compare GLMMs (binomial or poisson), as lme4's anova of glmer fits")
    .option("--link <name>", "link of the family")
    .option("--nAGQ <n>", "GLMM quadrature points (default 1, Laplace)")
    .option("--weights <column>", "GLMM prior weights (binomial trials)")
    .action(async (dataPath: string, formulas: string[], options: AnovaCommandOptions) => {
      const data = readCsv(dataPath);
      if (formulas.length === 1) {
        if (wantsGlmm(options))
          throw new SpruceError(
            "the F tests of one model are for linear mixed models: give two GLMM formulas",
          );
        const model = await fitMixed(formulas[0] as string, data, { REML: !options.ml });
        const table = fixedEffectsAnova(model, {
          type: Number(options.type ?? 3) as 1 | 2 | 3,
          ddf: parseDdfMethod(options.ddf ?? "satterthwaite"),
        });
        if (options.json) {
          for (const m of model.messages) process.stderr.write(`${m}\n`);
          const { terms, NumDF, DenDF, F, p, SumSq, MeanSq, type, method } = table;
          process.stdout.write(
            `${JSON.stringify({ terms, NumDF, DenDF, F, p, SumSq, MeanSq, type, ddfMethod: method }, null, 2)}\n`,
          );
          return;
        }
        process.stdout.write(`${formatFixedAnova(table)}\n`);
        return;
      }
      if (options.type || options.ddf)
        throw new SpruceError("--type and --ddf apply to the F tests of one model: give one formula");
      let result: ReturnType<typeof anova>;
      // Random effects against a model without them (lme4's anova(mixed, lm)): a boundary test.
      let againstLm = false;
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
        const linear = models.filter((m) => m instanceof LinearModel);
        if (linear.length === models.length) {
          // R's anova(lm0, lm1, ...): the F test.
          const f = anovaLm(linear);
          if (options.json) process.stdout.write(`${JSON.stringify(fTestJson(f), null, 2)}\n`);
          else process.stdout.write(`${formatFTest(f)}\n`);
          return;
        }
        const mixed = models.filter((m) => m instanceof LinearMixedModel);
        againstLm = linear.length > 0;
        result = againstLm ? anovaMixedLm(models) : anova(mixed);
      }
      if (options.json) {
        for (const m of result.messages) process.stderr.write(`${m}\n`);
        process.stdout.write(
          `${JSON.stringify(
            {
              ...anovaSummary(result),
              table: result.rows,
              // Random effects against a model without them: the χ² p-value is conservative (boundary).
              ...(againstLm ? { test: "LRT", conservative: true, note: BOUNDARY_NOTE } : {}),
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
