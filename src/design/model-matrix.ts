import { DataError } from "../errors.js";
import type { TermsSpec } from "../formula/terms.js";
import type { Factor } from "../frame/factor.js";

/** A model variable on the complete rows: a numeric vector or a factor. */
export type RowVariable =
  | { kind: "numeric"; values: Float64Array }
  | ({ kind: "factor" } & Factor)
  /** Several columns under one variable (poly(x, 2)): column names are the variable's name + each suffix. */
  | { kind: "matrix"; columns: Float64Array[]; suffixes: string[] };

/** R's contrast functions for the factors of the fixed effects (contr.treatment unless chosen per factor). */
export type ContrastKind = "contr.treatment" | "contr.sum" | "contr.helmert" | "contr.poly";

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
  /** Contrasts of factors coded by contrasts, by variable name (default contr.treatment). */
  contrasts?: ReadonlyMap<string, ContrastKind>,
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
      else if (x.kind === "matrix")
        parts = x.columns.map((values, c) => ({ name: name + (x.suffixes[c] as string), values }));
      else if (codes[j][k] === 1 && (contrasts?.get(name) ?? "contr.treatment") !== "contr.treatment") {
        if (x.levels.length < 2)
          throw new DataError(
            `factor '${name}' has only one level (${x.levels.join("")}) in the rows used; ` +
              "a factor in the model needs at least two levels",
          );
        const { matrix, names: cn } = contrastMatrix(contrasts?.get(name) as ContrastKind, x.levels);
        const kk = x.levels.length;
        parts = cn.map((suffix, c) => {
          const values = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            const l = x.codes[i] as number;
            values[i] = l < 0 ? Number.NaN : (matrix[l * (kk - 1) + c] as number);
          }
          return { name: name + suffix, values };
        });
      } else {
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

/**
 * R's contrast matrices (k levels × k − 1 columns, row-major) and the column names model.matrix gives them:
 * contr.sum and contr.helmert number the columns 1 … k − 1; contr.poly names them .L, .Q, .C, ^4, … and holds the
 * orthonormal polynomials in the level index 1 … k (R's contr.poly(k), scores 1:k).
 */
export function contrastMatrix(
  kind: ContrastKind,
  levels: readonly string[],
): { matrix: Float64Array; names: string[] } {
  const k = levels.length;
  const m = new Float64Array(k * (k - 1));
  const numbered = Array.from({ length: k - 1 }, (_, c) => String(c + 1));
  switch (kind) {
    case "contr.treatment":
      for (let c = 0; c < k - 1; c++) m[(c + 1) * (k - 1) + c] = 1;
      return { matrix: m, names: levels.slice(1) };
    case "contr.sum":
      for (let c = 0; c < k - 1; c++) {
        m[c * (k - 1) + c] = 1;
        m[(k - 1) * (k - 1) + c] = -1;
      }
      return { matrix: m, names: numbered };
    case "contr.helmert":
      for (let c = 0; c < k - 1; c++) {
        for (let r = 0; r <= c; r++) m[r * (k - 1) + c] = -1;
        m[(c + 1) * (k - 1) + c] = c + 1;
      }
      return { matrix: m, names: numbered };
    case "contr.poly": {
      // Orthonormal polynomials of degree 1 … k − 1 in the scores 1 … k (R: qr of the centred powers).
      const x = Float64Array.from({ length: k }, (_, i) => i + 1);
      const mean = (k + 1) / 2;
      const cols: Float64Array[] = [new Float64Array(k).fill(1)];
      for (let d = 1; d < k; d++) {
        const v = x.map((xi) => (xi - mean) ** d);
        for (const q of cols) {
          let dot = 0;
          let qq = 0;
          for (let i = 0; i < k; i++) {
            dot += (v[i] as number) * (q[i] as number);
            qq += (q[i] as number) ** 2;
          }
          for (let i = 0; i < k; i++) v[i] = (v[i] as number) - (dot / qq) * (q[i] as number);
        }
        cols.push(v);
      }
      for (let d = 1; d < k; d++) {
        const v = cols[d] as Float64Array;
        let norm = 0;
        for (let i = 0; i < k; i++) norm += (v[i] as number) ** 2;
        norm = Math.sqrt(norm);
        // R's sign: the last level's value is positive (QR's R diagonal positive after qr.qy of diag).
        for (let i = 0; i < k; i++) m[i * (k - 1) + (d - 1)] = (v[i] as number) / norm;
      }
      const names = Array.from({ length: k - 1 }, (_, c) =>
        c === 0 ? ".L" : c === 1 ? ".Q" : c === 2 ? ".C" : `^${c + 1}`,
      );
      return { matrix: m, names };
    }
  }
}
