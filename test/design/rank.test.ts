/**
 * The rank check (src/design/rank.ts: Cholesky of XᵀX in column order, passing over aliased pivots; XᵀX from
 * src/design/gram.ts) against an independent computation on X itself: Householder QR in column order with
 * LINPACK dqrdc2's limited pivoting (R's qr(), which lme4's chkRank.drop.cols calls with tol 1e-7): a column
 * whose remaining norm after the kept columns' reflections is below tol × its own norm moves to the end. And the
 * Gram matrix against plain dot products, bit for bit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gramLower } from "../../src/design/gram.js";
import { keepFullRank } from "../../src/design/rank.js";

/** dqrdc2's decisions by Householder reflections on a copy of X (columns in order, aliased ones set aside). */
function householderKeep(columns: readonly Float64Array[], tol = 1e-7): boolean[] {
  const n = columns[0]?.length ?? 0;
  const reflectors: Float64Array[] = [];
  const keep: boolean[] = [];
  for (const c of columns) {
    const x = Float64Array.from(c);
    let norm0 = 0;
    for (let i = 0; i < n; i++) norm0 += (x[i] as number) ** 2;
    norm0 = Math.sqrt(norm0);
    // Apply the reflections of the kept columns (H = I − 2 v vᵀ, v unit, acting on rows k … n − 1).
    reflectors.forEach((v, k) => {
      let dot = 0;
      for (let i = k; i < n; i++) dot += (v[i] as number) * (x[i] as number);
      for (let i = k; i < n; i++) x[i] = (x[i] as number) - 2 * dot * (v[i] as number);
    });
    const k = reflectors.length;
    let rest = 0;
    for (let i = k; i < n; i++) rest += (x[i] as number) ** 2;
    rest = Math.sqrt(rest);
    const ok = k < n && norm0 > 0 && rest >= tol * norm0;
    keep.push(ok);
    if (!ok) continue;
    const v = new Float64Array(n);
    const alpha = (x[k] as number) >= 0 ? -rest : rest;
    for (let i = k; i < n; i++) v[i] = x[i] as number;
    v[k] = (v[k] as number) - alpha;
    let vn = 0;
    for (let i = k; i < n; i++) vn += (v[i] as number) ** 2;
    vn = Math.sqrt(vn);
    for (let i = k; i < n; i++) v[i] = (v[i] as number) / vn;
    reflectors.push(v);
  }
  return keep;
}

/** A random model matrix: intercept, numeric columns, factor indicators, interactions, and aliased columns. */
const designCase = fc
  .record({
    n: fc.integer({ min: 3, max: 40 }),
    levels: fc.integer({ min: 2, max: 5 }),
    seed: fc.integer({ min: 1, max: 1e9 }),
    aliases: fc.array(
      fc.record({
        kind: fc.constantFrom("sum", "scaled", "near", "clear", "zero", "copy"),
        a: fc.nat(),
        b: fc.nat(),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ n, levels, seed, aliases }) => {
    let s = seed;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const cols: Float64Array[] = [new Float64Array(n).fill(1)];
    const x = Float64Array.from({ length: n }, () => rand() * 4 - 2);
    cols.push(x);
    const f = Int32Array.from({ length: n }, () => Math.floor(rand() * levels));
    const g = Int32Array.from({ length: n }, () => Math.floor(rand() * 2));
    for (let l = 1; l < levels; l++) cols.push(Float64Array.from(f, (c) => (c === l ? 1 : 0)));
    cols.push(Float64Array.from(g, (c) => (c === 1 ? 1 : 0)));
    // f:g interaction indicators (empty cells give zero columns and aliasing).
    for (let l = 1; l < levels; l++)
      cols.push(Float64Array.from(f, (c, i) => (c === l && g[i] === 1 ? 1 : 0)));
    // x:f slopes.
    for (let l = 1; l < levels; l++)
      cols.push(Float64Array.from(f, (c, i) => (c === l ? (x[i] as number) : 0)));
    for (const { kind, a, b } of aliases) {
      const ca = cols[a % cols.length] as Float64Array;
      const cb = cols[b % cols.length] as Float64Array;
      const noise = Float64Array.from({ length: n }, () => rand() - 0.5);
      if (kind === "sum") cols.push(ca.map((v, i) => 2 * v - 3 * (cb[i] as number)));
      else if (kind === "scaled") cols.push(ca.map((v) => -0.5 * v));
      else if (kind === "near")
        cols.push(ca.map((v, i) => v + (cb[i] as number) + 1e-11 * (noise[i] as number)));
      else if (kind === "clear")
        cols.push(ca.map((v, i) => v + (cb[i] as number) + 1e-3 * (noise[i] as number)));
      else if (kind === "zero") cols.push(new Float64Array(n));
      else cols.push(Float64Array.from(ca));
    }
    return cols;
  });

describe("rank check: Cholesky of XᵀX = Householder QR of X with dqrdc2's pivoting", () => {
  it("random factor designs with interactions, empty cells and (near-)aliased columns", () => {
    fc.assert(
      fc.property(designCase, (cols) => {
        expect(keepFullRank(cols)).toEqual(householderKeep(cols));
      }),
      { numRuns: 300 },
    );
  });

  it("an aliased column after ill-conditioned kept ones: XᵀX alone would keep it (rounding ε·κ² > tol²), X drops it", () => {
    const x = [0.055480312556028366, -1.297034740447998, -1.3789609670639038, -1.4149377346038818];
    const cols = [
      [1, 1, 1, 1],
      x,
      [1, 0, 0, 0],
      [0, 1, 0, 1],
      [0, 0, 0, 1],
      [0, -1.297034740447998, 0, -1.4149377346038818],
    ].map((c) => Float64Array.from(c));
    expect(keepFullRank(cols)).toEqual([true, true, true, true, false, false]);
    expect(keepFullRank(cols)).toEqual(householderKeep(cols));
  });

  it("a large model matrix with aliased columns (beyond the reflections' budget): the decisions of XᵀX", () => {
    const n = 20_000;
    const levels = 150;
    const f = Int32Array.from({ length: n }, (_, i) => (i * 7919) % levels);
    const cols = [new Float64Array(n).fill(1)];
    for (let l = 1; l < levels; l++) cols.push(Float64Array.from(f, (c) => (c === l ? 1 : 0)));
    // The sum of all indicators but one, plus a copy of indicator 7 and a slope: two aliased, one kept.
    cols.push(Float64Array.from(f, (c) => (c === 0 ? 0 : 1)));
    cols.push(Float64Array.from(cols[7] as Float64Array));
    cols.push(Float64Array.from({ length: n }, (_, i) => Math.sin(i)));
    const keep = keepFullRank(cols);
    expect(keep.slice(0, levels).every(Boolean)).toBe(true);
    expect(keep.slice(levels)).toEqual([false, false, true]);
  });

  it("more columns than rows: at most n are kept", () => {
    const n = 4;
    const cols = Array.from({ length: 7 }, (_, j) =>
      Float64Array.from({ length: n }, (_, i) => Math.cos(i * (j + 1))),
    );
    const keep = keepFullRank(cols);
    expect(keep).toEqual(householderKeep(cols));
    expect(keep.filter(Boolean).length).toBe(n);
  });

  it("XᵀX from compressed rows of the sparse columns is the plain dot product, bit for bit", () => {
    fc.assert(
      fc.property(designCase, (cols) => {
        const p = cols.length;
        const gram = gramLower(cols);
        for (let j = 0; j < p; j++)
          for (let k = 0; k < p; k++) {
            let s = 0;
            const a = cols[j] as Float64Array;
            const b = cols[k] as Float64Array;
            for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
            // −0 and +0 are one value here (a sum of no non-zero products).
            expect((gram[j * p + k] as number) + 0).toBe(k <= j ? s + 0 : 0);
          }
      }),
      { numRuns: 200 },
    );
  });
});
