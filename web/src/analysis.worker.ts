/**
 * The page's analysis worker: reads the CSV, fits both models (lmer, or glmer for a GLMM family: ./glmm-report.ts),
 * compares them, draws the plots and runs the bootstrap, all off the page's thread, so that the page never freezes
 * (a 50,000-row fit takes seconds). The bootstrap's own Web Workers are started from here (nested workers).
 * Messages: ./analysis-protocol.ts.
 */
import * as Comlink from "comlink";
import { SpruceError } from "../../src/errors.js";
import { fitMixed as fitFormula } from "../../src/fit/fit.js";
import type { LinearMixedModel } from "../../src/fit/model.js";
import { FormulaError } from "../../src/formula/errors.js";
import { parseCsv } from "../../src/frame/csv.js";
import type { DataFrame } from "../../src/frame/frame.js";
import { fitGlmm } from "../../src/glmm/fit.js";
import { GeneralizedLinearMixedModel } from "../../src/glmm/model.js";
import { anova } from "../../src/inference/anova.js";
import { bootstrapLRT } from "../../src/inference/bootstrap.js";
import { confint } from "../../src/inference/confint.js";
import { defaultWorkerCount } from "../../src/parallel/browser.js";
import { plotGroupLines, plotResidualsByGroup } from "../../src/plot/lecture-model.js";
import { type NamedPlot, plotLrtBootstrap, plotModel } from "../../src/plot/model-plots.js";
import { compileKernels } from "../../src/wasm/load.js";
import type {
  AnalysisApi,
  BootstrapReply,
  BootstrapRequest,
  FitProblem,
  FitReport,
  FitRequest,
  LoadReply,
  SummaryTexts,
} from "./analysis-protocol.js";
import { describeFrame } from "./describe.js";
import { glmmFitReport } from "./glmm-report.js";
import { pairWarning, subsetFrame } from "./model-pair.js";
import { perWorkerTally, startTally, workerPool } from "./workers.js";

/** Profile intervals (lme4's default) up to this many observations; Wald intervals above (profiles take long). */
const PROFILE_MAX_NOBS = 5000;

/** A fitted model of the page: lmer's, or glmer's (family other than gaussian). */
type AnyModel = LinearMixedModel | GeneralizedLinearMixedModel;

interface State {
  frame?: DataFrame;
  source: string;
  m0?: AnyModel;
  m1?: AnyModel;
  controller?: AbortController;
}
const state: State = { source: "" };

function fieldProblem(error: unknown, field: "null" | "alt", formula: string): FitProblem {
  if (error instanceof FormulaError)
    return { ok: false, field, message: error.reason, position: error.position };
  const message = error instanceof Error ? error.message : String(error);
  // A column the data lacks, or one that holds the wrong kind of values: point at its name in the formula.
  const named = /'([^']+)'/.exec(message);
  if (error instanceof SpruceError && named?.[1]) {
    const at = findName(formula, named[1]);
    if (at >= 0) return { ok: false, field, message, position: at };
  }
  if (error instanceof SpruceError) return { ok: false, field, message };
  throw error;
}

/** Offset of `name` in the formula as a whole word (not inside a longer name), or −1. */
function findName(formula: string, name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`(?<![\\w.])${escaped}(?![\\w.])`).exec(formula);
  return match ? match.index : -1;
}

/** One model of the pair: lmer's fit, or glmer's for a GLMM family. */
function fitOne(formula: string, frame: DataFrame, request: FitRequest): Promise<AnyModel> {
  if (request.family && request.family !== "gaussian")
    return fitGlmm(formula, frame, {
      family: request.family,
      ...(request.link !== undefined ? { link: request.link } : {}),
    });
  return fitFormula(formula, frame, { REML: request.REML });
}

async function fitPair(request: FitRequest, frame: DataFrame): Promise<FitReport | FitProblem> {
  const t0 = performance.now();
  let m0: AnyModel;
  let m1: AnyModel;
  try {
    m0 = await fitOne(request.nullFormula, frame, request);
  } catch (error) {
    return fieldProblem(error, "null", request.nullFormula);
  }
  try {
    m1 = await fitOne(request.altFormula, frame, request);
  } catch (error) {
    return fieldProblem(error, "alt", request.altFormula);
  }
  const r0 = m0.design.rows;
  const r1 = m1.design.rows;
  const sameRows = r0.length === r1.length && r0.every((v, i) => v === r1[i]);
  if (!sameRows) {
    if (!request.sharedRows) {
      const in1 = new Set(r1);
      const shared = r0.filter((i) => in1.has(i)).length;
      return {
        ok: false,
        message:
          `The models use different rows: m0 ${r0.length}, m1 ${r1.length} (each drops the rows missing one of ` +
          `its own variables), so their likelihoods cannot be compared. ${shared} rows are complete for both.`,
        rowsDiffer: { n0: r0.length, n1: r1.length, shared },
      };
    }
    const in1 = new Set(r1);
    const shared = subsetFrame(frame, Int32Array.from(r0.filter((i) => in1.has(i))));
    const report = await fitPair({ ...request, sharedRows: false }, shared);
    if (report.ok) report.sharedRows = shared.nrow;
    return report;
  }
  state.m0 = m0;
  state.m1 = m1;
  if (m0 instanceof GeneralizedLinearMixedModel || m1 instanceof GeneralizedLinearMixedModel)
    return glmmFitReport(
      m0 as GeneralizedLinearMixedModel,
      m1 as GeneralizedLinearMixedModel,
      state.source,
      t0,
    );
  const warning = pairWarning(m0, m1);
  let anovaRows: FitReport["anova"] = { rows: [], note: "" };
  if (!warning || !/same number of parameters/.test(warning)) {
    const result = anova([m0, m1], { names: ["m0", "m1"] });
    const models = result.rows.map((row) => `${row.name}: ${row.formula}`).join("; ");
    anovaRows = { rows: result.rows, note: [...result.messages, `Models: ${models}.`].join(" ") };
  }
  const method = m1.nobs <= PROFILE_MAX_NOBS ? "profile" : "wald";
  const table = await confint(m1, { method });
  const plots = [...plotModel(m1, { maxPoints: 2500 }), ...(await lecturePlots(m1, frame))];
  return {
    ok: true,
    summaries: { null: summaryTexts(m0, state.source), alt: summaryTexts(m1, state.source) },
    anova: anovaRows,
    plots,
    intervals: {
      method: method === "profile" ? "profile likelihood" : "Wald (profiles are slow above 5,000 rows)",
      level: 0.95,
      rows: table.names.map((name, i) => ({
        name,
        estimate: finite(table.estimate[i]),
        lower: finite(table.lower[i]),
        upper: finite(table.upper[i]),
      })),
    },
    elapsedMs: performance.now() - t0,
    evaluations: [m0.optimizer.evaluations, m1.optimizer.evaluations],
    nobs: m1.nobs,
    ...(warning ? { pairWarning: warning } : {}),
  };
}

function finite(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}

const api: AnalysisApi = {
  async load(source: string, input: string | ArrayBuffer): Promise<LoadReply> {
    const text = typeof input === "string" ? input : new TextDecoder().decode(input);
    const frame = parseCsv(text, source);
    if (frame.nrow === 0) throw new SpruceError(`${source} has a header but no rows`);
    state.frame = frame;
    state.source = source;
    state.m0 = undefined;
    state.m1 = undefined;
    const preview = describeFrame(source, frame);
    return { preview, missingCells: preview.columns.reduce((sum, c) => sum + c.missing, 0) };
  },

  async fit(request: FitRequest): Promise<FitReport | FitProblem> {
    if (!state.frame) return { ok: false, message: "Load data first." };
    state.m0 = undefined;
    state.m1 = undefined;
    const report = await fitPair(request, state.frame);
    // Start the bootstrap's workers now: they load and warm up while the reader looks at the fit, so the first
    // bootstrap runs on warm workers (src/parallel/pool.ts, prestart).
    if (state.m0 && state.m1) workerPool.prestart(defaultWorkerCount(), await compileKernels());
    return report;
  },

  async bootstrap(request: BootstrapRequest, onProgress: (done: number) => void): Promise<BootstrapReply> {
    const { m0, m1 } = state;
    if (!m0 || !m1) throw new SpruceError("Fit the models first.");
    state.controller?.abort();
    const controller = new AbortController();
    state.controller = controller;
    startTally();
    const result = await bootstrapLRT(m0, m1, {
      ...request,
      signal: controller.signal,
      onProgress: (done) => onProgress(done),
      pool: workerPool,
    });
    const stats = Array.from(result.stats).filter(Number.isFinite);
    let above = 0;
    let atLeast = 0;
    for (const t of stats) {
      if (t > result.observed) above++;
      if (t >= result.observed) atLeast++;
    }
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
      above,
      atLeast,
      stats: Array.from(result.stats, (t) => (Number.isFinite(t) ? t : null)),
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
  },

  cancel(): void {
    state.controller?.abort();
  },
};

Comlink.expose(api);

/** The summary without p-values and with each ddf method's (a method that fails says why under the plain summary). */
function summaryTexts(m: LinearMixedModel, dataName: string): SummaryTexts {
  const none = m.summary({ dataName });
  const withDdf = (ddf: "Satterthwaite" | "Kenward-Roger"): string => {
    try {
      return m.summary({ dataName, ddf });
    } catch (error) {
      return `${none}\n\n${ddf}'s p-values are not available for this model: ${(error as Error).message}`;
    }
  };
  return {
    REML: m.REML,
    none,
    Satterthwaite: withDdf("Satterthwaite"),
    "Kenward-Roger": m.REML ? withDdf("Kenward-Roger") : null,
  };
}

/**
 * The lecture's two pictures, when the model's first grouping factor is a column of the data: the residuals grouped
 * by it (boxplots ordered by median) and the per-group lines of the fixed-effect-only fit (dashed) beside the
 * random-intercept fit (solid) against the first numeric fixed-effect variable. None otherwise.
 */
async function lecturePlots(model: LinearMixedModel, frame: DataFrame): Promise<NamedPlot[]> {
  const group = model.design.terms[0]?.group;
  if (!group || !frame.columns.has(group)) return [];
  const plots = [plotResidualsByGroup(model, frame, group)];
  const numeric = frame.names.find(
    (n) =>
      n !== model.design.response &&
      n !== group &&
      frame.columns.get(n)?.kind === "numeric" &&
      model.design.fixedNames.includes(n),
  );
  if (numeric) plots.push(await plotGroupLines(frame, model.design.response, numeric, group));
  return plots;
}
