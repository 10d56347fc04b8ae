import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { describeDesign, thetaNames, varCorrGroupNames } from "../../src/design/describe.js";
import { readCsv } from "../../src/frame/csv.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

interface Fixture {
  id: string;
  data: string;
  formula: string;
  nobs: number;
  ngrps: Record<string, number>;
  fixef: Record<string, number>;
  thetaNames: string[] | string;
  varcorr: { grp: string; var1: string | null; var2: string | null }[];
  ranef: { group: string; levels: string[]; terms: string[] | string }[];
}

/** Every lme4 fit fixture (not the anova_/extras_ files), with the directory its data path is relative to. */
function fitFixtures(): [string, Fixture, string][] {
  const out: [string, Fixture, string][] = [];
  for (const sub of ["conformance", "scale"]) {
    const dir = join(fixtures, sub);
    for (const f of readdirSync(dir).sort())
      if (f.endsWith(".json") && !f.startsWith("anova_") && !f.startsWith("extras_")) {
        const fx = JSON.parse(readFileSync(join(dir, f), "utf8")) as Fixture;
        out.push([fx.id, fx, dir]);
      }
  }
  return out;
}

const asArray = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
const cases = fitFixtures();

describe("design matches lme4's model for every reference fit", () => {
  it("finds all the reference fits", () => {
    expect(cases.length).toBeGreaterThanOrEqual(17);
  });

  it.each(cases)("%s", (_id, fx, dir) => {
    const design = buildDesign(fx.formula, readCsv(join(dir, fx.data)));
    // Fixed effects: lme4's fixef names in order.
    expect(design.fixedNames).toEqual(Object.keys(fx.fixef));
    expect(design.droppedFixed).toEqual([]);
    expect(design.n).toBe(fx.nobs);
    expect(design.X.length).toBe(fx.nobs * design.fixedNames.length);
    const d = describeDesign(design);
    expect(d.ngrps).toEqual(fx.ngrps);
    expect(Object.keys(d.ngrps)).toEqual(Object.keys(fx.ngrps));
    // ranef() has one entry per grouping factor, its columns being those of all terms on it, in term order.
    const byGroup = new Map<string, string[]>();
    for (const t of design.terms) byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), ...t.columns]);
    expect([...byGroup.keys()]).toEqual(fx.ranef.map((r) => r.group));
    for (const r of fx.ranef) {
      expect(byGroup.get(r.group)).toEqual(asArray(r.terms));
      const term = design.terms.find((t) => t.group === r.group)!;
      expect(term.levels).toEqual(r.levels);
    }
    // Term order = θ order, with lme4's θ names.
    expect(thetaNames(design)).toEqual(asArray(fx.thetaNames));
    // The variance-component table's group names (with lme4's .1 suffixes) in order.
    const vcGroups = [...new Set(fx.varcorr.filter((v) => v.grp !== "Residual").map((v) => v.grp))];
    expect(varCorrGroupNames(design)).toEqual(vcGroups);
    // Each observation's level refers to a real level, and every level is used.
    for (const t of design.terms) {
      const used = new Set(t.refs);
      expect(used.size).toBe(t.levels.length);
      expect(Math.min(...used)).toBe(0);
      expect(Math.max(...used)).toBe(t.levels.length - 1);
    }
  });
});
