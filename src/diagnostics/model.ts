/**
 * What the diagnostics need from a fitted model: the design, the engine that fitted it, the criterion and θ̂.
 * `LinearMixedModel` (src/fit/model.ts) has these members; taking the minimal shape keeps the diagnostics usable
 * with any engine (the wasm one, or the dense test oracle) and testable on their own.
 */
import { addOffset, addRandomPart, fixedPart } from "../design/linear-predictor.js";
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

/** Fitted values offset + Xβ̂ + Zb̂ from a solution (b̂ in the engine's order: term by term, level-major). */
export function fittedValues(design: Design, beta: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const terms = design.terms.map((t) => ({
    p: t.columns.length,
    nlevels: t.levels.length,
    refs: t.refs,
    z: t.z,
  }));
  return addRandomPart(addOffset(fixedPart(design.n, design.X, beta), design.offset), terms, b);
}
