/**
 * The designs of the issue-15 reference models (test/fixtures/perf: mlmRev's Hsb82 and star, written by R's
 * write.csv) built from the CSV through the reader's fast path: lme4's observations, fixed-effect names and
 * numbers of levels, X equal to a direct construction from the columns, and Hsb82's REML optimum (lme4's bobyqa
 * optimum: its default fit stops short, see the fixture's README).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { fitMixed } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { fixturesDir } from "../support/fixtures.js";

const perf = join(fixturesDir, "perf");

interface PerfFixture {
  formula: string;
  nobs: number;
  ngrps: Record<string, number>;
  fixef: Record<string, number>;
  bobyqa: { objective: number };
}

const load = (id: string) => JSON.parse(readFileSync(join(perf, `${id}.json`), "utf8")) as PerfFixture;

describe("issue-15 reference designs from their CSV files", () => {
  it("Hsb82: lme4's names and levels, X from the columns, and the REML optimum", async () => {
    const fx = load("hsb82_reml");
    const frame = readCsv(join(perf, "data", "hsb82.csv"));
    const d = buildDesign(fx.formula, frame);
    expect(d.n).toBe(fx.nobs);
    expect(d.fixedNames).toEqual(Object.keys(fx.fixef));
    expect(d.terms.map((t) => [t.group, t.levels.length])).toEqual([["school", fx.ngrps.school]]);
    const ses = frame.columns.get("ses")?.values as Float64Array;
    const sector = frame.columns.get("sector")?.values as string[];
    for (let i = 0; i < d.n; i++) {
      const pub = sector[i] === "Public" ? 1 : 0;
      expect([0, 1, 2, 3].map((j) => d.X[j * d.n + i])).toEqual([1, ses[i], pub, (ses[i] as number) * pub]);
    }
    const m = await fitMixed(fx.formula, frame, { REML: true });
    expect(Math.abs(m.objective - fx.bobyqa.objective)).toBeLessThan(1e-6 * fx.bobyqa.objective);
  });

  it("star: students, teachers and schools as lme4 counts them; treatment contrasts on text factors", () => {
    const fx = load("star_reml");
    const d = buildDesign(fx.formula, readCsv(join(perf, "data", "star.csv")));
    expect(d.n).toBe(fx.nobs);
    expect(d.fixedNames).toEqual(Object.keys(fx.fixef));
    expect(Object.fromEntries(d.terms.map((t) => [t.group, t.levels.length]))).toEqual(fx.ngrps);
  });
});
