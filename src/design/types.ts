/**
 * The design: what a fit needs once the formula has met the data.
 *
 * This is the contract between the model-building layer (formula → frame → design) and the numeric layer
 * (kernels, engine, optimiser, workers). Everything numeric is a flat typed array so that the same bytes can be
 * copied into wasm memory or transferred to a worker.
 */

/** One random-effects term `(expr | g)` after expansion (`(x||g)` and `(1|a/b)` give several terms). */
export interface RandomTerm {
  /** lme4's name of the grouping factor: "Subject", "cask:batch", "recipe:replicate". */
  group: string;
  /** Levels of the grouping factor in lme4's order (sorted; numbers numerically). */
  levels: string[];
  /** Level index (0-based, into `levels`) of each observation: length n. */
  refs: Int32Array;
  /** Column names of the term's model matrix, lme4's: "(Intercept)", "Days", "I(time^2)". */
  columns: string[];
  /** The term's model-matrix values, n × p row-major: z[i * p + j] is column j at observation i. */
  z: Float64Array;
  /**
   * False for the terms that `(x || g)` splits into (their effects are uncorrelated by construction); true or
   * absent for an ordinary `(x | g)` term.
   */
  correlated?: boolean;
}

/** The model after the frame: response, fixed-effects matrix and random-effects terms, all rows complete. */
export interface Design {
  /** The formula as the user wrote it. */
  formula: string;
  /** Name of the response variable (the left-hand side as written). */
  response: string;
  /** Number of observations used (after dropping incomplete rows). */
  n: number;
  /** Response, length n. */
  y: Float64Array;
  /** Fixed-effects model matrix, n × p column-major: X[j * n + i]. Aliased columns already removed. */
  X: Float64Array;
  /** Column names of X in order, lme4's (`(Intercept)`, `treatozone`, `treatozone:time`). */
  fixedNames: string[];
  /** Columns of the full fixed-effects matrix dropped as aliased (rank deficiency), lme4's message names them. */
  droppedFixed: string[];
  /**
   * Random-effects terms in lme4's order (by decreasing number of levels, ties kept in formula order), which is
   * also the order of θ, of `ranef()` and of the variance-component table.
   */
  terms: RandomTerm[];
  /** Index into the input data of each observation used: length n. */
  rows: Int32Array;
  /** Number of input rows dropped because a variable the model uses was missing. */
  droppedRows: number;
  /**
   * Prior weights (lme4's `weights =`), length n, finite and ≥ 0; absent for an unweighted model. Observation i
   * has residual variance σ²/wᵢ (src/design/weights.ts).
   */
  weights?: Float64Array;
  /** Where the weights came from: the column's name, or "(weights)" for an array. */
  weightsName?: string;
  /** Transforms that gave NaN on present data and how many rows that dropped (only when asked: dropNaN). */
  nanDropped?: { term: string; rows: number }[];
  /** The sum of the formula's offset() terms, length n (R's model.offset); absent without offsets. */
  offset?: Float64Array;
  /**
   * XᵀX of `X` (unweighted; lower triangle, row-major p × p), as the rank check formed it (./rank.ts): the fit's
   * least-squares reduction factors it instead of forming it again. Absent when no rank check ran.
   */
  xtx?: Float64Array;
}

/** The numeric part of a design: what the engine and the workers need (structured-clone/transfer friendly). */
export interface DesignBuffers {
  n: number;
  /** Number of fixed-effects columns. */
  p: number;
  y: Float64Array;
  /** n × p column-major. */
  X: Float64Array;
  terms: { nlevels: number; p: number; refs: Int32Array; z: Float64Array }[];
  /** Prior weights, length n (absent: all 1). */
  weights?: Float64Array;
  /**
   * The summed offset() terms, length n (absent: none). The response reduction (src/fit/response-reduction.ts) fits
   * y − offset, so an engine never sees it; simulated responses add it to Xβ.
   */
  offset?: Float64Array;
}

export function designBuffers(design: Design): DesignBuffers {
  return {
    n: design.n,
    p: design.fixedNames.length,
    y: design.y,
    X: design.X,
    terms: design.terms.map((t) => ({ nlevels: t.levels.length, p: t.columns.length, refs: t.refs, z: t.z })),
    ...(design.weights ? { weights: design.weights } : {}),
    ...(design.offset ? { offset: design.offset } : {}),
  };
}

/**
 * θ layout (lme4's): term by term, the lower triangle of the term's p×p template T column by column.
 * Diagonal entries are bounded below by 0, off-diagonal ones are free.
 */
export function thetaLowerBounds(buffers: Pick<DesignBuffers, "terms">): Float64Array {
  const lower: number[] = [];
  for (const t of buffers.terms)
    for (let j = 0; j < t.p; j++) for (let i = j; i < t.p; i++) lower.push(i === j ? 0 : -Infinity);
  return Float64Array.from(lower);
}

/** lme4's starting θ: 1 on the diagonal, 0 elsewhere. */
export function thetaStart(buffers: Pick<DesignBuffers, "terms">): Float64Array {
  return thetaLowerBounds(buffers).map((lb) => (lb === 0 ? 1 : 0));
}
