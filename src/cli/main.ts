#!/usr/bin/env node
/**
 * The `spruce` command. Each subcommand lives in its own module under ./commands and registers itself here.
 * Errors the user can fix (formula, data, model) are printed as one clear message, never a stack trace.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
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

/**
 * Each command's module, imported only when the command line needs it: `spruce boot` loads the bootstrap's
 * modules and not the plots', the power simulation's or the degrees of freedom's. Why: a cold `spruce boot` parses
 * and compiles less on the main thread while its early workers start, and enters the bootstrap with ~1.2 MB less old
 * space, so that the main thread's first full collection (at ~9 MB) is not due while the workers run the
 * replicates. With no command, an unknown one or `help`, every command is registered (the listing, the error).
 */
const COMMANDS: Record<string, (program: Command) => Promise<void>> = {
  formula: async (p) => (await import("./commands/formula.js")).registerFormula(p),
  fit: async (p) => {
    const [{ registerFit }, { diagnosticsFitExtension }, { ddfFitExtension }] = await Promise.all([
      import("./commands/fit.js"),
      import("./commands/fit-diagnostics.js"),
      import("./commands/fit-ddf.js"),
    ]);
    registerFit(p, [diagnosticsFitExtension, ddfFitExtension]);
  },
  anova: async (p) => (await import("./commands/anova.js")).registerAnova(p),
  boot: async (p) => (await import("./commands/boot.js")).registerBoot(p),
  merge: async (p) => (await import("./commands/merge.js")).registerMerge(p),
  plot: async (p) => (await import("./commands/plot.js")).registerPlot(p),
  power: async (p) => (await import("./commands/power.js")).registerPower(p),
  demo: async (p) => (await import("./commands/demo.js")).registerDemo(p),
};

const named = process.argv[2];
const needed = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
for (const name of needed) await (COMMANDS[name] as (program: Command) => Promise<void>)(program);

// Output piped into a reader that stops early (`spruce boot ... | head`): stop quietly, as other tools do.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportError(error);
});
