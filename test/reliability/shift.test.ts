/**
 * Issue 18, case 1: a constant added to the response changes the intercept and nothing else.
 * The fits on shifted data use data that are exactly representable after the shift (integers well below 2^53),
 * so any difference is the algorithm's, not the data's rounding.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fit } from "../../src/fit/fit.js";
import type { LinearMixedModel } from "../../src/fit/model.js";
import { readCsv } from "../../src/frame/csv.js";

function relClose(a: number, b: number, scale: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), scale);
}

/** Every number but the intercept agrees to `tol` relative (coefficients relative to max(|β|, SE(β))). */
function expectShiftInvariant(m0: LinearMixedModel, m1: LinearMixedModel, shift: number, tol: number): void {
  const problems: string[] = [];
  const check = (what: string, a: number, b: number, scale: number) => {
    if (!relClose(a, b, scale, tol)) problems.push(`${what}: ${a} vs ${b}`);
  };
  check("objective", m0.objective, m1.objective, 1);
  check("sigma", m0.sigma, m1.sigma, 0);
  const v0 = m0.varCorr();
  const v1 = m1.varCorr();
  v0.forEach((r, i) => {
    check(`variance ${r.grp} ${r.var1} ${r.var2 ?? ""}`, r.vcov, v1[i]!.vcov, 1e-6 * m0.sigma ** 2);
  });
  const b0 = m0.fixef();
  const b1 = m1.fixef();
  const se = m0.se();
  for (const name of Object.keys(b0)) {
    // The intercept itself is held to rounding at the size of the shift (a few ulps of it, 2e-15 relative).
    // Without an intercept the shift goes to the factor's columns (they sum to one): each moves by the shift.
    if (name === "(Intercept)" || (!("(Intercept)" in b0) && name.startsWith("f"))) {
      check("intercept − shift", b0[name]!, b1[name]! - shift, (se[name] ?? 0) + Math.abs(shift) * 2e-8);
      continue;
    }
    check(`coefficient ${name}`, b0[name]!, b1[name]!, se[name]!);
  }
  expect(problems).toEqual([]);
}

const sleepstudy = readCsv("examples/sleepstudy.csv");

describe("1. shift exactness", () => {
  it("sleepstudy Reaction + 1e7 keeps lme4's variances 612.08 / 35.07 / 654.94 (up to the data's rounding)", async () => {
    const m = await fit("I(Reaction + 1e7) ~ Days + (Days|Subject)", sleepstudy);
    const v = m.varCorr().map((r) => r.vcov);
    // lme4: 612.100 (Subject (Intercept)), 35.072 (Days), 654.940 (Residual); sd, not var, for the first two:
    expect(v[0]).toBeCloseTo(612.1, 0);
    expect(v[1]).toBeCloseTo(35.07, 1);
    expect(m.sigma ** 2).toBeCloseTo(654.94, 1);
    const base = await fit("Reaction ~ Days + (Days|Subject)", sleepstudy);
    expect(Math.abs(m.objective - base.objective)).toBeLessThan(1e-9 * base.objective);
  });

  it("sleepstudy Reaction + 1e12 reports σ = 25.59, not 0.001", async () => {
    const m = await fit("I(Reaction + 1e12) ~ Days + (Days|Subject)", sleepstudy);
    // Reaction + 1e12 is rounded to 1.2e-4 in the data itself, which moves σ by ~1e-6 relative at most.
    expect(m.sigma).toBeCloseTo(25.5918, 3);
    expect(m.fixef().Days).toBeCloseTo(10.4673, 4);
  });

  it("Oxboys height + 1e8 fits (was: 'the fixed effects reproduce the response exactly')", async () => {
    const oxboys = readCsv("test/fixtures/reliability/oxboys.csv");
    const base = await fit("height ~ age + (age|Subject)", oxboys);
    const shifted = await fit("I(height + 1e8) ~ age + (age|Subject)", oxboys);
    expectShiftInvariant(base, shifted, 1e8, 1e-7);
    // and the unshifted fit is lme4's (test/fixtures/reliability/oxboys.R)
    const ref = JSON.parse(readFileSync("test/fixtures/reliability/oxboys-lme4.json", "utf8")).base;
    expect(Math.abs(base.objective - ref.objective)).toBeLessThan(1e-6 * ref.objective);
    expect(base.sigma).toBeCloseTo(ref.sigma, 5);
    expect(base.fixef().age).toBeCloseTo(ref.fixef.age, 4);
  });

  it("property: shifts up to 1e12 × the response's scale change only the intercept (fixed seed)", async () => {
    const design = fc.record({
      groups: fc.integer({ min: 4, max: 9 }),
      perGroup: fc.integer({ min: 3, max: 7 }),
      formula: fc.constantFrom(
        "y ~ x + (1|g)",
        "y ~ x + (x|g)",
        "y ~ x + f + (1|g)",
        "y ~ x*f + (1|g) + (1|h)",
        "y ~ x + (x||g)",
        "y ~ 0 + f + x + (1|g)",
      ),
      seedValues: fc.array(fc.integer({ min: -60, max: 60 }), { minLength: 64, maxLength: 64 }),
      groupEffects: fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 9, maxLength: 9 }),
      xs: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 64, maxLength: 64 }),
      exponent: fc.integer({ min: 0, max: 12 }),
      sign: fc.constantFrom(1, -1),
    });
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(design, async (d) => {
        const g: string[] = [];
        const h: string[] = [];
        const f: string[] = [];
        const x: number[] = [];
        const y: number[] = [];
        let k = 0;
        for (let j = 0; j < d.groups; j++)
          for (let i = 0; i < d.perGroup; i++, k++) {
            g.push(`g${j}`);
            h.push(`h${(k * 5) % 4}`);
            f.push(`f${k % 3}`);
            x.push(d.xs[k % 64]!);
            y.push(d.seedValues[k % 64]! + d.groupEffects[j]! + 3 * d.xs[k % 64]!);
          }
        const mean = y.reduce((s, v) => s + v, 0) / y.length;
        const scale = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length);
        if (!(scale > 0)) return;
        const shift = d.sign * Math.round(Math.max(1, scale) * 10 ** d.exponent);
        const formula = d.formula;
        let m0: LinearMixedModel;
        try {
          m0 = await fit(formula, { y, x, g, h, f });
        } catch {
          return; // designs lme4 also refuses (too few observations for the random effects)
        }
        const m1 = await fit(formula, { y: y.map((v) => v + shift), x, g, h, f });
        expectShiftInvariant(m0, m1, shift, 1e-7);
        compared++;
      }),
      { seed: 18, numRuns: 60 },
    );
    // Not vacuous: most random designs fit and were compared.
    expect(compared).toBeGreaterThan(40);
  });
});
