// Small dense blocks (p₁×p₁ of term 1): Cholesky, lower-triangular inverse and Gram product, inlined into the
// per-level loops (docs/architecture.md, "The blocked factor").

import { ld, st } from "./access";

/** Small in-place Cholesky of a p×p column-major block (SPD by construction: ≥ I). */
@inline export function smallChol(a: usize, p: i32): void {
  for (let j = 0; j < p; j++) {
    let d = ld(a, j + j * p);
    for (let k = 0; k < j; k++) {
      const v = ld(a, j + k * p);
      d -= v * v;
    }
    d = Math.sqrt(d);
    st(a, j + j * p, d);
    for (let i = j + 1; i < p; i++) {
      let s = ld(a, i + j * p);
      for (let k = 0; k < j; k++) s -= ld(a, i + k * p) * ld(a, j + k * p);
      st(a, i + j * p, s / d);
    }
  }
}

/** inv ← l⁻¹ for a small lower-triangular p×p block (column-major), by columns; the strict upper part is zeroed. */
@inline export function smallLowerInverse(l: usize, inv: usize, p: i32): void {
  for (let j = 0; j < p; j++) {
    st(inv, j + j * p, 1.0 / ld(l, j + j * p));
    for (let i = j + 1; i < p; i++) {
      let s = 0.0;
      for (let k = j; k < i; k++) s += ld(l, i + k * p) * ld(inv, k + j * p);
      st(inv, i + j * p, -s / ld(l, i + i * p));
    }
    for (let i = 0; i < j; i++) st(inv, i + j * p, 0.0);
  }
}

/** out ← lᵀl (p×p, full) for a small lower-triangular l (column-major). */
@inline export function smallLowerGram(l: usize, out: usize, p: i32): void {
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      let s = 0.0;
      const k0 = a > b ? a : b;
      for (let k = k0; k < p; k++) s += ld(l, k + a * p) * ld(l, k + b * p);
      st(out, a + b * p, s);
    }
}
