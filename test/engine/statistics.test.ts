/**
 * The sufficient statistics that the wasm kernels accumulate (assembly/pls/statistics.ts) against a plain dense
 * computation: W = [Z X y] built column by column in design order, then every entry of WᵀW (ZᵀZ, ZᵀX, XᵀX, Zᵀy,
 * Xᵀy, yᵀy) as a dot product of two columns. Every entry of the blocked layout is checked, and every entry the
 * layout leaves out (outside the level blocks of H11, outside the rows R_g of H21) must be zero in WᵀW: so the
 * layout is complete as well as right. Also after setResponse (only the y entries may change) and after a rejected
 * response (nothing may change).
 */
import { describe, expect, it } from "vitest";
import type { DesignBuffers } from "../../src/design/types.js";
import { designBuffers } from "../../src/design/types.js";
import { SpruceError } from "../../src/errors.js";
import { type BlockedStatistics, blockedStatistics, createWasmEngine } from "../../src/fit/wasm-engine.js";
import { compileKernels, instantiateKernels } from "../../src/wasm/load.js";
import { conformanceDesigns } from "./conformance-designs.js";
import { randomCases, rng } from "./random-designs.js";

/** Columns of W = [Z (design order) X y], each of length n. */
function denseColumns(b: DesignBuffers, y: Float64Array): Float64Array[] {
  const cols: Float64Array[] = [];
  for (const t of b.terms)
    for (let level = 0; level < t.nlevels; level++)
      for (let j = 0; j < t.p; j++) {
        const c = new Float64Array(b.n);
        for (let i = 0; i < b.n; i++) if (t.refs[i] === level) c[i] = t.z[i * t.p + j]!;
        cols.push(c);
      }
  for (let x = 0; x < b.p; x++) cols.push(b.X.slice(x * b.n, (x + 1) * b.n));
  cols.push(Float64Array.from(y));
  return cols;
}

/** WᵀW and |W|ᵀ|W| (the bound on the rounding error of a sum of n products scales with the latter). */
function crossProducts(cols: Float64Array[]): {
  G: (r: number, c: number) => number;
  A: (r: number, c: number) => number;
} {
  const m = cols.length;
  const G = new Float64Array(m * m);
  const A = new Float64Array(m * m);
  for (let r = 0; r < m; r++)
    for (let c = 0; c <= r; c++) {
      let s = 0;
      let a = 0;
      const u = cols[r]!;
      const v = cols[c]!;
      for (let i = 0; i < u.length; i++) {
        s += u[i]! * v[i]!;
        a += Math.abs(u[i]! * v[i]!);
      }
      G[r + c * m] = G[c + r * m] = s;
      A[r + c * m] = A[c + r * m] = a;
    }
  return { G: (r, c) => G[r + c * m]!, A: (r, c) => A[r + c * m]! };
}

/**
 * Compares every entry of the blocked statistics with WᵀW. The trailing rows are, by the layout's definition, the
 * columns of every term (of the layout's: terms on one factor joined) but term 1 in order, then X, then y; term 1's column of level g, entry a is
 * colStart + g·p₁ + a.
 */
function expectStatisticsMatch(design: DesignBuffers, y: Float64Array, s: BlockedStatistics): void {
  const L = s.layout;
  // The kernels' terms: terms on one grouping factor are one (src/fit/factor-blocks.ts, tested on its own).
  const b: DesignBuffers = { ...design, terms: L.terms };
  const { G, A } = crossProducts(denseColumns(b, y));
  const colStart: number[] = [];
  let q = 0;
  for (const t of b.terms) {
    colStart.push(q);
    q += t.nlevels * t.p;
  }
  const trailing: number[] = [];
  b.terms.forEach((t, ti) => {
    if (ti !== L.t0) for (let c = 0; c < t.nlevels * t.p; c++) trailing.push(colStart[ti]! + c);
  });
  for (let x = 0; x <= b.p; x++) trailing.push(q + x);
  const nd = trailing.length;
  expect(L.nd).toBe(nd);
  const p1 = b.terms[L.t0]!.p;
  const l1 = b.terms[L.t0]!.nlevels;
  const col1 = (g: number, a: number) => colStart[L.t0]! + g * p1 + a;
  let checked = 0;
  const near = (got: number, r: number, c: number, what: string) => {
    const want = G(r, c);
    // A structural zero (no observation contributes) must be exactly zero.
    if (Math.abs(got - want) > 1e-12 * A(r, c)) expect.fail(`${what}: got ${got}, WᵀW has ${want}`);
    checked++;
  };

  // H11: Z_gᵀZ_g per level; term 1's diagonal block has nothing outside the level blocks.
  for (let g = 0; g < l1; g++)
    for (let a = 0; a < p1; a++)
      for (let c = 0; c < p1; c++)
        near(s.H11[g * p1 * p1 + a + c * p1]!, col1(g, a), col1(g, c), `H11[${g}]`);
  for (let g = 0; g < l1; g++)
    for (let h = 0; h < l1; h++)
      if (g !== h)
        for (let a = 0; a < p1; a++)
          for (let c = 0; c < p1; c++)
            if (G(col1(g, a), col1(h, c)) !== 0) expect.fail(`levels ${g} and ${h} of term 1 meet in ZᵀZ`);

  // H21: scattered into the full trailing × term-1 block, which must then equal WᵀW everywhere.
  const cross = new Float64Array(nd * l1 * p1);
  for (let g = 0; g < l1; g++)
    for (let k = L.rowStart[g]!; k < L.rowStart[g + 1]!; k++)
      for (let a = 0; a < p1; a++) cross[L.rowIdx[k]! + (g * p1 + a) * nd] = s.H21[k * p1 + a]!;
  for (let g = 0; g < l1; g++)
    for (let a = 0; a < p1; a++)
      for (let r = 0; r < nd; r++)
        near(cross[r + (g * p1 + a) * nd]!, trailing[r]!, col1(g, a), `H21 row ${r}`);

  // H22: [Z_rest X y]ᵀ[Z_rest X y], full symmetric.
  for (let c = 0; c < nd; c++)
    for (let r = 0; r < nd; r++) near(s.H22[r + c * nd]!, trailing[r]!, trailing[c]!, `H22(${r},${c})`);
  expect(checked).toBe(l1 * p1 * p1 + nd * l1 * p1 + nd * nd);
}

function newResponse(b: DesignBuffers, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from(b.y, (v) => 2 * v + 3 * r() - 1);
}

const cases: [string, () => DesignBuffers][] = [
  ...Object.entries(randomCases),
  // real designs: indicator columns in X (zeros the kernels skip), random slopes, nested and crossed factors
  ...Object.entries(conformanceDesigns).map(([id, make]): [string, () => DesignBuffers] => [
    `conformance ${id}`,
    () => designBuffers(make()),
  ]),
];

describe("sufficient statistics accumulated in wasm", async () => {
  const kernels = instantiateKernels(await compileKernels());
  for (const [name, make] of cases) {
    it(`${name}: ZᵀZ, ZᵀX, XᵀX, Zᵀy, Xᵀy, yᵀy equal a dense computation, also after setResponse`, () => {
      const b = make();
      const engine = createWasmEngine(kernels, b);
      try {
        expectStatisticsMatch(b, b.y, blockedStatistics(engine));
        const y2 = newResponse(b, 31);
        engine.setResponse(y2);
        expectStatisticsMatch(b, y2, blockedStatistics(engine));
        // and back: the y entries are recomputed in place, not accumulated on top of the old ones
        engine.setResponse(b.y);
        expectStatisticsMatch(b, b.y, blockedStatistics(engine));
      } finally {
        engine.dispose();
      }
    });
  }

  it("a rejected response (non-finite value) names the observation and leaves the statistics unchanged", () => {
    const b = randomCases["three crossed factors"]!();
    const engine = createWasmEngine(kernels, b);
    const y2 = newResponse(b, 5);
    engine.setResponse(y2);
    const before = blockedStatistics(engine);
    const bad = Float64Array.from(b.y);
    bad[41] = Number.NaN;
    expect(() => engine.setResponse(bad)).toThrow(SpruceError);
    expect(() => engine.setResponse(bad)).toThrow(/observation 42/);
    const after = blockedStatistics(engine);
    expect(after.H11).toEqual(before.H11);
    expect(after.H21).toEqual(before.H21);
    expect(after.H22).toEqual(before.H22);
    expect(engine.buffers.y).toBe(y2);
    engine.dispose();
  });

  it("setResponse after the memory has grown (views of the heap recreated) updates the right buffers", () => {
    const b = randomCases.crossed!();
    const engine = createWasmEngine(kernels, b);
    const y2 = newResponse(b, 9);
    const bytesBefore = kernels.memory.buffer.byteLength;
    // a block larger than the whole heap cannot fit in free space: the memory must grow
    const block = kernels.alloc(bytesBefore) as number;
    expect(kernels.memory.buffer.byteLength).toBeGreaterThan(bytesBefore);
    engine.setResponse(y2);
    expectStatisticsMatch(b, y2, blockedStatistics(engine));
    kernels.free(block);
    engine.dispose();
  });
});
