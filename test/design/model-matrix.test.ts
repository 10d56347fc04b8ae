/**
 * The model matrix written into one buffer, column by column (src/design/model-matrix.ts), against the direct
 * construction it replaces: every factor expanded into indicator (or contrast) columns, every interaction the
 * elementwise product of full columns, earlier variables varying fastest. Bit for bit (Object.is: −0, and the NaN
 * of ∞ · 0), on formulas with numeric × factor × factor interactions, no intercept, sum contrasts and missing codes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ContrastKind,
  contrastMatrix,
  modelMatrix,
  type RowVariable,
} from "../../src/design/model-matrix.js";
import { analyzeFormula } from "../../src/formula/model.js";
import type { TermsSpec } from "../../src/formula/terms.js";

/** The reference: full columns per variable, products of full columns, in R's column order. */
function directModelMatrix(
  spec: TermsSpec,
  vars: ReadonlyMap<string, RowVariable>,
  n: number,
  contrasts: ReadonlyMap<string, ContrastKind>,
): { names: string[]; columns: Float64Array[] } {
  const names: string[] = [];
  const columns: Float64Array[] = [];
  if (spec.intercept) {
    names.push("(Intercept)");
    columns.push(new Float64Array(n).fill(1));
  }
  const codes = spec.terms.map((t) => [...t.codes]);
  if (!spec.intercept)
    search: for (let j = 0; j < spec.terms.length; j++)
      for (let k = 0; k < (spec.terms[j]?.vars.length ?? 0); k++)
        if (vars.get(spec.variableNames[spec.terms[j]?.vars[k] as number] as string)?.kind === "factor") {
          (codes[j] as number[])[k] = 2;
          break search;
        }
  spec.terms.forEach((term, j) => {
    let acc: { name: string; values: Float64Array }[] = [];
    term.vars.forEach((v, k) => {
      const name = spec.variableNames[v] as string;
      const x = vars.get(name) as RowVariable;
      let parts: { name: string; values: Float64Array }[];
      if (x.kind === "numeric") parts = [{ name, values: x.values }];
      else if (x.kind === "matrix")
        parts = x.columns.map((values, c) => ({ name: name + x.suffixes[c], values }));
      else if ((codes[j] as number[])[k] === 1 && contrasts.has(name)) {
        const { matrix, names: cn } = contrastMatrix(contrasts.get(name) as ContrastKind, x.levels);
        const kk = x.levels.length - 1;
        parts = cn.map((suffix, c) => ({
          name: name + suffix,
          values: Float64Array.from(x.codes, (l) => (l < 0 ? Number.NaN : (matrix[l * kk + c] as number))),
        }));
      } else {
        const first = (codes[j] as number[])[k] === 1 ? 1 : 0;
        parts = x.levels.slice(first).map((level, l) => ({
          name: name + level,
          values: Float64Array.from(x.codes, (c) => (c === l + first ? 1 : 0)),
        }));
      }
      if (k === 0) acc = parts;
      else {
        const next: typeof acc = [];
        for (const p of parts)
          for (const a of acc)
            next.push({
              name: `${a.name}:${p.name}`,
              values: a.values.map((av, i) => av * (p.values[i] as number)),
            });
        acc = next;
      }
    });
    for (const a of acc) {
      names.push(a.name);
      columns.push(a.values);
    }
  });
  return { names, columns };
}

const FORMULAS = [
  "y ~ x * f * h",
  "y ~ f:x + h",
  "y ~ 0 + f:h + x:z",
  "y ~ 0 + x + f * h",
  "y ~ x:z:f + h:f",
  "y ~ f * h * z",
];

const NUMBERS = [1.5, -2, 0, -0, 3.25, Number.POSITIVE_INFINITY, -1e-300, 7];

describe("modelMatrix: one buffer, written column by column = products of full columns", () => {
  it("random data, formulas with interactions, treatment and sum contrasts, missing factor codes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORMULAS),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.boolean(),
        (formula, n, seed, sum) => {
          let s = seed;
          const rand = (k: number) => {
            s = (s * 1103515245 + 12345) % 2147483648;
            return Math.floor((s / 2147483648) * k);
          };
          const spec = analyzeFormula(formula, { columns: ["y", "x", "z", "f", "h"] }).fixed;
          const vars = new Map<string, RowVariable>([
            [
              "x",
              {
                kind: "numeric",
                values: Float64Array.from({ length: n }, () => NUMBERS[rand(NUMBERS.length)] as number),
              },
            ],
            [
              "z",
              {
                kind: "numeric",
                values: Float64Array.from({ length: n }, () => NUMBERS[rand(NUMBERS.length)] as number),
              },
            ],
            // Codes −1 stand for a missing level (new data).
            [
              "f",
              {
                kind: "factor",
                levels: ["a", "b", "c"],
                codes: Int32Array.from({ length: n }, () => rand(4) - 1),
              },
            ],
            [
              "h",
              { kind: "factor", levels: ["u", "v"], codes: Int32Array.from({ length: n }, () => rand(2)) },
            ],
          ]);
          const contrasts = new Map<string, ContrastKind>(sum ? [["f", "contr.sum"]] : []);
          const got = modelMatrix(spec, vars, n, contrasts);
          const want = directModelMatrix(spec, vars, n, contrasts);
          expect(got.names).toEqual(want.names);
          expect(got.buffer?.length).toBe(n * want.names.length);
          want.columns.forEach((c, j) => {
            const g = got.columns[j] as Float64Array;
            expect(g.buffer).toBe(got.buffer?.buffer);
            for (let i = 0; i < n; i++) expect(Object.is(g[i], c[i])).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
