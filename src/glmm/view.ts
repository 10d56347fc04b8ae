/**
 * What the GLMM report (./report.ts: glmer's summary and the JSON) reads from a fitted model: a plain view, so that
 * the report depends on the results' types and ./model.ts (whose summary() and toJSON() call the report) on the
 * report, without an import cycle (scripts/check-structure.mjs). `GeneralizedLinearMixedModel` satisfies it.
 */
import type { Design } from "../design/types.js";
import type { RanefGroup } from "../fit/results.js";
import type { VarCorrRow } from "../fit/varcorr.js";
import type { Family } from "./family.js";
import type { GlmmFitResult } from "./fit-glmm.js";

export type GlmmResidualType = "deviance" | "pearson" | "response" | "working";

export interface GlmmView {
  readonly design: Design;
  readonly result: GlmmFitResult;
  readonly family: Family;
  readonly nAGQ: number;
  readonly messages: readonly string[];
  readonly weightsName: string | undefined;
  readonly formula: string;
  readonly theta: Float64Array;
  readonly nobs: number;
  readonly npar: number;
  readonly dfResidual: number;
  readonly singular: boolean;
  readonly converged: boolean;
  readonly ngrps: Record<string, number>;
  readonly objective: number;
  fixef(): Record<string, number>;
  vcov(): number[][];
  se(): Record<string, number>;
  logLik(): number;
  AIC(): number;
  BIC(): number;
  deviance(): number;
  varCorr(): VarCorrRow[];
  ranef(options?: { condVar?: boolean }): RanefGroup[];
  fitted(): Float64Array;
  residuals(type?: GlmmResidualType): Float64Array;
}
