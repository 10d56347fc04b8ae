import { DataError, ModelError } from "../errors.js";
import { type Expr, unparen } from "../formula/ast.js";
import { deparse } from "../formula/deparse.js";
import { analyzeFormula, type ModelSpec, type RandomSpec } from "../formula/model.js";
import { evaluateVariable, type Variable } from "../frame/evaluate.js";
import { type Factor, interactFactors } from "../frame/factor.js";
import { type FactorColumn, factorOfRows } from "../frame/factor-rows.js";
import { type DataFrame, type DataInput, toDataFrame } from "../frame/frame.js";
import { nonNumericDetail } from "../frame/not-numeric.js";
import type { TransformParams } from "../frame/transforms.js";
import { checkArgument, isData, isFormula } from "../validate/options.js";
import { type ContrastKind, type ModelColumns, modelMatrix, type RowVariable } from "./model-matrix.js";
import { type OrderedLevels, orderFactors } from "./ordered.js";
import { fullRankColumns, keptGram } from "./rank.js";
import { checkTransformNaN } from "./transform-nan.js";
import type { Design, RandomTerm } from "./types.js";
import { checkWeights } from "./weights.js";

/**
 * Build the design of an lme4 formula on data, as lme4's lFormula does: model frame (variables evaluated, rows
 * with a missing value in any variable the model uses dropped, factors made on the rows kept), fixed-effects
 * matrix with treatment contrasts and aliased columns dropped, random-effects terms in lme4's order.
 */
export function buildDesign(formula: string, data: DataInput, options: DesignOptions = {}): Design {
  checkArgument("buildDesign", "formula", formula, isFormula);
  checkArgument("buildDesign", "data", data, isData);
  const frame = toDataFrame(data);
  // `.` on the right-hand side stands for every other column of the data.
  const spec = analyzeFormula(formula, { columns: frame.names });
  return buildDesignFromSpec(spec, frame, options);
}

/** What a design takes beside the formula and the data. */
export interface DesignOptions {
  /**
   * Prior weights (lme4's `weights =`): the name of a numeric column of the data, or one number per data row. A
   * row with a missing weight is dropped like any incomplete row; a negative or non-finite one is an error naming
   * the row (src/design/weights.ts).
   */
  weights?: string | ArrayLike<number>;
  /**
   * Drop the rows where a transform of the data (`log(time)`, `sqrt(x - 1)`) gives NaN although its inputs are
   * present. Default false: that is an error naming the term and the number of rows, since R only warns
   * "NaNs produced" and the rows then vanish unseen.
   */
  dropNaN?: boolean;
  /**
   * The model has no residual variance (a GLMM, lme4's glmerControl): skip the checks that random effects leave
   * room for one (levels < observations, observations > random effects), so observation-level terms are allowed.
   */
  noResidualScale?: boolean;
  /**
   * Keep aliased fixed-effects columns in X (R's lm decides aliasing itself, with its pivoting QR, and reports the
   * aliased coefficients as NA); lme4 drops them before fitting, the default.
   */
  keepAliased?: boolean;
  /**
   * Contrasts per factor of the fixed effects, by the factor's name in the formula (`treat`, `factor(tree)`):
   * R's contrasts = list(treat = "contr.sum"). Default contr.treatment.
   */
  contrasts?: Record<string, ContrastKind>;
  /**
   * Ordered factors per data column (./ordered.ts): the levels in order, or true for the sorted levels. Ordered
   * factors get contr.poly unless `contrasts` names them.
   */
  ordered?: OrderedLevels;
}

/** The same options under the names src/index.ts and the lm module use. */
export type BuildOptions = DesignOptions;
export type BuildDesignOptions = DesignOptions;

/** The model frame: the variables a model uses, evaluated on the complete rows only. */
export interface ModelFrame {
  /** Index into the input data of each complete row. */
  rows: Int32Array;
  n: number;
  droppedRows: number;
  /** Variables by R's name (`time`, `I(time^2)`, `treat`), numeric or factor on the complete rows. */
  variables: Map<string, RowVariable>;
  /** Grouping variables (always factors), by name. */
  grouping: Map<string, Factor>;
  /** Factor variables and grouping variables made from an integer column (labelled 100000, not 1e+05), by name. */
  integerLabelled: Set<string>;
  /** Transforms that gave NaN on present inputs, and on how many rows (only with dropNaN). */
  nanDropped: { term: string; rows: number }[];
  /** Parameters of poly() and scale() variables as computed on the data (R's makepredictcall keeps them). */
  transforms: Map<string, TransformParams>;
  /** The sum of the formula's offset() terms on the complete rows; absent without offsets. */
  offset?: Float64Array;
}

/**
 * What a design was built from, kept aside for predictions on new data (the formula's reading and the factor
 * levels of the fitting rows). A WeakMap keeps the Design contract plain data: structured clones and hand-made
 * designs simply have no entry.
 */
export interface DesignOrigin {
  spec: ModelSpec;
  /** Levels of each factor variable of the model (fixed and random left sides), by R's variable name. */
  factorLevels: Map<string, string[]>;
  /** Names of the full fixed-effects matrix before aliased columns were dropped. */
  fullFixedNames: string[];
  /** Factor and grouping variables whose levels are integer labels, so new data's numbers are labelled alike. */
  integerLabelled: Set<string>;
  /** The model frame's variables on the rows used (lmerTest's type III contrasts rebuild terms from them). */
  variables: ReadonlyMap<string, RowVariable>;
  /** poly()/scale() parameters of the fitting data, reused for new data (R's makepredictcall). */
  transforms: Map<string, TransformParams>;
  /** Contrasts chosen per factor (others: contr.treatment). */
  contrasts: Map<string, ContrastKind>;
  /** Contrasts of the random-effects terms' factors: contr.poly for the ordered ones (./ordered.ts). */
  randomContrasts?: Map<string, ContrastKind>;
}

const origins = new WeakMap<Design, DesignOrigin>();

/** How `design` was built, if buildDesign built it. */
export function designOrigin(design: Design): DesignOrigin | undefined {
  return origins.get(design);
}

const CONTRASTS: readonly ContrastKind[] = ["contr.treatment", "contr.sum", "contr.helmert", "contr.poly"];

/** Check the contrasts option against the model's factors: unknown kinds and names that are no factor are errors. */
function contrastsMap(
  contrasts: Record<string, ContrastKind> | undefined,
  variables: ReadonlyMap<string, RowVariable>,
): Map<string, ContrastKind> {
  const out = new Map<string, ContrastKind>();
  for (const [name, kind] of Object.entries(contrasts ?? {})) {
    if (!CONTRASTS.includes(kind))
      throw new ModelError(`unknown contrasts '${kind}' for '${name}' (known: ${CONTRASTS.join(", ")})`);
    const v = variables.get(name);
    if (!v)
      throw new ModelError(
        `contrasts given for '${name}', which is not a variable of the fixed effects (${[...variables.keys()].join(", ")})`,
      );
    if (v.kind !== "factor") throw new ModelError(`contrasts given for '${name}', which is not a factor`);
    out.set(name, kind);
  }
  return out;
}

export function buildDesignFromSpec(spec: ModelSpec, frame: DataFrame, options: DesignOptions = {}): Design {
  const weightsIn = options.weights === undefined ? undefined : priorWeightsColumn(options.weights, frame);
  const mf = buildModelFrame(spec, frame, options, weightsIn);
  const n = mf.n;
  // Ordered factors: levels in order, contr.poly by default (./ordered.ts).
  const orderedContrasts = orderFactors(spec, mf, frame, options.ordered);

  const response = mf.variables.get(spec.responseName)!;
  if (response.kind === "matrix")
    throw new DataError(`the response '${spec.responseName}' must be one column`);
  if (response.kind !== "numeric") {
    // Name the first cell that is not a number, where it is (not a sorted list of the values).
    throw new DataError(
      `the response '${spec.responseName}' must be numeric, but it holds text or logical values` +
        (nonNumericCell(frame, spec.responseName) ||
          ` (${response.levels.slice(0, 5).join(", ")}${response.levels.length > 5 ? ", ..." : ""})`),
    );
  }
  for (const r of spec.random)
    for (const atom of groupAtoms(r.group))
      if (deparse(atom) === spec.responseName)
        throw new ModelError(
          `the response '${spec.responseName}' is also the grouping factor of the random-effects term (${r.label}): ` +
            "the response would be constant within each group, so there is nothing to estimate; group by another variable",
        );
  const y = Float64Array.from(response.values);
  checkFinite(spec.responseName, y, mf.rows);

  const contrasts = new Map([...orderedContrasts, ...contrastsMap(options.contrasts, mf.variables)]);
  const full = modelMatrix(spec.fixed, mf.variables, n, contrasts);
  full.columns.forEach((c, j) => {
    checkFinite(full.names[j], c, mf.rows);
  });
  const rank = options.keepAliased ? undefined : fullRankColumns(full.columns);
  const keep = rank ? rank.keep : full.columns.map(() => true);
  const fixedNames = full.names.filter((_, j) => keep[j]);
  const droppedFixed = full.names.filter((_, j) => !keep[j]);
  const X = keptColumns(full, keep, n);

  const labelled = orderTerms(spec.random.map((r) => randomTerm(r, mf, orderedContrasts)));
  checkGrouping(labelled, n, options.noResidualScale !== true);
  const terms: RandomTerm[] = labelled.map(({ label: _label, ...term }) => term);

  const design: Design = {
    formula: spec.formula,
    response: spec.responseName,
    n,
    y,
    X,
    fixedNames,
    droppedFixed,
    terms,
    rows: mf.rows,
    droppedRows: mf.droppedRows,
    ...(mf.nanDropped.length > 0 ? { nanDropped: mf.nanDropped } : {}),
    ...(mf.offset ? { offset: mf.offset } : {}),
    ...(rank ? { xtx: keptGram(rank.gram, keep) } : {}),
  };
  if (weightsIn) {
    const w = Float64Array.from(mf.rows, (r) => weightsIn.values[r] as number);
    checkWeights(w, n, mf.rows);
    design.weights = w;
    design.weightsName = weightsIn.name;
  }
  const factorLevels = new Map<string, string[]>();
  for (const [name, v] of mf.variables) if (v.kind === "factor") factorLevels.set(name, v.levels);
  origins.set(design, {
    spec,
    factorLevels,
    fullFixedNames: full.names,
    integerLabelled: mf.integerLabelled,
    variables: mf.variables,
    transforms: mf.transforms,
    contrasts,
    ...(orderedContrasts.size > 0 ? { randomContrasts: orderedContrasts } : {}),
  });
  return design;
}

/** Evaluate every variable the model uses, drop incomplete rows (na.omit), make factors on what is left. */
export function buildModelFrame(
  spec: ModelSpec,
  frame: DataFrame,
  options: DesignOptions = {},
  weights?: Variable,
): ModelFrame {
  const raw = new Map<string, Variable>();
  const transforms = new Map<string, TransformParams>();
  const add = (e: Expr) => {
    const name = deparse(e);
    if (!raw.has(name)) raw.set(name, evaluateVariable(e, frame, { mode: "record", params: transforms }));
  };
  add(spec.response);
  spec.fixed.variables.forEach(add);
  for (const r of spec.random) r.lhs.variables.forEach(add);
  const offsets = spec.fixed.offsets ?? [];
  offsets.forEach(add);
  const groupRaw = new Map<string, Exclude<Variable, { kind: "matrix" }>>();
  for (const r of spec.random)
    for (const atom of groupAtoms(r.group)) {
      const name = deparse(atom);
      // A numeric grouping column stays a Float64Array (evaluateGroupingVariable would box every value).
      if (groupRaw.has(name)) continue;
      const v = evaluateVariable(atom, frame, undefined, true);
      if (v.kind === "matrix") throw new DataError(`'${v.name}' cannot be a grouping factor`);
      groupRaw.set(name, v);
    }

  const nanDropped = checkTransformNaN(raw, frame, options.dropNaN === true);
  const complete = new Uint8Array(frame.nrow).fill(1);
  const missingIn = new Map<string, number>();
  for (const v of [...raw.values(), ...groupRaw.values(), ...(weights ? [weights] : [])]) {
    const count = markMissing(v, complete);
    if (count > 0) missingIn.set(v.name, count);
  }
  let n = 0;
  for (let i = 0; i < frame.nrow; i++) n += complete[i] as number;
  const rows = new Int32Array(n);
  for (let i = 0, k = 0; i < frame.nrow; i++) if (complete[i]) rows[k++] = i;
  const droppedRows = frame.nrow - n;
  if (n === 0) {
    const which = [...missingIn.keys()];
    throw new DataError(
      frame.nrow === 0
        ? "the data have no rows"
        : `no complete rows: all ${frame.nrow} rows have a missing value in a variable the model uses (${which.join(", ")})`,
    );
  }

  const variables = new Map<string, RowVariable>();
  for (const [name, v] of raw) variables.set(name, toRowVariable(v, rows));
  const grouping = new Map<string, Factor>();
  for (const [name, v] of groupRaw) grouping.set(name, factorOfRows(factorColumn(v), rows));
  const integerLabelled = new Set<string>();
  for (const v of raw.values())
    if (v.kind === "categorical" && v.source === "integer") integerLabelled.add(v.name);
  for (const v of groupRaw.values())
    if ((v.kind === "categorical" && v.source === "integer") || (v.kind === "numeric" && v.integer))
      integerLabelled.add(v.name);
  let offset: Float64Array | undefined;
  for (const e of offsets) {
    const v = variables.get(deparse(e)) as RowVariable;
    if (v.kind !== "numeric") throw new DataError(`'${deparse(e)}' must be numeric to be an offset`);
    offset ??= new Float64Array(n);
    for (let i = 0; i < n; i++) offset[i] = (offset[i] as number) + (v.values[i] as number);
  }
  return {
    rows,
    n,
    droppedRows,
    variables,
    grouping,
    integerLabelled,
    nanDropped,
    transforms,
    ...(offset ? { offset } : {}),
  };
}

function toRowVariable(v: Variable, rows: Int32Array): RowVariable {
  if (v.kind === "matrix")
    return { kind: "matrix", columns: v.columns.map((c) => pick(c, rows)), suffixes: v.suffixes };
  if (v.kind === "numeric") return { kind: "numeric", values: pick(v.values, rows) };
  return { kind: "factor", ...factorOfRows(factorColumn(v), rows) };
}

/**
 * The values at `rows`. With every row complete (rows = 0 … n − 1) that is the column itself: model variables are
 * only read (the design's y and X are copies), so sharing saves a copy of each numeric variable.
 */
function pick(values: Float64Array, rows: Int32Array): Float64Array {
  if (rows.length === values.length) return values;
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i] as number] as number;
  return out;
}

/** The column a factor variable is made from (a numeric variable made a grouping factor, as lme4's factor()). */
function factorColumn(v: Exclude<Variable, { kind: "matrix" }>): FactorColumn {
  if (v.kind === "numeric") return { kind: "numeric", values: v.values, integer: v.integer === true };
  if (v.source === "numeric" || v.source === "integer")
    return { kind: "numeric", values: v.values as (number | null)[], integer: v.source === "integer" };
  if (v.source === "logical") return { kind: "logical", values: v.values as (boolean | null)[] };
  return { kind: "string", values: v.values as (string | null)[] };
}

/**
 * Clear `complete` at the rows where `v` is missing (NaN in a number, null elsewhere; a matrix row with any NaN);
 * returns how many rows it newly made incomplete. One typed pass per kind of variable.
 */
function markMissing(v: Variable, complete: Uint8Array): number {
  const n = complete.length;
  let count = 0;
  if (v.kind === "numeric") {
    const x = v.values;
    for (let i = 0; i < n; i++)
      if (Number.isNaN(x[i] as number) && complete[i]) {
        complete[i] = 0;
        count++;
      }
    return count;
  }
  if (v.kind === "matrix") {
    for (const x of v.columns)
      for (let i = 0; i < n; i++)
        if (Number.isNaN(x[i] as number) && complete[i]) {
          complete[i] = 0;
          count++;
        }
    return count;
  }
  const x = v.values;
  for (let i = 0; i < n; i++) {
    const c = x[i];
    if ((c === null || (typeof c === "number" && Number.isNaN(c))) && complete[i]) {
      complete[i] = 0;
      count++;
    }
  }
  return count;
}

/** The variables inside a grouping expression: `a` in `a`, `a` and `b` in `b:a`. */
function groupAtoms(e: Expr): Expr[] {
  const inner = unparen(e);
  if (inner.kind === "binary" && inner.op === ":")
    return [...groupAtoms(inner.left), ...groupAtoms(inner.right)];
  return [inner];
}

function groupFactor(e: Expr, mf: ModelFrame): Factor {
  const inner = unparen(e);
  if (inner.kind === "binary" && inner.op === ":")
    return interactFactors(groupFactor(inner.left, mf), groupFactor(inner.right, mf));
  return mf.grouping.get(deparse(inner))!;
}

function randomTerm(
  r: RandomSpec,
  mf: ModelFrame,
  contrasts?: ReadonlyMap<string, ContrastKind>,
): RandomTerm & { correlated: boolean; label: string } {
  const factor = groupFactor(r.group, mf);
  const cols: ModelColumns = modelMatrix(r.lhs, mf.variables, mf.n, contrasts);
  cols.columns.forEach((c, j) => {
    checkFinite(cols.names[j], c, mf.rows);
  });
  const p = cols.names.length;
  const z = new Float64Array(mf.n * p);
  for (let j = 0; j < p; j++) {
    const c = cols.columns[j];
    for (let i = 0; i < mf.n; i++) z[i * p + j] = c[i];
  }
  return {
    group: r.groupName,
    levels: factor.levels,
    refs: factor.codes,
    columns: cols.names,
    z,
    correlated: r.correlated,
    label: r.label,
  };
}

/**
 * lme4's mkReTrms order: if the numbers of levels are not already non-increasing, terms are put in
 * `rev(order(nl))` order, i.e. by decreasing number of levels with ties in reverse formula order.
 */
export function orderTerms<T extends { levels: string[] }>(terms: T[]): T[] {
  const nl = terms.map((t) => t.levels.length);
  if (!nl.some((v, i) => i > 0 && v > nl[i - 1])) return terms;
  const ascending = terms.map((_, i) => i).sort((a, b) => nl[a] - nl[b] || a - b);
  return ascending.reverse().map((i) => terms[i]);
}

/** lme4's checks on the random effects that lmer stops on by default. */
function checkGrouping(terms: (RandomTerm & { label: string })[], n: number, residualScale = true): void {
  // lme4's checkNlevels order: first "> 1 sampled level", then "< number of observations".
  const single = [...new Set(terms.filter((t) => t.levels.length < 2).map((t) => t.group))];
  if (single.length > 0)
    throw new DataError(`grouping factors must have > 1 sampled level (problems: ${single.join(", ")})`);
  // glmerControl ignores the level-count checks: without a residual variance an observation-level term is fine.
  if (!residualScale) return;
  const tooMany = [...new Set(terms.filter((t) => t.levels.length >= n).map((t) => t.group))];
  if (tooMany.length > 0)
    throw new DataError(
      `number of levels of each grouping factor must be < number of observations (problems: ${tooMany.join(", ")})`,
    );
  for (const t of terms) {
    const q = t.levels.length * t.columns.length;
    if (n <= q)
      throw new ModelError(
        `number of observations (=${n}) <= number of random effects (=${q}) for term (${t.label}); ` +
          "the random-effects parameters and the residual variance (or scale parameter) are probably unidentifiable",
      );
  }
}

/** The prior weights as a numeric variable over the data rows (NaN: missing, dropped as lme4's na.omit does). */
function priorWeightsColumn(
  weights: string | ArrayLike<number>,
  frame: DataFrame,
): Extract<Variable, { kind: "numeric" }> {
  if (typeof weights === "string") {
    const col = frame.columns.get(weights);
    if (!col)
      throw new DataError(
        `the weights column '${weights}' is not in the data (columns: ${frame.names.join(", ")})`,
      );
    if (col.kind !== "numeric")
      throw new DataError(`the weights column '${weights}' must be numeric, but it holds ${col.kind} values`);
    return { kind: "numeric", name: weights, values: col.values };
  }
  if (weights.length !== frame.nrow)
    throw new DataError(`the weights have ${weights.length} values but the data have ${frame.nrow} rows`);
  const values = new Float64Array(frame.nrow);
  for (let i = 0; i < frame.nrow; i++) {
    const v = weights[i] as unknown;
    if (typeof v !== "number" && v !== null && v !== undefined)
      throw new DataError(`the weight of data row ${i + 1} is ${String(v)}; prior weights must be numbers`);
    values[i] = v === null || v === undefined ? Number.NaN : v;
  }
  return { kind: "numeric", name: "(weights)", values };
}

/**
 * X from the full model matrix: its own buffer when every column is kept (no copy), else the kept columns moved
 * to the front and copied to a buffer of their own size (so that X.buffer holds X only, for transfers).
 */
function keptColumns(full: ModelColumns, keep: readonly boolean[], n: number): Float64Array {
  const buffer = full.buffer as Float64Array;
  if (keep.every(Boolean)) return buffer;
  let k = 0;
  keep.forEach((kept, j) => {
    if (kept) {
      if (k !== j) buffer.copyWithin(k * n, j * n, (j + 1) * n);
      k++;
    }
  });
  return buffer.slice(0, k * n);
}

function checkFinite(name: string, values: Float64Array, rows: Int32Array): void {
  // One branch-free pass first (x · 0 is NaN exactly when x is ±Infinity or NaN), the search only on a failure:
  // the common all-finite column costs a multiply-add per value (InstEval: 28 columns of 73,421).
  let poison = 0;
  for (let i = 0; i < values.length; i++) poison += (values[i] as number) * 0;
  if (poison === 0) return;
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]))
      throw new DataError(`'${name}' is ${values[i]} in data row ${rows[i] + 1}; values must be finite`);
}

/** ": row 17 of the data holds '1.2a', …" when a response column is text because of some cells (see not-numeric.ts). */
function nonNumericCell(frame: DataFrame, name: string): string {
  const column = frame.columns.get(name);
  const detail = column ? nonNumericDetail(column) : "";
  return detail ? `: ${detail}` : "";
}
