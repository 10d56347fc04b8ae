/**
 * What the diagnostics need from a fitted model: the design, the engine that fitted it, the criterion and θ̂.
 * `LinearMixedModel` (src/fit/model.ts) has these members; taking the minimal shape keeps the diagnostics usable
 * with any engine (the wasm one, or the dense test oracle) and testable on their own.
 */

import type { Design } from "../design/types.js";
import type { PlsEngine, PlsSolution } from "../fit/engine.js";
import { checkArgument, isFittedModel } from "../validate/options.js";

export interface FittedLmm {
  readonly design: Design;
  readonly engine: PlsEngine;
  readonly REML: boolean;
  readonly theta: ArrayLike<number>;
}

const solutions = new WeakMap<object, PlsSolution>();

/** The PLS solution at θ̂ (cached per model object: one solve serves every diagnostic). */
export function modelSolution(model: FittedLmm): PlsSolution {
  // Every diagnostic starts here: a wrong argument is named rather than failing inside.
  checkArgument("the model argument", "model", model, isFittedModel);
  let s = solutions.get(model);
  if (!s || !sameTheta(s.theta, model.theta) || s.reml !== model.REML) {
    s = model.engine.solve(Float64Array.from(model.theta), model.REML);
    solutions.set(model, s);
  }
  return s;
}

function sameTheta(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The p_t×p_t lower-triangular template T_t of each term from θ (lme4's column-wise lower triangle). */
export function thetaTemplates(design: Design, theta: ArrayLike<number>): Float64Array[] {
  let k = 0;
  return design.terms.map((t) => {
    const p = t.columns.length;
    const T = new Float64Array(p * p);
    for (let j = 0; j < p; j++) for (let i = j; i < p; i++) T[i * p + j] = theta[k++] as number;
    return T;
  });
}

/** Fitted values Xβ̂ + Zb̂ from a solution (b̂ in the engine's order: term by term, level-major). */
export function fittedValues(design: Design, beta: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const { n, X } = design;
  const p = design.fixedNames.length;
  const out = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const bj = beta[j] as number;
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (X[j * n + i] as number) * bj;
  }
  let offset = 0;
  for (const t of design.terms) {
    const pt = t.columns.length;
    for (let i = 0; i < n; i++) {
      const base = offset + (t.refs[i] as number) * pt;
      let s = 0;
      for (let j = 0; j < pt; j++) s += (t.z[i * pt + j] as number) * (b[base + j] as number);
      out[i] = (out[i] as number) + s;
    }
    offset += t.levels.length * pt;
  }
  return out;
}
