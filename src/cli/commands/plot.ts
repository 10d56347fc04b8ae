import { join } from "node:path";
import type { Command } from "commander";
import { DataError } from "../../errors.js";
import { analyzeFormula } from "../../formula/model.js";
import { readCsv } from "../../frame/csv.js";
import type { DataFrame } from "../../frame/frame.js";
import { fitLinearModel } from "../../lm/fit.js";
import { plotGroupLines, plotResidualsByGroup } from "../../plot/lecture-model.js";
import { type NamedPlot, plotModel } from "../../plot/model-plots.js";
import { MAX_FILE_FLAG, readOptions } from "../fit-flags.js";
import { prepareOutputDir, writeOutputFile } from "../output-dir.js";
import { runFit } from "./fit.js";
import { writePowerPlot } from "./power-plot.js";

interface PlotOptions {
  ml?: boolean;
  out: string;
  power?: string;
  dropNan?: boolean;
  maxFileMb?: string;
  group?: string;
  x?: string;
}

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
    .argument("[data]", "CSV file with a header row (NA or empty cells are missing)")
    .argument("[formula]", 'lme4 formula, e.g. "Reaction ~ Days + (Days | Subject)", or an lm formula')
    .option("--ml", "maximum likelihood instead of REML")
    .option(
      "--group <column>",
      "also draw the lecture's pictures: residuals grouped by this column, and per-group fixed vs random-intercept lines",
    )
    .option(
      "--x <column>",
      "numeric column for the group lines (default: the first numeric fixed-effect variable)",
    )
    .option(
      "--power <file.json>",
      "instead: the power curve of a `spruce power --json` (or merge --json) result",
    )
    .requiredOption("--out <dir>", "folder for the SVG files (created if missing)")
    .option(
      "--drop-nan",
      "drop rows where a transform such as log(x) gives NaN (default: an error naming the term)",
    )
    .option(...MAX_FILE_FLAG)
    .action(async (dataPath: string | undefined, formula: string | undefined, options: PlotOptions) => {
      if (options.power !== undefined) {
        if (dataPath !== undefined || formula !== undefined || options.ml)
          throw new DataError(
            "spruce plot --power FILE.json takes no DATA, FORMULA or --ml (the result holds them)",
          );
        process.stdout.write(`${writePowerPlot(options.power, options.out)}\n`);
        return;
      }
      if (dataPath === undefined || formula === undefined)
        throw new DataError("spruce plot needs DATA and FORMULA (or --power FILE.json)");
      // The folder first: a bad --out is reported before the fit, not after it.
      const dir = prepareOutputDir(options.out);
      const data = readCsv(dataPath, readOptions(options));
      const spec = analyzeFormula(formula, { columns: data.names });
      const plots: NamedPlot[] = [];
      const group = options.group;
      if (spec.random.length === 0) {
        if (!group)
          throw new DataError("a model without random effects has no grouping factor: give --group COLUMN");
        plots.push(plotResidualsByGroup(fitLinearModel(formula, data), data, group));
      } else {
        const { model } = await runFit(dataPath, formula, {
          ml: options.ml,
          dropNan: options.dropNan,
          maxFileMb: options.maxFileMb,
        });
        for (const m of model.messages) process.stderr.write(`${m}\n`);
        plots.push(...plotModel(model));
        if (group) plots.push(plotResidualsByGroup(model, data, group));
      }
      const x = options.x ?? firstNumericVariable(spec.fixed.variableNames, data);
      if (group && x) plots.push(await plotGroupLines(data, spec.responseName, x, group));
      for (const p of plots) {
        const path = join(dir, `${p.name}.svg`);
        writeOutputFile(path, p.svg);
        process.stdout.write(`${path}\n`);
      }
    });
}

/** The first fixed-effect variable that is a numeric column of the data (time in size ~ treat * time). */
function firstNumericVariable(names: readonly string[], data: DataFrame): string | undefined {
  return names.find((n) => data.columns.get(n)?.kind === "numeric");
}
