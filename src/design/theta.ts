/**
 * θ and the random effects' layout, one home (docs/architecture.md, "The profiled deviance"): term t's template
 * T_t is p_t×p_t lower triangular and θ lists its lower triangle column by column, term by term (lme4's order);
 * the random effects u, b are term by term in design order and level-major inside a term,
 * b[offset_t + level·p_t + j].
 */
import type { Design } from "./types.js";

/** The shape of a random-effects term: its number of levels and of columns. */
export interface TermShape {
  nlevels: number;
  p: number;
}

/** The shapes of a design's terms. */
export function termShapes(design: Pick<Design, "terms">): TermShape[] {
  return design.terms.map((t) => ({ nlevels: t.levels.length, p: t.columns.length }));
}

/** Number of θ entries of a term with p columns: the lower triangle of a p×p template. */
export function templateSize(p: number): number {
  return (p * (p + 1)) / 2;
}

/** Position of T[i, j] (i ≥ j) inside its term's stretch of θ. */
export function lowerIndex(p: number, i: number, j: number): number {
  return j * p - (j * (j - 1)) / 2 + (i - j);
}

/** The templates T_t from θ, each p_t×p_t row-major (T[i·p + j], zero above the diagonal). */
export function thetaTemplates(shapes: readonly { p: number }[], theta: ArrayLike<number>): Float64Array[] {
  let k = 0;
  return shapes.map(({ p }) => {
    const T = new Float64Array(p * p);
    for (let j = 0; j < p; j++) for (let i = j; i < p; i++) T[i * p + j] = theta[k++] as number;
    return T;
  });
}

/** Offset of each term's random effects in u and b, and their total q (the last entry). */
export function termOffsets(shapes: readonly TermShape[]): number[] {
  const out: number[] = [];
  let q = 0;
  for (const t of shapes) {
    out.push(q);
    q += t.nlevels * t.p;
  }
  out.push(q);
  return out;
}
