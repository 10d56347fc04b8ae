/**
 * factorOfRows (R's factor() on the complete rows, coded from the column in place) against makeFactor on the
 * picked values: the same levels and codes for numbers (compact integer ranges through a table, wide or fractional
 * ones through a map), text (ICU order) and logicals.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { interactFactors, makeFactor } from "../../src/frame/factor.js";
import { factorOfRows } from "../../src/frame/factor-rows.js";

/** Some rows of a column, in order, possibly repeated (a subset as the complete rows are). */
describe("factorOfRows = makeFactor on the rows picked", () => {
  it("numbers: small and wide integer ranges, fractions, −0, integer labels", () => {
    const numbers = fc.oneof(
      fc.integer({ min: -5, max: 40 }),
      fc.integer({ min: -2e9, max: 2e9 }),
      fc.constantFrom(-0, 0, 1e5, 1e15, 0.5, -2.25, 1 / 3, Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(fc.array(numbers, { minLength: 1, maxLength: 40 }), fc.boolean(), (values, integer) => {
        fc.pre(values.length > 0);
        const column = Float64Array.from(values);
        for (const rows of [
          Int32Array.from(values.keys()),
          Int32Array.from(values.keys()).filter((i) => i % 3 !== 1),
        ]) {
          const picked = Array.from(rows, (r) => column[r] as number);
          expect(factorOfRows({ kind: "numeric", values: column, integer }, rows)).toEqual(
            makeFactor({ kind: "numeric", values: picked, integer }),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("grouping codes 1 … 20,000 in scrambled order (the table path), and a column holding nulls at unpicked rows", () => {
    const n = 20_000;
    const values = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) + 1);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const f = factorOfRows({ kind: "numeric", values, integer: true }, rows);
    expect(f).toEqual(makeFactor({ kind: "numeric", values, integer: true }));
    const withNull: (number | null)[] = [3, null, 1, 3, null, 2];
    expect(factorOfRows({ kind: "numeric", values: withNull }, Int32Array.from([0, 2, 3, 5]))).toEqual(
      makeFactor({ kind: "numeric", values: [3, 1, 3, 2] }),
    );
  });

  it("text and logicals", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("b", "a", "B", "A", "é", "e", "10", "9", "control", "Drug", null), {
          minLength: 1,
          maxLength: 40,
        }),
        (values) => {
          const rows = Int32Array.from(values.flatMap((v, i) => (v === null ? [] : [i])));
          expect(factorOfRows({ kind: "string", values }, rows)).toEqual(
            makeFactor({ kind: "string", values: Array.from(rows, (r) => values[r] as string) }),
          );
        },
      ),
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(true, false, null), { minLength: 1, maxLength: 20 }), (values) => {
        const rows = Int32Array.from(values.flatMap((v, i) => (v === null ? [] : [i])));
        expect(factorOfRows({ kind: "logical", values }, rows)).toEqual(
          makeFactor({ kind: "logical", values: Array.from(rows, (r) => values[r] as boolean) }),
        );
      }),
    );
  });

  it("no rows: no levels", () => {
    expect(factorOfRows({ kind: "numeric", values: [1, 2] }, new Int32Array(0))).toEqual({
      levels: [],
      codes: new Int32Array(0),
    });
  });
});

describe("interactFactors: observed combinations, first factor slowest", () => {
  it("equals the sorted distinct combinations (the table path and the map path)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 50 }),
        (na, nb, pairs) => {
          const a = {
            levels: Array.from({ length: na }, (_, i) => `a${i}`),
            codes: Int32Array.from(pairs, ([x]) => x % na),
          };
          const b = {
            levels: Array.from({ length: nb }, (_, i) => `b${i}`),
            codes: Int32Array.from(pairs, ([, y]) => y % nb),
          };
          const keys = Array.from(a.codes, (x, i) => x * nb + (b.codes[i] as number));
          const distinct = [...new Set(keys)].sort((x, y) => x - y);
          expect(interactFactors(a, b)).toEqual({
            levels: distinct.map((v) => `a${Math.floor(v / nb)}:b${v % nb}`),
            codes: Int32Array.from(keys, (k) => distinct.indexOf(k)),
          });
        },
      ),
    );
  });
});
