import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { DataError } from "../../errors.js";
import { analyzeFormula } from "../../formula/model.js";
import { readCsv } from "../../frame/csv.js";
import type { DataFrame } from "../../frame/frame.js";
import { fitLinearModel } from "../../lm/fit.js";
import { plotGroupLines, plotResidualsByGroup } from "../../plot/lecture-model.js";
import { type NamedPlot, plotModel } from "../../plot/model-plots.js";
import { runFit } from "./fit.js";

/**
 * `spruce plot DATA.csv "FORMULA" [--ml] [--group G] [--x X] --out DIR`: fit the model and write its plots as
 * standalone SVG files, printing one path per line. A mixed model gets its diagnostic plots (residuals vs fitted,
 * QQ of the residuals and of each random effect, Cook's distance, observed vs fitted by group); every model gets
 * the lecture's two pictures when a grouping column is given (--group; required for a model without random effects):
 * its residuals grouped by that column (boxplots ordered by median), and the per-group lines of the
 * fixed-effect-only fit `y ~ group + x` (dashed) beside the random-intercept fit `y ~ x + (1 | group)` (solid).
 */
export function registerPlot(program: Command): void {
  program
    .command("plot")
    .description("fit a model and write its plots (SVG) to a folder")
    .argument("<data>", "CSV file with a header row (NA or empty cells are missing)")
    .argument("<formula>", 'lme4 formula, e.g. "Reaction ~ Days + (Days | Subject)", or an lm formula')
    .option("--ml", "maximum likelihood instead of REML")
    .option(
      "--group <column>",
      "also draw the lecture's pictures: residuals grouped by this column, and per-group fixed vs random-intercept lines",
    )
    .option(
      "--x <column>",
      "numeric column for the group lines (default: the first numeric fixed-effect variable)",
    )
    .requiredOption("--out <dir>", "folder for the SVG files (created if missing)")
    .action(
      async (
        dataPath: string,
        formula: string,
        options: { ml?: boolean; out: string; group?: string; x?: string },
      ) => {
        const data = readCsv(dataPath);
        const spec = analyzeFormula(formula, { columns: data.names });
        const plots: NamedPlot[] = [];
        const group = options.group;
        if (spec.random.length === 0) {
          if (!group)
            throw new DataError("a model without random effects has no grouping factor: give --group COLUMN");
          plots.push(plotResidualsByGroup(fitLinearModel(formula, data), data, group));
        } else {
          const { model } = await runFit(dataPath, formula, { ml: options.ml });
          for (const m of model.messages) process.stderr.write(`${m}\n`);
          plots.push(...plotModel(model));
          if (group) plots.push(plotResidualsByGroup(model, data, group));
        }
        const x = options.x ?? firstNumericVariable(spec.fixed.variableNames, data);
        if (group && x) plots.push(await plotGroupLines(data, spec.responseName, x, group));
        const dir = resolve(options.out);
        try {
          mkdirSync(dir, { recursive: true });
        } catch (error) {
          throw new DataError(`cannot create the output folder ${dir}: ${(error as Error).message}`);
        }
        for (const p of plots) {
          const path = join(dir, `${p.name}.svg`);
          writeFileSync(path, p.svg);
          process.stdout.write(`${path}\n`);
        }
      },
    );
}

/** The first fixed-effect variable that is a numeric column of the data (time in size ~ treat * time). */
function firstNumericVariable(names: readonly string[], data: DataFrame): string | undefined {
  return names.find((n) => data.columns.get(n)?.kind === "numeric");
}
