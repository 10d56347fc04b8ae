/**
 * The linear predictor Xβ + Zb, one home: fitted values, predictions on new data and simulated responses all add
 * the same two parts in the same order (so the numbers agree to the last bit wherever they are formed).
 * b in the engine's order (src/design/theta.ts): term by term, level-major.
 */
import { termOffsets } from "./theta.js";

/** The parts of a design that the random part reads: per term the level of each row and the model matrix. */
export interface RandomPartTerm {
  /** Columns of the term. */
  p: number;
  /** Number of levels (for the offsets in b). */
  nlevels: number;
  /** Level of each row; a negative level (unseen in new data) contributes nothing. */
  refs: Int32Array;
  /** n × p row-major. */
  z: Float64Array;
}

/** out (length n) ← Xβ, X n × p column-major. */
export function fixedPart(
  n: number,
  X: Float64Array,
  beta: ArrayLike<number>,
  out = new Float64Array(n),
): Float64Array {
  out.fill(0);
  for (let j = 0; j < beta.length; j++) {
    const bj = beta[j] as number;
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (X[j * n + i] as number) * bj;
  }
  return out;
}

/** out += Zb, term by term: for each row the term's Σ_j z_ij b_{level, j}. `offsets`: termOffsets(terms). */
export function addRandomPart(
  out: Float64Array,
  terms: readonly RandomPartTerm[],
  b: ArrayLike<number>,
  offsets: readonly number[] = termOffsets(terms),
): Float64Array {
  // A loop, not forEach: a bootstrap replicate calls this once, and the callback's closure was its garbage.
  for (let ti = 0; ti < terms.length; ti++) {
    const base0 = offsets[ti] as number;
    const { p, refs, z } = terms[ti] as RandomPartTerm;
    for (let i = 0; i < out.length; i++) {
      const level = refs[i] as number;
      if (level < 0) continue;
      const base = base0 + level * p;
      let s = 0;
      for (let j = 0; j < p; j++) s += (z[i * p + j] as number) * (b[base + j] as number);
      out[i] = (out[i] as number) + s;
    }
  }
  return out;
}

/** out += offset (R's offset() terms, summed), when there is one. */
export function addOffset(out: Float64Array, offset: ArrayLike<number> | undefined): Float64Array {
  if (offset) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (offset[i] as number);
  return out;
}
