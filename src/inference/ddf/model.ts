/**
 * What the degrees-of-freedom methods read from a fitted model: the design, the PLS solution at the estimates and
 * the residuals. LinearMixedModel has all of these; keeping the contract here keeps inference/ddf free of the fit
 * module (report/summary.ts, which the model imports, calls into this folder).
 */
import type { Design } from "../../design/types.js";
import type { PlsSolution } from "../../fit/engine.js";

export interface DdfModel {
  readonly design: Design;
  readonly solution: PlsSolution;
  readonly REML: boolean;
  /** y − Xβ̂ − Zb̂. */
  residuals(): Float64Array;
}

/** The two methods, named as lmerTest names them (its `ddf` argument). */
export type DdfMethod = "Satterthwaite" | "Kenward-Roger";

/** Accepts lmerTest's names and the CLI's lower-case ones. */
export function parseDdfMethod(name: string): DdfMethod {
  const key = name.toLowerCase().replace(/[^a-z]/g, "");
  if (key === "satterthwaite") return "Satterthwaite";
  if (key === "kenwardroger" || key === "kr") return "Kenward-Roger";
  throw new RangeError(`unknown ddf method '${name}': use Satterthwaite or Kenward-Roger`);
}
