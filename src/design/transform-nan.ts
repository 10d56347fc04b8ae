/**
 * Transforms that give NaN on present data (`log(time)` of a negative time): an error naming the term and the
 * count by default (R only warns "NaNs produced", and the rows then vanish unseen), or, with dropNaN, rows that go
 * the way of missing values and are reported with the fit (issue 18).
 */
import { DataError } from "../errors.js";
import type { Expr } from "../formula/ast.js";
import type { Variable } from "../frame/evaluate.js";
import type { DataFrame } from "../frame/frame.js";

/**
 * Rows where a computed variable is NaN although every column it reads is present: the transform produced the NaN
 * (`log` of a negative number). An error naming the term and the count, unless `drop` (then the rows go the way of
 * missing values, and the count is reported with the fit).
 */
export function checkTransformNaN(
  raw: Map<string, Variable>,
  frame: DataFrame,
  drop: boolean,
): { term: string; rows: number }[] {
  const out: { term: string; rows: number }[] = [];
  for (const [name, v] of raw) {
    if (v.kind !== "numeric" || frame.columns.has(name)) continue;
    const inputs = [...new Set(columnNames(v.expr))]
      .map((c) => frame.columns.get(c))
      .filter((c) => c !== undefined);
    let count = 0;
    let first = -1;
    for (let i = 0; i < frame.nrow; i++) {
      if (!Number.isNaN(v.values[i] as number)) continue;
      const present = inputs.every((c) => {
        const x = c.values[i];
        return !(x === null || (typeof x === "number" && Number.isNaN(x)));
      });
      if (!present) continue;
      if (first < 0) first = i;
      count++;
    }
    if (count === 0) continue;
    if (!drop)
      throw new DataError(
        `'${name}' gave NaN in ${count} of ${frame.nrow} rows (first: data row ${first + 1}), although its inputs ` +
          "are present; fix the transform, or drop those rows with the option dropNaN: true (CLI: --drop-nan)",
      );
    out.push({ term: name, rows: count });
  }
  return out;
}

/** The data columns an expression reads. */
function columnNames(e: Expr | undefined): string[] {
  if (!e) return [];
  const names: string[] = [];
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop() as Expr;
    if (x.kind === "name") names.push(x.name);
    else if (x.kind === "paren") stack.push(x.expr);
    else if (x.kind === "unary") stack.push(x.arg);
    else if (x.kind === "binary") stack.push(x.left, x.right);
    else if (x.kind === "call") stack.push(...x.args);
  }
  return names;
}
