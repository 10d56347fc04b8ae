/**
 * What the report layer reads from a fitted model: a plain view, so that src/report/ depends on the results'
 * types only and src/fit/model.ts (whose toJSON() and summary() call the report layer) on src/report/ — no
 * import cycle (scripts/check-structure.mjs). `LinearMixedModel` satisfies it as it is.
 */
import type { Design } from "../design/types.js";
import type { PlsSolution } from "../fit/engine.js";
import type { OptimizerReport, RanefGroup } from "../fit/results.js";
import type { VarCorrBlock, VarCorrRow } from "../fit/varcorr.js";

export interface FittedModelView {
  readonly design: Design;
  readonly formula: string;
  /** The penalised least-squares solution at θ̂ (the ddf tables of summary({ ddf }) read it). */
  readonly solution: PlsSolution;
  readonly REML: boolean;
  readonly nobs: number;
  readonly p: number;
  readonly npar: number;
  readonly dfResidual: number;
  readonly ngrps: Record<string, number>;
  readonly objective: number;
  readonly sigma: number;
  readonly theta: Float64Array;
  readonly singular: boolean;
  readonly messages: readonly string[];
  readonly optimizer: OptimizerReport;
  logLik(): number;
  AIC(): number;
  BIC(): number;
  deviance(): number;
  remlCriterion(): number;
  fixef(): Record<string, number>;
  se(): Record<string, number>;
  vcov(): number[][];
  varCorr(): VarCorrRow[];
  varCorrBlocks(): VarCorrBlock[];
  ranef(): RanefGroup[];
  fitted(): Float64Array;
  residuals(): Float64Array;
}
