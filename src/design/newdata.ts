import { DataError } from "../errors.js";
import { type Expr, unparen } from "../formula/ast.js";
import { deparse, formatRNumber } from "../formula/deparse.js";
import { evaluateGroupingVariable, evaluateVariable, type Variable } from "../frame/evaluate.js";
import { type DataInput, toDataFrame } from "../frame/frame.js";
import { designOrigin } from "./build.js";
import { modelMatrix, type RowVariable } from "./model-matrix.js";
import type { Design } from "./types.js";

/** The model's matrices on new data, for predictions (lme4's predict(newdata =)). */
export interface NewDataDesign {
  /** Number of rows of the new data (all of them: nothing is dropped). */
  n: number;
  /** n × p column-major, the columns of `design.fixedNames`; a row with a missing variable is NaN. */
  X: Float64Array;
  /** The offset() terms on the new rows (R adds them to predictions); absent without offsets. */
  offset?: Float64Array;
  /** One entry per term of `design.terms`, in that order. */
  terms: {
    /** Index into the term's levels; -1 where the group level was not in the fitting data or is missing. */
    refs: Int32Array;
    /** n × p row-major, like RandomTerm.z. */
    z: Float64Array;
    /** Group levels of the new data that the fitting data did not have (lme4: allow.new.levels). */
    newLevels: string[];
  }[];
}

/**
 * Build X and Z for new data with the fitting data's factor levels and contrasts, so that column j means what it
 * meant in the fit. The response is not needed. A fixed-effect factor level the fit never saw is an error (as in
 * R); new grouping levels get ref -1 so the caller can apply lme4's allow.new.levels rule.
 */
export function newDataDesign(design: Design, newdata: DataInput): NewDataDesign {
  const origin = designOrigin(design);
  if (!origin) throw new DataError("predictions on new data need a design made by buildDesign");
  const { spec, factorLevels, fullFixedNames, integerLabelled, transforms, contrasts } = origin;
  // poly() and scale() are evaluated with the fitting data's parameters, as R's makepredictcall arranges.
  const context = { mode: "use" as const, params: transforms };
  const frame = toDataFrame(newdata);
  const n = frame.nrow;
  const variables = new Map<string, RowVariable>();
  /** Per variable, which rows are missing. */
  const missingOf = new Map<string, Uint8Array>();
  const addVariable = (e: Expr) => {
    const name = deparse(e);
    if (variables.has(name)) return;
    const v = evaluateVariable(e, frame, context);
    const missing = new Uint8Array(n);
    missingOf.set(name, missing);
    const levels = factorLevels.get(name);
    if (levels)
      variables.set(name, {
        kind: "factor",
        levels,
        codes: codesFor(v, levels, missing, integerLabelled.has(name)),
      });
    else if (v.kind === "numeric") {
      for (let i = 0; i < n; i++) if (Number.isNaN(v.values[i])) missing[i] = 1;
      variables.set(name, v);
    } else if (v.kind === "matrix") {
      for (const c of v.columns) for (let i = 0; i < n; i++) if (Number.isNaN(c[i] as number)) missing[i] = 1;
      variables.set(name, v);
    } else throw new DataError(`'${name}' was numeric in the fitted data but holds text in the new data`);
  };
  spec.fixed.variables.forEach(addVariable);
  for (const r of spec.random) r.lhs.variables.forEach(addVariable);
  const anyMissing = (names: string[]) => {
    const out = new Uint8Array(n);
    for (const name of names) {
      const m = missingOf.get(name)!;
      for (let i = 0; i < n; i++) out[i] |= m[i];
    }
    return out;
  };

  const fixedMissing = anyMissing(spec.fixed.variableNames);
  const full = modelMatrix(spec.fixed, variables, n, contrasts);
  let offset: Float64Array | undefined;
  for (const e of spec.fixed.offsets ?? []) {
    addVariable(e);
    const v = variables.get(deparse(e)) as RowVariable;
    if (v.kind !== "numeric") throw new DataError(`'${deparse(e)}' must be numeric to be an offset`);
    offset ??= new Float64Array(n);
    for (let i = 0; i < n; i++) offset[i] = (offset[i] as number) + (v.values[i] as number);
  }
  if (full.names.join("\u0000") !== fullFixedNames.join("\u0000"))
    throw new Error("internal: new-data columns differ from the fitted columns");
  const p = design.fixedNames.length;
  const X = new Float64Array(n * p);
  let k = 0;
  full.names.forEach((name, j) => {
    if (k < p && design.fixedNames[k] === name) {
      const c = full.columns[j];
      for (let i = 0; i < n; i++) X[k * n + i] = fixedMissing[i] ? Number.NaN : c[i];
      k++;
    }
  });

  // Terms in the design's order: match each spec term to its design term by group and columns, in order.
  const used = new Set<number>();
  const specTerms = spec.random.map((r) => {
    const cols = modelMatrix(r.lhs, variables, n, origin.randomContrasts);
    return { r, cols };
  });
  const terms = design.terms.map((t) => {
    const s = specTerms.findIndex(
      (x, i) =>
        !used.has(i) && x.r.groupName === t.group && x.cols.names.join("\u0000") === t.columns.join("\u0000"),
    );
    if (s < 0) throw new Error(`internal: term ${t.group} not found in the formula`);
    used.add(s);
    const { r, cols } = specTerms[s];
    const missing = anyMissing(r.lhs.variableNames);
    const labels = groupLabels(r.group, frame, integerLabelled);
    const index = new Map(t.levels.map((l, i) => [l, i]));
    const refs = new Int32Array(n);
    const newLevels = new Set<string>();
    const pt = t.columns.length;
    const z = new Float64Array(n * pt);
    for (let i = 0; i < n; i++) {
      const label = labels[i];
      const ref = label === null ? -1 : (index.get(label) ?? -1);
      if (label !== null && ref < 0) newLevels.add(label);
      refs[i] = ref;
      for (let j = 0; j < pt; j++) z[i * pt + j] = missing[i] ? Number.NaN : cols.columns[j][i];
    }
    return { refs, z, newLevels: [...newLevels] };
  });
  return offset ? { n, X, terms, offset } : { n, X, terms };
}

/**
 * Factor codes against the fitted levels; a level the fit never saw is an error for model variables. `integer`:
 * the fitted factor came from an integer column, so numbers are labelled as R labels integers.
 */
function codesFor(v: Variable, levels: string[], missing: Uint8Array, integer: boolean): Int32Array {
  if (v.kind === "matrix") throw new DataError(`'${v.name}' is a factor in the fit but a matrix here`);
  const index = new Map(levels.map((l, i) => [l, i]));
  const codes = new Int32Array(v.values.length);
  for (let i = 0; i < codes.length; i++) {
    const label = labelOf(v.values[i], integer);
    if (label === null) {
      missing[i] = 1;
      codes[i] = -1;
      continue;
    }
    const c = index.get(label);
    if (c === undefined)
      throw new DataError(
        `factor '${v.name}' has new level '${label}' (levels in the fit: ${levels.join(", ")})`,
      );
    codes[i] = c;
  }
  return codes;
}

/** A value's factor label as R's as.character gives it (`integer`: labelled as an integer, see makeFactor). */
function labelOf(x: number | string | boolean | null, integer: boolean): string | null {
  if (x === null || (typeof x === "number" && Number.isNaN(x))) return null;
  if (typeof x === "number") return integer && Number.isInteger(x) ? String(x) : formatRNumber(x);
  if (typeof x === "boolean") return x ? "TRUE" : "FALSE";
  return x;
}

/**
 * Labels of a grouping expression on new data (`a:b` joins with ':'); null where missing. Numbers are labelled as
 * the fit labelled that variable (integerLabelled: from an integer column), whatever form the new data take.
 */
function groupLabels(
  e: Expr,
  frame: ReturnType<typeof toDataFrame>,
  integerLabelled: ReadonlySet<string>,
): (string | null)[] {
  const inner = unparen(e);
  if (inner.kind === "binary" && inner.op === ":") {
    const a = groupLabels(inner.left, frame, integerLabelled);
    const b = groupLabels(inner.right, frame, integerLabelled);
    return a.map((x, i) => (x === null || b[i] === null ? null : `${x}:${b[i]}`));
  }
  const v = evaluateGroupingVariable(inner, frame);
  if (v.kind === "matrix") throw new DataError(`'${v.name}' cannot be a grouping factor`);
  const integer = integerLabelled.has(v.name);
  return Array.from(v.values as ArrayLike<number | string | boolean | null>, (x) => labelOf(x, integer));
}
