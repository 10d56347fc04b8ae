import { DataError } from "../errors.js";
import { type Expr, unparen } from "../formula/ast.js";
import { deparse } from "../formula/deparse.js";
import type { DataFrame } from "./frame.js";
import { nonNumericDetail } from "./not-numeric.js";
import {
  orthogonalPoly,
  rawPoly,
  scaleColumn,
  type TransformContext,
  type TransformParams,
} from "./transforms.js";

/**
 * A model variable evaluated on every row of the data: numeric (NaN where missing) or categorical (the raw values,
 * null where missing; made into a factor once the incomplete rows are gone, so that unused levels disappear).
 */
export type Variable =
  /** `integer`: a column R reads as integer (see Column); only a factor's labels depend on it. */
  | {
      kind: "numeric";
      name: string;
      values: Float64Array;
      integer?: boolean;
      /** The expression computed (absent for a plain column). */
      expr?: Expr;
    }
  | {
      kind: "categorical";
      name: string;
      source: "numeric" | "integer" | "string" | "logical";
      values: (number | string | boolean | null)[];
    }
  /** Several numeric columns under one name (poly(x, 2)): model-matrix columns are the name + each suffix. */
  | { kind: "matrix"; name: string; columns: Float64Array[]; suffixes: string[] };

const MATH: Record<string, (x: number) => number> = {
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  log1p: Math.log1p,
  exp: Math.exp,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  abs: Math.abs,
  as_numeric: (x) => x,
};

/** The functions that make a factor of their argument. */
const FACTOR_FUNCTIONS: ReadonlySet<string> = new Set(["factor", "as.factor", "ordered", "as.ordered"]);

/**
 * Evaluate one variable of a model (`time`, `I(time^2)`, `log(x)`, `factor(g)`, `poly(x, 2)`, `scale(x)`) on the
 * frame. `transforms` records (fitting) or supplies (predicting) the parameters of poly() and scale(). `asFactor`:
 * the variable will be a factor, so a numeric column with a stray text cell is taken as it is.
 */
export function evaluateVariable(
  e: Expr,
  frame: DataFrame,
  transforms?: TransformContext,
  asFactor = false,
): Variable {
  const name = deparse(e);
  const inner = unparen(e);
  if (inner.kind === "call" && (inner.fn === "poly" || inner.fn === "scale"))
    return evaluateTransform(inner, name, frame, transforms);
  if (inner.kind === "call" && inner.fn === "offset")
    return { kind: "numeric", name, values: evaluateNumeric(inner.args[0] as Expr, frame, name) };
  if (inner.kind === "name") {
    const col = lookup(inner.name, frame);
    if (col.kind === "numeric")
      return { kind: "numeric", name, values: col.values, integer: col.integer === true };
    if (col.kind === "string" && col.notNumber && !asFactor) {
      const { row, cell, count } = col.notNumber;
      throw new DataError(
        `column '${inner.name}' holds numbers except ${count === 1 ? "one cell" : `${count} cells`}: data row ${row} ` +
          `is ${JSON.stringify(cell)}; fix the cell, or write factor(${inner.name}) to use the column as a factor`,
      );
    }
    return { kind: "categorical", name, source: col.kind, values: col.values };
  }
  // ordered(x), as.ordered(x), factor(x, ordered = TRUE): a factor here; the design orders it (src/design/ordered.ts).
  if (inner.kind === "call" && FACTOR_FUNCTIONS.has(inner.fn)) {
    const v = evaluateVariable(inner.args[0] as Expr, frame, transforms, true);
    if (v.kind === "categorical") return { ...v, name };
    if (v.kind === "matrix") throw new DataError(`'${name}': a matrix cannot be made a factor`);
    return {
      kind: "categorical",
      name,
      source: v.integer ? "integer" : "numeric",
      values: Array.from(v.values, (x) => (Number.isNaN(x) ? null : x)),
    };
  }
  return { kind: "numeric", name, values: evaluateNumeric(inner, frame, name), expr: inner };
}

/** Evaluate a grouping variable: always a factor (lme4 converts every grouping variable with factor()). */
export function evaluateGroupingVariable(e: Expr, frame: DataFrame): Variable {
  const v = evaluateVariable(e, frame, undefined, true);
  if (v.kind === "categorical") return v;
  if (v.kind === "matrix") throw new DataError(`'${v.name}' cannot be a grouping factor`);
  return {
    kind: "categorical",
    name: v.name,
    source: v.integer ? "integer" : "numeric",
    values: Array.from(v.values, (x) => (Number.isNaN(x) ? null : x)),
  };
}

/** A constant argument of poly()/scale(): a number or TRUE/FALSE (checked by the formula reader). */
function constantArg(e: Expr | undefined): number | boolean | undefined {
  if (e === undefined) return undefined;
  const inner = unparen(e);
  if (inner.kind === "number") return inner.value;
  if (inner.kind === "name") return inner.name === "TRUE";
  if (inner.kind === "unary" && unparen(inner.arg).kind === "number")
    return (inner.op === "-" ? -1 : 1) * (unparen(inner.arg) as { value: number }).value;
  return undefined;
}

/** The argument of a call by name, else by position (R's matching for poly(x, degree, raw) and scale(x, center, scale)). */
function argument(call: Extract<Expr, { kind: "call" }>, name: string, position: number): Expr | undefined {
  const named = call.argNames?.indexOf(name) ?? -1;
  if (named >= 0) return call.args[named];
  let k = 0;
  for (let i = 0; i < call.args.length; i++) {
    if (call.argNames?.[i] !== undefined) continue;
    if (k === position) return call.args[i];
    k++;
  }
  return undefined;
}

function evaluateTransform(
  call: Extract<Expr, { kind: "call" }>,
  name: string,
  frame: DataFrame,
  transforms?: TransformContext,
): Variable {
  const x = evaluateNumeric(call.args[0] as Expr, frame, name);
  const stored = transforms?.mode === "use" ? transforms.params.get(name) : undefined;
  const record = (p: TransformParams) => {
    if (transforms?.mode === "record") transforms.params.set(name, p);
  };
  if (call.fn === "poly") {
    const degree = constantArg(argument(call, "degree", 1)) ?? 1;
    const raw = constantArg(argument(call, "raw", 2)) === true;
    if (typeof degree !== "number" || !Number.isInteger(degree) || degree < 1)
      throw new DataError(`'${name}': the degree must be a whole number of at least 1`);
    const suffixes = Array.from({ length: degree }, (_, j) => String(j + 1));
    if (raw) return { kind: "matrix", name, columns: rawPoly(x, degree), suffixes };
    const given = stored?.kind === "poly" ? stored.coefs : undefined;
    const { columns, coefs } = orthogonalPoly(x, degree, name, given);
    record({ kind: "poly", coefs });
    return { kind: "matrix", name, columns, suffixes };
  }
  const center = constantArg(argument(call, "center", 1)) ?? true;
  const scale = constantArg(argument(call, "scale", 2)) ?? true;
  const given = stored?.kind === "scale" ? stored : undefined;
  const r = scaleColumn(x, center, scale, given);
  record({ kind: "scale", center: r.center, scale: r.scale });
  return { kind: "numeric", name, values: r.values };
}

function lookup(name: string, frame: DataFrame) {
  const col = frame.columns.get(name);
  if (!col) {
    const shown = frame.names.length > 30 ? [...frame.names.slice(0, 30), "..."] : frame.names;
    throw new DataError(
      `the formula uses '${name}' but the data has no such column; columns are: ${shown.join(", ") || "(none)"}`,
    );
  }
  return col;
}

/** Arithmetic as R does it inside I() and function calls, element by element. */
function evaluateNumeric(e: Expr, frame: DataFrame, context: string): Float64Array {
  const n = frame.nrow;
  switch (e.kind) {
    case "number":
      return new Float64Array(n).fill(e.value);
    case "name": {
      const col = lookup(e.name, frame);
      // R's arithmetic (and as.numeric) turns TRUE/FALSE into 1/0.
      if (col.kind === "logical")
        return Float64Array.from(col.values, (v) => (v === null ? Number.NaN : v ? 1 : 0));
      if (col.kind !== "numeric")
        throw new DataError(
          `'${context}' needs numbers but column '${e.name}' holds ${col.kind} values` +
            (nonNumericDetail(col) ? `: ${nonNumericDetail(col)}` : ""),
        );
      return col.values;
    }
    case "paren":
      return evaluateNumeric(e.expr, frame, context);
    case "unary": {
      const x = evaluateNumeric(e.arg, frame, context);
      return e.op === "-" ? x.map((v) => -v) : x;
    }
    case "call": {
      if (e.fn === "I") return evaluateNumeric(e.args[0], frame, context);
      if (FACTOR_FUNCTIONS.has(e.fn))
        throw new DataError(`'${context}': a factor cannot be used in arithmetic`);
      if (e.fn === "poly" || e.fn === "scale" || e.fn === "offset")
        throw new DataError(`'${context}': ${e.fn}() cannot be used inside arithmetic`);
      const x = evaluateNumeric(e.args[0], frame, context);
      if (e.fn === "log" && e.args.length === 2) {
        const base = evaluateNumeric(e.args[1], frame, context);
        return x.map((v, i) => Math.log(v) / Math.log(base[i]));
      }
      const f = MATH[e.fn === "as.numeric" ? "as_numeric" : e.fn];
      if (!f) throw new DataError(`'${context}': unknown function ${e.fn}()`);
      return x.map(f);
    }
    case "binary": {
      const a = evaluateNumeric(e.left, frame, context);
      const b = evaluateNumeric(e.right, frame, context);
      const out = new Float64Array(n);
      switch (e.op) {
        case "+":
          for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
          return out;
        case "-":
          for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
          return out;
        case "*":
          for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
          return out;
        case "/":
          for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
          return out;
        case "^":
          for (let i = 0; i < n; i++) out[i] = a[i] ** b[i];
          return out;
        default:
          throw new DataError(`'${context}': '${e.op}' is not arithmetic`);
      }
    }
  }
}
