import { DataError } from "../errors.js";
import type { TermsSpec } from "../formula/terms.js";
import type { Factor } from "../frame/factor.js";

/** A model variable on the complete rows: a numeric vector or a factor. */
export type RowVariable = { kind: "numeric"; values: Float64Array } | ({ kind: "factor" } & Factor);

/** Named columns of a model matrix, in R's order. */
export interface ModelColumns {
  names: string[];
  columns: Float64Array[];
}

/**
 * R's model.matrix with treatment contrasts: `(Intercept)` first, then each term's columns. A factor is coded by
 * treatment contrasts (indicators of all levels but the first) or, where R's factor pattern says so, by indicators
 * of all its levels; in an interaction the first variable varies fastest and names join with ':'.
 * Without an intercept, the first factor of the first term that has one is coded by all its levels (R's rule).
 */
export function modelMatrix(
  spec: TermsSpec,
  vars: ReadonlyMap<string, RowVariable>,
  n: number,
): ModelColumns {
  const names: string[] = [];
  const columns: Float64Array[] = [];
  if (spec.intercept) {
    names.push("(Intercept)");
    columns.push(new Float64Array(n).fill(1));
  }
  const codes = spec.terms.map((t) => [...t.codes]);
  if (!spec.intercept) {
    search: for (let j = 0; j < spec.terms.length; j++)
      for (let k = 0; k < spec.terms[j].vars.length; k++)
        if (variable(spec, vars, spec.terms[j].vars[k]).kind === "factor") {
          codes[j][k] = 2;
          break search;
        }
  }
  spec.terms.forEach((term, j) => {
    let acc: { name: string; values: Float64Array }[] = [];
    term.vars.forEach((v, k) => {
      const name = spec.variableNames[v];
      const x = variable(spec, vars, v);
      let parts: { name: string; values: Float64Array }[];
      if (x.kind === "numeric") parts = [{ name, values: x.values }];
      else {
        if (x.levels.length < 2)
          throw new DataError(
            `factor '${name}' has only one level (${x.levels.join("")}) in the rows used; ` +
              "a factor in the model needs at least two levels",
          );
        const first = codes[j][k] === 1 ? 1 : 0;
        const indicators = x.levels.slice(first).map(() => new Float64Array(n));
        for (let i = 0; i < n; i++) {
          const l = x.codes[i] - first;
          if (l >= 0) indicators[l][i] = 1;
        }
        parts = indicators.map((values, l) => ({ name: name + x.levels[l + first], values }));
      }
      if (k === 0) {
        acc = parts;
        return;
      }
      // Earlier variables vary fastest: the new variable's columns form the outer loop.
      const next: { name: string; values: Float64Array }[] = [];
      for (const p of parts)
        for (const a of acc) {
          const values = new Float64Array(n);
          const av = a.values;
          const pv = p.values;
          for (let i = 0; i < n; i++) values[i] = av[i] * pv[i];
          next.push({ name: `${a.name}:${p.name}`, values });
        }
      acc = next;
    });
    for (const a of acc) {
      names.push(a.name);
      columns.push(a.values);
    }
  });
  return { names, columns };
}

function variable(spec: TermsSpec, vars: ReadonlyMap<string, RowVariable>, v: number): RowVariable {
  const x = vars.get(spec.variableNames[v]);
  if (!x) throw new Error(`internal: variable ${spec.variableNames[v]} was not evaluated`);
  return x;
}
