import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { SpruceError } from "../../src/errors.js";

const cell = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.constantFrom("a", "b", "c", null, Number.NaN, true, false),
);
const record = fc.record({ y: cell, x: cell, f: cell, g: cell, h: cell });
const formulas = [
  "y ~ x + (1|g)",
  "y ~ x*f + (x|g)",
  "y ~ 0 + f + (1|g/h)",
  "y ~ log(x) + I(x^2) + (x||g)",
  "y ~ f:x + (1|g:h) + (0 + x|h)",
  "y ~ factor(x) + (1|g)",
];

describe("property: any data gives a design or a SpruceError, never another exception", () => {
  it.each(formulas)("%s", (formula) => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (rows) => {
        try {
          const d = buildDesign(formula, rows);
          // A design that was built is complete and consistent.
          expect(d.y.every(Number.isFinite)).toBe(true);
          expect(d.X.every(Number.isFinite)).toBe(true);
          expect(d.X.length).toBe(d.n * d.fixedNames.length);
          for (const t of d.terms) {
            expect(t.refs.length).toBe(d.n);
            expect(t.z.length).toBe(d.n * t.columns.length);
            expect(t.levels.length).toBeLessThan(d.n);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(SpruceError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
