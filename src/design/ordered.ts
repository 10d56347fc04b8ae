/**
 * Ordered factors, R's `ordered()`: a factor whose levels have an order, coded by orthogonal polynomial contrasts
 * (contr.poly: columns `.L`, `.Q`, `.C`, `^4`, …) unless the contrasts option says otherwise, as R's default
 * `options(contrasts = c("contr.treatment", "contr.poly"))` does.
 *
 * CSV has no ordered type, so there are R's ways to declare one:
 * - in the formula: `ordered(x)`, `as.ordered(x)`, `factor(x, ordered = TRUE)` (levels sorted, as factor() sorts
 *   them: numbers numerically, text in R's collation);
 * - the `ordered` option, per data column: `{ dose: ["low", "mid", "high"] }` (levels in that order) or
 *   `{ dose: true }` (sorted levels): the column is then an ordered factor wherever the model uses it (`dose`,
 *   `factor(dose)`, `ordered(dose)`), as after R's `d$dose <- ordered(d$dose, levels = ...)`; a numeric column so
 *   declared is a factor too. `factor(dose, ordered = FALSE)` still makes it unordered, as in R.
 * - the data themselves: an Apache Arrow column of an ordered dictionary type (src/frame/ordered-columns.ts), its
 *   dictionary order the levels' order.
 * Levels that no used row has are dropped (lme4's model frame drops unused levels); a value missing from the levels
 * given is an error naming it and its row (R would make it NA and drop the row unseen).
 *
 * The random-effects terms' model matrices code an ordered factor by contr.poly too (lme4 builds them with R's
 * default contrasts); the contrasts option applies to the fixed effects only, as lmer's `contrasts` argument.
 */
import { DataError, ModelError } from "../errors.js";
import { type Expr, unparen } from "../formula/ast.js";
import { deparse, formatRNumber } from "../formula/deparse.js";
import type { ModelSpec } from "../formula/model.js";
import { type Factor, makeFactor } from "../frame/factor.js";
import type { DataFrame } from "../frame/frame.js";
import type { ContrastKind, RowVariable } from "./model-matrix.js";

/** Ordered factors per data column: the levels in order, or true for the sorted levels (R's ordered(x)). */
export type OrderedLevels = Record<string, readonly (string | number)[] | true>;

/** What the model frame holds that ordering changes (src/design/build.ts's ModelFrame has these members). */
interface FrameParts {
  rows: Int32Array;
  variables: Map<string, RowVariable>;
  grouping: Map<string, Factor>;
  integerLabelled: Set<string>;
}

const FACTOR_CALLS: ReadonlySet<string> = new Set(["factor", "as.factor", "ordered", "as.ordered"]);

/**
 * Make the ordered factors of the model frame (levels in order, in place) and return their default contrasts:
 * contr.poly for each ordered variable, by its name in the model frame.
 */
export function orderFactors(
  spec: ModelSpec,
  mf: FrameParts,
  frame: DataFrame,
  option: OrderedLevels | undefined,
): Map<string, ContrastKind> {
  // Levels the data declare (Arrow ordered dictionaries) unless the option gives others; only the option's must be used.
  const fromData = frame.ordered ? Object.fromEntries(frame.ordered) : {};
  const given = checkOption({ ...fromData, ...option }, frame);
  const mustUse = new Set(Object.keys(option ?? {}));
  const out = new Map<string, ContrastKind>();
  const used = new Set<string>();
  const exprs = [...spec.fixed.variables, ...spec.random.flatMap((r) => r.lhs.variables)];
  for (const e of exprs) {
    const name = deparse(e);
    if (out.has(name)) continue;
    const { column, ordered } = readOrdered(e);
    const levels = column === undefined ? undefined : given.get(column);
    if (levels !== undefined && column !== undefined) used.add(column);
    if (levels === undefined && ordered !== true) continue;
    const v = mf.variables.get(name);
    if (!v) continue;
    if (v.kind === "matrix") throw new ModelError(`'${name}' is a matrix and cannot be an ordered factor`);
    let factor: Factor;
    if (v.kind === "numeric") {
      const col = column === undefined ? undefined : frame.columns.get(column);
      const integer = col?.kind === "numeric" && col.integer === true;
      factor = makeFactor({ kind: "numeric", values: v.values, integer });
      if (integer) mf.integerLabelled.add(name);
    } else factor = v;
    if (Array.isArray(levels)) factor = reorder(factor, levels as string[], column as string, mf.rows);
    mf.variables.set(name, { kind: "factor", levels: factor.levels, codes: factor.codes });
    // factor(x, ordered = FALSE) of a declared column: its level order, but unordered (treatment contrasts).
    if (ordered !== false) out.set(name, "contr.poly");
  }
  // A grouping factor on a declared column takes the declared order too (ranef() lists the levels in it).
  for (const [name, f] of mf.grouping) {
    const levels = given.get(name);
    if (levels === undefined) continue;
    used.add(name);
    if (Array.isArray(levels)) mf.grouping.set(name, reorder(f, levels as string[], name, mf.rows));
  }
  for (const column of mustUse)
    if (!used.has(column))
      throw new ModelError(
        `ordered levels given for '${column}', which the model does not use as a variable ` +
          "(it must appear as itself, factor(), as.factor(), ordered() or as a grouping factor)",
      );
  return out;
}

/** The data column a factor variable is made of, and whether the formula says it is ordered (undefined: not said). */
function readOrdered(e: Expr): { column: string | undefined; ordered: boolean | undefined } {
  const inner = unparen(e);
  if (inner.kind === "name") return { column: inner.name, ordered: undefined };
  if (inner.kind !== "call" || !FACTOR_CALLS.has(inner.fn)) return { column: undefined, ordered: undefined };
  const arg = unparen(inner.args[0] as Expr);
  const column = arg.kind === "name" ? arg.name : undefined;
  if (inner.fn === "ordered" || inner.fn === "as.ordered") return { column, ordered: true };
  const k = inner.argNames?.indexOf("ordered") ?? -1;
  if (k < 0) return { column, ordered: undefined };
  const flag = unparen(inner.args[k] as Expr);
  return { column, ordered: flag.kind === "name" && flag.name === "TRUE" };
}

/** The factor with its levels in the given order (only those observed); a value not among them is an error. */
function reorder(f: Factor, order: readonly string[], column: string, rows: Int32Array): Factor {
  const position = new Map(order.map((l, i) => [l, i]));
  for (let i = 0; i < f.codes.length; i++) {
    const label = f.levels[f.codes[i] as number] as string;
    if (!position.has(label))
      throw new DataError(
        `column '${column}' has the value '${label}' (data row ${(rows[i] as number) + 1}), which is not among ` +
          `its ordered levels (${order.join(", ")})`,
      );
  }
  const observed = f.levels.map((l) => position.get(l) as number);
  const kept = [...observed].sort((a, b) => a - b);
  const newCode = new Map(kept.map((p, i) => [p, i]));
  const levels = kept.map((p) => order[p] as string);
  const codes = Int32Array.from(f.codes, (c) => newCode.get(observed[c] as number) as number);
  return { levels, codes };
}

/** The option checked against the data: known columns, and level lists of distinct labels. */
function checkOption(option: OrderedLevels | undefined, frame: DataFrame): Map<string, string[] | true> {
  const out = new Map<string, string[] | true>();
  if (option === undefined) return out;
  for (const [column, levels] of Object.entries(option)) {
    const col = frame.columns.get(column);
    if (!col)
      throw new DataError(
        `ordered levels given for '${column}', which is not a column of the data (columns: ${frame.names.join(", ")})`,
      );
    if (levels === true) {
      out.set(column, true);
      continue;
    }
    const integer = col.kind === "numeric" && col.integer === true;
    const labels = levels.map((l) =>
      typeof l === "number" ? (integer && Number.isInteger(l) ? String(l) : formatRNumber(l)) : l,
    );
    if (labels.length === 0) throw new ModelError(`ordered: no levels given for '${column}'`);
    const seen = new Set<string>();
    for (const l of labels) {
      if (seen.has(l)) throw new ModelError(`ordered: level '${l}' of '${column}' is given twice`);
      seen.add(l);
    }
    out.set(column, labels);
  }
  return out;
}
