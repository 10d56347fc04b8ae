/**
 * Small random designs of every block kind the blocked engine distinguishes, for comparison with the dense oracle.
 * Deterministic (a seeded xorshift), so a failure reproduces.
 */
import type { DesignBuffers } from "../../src/design/types.js";
// @ts-expect-error: plain JavaScript, shared with the fixture scripts that run under node for R
import { xorshift32 } from "../fixtures/xorshift32.mjs";

/** The seeded xorshift32 the fixture scripts share (one generator: test/fixtures/xorshift32.mjs). */
export const rng: (seed: number) => () => number = xorshift32;

export interface TermSpec {
  /** Level of observation i (0-based). */
  level: (i: number) => number;
  nlevels: number;
  /** Number of columns (first is an intercept, the others random covariates). */
  p: number;
}

export function randomBuffers(n: number, p: number, specs: TermSpec[], seed: number): DesignBuffers {
  const r = rng(seed);
  const X = new Float64Array(n * p);
  if (p > 0) for (let i = 0; i < n; i++) X[i] = 1;
  for (let j = 1; j < p; j++) for (let i = 0; i < n; i++) X[j * n + i] = r() * 2 - 1;
  const terms = specs.map((s) => {
    const refs = Int32Array.from({ length: n }, (_, i) => s.level(i));
    const z = new Float64Array(n * s.p);
    for (let i = 0; i < n; i++) {
      z[i * s.p] = 1;
      for (let j = 1; j < s.p; j++) z[i * s.p + j] = r() * 2 - 1;
    }
    return { nlevels: s.nlevels, p: s.p, refs, z };
  });
  const y = Float64Array.from({ length: n }, () => r() * 4 - 2);
  // give y some grouping structure so the optimum is interior-ish
  terms.forEach((t) => {
    const eff = Float64Array.from({ length: t.nlevels }, () => r() * 2 - 1);
    for (let i = 0; i < n; i++) y[i]! += eff[t.refs[i]!]!;
  });
  return { n, p, y, X, terms };
}

/** The block kinds: name → buffers. */
export const randomCases: Record<string, () => DesignBuffers> = {
  "one scalar term": () => randomBuffers(60, 2, [{ nlevels: 7, p: 1, level: (i) => i % 7 }], 11),
  "a level without observations (crossed, vector term)": () =>
    randomBuffers(
      64,
      2,
      [
        { nlevels: 9, p: 2, level: (i) => i % 8 },
        { nlevels: 5, p: 1, level: (i) => Math.floor(i / 16) },
      ],
      24,
    ),
  "crossed, p=3 term in the trailing block": () =>
    randomBuffers(
      120,
      2,
      [
        { nlevels: 30, p: 1, level: (i) => i % 30 },
        { nlevels: 6, p: 3, level: (i) => Math.floor(i / 20) },
        { nlevels: 4, p: 1, level: (i) => (i * 3) % 4 },
      ],
      25,
    ),
  "no fixed effects (y ~ 0 + (1|g) + (1|h))": () =>
    randomBuffers(
      48,
      0,
      [
        { nlevels: 8, p: 1, level: (i) => i % 8 },
        { nlevels: 6, p: 1, level: (i) => Math.floor(i / 8) },
      ],
      23,
    ),
  "one vector term (p=3)": () => randomBuffers(80, 3, [{ nlevels: 9, p: 3, level: (i) => (i * 5) % 9 }], 12),
  // p₁ > 3 takes the generic (not written-out) loops
  "one vector term (p=4)": () => randomBuffers(120, 2, [{ nlevels: 10, p: 4, level: (i) => i % 10 }], 20),
  "crossed, vector term (p=4) first": () =>
    randomBuffers(
      120,
      2,
      [
        { nlevels: 8, p: 4, level: (i) => i % 8 },
        { nlevels: 5, p: 2, level: (i) => Math.floor(i / 24) },
      ],
      21,
    ),
  "two terms on one factor": () =>
    randomBuffers(
      70,
      2,
      [
        { nlevels: 8, p: 1, level: (i) => i % 8 },
        { nlevels: 8, p: 2, level: (i) => i % 8 },
      ],
      13,
    ),
  // (x || g) among other terms: the two terms on g are not next to each other in design order (h has as many
  // levels), so θ's map skips h's entry (src/fit/factor-blocks.ts)
  "terms on one factor, apart in design order": () =>
    randomBuffers(
      96,
      2,
      [
        { nlevels: 8, p: 1, level: (i) => i % 8 },
        { nlevels: 8, p: 1, level: (i) => Math.floor(i / 12) },
        { nlevels: 8, p: 2, level: (i) => i % 8 },
      ],
      26,
    ),
  // (x1 + x2 || g) crossed with a larger factor: three terms on g make one 4-column block in the trailing block
  "three terms on one factor in the trailing block": () =>
    randomBuffers(
      150,
      2,
      [
        { nlevels: 30, p: 1, level: (i) => i % 30 },
        { nlevels: 6, p: 1, level: (i) => Math.floor(i / 25) },
        { nlevels: 6, p: 2, level: (i) => Math.floor(i / 25) },
        { nlevels: 6, p: 1, level: (i) => Math.floor(i / 25) },
      ],
      27,
    ),
  nested: () =>
    randomBuffers(
      72,
      1,
      [
        { nlevels: 12, p: 1, level: (i) => Math.floor(i / 6) },
        { nlevels: 4, p: 1, level: (i) => Math.floor(i / 18) },
      ],
      14,
    ),
  "nested, vector outer term": () =>
    randomBuffers(
      72,
      2,
      [
        { nlevels: 12, p: 1, level: (i) => Math.floor(i / 6) },
        { nlevels: 4, p: 2, level: (i) => Math.floor(i / 18) },
      ],
      18,
    ),
  crossed: () =>
    randomBuffers(
      90,
      2,
      [
        { nlevels: 10, p: 1, level: (i) => i % 10 },
        { nlevels: 6, p: 2, level: (i) => Math.floor(i / 15) },
      ],
      15,
    ),
  "three crossed factors": () =>
    randomBuffers(
      96,
      2,
      [
        { nlevels: 12, p: 1, level: (i) => i % 12 },
        { nlevels: 8, p: 1, level: (i) => (i * 7) % 8 },
        { nlevels: 5, p: 2, level: (i) => Math.floor(i / 7) % 5 },
      ],
      16,
    ),
  // a trailing block of order 60 + 2 + 1: the tiled dense kernels of assembly/linalg/dense.ts are used from 48
  "crossed, large trailing block (tiled dense path)": () => {
    const r = rng(7);
    const a = Int32Array.from({ length: 500 }, (_, i) => (i < 80 ? i : Math.floor(r() * 80)));
    const b = Int32Array.from({ length: 500 }, (_, i) => (i < 60 ? i : Math.floor(r() * 60)));
    return randomBuffers(
      500,
      2,
      [
        { nlevels: 80, p: 1, level: (i) => a[i]! },
        { nlevels: 60, p: 1, level: (i) => b[i]! },
      ],
      19,
    );
  },
  // a nested model whose outer factor has ≥ 64 levels: the trailing block stays diagonal and the zero-skipping
  // kernels (basicCholesky, basicLowerInvTransMulSparse) are used
  "nested, large outer factor (sparse trailing path)": () =>
    randomBuffers(
      420,
      2,
      [
        { nlevels: 140, p: 1, level: (i) => Math.floor(i / 3) },
        { nlevels: 70, p: 1, level: (i) => Math.floor(i / 6) },
      ],
      22,
    ),
  "unbalanced crossed (partial co-occurrence)": () => {
    const r = rng(99);
    const a = Int32Array.from({ length: 80 }, () => Math.floor(r() * 15));
    const b = Int32Array.from({ length: 80 }, () => Math.floor(r() * 9));
    for (let g = 0; g < 15; g++) a[g] = g;
    for (let g = 0; g < 9; g++) b[g] = g;
    return randomBuffers(
      80,
      3,
      [
        { nlevels: 15, p: 2, level: (i) => a[i]! },
        { nlevels: 9, p: 1, level: (i) => b[i]! },
      ],
      17,
    );
  },
};

/** A θ with positive diagonal and some off-diagonal structure, different per k. */
export function someTheta(buffers: DesignBuffers, k: number): Float64Array {
  const r = rng(1000 + k);
  const out: number[] = [];
  for (const t of buffers.terms)
    for (let j = 0; j < t.p; j++)
      for (let i = j; i < t.p; i++) out.push(i === j ? 0.2 + 1.5 * r() : r() - 0.5);
  return Float64Array.from(out);
}
