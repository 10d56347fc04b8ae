/**
 * What the page and its analysis worker (analysis.worker.ts) say to each other. Everything here is plain data
 * (structured-clone friendly): the models stay in the worker, the page gets text, rows, SVG strings and numbers.
 */
import type { AnovaRow } from "../../src/inference/anova.js";
import type { NamedPlot } from "../../src/plot/model-plots.js";
import type { DataPreview } from "./preview-types.js";

export interface LoadReply {
  preview: DataPreview;
  /** Cells missing in all columns. */
  missingCells: number;
}

export interface FitRequest {
  nullFormula: string;
  altFormula: string;
  REML: boolean;
  /** Fit both models on the rows complete for both (offered when they drop different incomplete rows). */
  sharedRows?: boolean;
  /** "gaussian" (default: lmer) or a GLMM family (glmer, Laplace; REML does not apply), with its link. */
  family?: "gaussian" | "binomial" | "poisson";
  link?: string;
}

/** An error the page shows at a formula field (with a caret at `position`), or under the Fit button. */
export interface FitProblem {
  ok: false;
  /** Which formula it belongs to, if any. */
  field?: "null" | "alt";
  message: string;
  /** 0-based offset in that formula of the part at fault. */
  position?: number;
  /** The models drop different incomplete rows: how many rows both can use. */
  rowsDiffer?: { n0: number; n1: number; shared: number };
}

export interface IntervalRow {
  name: string;
  estimate: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * A model's summary text without p-values (lme4's) and with lmerTest's Satterthwaite or pbkrtest's Kenward–Roger
 * df and p-values (the page's p-value switch); Kenward–Roger is null for an ML fit, which it does not apply to.
 */
export interface SummaryTexts {
  REML: boolean;
  /** A GLMM's summary (glmer's layout, Wald z tests): the p-value switch does not apply. */
  glmm?: boolean;
  none: string;
  Satterthwaite: string;
  "Kenward-Roger": string | null;
}

export interface FitReport {
  ok: true;
  summaries: { null: SummaryTexts; alt: SummaryTexts };
  anova: { rows: AnovaRow[]; note: string };
  /** m1's diagnostic plots. */
  plots: NamedPlot[];
  intervals: { method: string; level: number; rows: IntervalRow[] };
  /** Wall time in the worker: building the designs, both fits, the comparison and the plots. */
  elapsedMs: number;
  evaluations: [number, number];
  nobs: number;
  /** A problem with the pair (swapped, not nested): shown as a warning; no bootstrap is offered then. */
  pairWarning?: string;
  /** Set when the models were fitted on the rows both can use. */
  sharedRows?: number;
}

export interface BootstrapRequest {
  nsim: number;
  seed: number;
  workers: number;
}

export interface BootstrapReply {
  observed: number;
  df: number;
  pChisq: number;
  pBootstrap: number;
  pExceed: number;
  /** Replicates with T* > T and T* ≥ T. */
  above: number;
  atLeast: number;
  /** T* of each replicate by index (null: failed or not run). */
  stats: (number | null)[];
  requested: number;
  done: number;
  failures: number;
  partial: boolean;
  workers: number;
  perWorker: number[];
  elapsedMs: number;
  seed: number;
  histogram: string;
}

export interface AnalysisApi {
  /** A CSV's text, or its bytes (transferred; decoded in the worker, not on the page's thread). */
  load(source: string, text: string | ArrayBuffer): Promise<LoadReply>;
  fit(request: FitRequest): Promise<FitReport | FitProblem>;
  bootstrap(request: BootstrapRequest, onProgress: (done: number) => void): Promise<BootstrapReply>;
  cancel(): void;
}
