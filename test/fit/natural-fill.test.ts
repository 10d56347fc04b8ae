/**
 * The natural-order symbolic factorisation that decides whether the dense path's zero-skipping loops suit a
 * trailing block (src/fit/natural-fill.ts, src/fit/blocked-layout.ts): its count against an explicit elimination on
 * a boolean matrix, exact at the limit; and the layout's decision on a nested design (no fill: the skipping loops)
 * and on a random crossing whose pattern is sparse but whose factor fills in (the tiled kernels).
 */
import { describe, expect, it } from "vitest";
import { buildBlockedLayout, trailingStaysSparse } from "../../src/fit/blocked-layout.js";
import { naturalFillWithin } from "../../src/fit/natural-fill.js";
import { randomBuffers, rng } from "../engine/random-designs.js";

/** Entries of the Cholesky factor's lower triangle (with the diagonal), by eliminating on a dense boolean matrix. */
function explicitFill(q: number, higher: number[][]): number {
  const L = Array.from({ length: q }, () => new Uint8Array(q));
  higher.forEach((rows, j) => {
    for (const i of rows) L[i]![j] = 1;
  });
  let count = 0;
  for (let j = 0; j < q; j++) {
    const below: number[] = [];
    for (let i = j + 1; i < q; i++) if (L[i]![j]) below.push(i);
    count += 1 + below.length;
    for (const a of below) for (const b of below) if (a > b) L[a]![b] = 1;
  }
  return count;
}

function randomPattern(q: number, edges: number, seed: number): number[][] {
  const r = rng(seed);
  const higher: number[][] = Array.from({ length: q }, () => []);
  for (let e = 0; e < edges; e++) {
    const a = Math.floor(r() * q);
    const b = Math.floor(r() * q);
    if (a !== b) higher[Math.min(a, b)]!.push(Math.max(a, b));
  }
  return higher;
}

describe("naturalFillWithin", () => {
  for (const [q, edges, seed] of [
    [40, 30, 1],
    [60, 120, 2],
    [80, 60, 3],
    [30, 200, 4],
  ] as const)
    it(`counts what an explicit elimination counts, exactly at the limit (${q} rows, ${edges} entries)`, () => {
      const higher = randomPattern(q, edges, seed);
      const fill = explicitFill(q, higher);
      expect(naturalFillWithin(higher, fill)).toBe(true);
      expect(naturalFillWithin(higher, fill - 1)).toBe(false);
    });

  it("an arrowhead with its point last has no fill; with its point first it fills completely", () => {
    const q = 50;
    const last = Array.from({ length: q }, (_, j) => (j < q - 1 ? [q - 1] : []));
    expect(explicitFill(q, last)).toBe(q + q - 1);
    expect(naturalFillWithin(last, 2 * q - 1)).toBe(true);
    const first = Array.from({ length: q }, (_, j) =>
      j === 0 ? Array.from({ length: q - 1 }, (_, i) => i + 1) : [],
    );
    expect(naturalFillWithin(first, (q * (q + 1)) / 2 - 1)).toBe(false);
    expect(naturalFillWithin(first, (q * (q + 1)) / 2)).toBe(true);
  });
});

describe("the zero-skipping loops are taken only where the factor stays sparse", () => {
  it("a nested design: the trailing block stays diagonal", () => {
    const b = randomBuffers(
      600,
      2,
      [
        { nlevels: 300, p: 1, level: (i) => Math.floor(i / 2) },
        { nlevels: 100, p: 1, level: (i) => Math.floor(i / 6) },
      ],
      31,
    );
    expect(trailingStaysSparse(buildBlockedLayout(b, { sparseCheck: false }))).toBe(true);
  });

  it("a random crossing: a sparse pattern (under 5%) whose factor fills in", () => {
    const r = rng(32);
    const a = Int32Array.from({ length: 6000 }, (_, i) => Math.floor(i / 3));
    const c = Int32Array.from({ length: 6000 }, () => Math.floor(r() * 1000));
    const b = randomBuffers(
      6000,
      2,
      [
        { nlevels: 2000, p: 1, level: (i) => a[i]! },
        { nlevels: 1000, p: 1, level: (i) => c[i]! },
      ],
      33,
    );
    const L = buildBlockedLayout(b, { sparseCheck: false });
    // The pattern: one clique of ≤ 3 rows per level of a, and the diagonal: under 5% of the lower triangle.
    const higher: number[][] = Array.from({ length: L.qRest }, () => []);
    let entries = L.qRest;
    for (let g = 0; g < L.l1; g++) {
      const rows: number[] = [];
      for (let k = L.rowStart[g]!; k < L.rowStart[g + 1]!; k++)
        if (L.rowIdx[k]! < L.qRest) rows.push(L.rowIdx[k]!);
      for (const x of rows)
        for (const y of rows)
          if (x > y && !higher[y]!.includes(x)) {
            higher[y]!.push(x);
            entries++;
          }
    }
    const limit = 0.05 * ((L.qRest * (L.qRest + 1)) / 2);
    expect(entries).toBeLessThan(limit);
    expect(explicitFill(L.qRest, higher)).toBeGreaterThan(limit);
    expect(trailingStaysSparse(L)).toBe(false);
  });
});
