/**
 * Diagnostics as JSON with the field layout of lme4's extras (test/fixtures/conformance/extras_*.json, written by
 * runner/lme4_extras.R with jsonlite's auto_unbox): a length-1 vector becomes a scalar, so a one-column term's
 * `terms` is a string and its per-level conditional variance a number. `spruce fit --json --diagnostics` prints this.
 */
import { ranefCondVar } from "./condvar.js";
import { hatvalues } from "./hat.js";
import type { FittedLmm } from "./model.js";
import { cooksDistance, residuals } from "./residuals.js";

export type Unboxed<T> = T | T[];

export interface DiagnosticsJson {
  hatvalues: number[];
  cooksDistance: number[];
  pearsonResiduals: number[];
  scaledResiduals: number[];
  ranefCondVar: { group: string; terms: Unboxed<string>; condVar: (number | number[][])[] }[];
}

/** jsonlite's auto_unbox: a length-1 array is written as its element. */
export function unbox<T>(values: T[]): Unboxed<T> {
  return values.length === 1 ? (values[0] as T) : values;
}

export function diagnosticsJson(model: FittedLmm): DiagnosticsJson {
  return {
    hatvalues: Array.from(hatvalues(model)),
    cooksDistance: Array.from(cooksDistance(model)),
    pearsonResiduals: Array.from(residuals(model, { type: "pearson" })),
    scaledResiduals: Array.from(residuals(model, { scaled: true })),
    ranefCondVar: ranefCondVar(model).map((g) => ({
      group: g.group,
      terms: unbox(g.terms),
      condVar: g.condVar.map((m) => (g.terms.length === 1 ? ((m[0] as number[])[0] as number) : m)),
    })),
  };
}
