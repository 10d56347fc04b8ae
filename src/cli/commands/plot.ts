import { join } from "node:path";
import type { Command } from "commander";
import { DataError } from "../../errors.js";
import { plotModel } from "../../plot/model-plots.js";
import { MAX_FILE_FLAG } from "../fit-flags.js";
import { prepareOutputDir, writeOutputFile } from "../output-dir.js";
import { runFit } from "./fit.js";
import { writePowerPlot } from "./power-plot.js";

interface PlotOptions {
  ml?: boolean;
  out: string;
  power?: string;
  dropNan?: boolean;
  maxFileMb?: string;
}

/**
 * `spruce plot DATA.csv "FORMULA" [--ml] --out DIR`: fit the model and write its diagnostic plots as standalone SVG
 * files (residuals vs fitted, QQ of the residuals and of each random effect, Cook's distance, observed vs fitted by
 * group), printing one path per line.
 */
export function registerPlot(program: Command): void {
  program
    .command("plot")
    .description("fit a model and write its diagnostic plots (SVG) to a folder")
    .argument("[data]", "CSV file with a header row (NA or empty cells are missing)")
    .argument("[formula]", 'lme4 formula, e.g. "Reaction ~ Days + (Days | Subject)"')
    .option("--ml", "maximum likelihood instead of REML")
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
      const { model } = await runFit(dataPath, formula, {
        ml: options.ml,
        dropNan: options.dropNan,
        maxFileMb: options.maxFileMb,
      });
      for (const m of model.messages) process.stderr.write(`${m}\n`);
      for (const p of plotModel(model)) {
        const path = join(dir, `${p.name}.svg`);
        writeOutputFile(path, p.svg);
        process.stdout.write(`${path}\n`);
      }
    });
}
