/**
 * The moment-based starting θ of large fits (src/fit/start.ts), against the one-way ANOVA estimator written out
 * here from its textbook formulas, and its edge cases: vector terms keep lme4's start, no between-level variance
 * and a factor with one observation per level; factors nested in one another against the balanced nested ANOVA.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { type DesignBuffers, designBuffers } from "../../src/design/types.js";
import { MAX_START, MIN_START, momentStart } from "../../src/fit/start.js";
import { nesting } from "../../src/fit/start-nested.js";
import { parseCsv, readCsv } from "../../src/frame/csv.js";
import { rng } from "../engine/random-designs.js";
import { asArray, conformanceDir, fixturesDir, loadFitFixture } from "../support/fixtures.js";

/** y = μ + b_level + e for a balanced one-way layout (levels × per), b ~ sdB·U, e ~ sdE·U (U uniform, centred). */
function oneWay(levels: number, per: number, sdB: number, sdE: number, seed: number): DesignBuffers {
  const r = rng(seed);
  const n = levels * per;
  const b = Array.from({ length: levels }, () => sdB * (r() - 0.5) * Math.sqrt(12));
  const y = new Float64Array(n);
  const refs = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    refs[i] = i % levels;
    y[i] = 10 + (b[i % levels] as number) + sdE * (r() - 0.5) * Math.sqrt(12);
  }
  return {
    n,
    p: 1,
    y,
    X: new Float64Array(n).fill(1),
    terms: [{ nlevels: levels, p: 1, refs, z: new Float64Array(n).fill(1) }],
  };
}

describe("momentStart", () => {
  it("balanced one-way layout: θ = √((MSB − MSW)/per / MSW), the ANOVA estimator", () => {
    const levels = 40;
    const per = 6;
    const b = oneWay(levels, per, 2, 1, 5);
    const n = levels * per;
    const mean = b.y.reduce((s, v) => s + v, 0) / n;
    const means = new Array(levels).fill(0);
    for (let i = 0; i < n; i++) means[i % levels] += (b.y[i] as number) / per;
    let ssb = 0;
    for (const m of means) ssb += per * (m - mean) ** 2;
    let ssw = 0;
    for (let i = 0; i < n; i++) ssw += ((b.y[i] as number) - means[i % levels]) ** 2;
    const msb = ssb / (levels - 1);
    const msw = ssw / (n - levels);
    const expected = Math.sqrt((msb - msw) / per / msw);
    expect(momentStart(b)[0]).toBeCloseTo(expected, 12);
  });

  it("no variance between levels: the start is MIN_START, not 0 (a stationary point of the deviance)", () => {
    const b = oneWay(30, 5, 0, 1, 9);
    // make the level means exactly equal
    const n = b.n;
    const sums = new Array(30).fill(0);
    for (let i = 0; i < n; i++) sums[i % 30] += b.y[i] as number;
    for (let i = 0; i < n; i++) b.y[i] = (b.y[i] as number) - sums[i % 30] / 5 + 10;
    expect(momentStart(b)[0]).toBe(MIN_START);
  });

  it("a huge between-level variance is capped at MAX_START", () => {
    expect(momentStart(oneWay(30, 5, 1e4, 1e-2, 2))[0]).toBe(MAX_START);
  });

  it("one observation per level (no within-level degree of freedom) keeps lme4's start", () => {
    const b = oneWay(50, 1, 1, 1, 4);
    expect(Array.from(momentStart(b))).toEqual([1]);
  });

  it("vector and slope terms keep lme4's start (1 on the diagonal, 0 below it)", () => {
    const fx = loadFitFixture("sleepstudy_uncorr_ml");
    const data = parseCsv(readFileSync(join(conformanceDir, fx.data), "utf8"));
    const corr = designBuffers(buildDesign("Reaction ~ Days + (Days|Subject)", data));
    expect(Array.from(momentStart(corr))).toEqual([1, 0, 1]);
    // (Days||Subject): the intercept term gets its moment estimate, the slope-only term keeps 1
    const uncorr = momentStart(designBuffers(buildDesign(fx.formula, data)));
    expect(uncorr[1]).toBe(1);
    expect(uncorr[0]).not.toBe(1);
  });

  it("crossed factors (Penicillin): within a factor of 1.5 of lme4's θ̂", () => {
    const fx = loadFitFixture("penicillin_reml");
    const data = parseCsv(readFileSync(join(conformanceDir, fx.data), "utf8"));
    const start = momentStart(designBuffers(buildDesign(fx.formula, data)));
    const theta = asArray(fx.theta);
    for (let i = 0; i < theta.length; i++) {
      expect((start[i] as number) / (theta[i] as number)).toBeGreaterThan(1 / 1.5);
      expect((start[i] as number) / (theta[i] as number)).toBeLessThan(1.5);
    }
  });

  it("a factor nested in another (balanced): both θ from the nested ANOVA, whatever the term order", () => {
    // y = 10 + α_a + β_ab + e: A (8 levels) ⊃ B (5 per A), 6 observations per B level.
    const [na, nb, per] = [8, 5, 6];
    const r = rng(11);
    const n = na * nb * per;
    const y = new Float64Array(n);
    const refsA = new Int32Array(n);
    const refsB = new Int32Array(n);
    const alpha = Array.from({ length: na }, () => 0.8 * (r() - 0.5) * Math.sqrt(12));
    const beta = Array.from({ length: na * nb }, () => 1.1 * (r() - 0.5) * Math.sqrt(12));
    for (let i = 0; i < n; i++) {
      const b = Math.floor(i / per);
      refsA[i] = Math.floor(b / nb);
      refsB[i] = b;
      y[i] = 10 + (alpha[refsA[i] as number] as number) + (beta[b] as number) + (r() - 0.5) * Math.sqrt(12);
    }
    // The textbook mean squares of the balanced nested layout.
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    const cell = Array.from({ length: na * nb }, (_, b) =>
      mean(Array.from(y.subarray(b * per, (b + 1) * per))),
    );
    const top = Array.from({ length: na }, (_, a) => mean(cell.slice(a * nb, (a + 1) * nb)));
    const grand = mean(top);
    let ssa = 0;
    for (const m of top) ssa += nb * per * (m - grand) ** 2;
    let ssb = 0;
    cell.forEach((m, b) => {
      ssb += per * (m - (top[Math.floor(b / nb)] as number)) ** 2;
    });
    let sse = 0;
    for (let i = 0; i < n; i++) sse += ((y[i] as number) - (cell[Math.floor(i / per)] as number)) ** 2;
    const msa = ssa / (na - 1);
    const msb = ssb / (na * (nb - 1));
    const mse = sse / (na * nb * (per - 1));
    const thetaA = Math.sqrt((msa - msb) / (nb * per) / mse);
    const thetaB = Math.sqrt((msb - mse) / per / mse);
    const ones = new Float64Array(n).fill(1);
    const termA = { nlevels: na, p: 1, refs: refsA, z: ones };
    const termB = { nlevels: na * nb, p: 1, refs: refsB, z: ones };
    const design = (terms: DesignBuffers["terms"]): DesignBuffers => ({ n, p: 1, y, X: ones, terms });
    const ab = momentStart(design([termA, termB]));
    expect(ab[0]).toBeCloseTo(thetaA, 10);
    expect(ab[1]).toBeCloseTo(thetaB, 10);
    const ba = momentStart(design([termB, termA]));
    expect(ba[0]).toBeCloseTo(thetaB, 10);
    expect(ba[1]).toBeCloseTo(thetaA, 10);
  });

  it("three levels nested (balanced): all three θ from the three-level nested ANOVA, whatever the term order", () => {
    // y = 10 + α_a + β_ab + γ_abc + e: A (6) ⊃ B (4 per A) ⊃ C (3 per B), 5 observations per C level.
    const [na, nb, nc, per] = [6, 4, 3, 5];
    const r = rng(23);
    const n = na * nb * nc * per;
    const y = new Float64Array(n);
    const refs = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
    const u = (sd: number) => sd * (r() - 0.5) * Math.sqrt(12);
    const alpha = Array.from({ length: na }, () => u(0.9));
    const beta = Array.from({ length: na * nb }, () => u(0.7));
    const gamma = Array.from({ length: na * nb * nc }, () => u(1.2));
    for (let i = 0; i < n; i++) {
      const c = Math.floor(i / per);
      const b = Math.floor(c / nc);
      const a = Math.floor(b / nb);
      [a, b, c].forEach((level, k) => {
        (refs[k] as Int32Array)[i] = level;
      });
      y[i] = 10 + (alpha[a] as number) + (beta[b] as number) + (gamma[c] as number) + u(1);
    }
    // The textbook mean squares of the balanced three-level layout, from the cell means at each level.
    const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, v) => s + v, 0) / xs.length;
    const cMean = Array.from({ length: na * nb * nc }, (_, c) => mean(y.subarray(c * per, (c + 1) * per)));
    const bMean = Array.from({ length: na * nb }, (_, b) => mean(cMean.slice(b * nc, (b + 1) * nc)));
    const aMean = Array.from({ length: na }, (_, a) => mean(bMean.slice(a * nb, (a + 1) * nb)));
    const grand = mean(aMean);
    let ssa = 0;
    for (const m of aMean) ssa += nb * nc * per * (m - grand) ** 2;
    let ssb = 0;
    bMean.forEach((m, b) => {
      ssb += nc * per * (m - (aMean[Math.floor(b / nb)] as number)) ** 2;
    });
    let ssc = 0;
    cMean.forEach((m, c) => {
      ssc += per * (m - (bMean[Math.floor(c / nc)] as number)) ** 2;
    });
    let sse = 0;
    for (let i = 0; i < n; i++) sse += ((y[i] as number) - (cMean[Math.floor(i / per)] as number)) ** 2;
    const msa = ssa / (na - 1);
    const msb = ssb / (na * (nb - 1));
    const msc = ssc / (na * nb * (nc - 1));
    const mse = sse / (na * nb * nc * (per - 1));
    const expected = [
      Math.sqrt((msa - msb) / (nb * nc * per) / mse),
      Math.sqrt((msb - msc) / (nc * per) / mse),
      Math.sqrt((msc - mse) / per / mse),
    ];
    const ones = new Float64Array(n).fill(1);
    const levels = [na, na * nb, na * nb * nc];
    const term = (k: number) => ({
      nlevels: levels[k] as number,
      p: 1,
      refs: refs[k] as Int32Array,
      z: ones,
    });
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ]) {
      const start = momentStart({ n, p: 1, y, X: ones, terms: order.map(term) });
      order.forEach((k, i) => {
        expect(start[i]).toBeCloseTo(expected[k] as number, 10);
      });
    }
  });

  it("students who change school (star): nearly nested, all three θ within 10% of lme4's θ̂", () => {
    // 367 of star's 10,765 students meet two schools: crossed, strictly, yet too confounded with their schools for
    // the backfit to separate (taken strictly, the schools' start was the floor, 0.05, against θ̂ = 0.70).
    const perf = join(fixturesDir, "perf");
    const fx = JSON.parse(readFileSync(join(perf, "star_reml.json"), "utf8")) as {
      formula: string;
      theta: number[];
    };
    const b = designBuffers(buildDesign(fx.formula, readCsv(join(perf, "data", "star.csv"))));
    const start = momentStart(b);
    fx.theta.forEach((theta, i) => {
      expect(Math.abs((start[i] as number) / theta - 1)).toBeLessThan(0.1);
    });
  });

  it("a crossing is not a nesting: each subject's items spread over many levels", () => {
    // 40 subjects × 12 items, every subject sees every item twice: no subject lies mostly in one item, nor the
    // reverse; and items with one subject each (an observation-level factor) are nested in anything.
    const [ns, ni] = [40, 12];
    const subject = new Int32Array(ns * ni * 2);
    const item = new Int32Array(ns * ni * 2);
    const single = new Int32Array(ns * ni * 2);
    for (let i = 0; i < subject.length; i++) {
      subject[i] = Math.floor(i / (2 * ni));
      item[i] = Math.floor(i / 2) % ni;
      single[i] = i;
    }
    const counts = (refs: Int32Array, levels: number) => {
      const count = new Float64Array(levels);
      for (const l of refs) count[l] = (count[l] as number) + 1;
      return { count, levels };
    };
    const nest = nesting(
      [subject, item, single],
      [counts(subject, ns), counts(item, ni), counts(single, subject.length)],
    );
    expect(nest.inner.map((list) => list.map((x) => x.factor))).toEqual([[2], [2], []]);
    expect(nest.container.map((c) => c?.factor ?? null)).toEqual([null, null, 0]);
  });

  it("students who change school: nested up to a quarter of the data away from the first school, crossed beyond", () => {
    // 2,000 students in 100 schools, 4 observations each; an observation in another school with probability f.
    const layout = (f: number) => {
      const r = rng(31);
      const n = 8000;
      const student = new Int32Array(n);
      const school = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        student[i] = Math.floor(i / 4);
        school[i] = r() < f ? Math.floor(r() * 100) : student[i]! % 100;
      }
      const counts = (refs: Int32Array, levels: number) => {
        const count = new Float64Array(levels);
        for (const l of refs) count[l] = (count[l] as number) + 1;
        return { count, levels: count.filter((c) => c > 0).length };
      };
      return nesting([student, school], [counts(student, 2000), counts(school, 100)]);
    };
    for (const f of [0, 0.05, 0.12]) expect(layout(f).container[0]?.factor, `f = ${f}`).toBe(1);
    for (const f of [0.3, 0.6]) expect(layout(f).container[0], `f = ${f}`).toBeNull();
  });
});
