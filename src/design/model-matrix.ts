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
  /** Column j, length n: a view of `buffer` (columns are never separate allocations). */
  columns: Float64Array[];
  /** All the columns, n × p column-major (column j is buffer[j * n … (j + 1) * n)). */
  buffer?: Float64Array;
}

/**
 * One factor of a model-matrix column: a numeric vector, the indicator of one level of a factor (codes equal to
 * `level`), or one column of a contrast matrix indexed by the codes. A column is the product of its parts.
 */
type Part =
  | { kind: "values"; values: Float64Array }
  | { kind: "indicator"; codes: Int32Array; level: number }
  | { kind: "contrast"; codes: Int32Array; matrix: Float64Array; stride: number; column: number };

/**
 * R's model.matrix with treatment contrasts: `(Intercept)` first, then each term's columns. A factor is coded by
 * treatment contrasts (indicators of all levels but the first) or, where R's factor pattern says so, by indicators
 * of all its levels; in an interaction the first variable varies fastest and names join with ':'.
 * Without an intercept, the first factor of the first term that has one is coded by all its levels (R's rule).
 *
 * The columns are laid out first (names and parts), then written into one n × p buffer, each column in one
 * typed pass per part: no per-row objects and no intermediate columns for the factors of an interaction.
 */
export function modelMatrix(
  spec: TermsSpec,
  vars: ReadonlyMap<string, RowVariable>,
  n: number,
  /** Contrasts of factors coded by contrasts, by variable name (default contr.treatment). */
  contrasts?: ReadonlyMap<string, ContrastKind>,
): ModelColumns {
  const names: string[] = [];
  const layout: Part[][] = [];
  if (spec.intercept) {
    names.push("(Intercept)");
    layout.push([]);
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
    let acc: { name: string; parts: Part[] }[] = [];
    term.vars.forEach((v, k) => {
      const name = spec.variableNames[v];
      const parts = variableParts(name, variable(spec, vars, v), codes[j][k], contrasts);
      if (k === 0) {
        acc = parts.map((p) => ({ name: p.name, parts: [p.part] }));
        return;
      }
      // Earlier variables vary fastest: the new variable's columns form the outer loop.
      const next: { name: string; parts: Part[] }[] = [];
      for (const p of parts)
        for (const a of acc) next.push({ name: `${a.name}:${p.name}`, parts: [...a.parts, p.part] });
      acc = next;
    });
    for (const a of acc) {
      names.push(a.name);
      layout.push(a.parts);
    }
  });
  const buffer = new Float64Array(n * names.length);
  const columns = layout.map((parts, j) => {
    const column = buffer.subarray(j * n, (j + 1) * n);
    writeColumn(column, parts);
    return column;
  });
  return { names, columns, buffer };
}

/** The columns one variable contributes to a term (`code`: R's factor pattern, 1 contrasts, 2 all levels). */
function variableParts(
  name: string,
  x: RowVariable,
  code: number,
  contrasts: ReadonlyMap<string, ContrastKind> | undefined,
): { name: string; part: Part }[] {
  if (x.kind === "numeric") return [{ name, part: { kind: "values", values: x.values } }];
  if (x.kind === "matrix")
    return x.columns.map((values, c) => ({
      name: name + (x.suffixes[c] as string),
      part: { kind: "values", values },
    }));
  if (x.levels.length < 2)
    throw new DataError(
      `factor '${name}' has only one level (${x.levels.join("")}) in the rows used; ` +
        "a factor in the model needs at least two levels",
    );
  const kind = contrasts?.get(name) ?? "contr.treatment";
  if (code === 1 && kind !== "contr.treatment") {
    const { matrix, names: cn } = contrastMatrix(kind, x.levels);
    const stride = x.levels.length - 1;
    return cn.map((suffix, column) => ({
      name: name + suffix,
      part: { kind: "contrast", codes: x.codes, matrix, stride, column },
    }));
  }
  const first = code === 1 ? 1 : 0;
  return x.levels.slice(first).map((level, l) => ({
    name: name + level,
    part: { kind: "indicator", codes: x.codes, level: l + first },
  }));
}

/**
 * column = the product of the parts (1 for none: the intercept). Indicators are 1 or 0, so a column of indicators
 * and at most one vector is `x` where every indicator holds and `x · 0` elsewhere, bit for bit the product in any
 * order (0 · x = x · 0, and a further · 1 or · 0 changes nothing); such columns take one pass. Others multiply the
 * parts in order, one pass each.
 */
function writeColumn(column: Float64Array, parts: Part[]): void {
  const n = column.length;
  const indicators: { codes: Int32Array; level: number }[] = [];
  const others: Part[] = [];
  for (const part of parts) {
    if (part.kind === "indicator") indicators.push(part);
    else others.push(part);
  }
  const only = others.length === 0 ? undefined : others[0];
  if (others.length <= 1 && (only === undefined || only.kind === "values")) {
    const x = only?.values;
    if (indicators.length === 0) {
      if (x) column.set(x);
      else column.fill(1);
      return;
    }
    if (indicators.length === 1 && !x) {
      const { codes, level } = indicators[0] as { codes: Int32Array; level: number };
      for (let i = 0; i < n; i++) column[i] = codes[i] === level ? 1 : 0;
      return;
    }
    if (indicators.length === 2 && !x) {
      // Two factors' interaction (InstEval's service:dept): the product of the two indicators, without the
      // early exit of the general loop below (its branch mispredicts on scattered levels); the same 1s and +0s.
      const a = indicators[0] as { codes: Int32Array; level: number };
      const b = indicators[1] as { codes: Int32Array; level: number };
      const ca = a.codes;
      const cb = b.codes;
      for (let i = 0; i < n; i++) column[i] = (ca[i] === a.level ? 1 : 0) * (cb[i] === b.level ? 1 : 0);
      return;
    }
    for (let i = 0; i < n; i++) {
      let hit = true;
      for (let k = 0; k < indicators.length; k++) {
        const ind = indicators[k] as { codes: Int32Array; level: number };
        if (ind.codes[i] !== ind.level) {
          hit = false;
          break;
        }
      }
      const v = x ? (x[i] as number) : 1;
      column[i] = hit ? v : v * 0;
    }
    return;
  }
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k] as Part;
    if (part.kind === "values") {
      const x = part.values;
      if (k === 0) column.set(x);
      else for (let i = 0; i < n; i++) column[i] = (column[i] as number) * (x[i] as number);
    } else if (part.kind === "indicator") {
      const { codes, level } = part;
      if (k === 0) for (let i = 0; i < n; i++) column[i] = codes[i] === level ? 1 : 0;
      else for (let i = 0; i < n; i++) column[i] = (column[i] as number) * (codes[i] === level ? 1 : 0);
    } else {
      const { codes, matrix, stride, column: c } = part;
      for (let i = 0; i < n; i++) {
        const l = codes[i] as number;
        const x = l < 0 ? Number.NaN : (matrix[l * stride + c] as number);
        column[i] = k === 0 ? x : (column[i] as number) * x;
      }
    }
  }
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
