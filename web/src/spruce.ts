/**
 * What the page asks of the library, in one place: fit a formula, compare two fits, print a summary, draw the
 * plots, and run the likelihood-ratio bootstrap in Web Workers. Everything here is spruce's own code from src/
 * (the same functions the CLI and Node programs call); this module only shapes the results for the page.
 */
// Imported under another name: biome reads a bare `fit(...)` call as a focused jasmine test.
import { fitMixed as fitFormula } from "../../src/fit/fit.js";
import type { LinearMixedModel } from "../../src/fit/model.js";
import type { DataFrame } from "../../src/frame/frame.js";
import { type AnovaRow, anova } from "../../src/inference/anova.js";
import { bootstrapLRT } from "../../src/inference/bootstrap.js";
import { plotLrtBootstrap } from "../../src/plot/model-plots.js";
import type { BootstrapRunner } from "./bootstrap-panel.js";
import { perWorkerTally, startTally, workerPool } from "./workers.js";

export interface Comparison {
  rows: AnovaRow[];
  /** What the page says above the table: the models, and lme4's messages (REML fits refitted by ML). */
  note: string;
}

export interface FittedPair {
  m0: LinearMixedModel;
  m1: LinearMixedModel;
  comparison: Comparison;
  /** Where the data came from (a file or example name), shown as lme4's "Data:". */
  source: string;
}

export function fitModel(formula: string, frame: DataFrame, REML: boolean): Promise<LinearMixedModel> {
  return fitFormula(formula, frame, { REML });
}

export function compareModels(m0: LinearMixedModel, m1: LinearMixedModel): Comparison {
  const result = anova([m0, m1], { names: ["m0", "m1"] });
  const models = result.rows.map((row) => `${row.name}: ${row.formula}`).join("; ");
  return { rows: result.rows, note: [...result.messages, `Models: ${models}.`].join(" ") };
}

/** lme4's summary() text; `dataName` is what lme4 prints as "Data:" (the file or example's name). */
export function summaryText(model: LinearMixedModel, dataName: string): string {
  return model.summary({ dataName });
}

/**
 * The bootstrap of m0 within m1, run by the library's pool in module Web Workers (one wasm instance each); the
 * workers stay warm between runs.
 */
export function bootstrapRunner({ m0, m1 }: FittedPair): BootstrapRunner {
  return async ({ nsim, seed, workers, signal, onProgress }) => {
    startTally();
    const result = await bootstrapLRT(m0, m1, {
      nsim,
      seed,
      workers,
      signal,
      onProgress: (done) => onProgress(done),
      pool: workerPool,
    });
    const stats = Array.from(result.stats).filter(Number.isFinite);
    const histogram = plotLrtBootstrap({
      replicates: stats,
      observed: result.observed,
      df: result.df,
      pValueBootstrap: result.pBootstrap,
      pValueChisq: result.pChisq,
      ...(result.partial
        ? { title: `Parametric bootstrap of the LRT (partial: ${stats.length} replicates)` }
        : {}),
    });
    return {
      observed: result.observed,
      df: result.df,
      pChisq: result.pChisq,
      pBootstrap: result.pBootstrap,
      pExceed: result.pExceed,
      stats,
      requested: result.nsim,
      done: result.completed,
      failures: result.failures.count,
      partial: result.partial,
      workers: result.workers,
      perWorker: perWorkerTally(),
      elapsedMs: result.elapsedMs,
      seed: result.seed,
      histogram: histogram.svg,
    };
  };
}
