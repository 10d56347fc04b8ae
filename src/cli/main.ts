#!/usr/bin/env node
/**
 * The `spruce` command. Each subcommand lives in its own module under ./commands and registers itself here.
 * Errors the user can fix (formula, data, model) are printed as one clear message, never a stack trace.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerAnova } from "./commands/anova.js";
import { registerBoot } from "./commands/boot.js";
import { registerDemo } from "./commands/demo.js";
import { registerFit } from "./commands/fit.js";
import { ddfFitExtension } from "./commands/fit-ddf.js";
import { diagnosticsFitExtension } from "./commands/fit-diagnostics.js";
import { registerFormula } from "./commands/formula.js";
import { registerMerge } from "./commands/merge.js";
import { registerPlot } from "./commands/plot.js";
import { registerPower } from "./commands/power.js";
import { reportError } from "./errors.js";

const program = new Command();
program
  .name("spruce")
  .description("Linear mixed-effects models with lme4's formulas, fitted in WebAssembly")
  .version(packageVersion(), "-V, --version", "print spruce's version")
  .showHelpAfterError();

/** The version in package.json (../../package.json from src/cli and from dist/cli alike). */
function packageVersion(): string {
  return (
    JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
}

registerFormula(program);
registerFit(program, [diagnosticsFitExtension, ddfFitExtension]);
registerAnova(program);
registerBoot(program);
registerMerge(program);
registerPlot(program);
registerPower(program);
registerDemo(program);

// Output piped into a reader that stops early (`spruce boot ... | head`): stop quietly, as other tools do.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportError(error);
});
