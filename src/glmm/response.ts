/**
 * The design of a GLMM: glm's response conventions on top of the LMM design builder.
 *
 * The left side may be `cbind(successes, failures)`, a two-level factor (first level, in R's sorted order, is
 * failure), a proportion with `weights` = trials, 0/1 or counts. `offset(expr)` terms of the right side are taken
 * out here (the formula language has no offset() yet; the offset is evaluated on the data rows and added to η).
 * The response is put in a synthetic column so that the LMM builder drops incomplete rows and builds X and Z as
 * lme4's glFormula does; the design keeps the formula and response name as the user wrote them.
 */
import { buildDesignFromSpec } from "../design/build.js";
import type { Design } from "../design/types.js";
import { DataError, ModelError } from "../errors.js";
import { type Expr, unparen } from "../formula/ast.js";
import { deparse } from "../formula/deparse.js";
import { FormulaError } from "../formula/errors.js";
import { analyzeFormula } from "../formula/model.js";
import { parseFormula } from "../formula/parser.js";
import { evaluateVariable } from "../frame/evaluate.js";
import { makeFactor } from "../frame/factor.js";
import type { DataFrame } from "../frame/frame.js";
import type { Family } from "./family.js";

const RESPONSE_COLUMN = "spruce_glmm_response_";

export interface GlmmDesign {
  design: Design;
  /** Response on the family's scale (a proportion for the binomial), length n. */
  y: Float64Array;
  /** Prior weights (binomial: numbers of trials times any user weights), length n. */
  weights: Float64Array;
  /** Offset added to η, length n (zeros when the formula has none). */
  offset: Float64Array;
  /** The offset() expressions of the formula, evaluated again on new data. */
  offsetTerms: Expr[];
  /** For a factor response, its two levels (failure, success). */
  responseLevels?: [string, string];
}

/** Remove the top-level `offset(...)` terms of the right side; returns the new text and the offsets' arguments. */
function stripOffsets(text: string, rhs: Expr): { rhsText: string; offsets: Expr[] } {
  const cuts: [number, number][] = [];
  const offsets: Expr[] = [];
  const isOffset = (e: Expr) => {
    const u = unparen(e);
    return u.kind === "call" && u.fn === "offset";
  };
  const visit = (e: Expr) => {
    if (e.kind !== "binary" || e.op !== "+") return;
    if (isOffset(e.right)) {
      const call = unparen(e.right) as Extract<Expr, { kind: "call" }>;
      if (call.args.length !== 1) throw new FormulaError("offset() takes one argument", text, call.pos);
      offsets.push(call.args[0] as Expr);
      cuts.push([e.opPos, e.right.end]);
    } else visit(e.right);
    if (isOffset(e.left)) {
      const call = unparen(e.left) as Extract<Expr, { kind: "call" }>;
      if (call.args.length !== 1) throw new FormulaError("offset() takes one argument", text, call.pos);
      offsets.push(call.args[0] as Expr);
      cuts.push([e.left.pos, e.opPos + 1]);
    } else visit(e.left);
  };
  if (isOffset(rhs)) throw new FormulaError("the right side needs terms beside offset()", text, rhs.pos);
  visit(rhs);
  let out = text.slice(rhs.pos, rhs.end);
  for (const [a, b] of cuts.sort((x, y) => y[0] - x[0]))
    out = out.slice(0, a - rhs.pos) + out.slice(b - rhs.pos);
  return { rhsText: out, offsets };
}

function numericOf(e: Expr, frame: DataFrame, what: string): Float64Array {
  const v = evaluateVariable(e, frame);
  if (v.kind !== "numeric") throw new DataError(`${what} '${deparse(e)}' must be numeric`);
  return v.values;
}

/** Build the GLMM design: response and prior weights by glm's rules, offsets, then X and Z as for an LMM. */
export function buildGlmmDesign(
  formula: string,
  frame: DataFrame,
  family: Family,
  userWeights?: string | ArrayLike<number>,
): GlmmDesign {
  const parsed = parseFormula(formula);
  if (frame.columns.has(RESPONSE_COLUMN))
    throw new DataError(
      `the data may not have a column named '${RESPONSE_COLUMN}' (spruce uses it internally)`,
    );
  const { rhsText, offsets } = stripOffsets(formula, parsed.rhs);
  const lhs = unparen(parsed.lhs);
  const responseName = deparse(lhs);
  const N = frame.nrow;
  const yRaw = new Float64Array(N);
  const trials = new Float64Array(N).fill(1);
  let responseLevels: [string, string] | undefined;
  if (lhs.kind === "call" && lhs.fn === "cbind") {
    if (family.name !== "binomial")
      throw new FormulaError("cbind(successes, failures) is a binomial response", formula, lhs.pos);
    if (lhs.args.length !== 2)
      throw new FormulaError("cbind() takes two arguments: successes and failures", formula, lhs.pos);
    const s = numericOf(lhs.args[0] as Expr, frame, "the successes");
    const f = numericOf(lhs.args[1] as Expr, frame, "the failures");
    for (let i = 0; i < N; i++) {
      const si = s[i] as number;
      const fi = f[i] as number;
      if (Number.isNaN(si) || Number.isNaN(fi)) {
        yRaw[i] = Number.NaN;
        continue;
      }
      if (si < 0 || fi < 0)
        throw new DataError(
          `row ${i + 1}: cbind(successes, failures) has a negative count (${si}, ${fi}) in '${responseName}'`,
        );
      trials[i] = si + fi;
      yRaw[i] = si + fi > 0 ? si / (si + fi) : 0;
    }
  } else {
    const v = evaluateVariable(parsed.lhs, frame);
    if (v.kind === "matrix")
      throw new DataError(`the response '${responseName}' must be one column, not a matrix such as poly()`);
    if (v.kind === "numeric") yRaw.set(v.values);
    else {
      if (family.name !== "binomial")
        throw new DataError(
          `the response '${responseName}' must be numeric counts for the ${family.name} family`,
        );
      const present: number[] = [];
      for (let i = 0; i < N; i++) if (v.values[i] !== null) present.push(i);
      const fac =
        v.source === "logical"
          ? makeFactor({ kind: "logical", values: present.map((i) => v.values[i] as boolean) })
          : makeFactor({ kind: "string", values: present.map((i) => String(v.values[i])) });
      if (fac.levels.length !== 2)
        throw new DataError(
          `the binomial response '${responseName}' has ${fac.levels.length} level(s) (${fac.levels.slice(0, 5).join(", ")}); a factor response needs exactly two (the first is failure)`,
        );
      responseLevels = [fac.levels[0] as string, fac.levels[1] as string];
      yRaw.fill(Number.NaN);
      present.forEach((row, k) => {
        yRaw[row] = fac.codes[k] as number;
      });
    }
  }
  const offsetAll = new Float64Array(N);
  for (const o of offsets) {
    const v = numericOf(o, frame, "the offset");
    for (let i = 0; i < N; i++) offsetAll[i] = (offsetAll[i] as number) + (v[i] as number);
  }
  for (let i = 0; i < N; i++) if (Number.isNaN(offsetAll[i])) yRaw[i] = Number.NaN;

  let wIn: Float64Array = trials;
  if (userWeights !== undefined) {
    const w =
      typeof userWeights === "string"
        ? (() => {
            const col = frame.columns.get(userWeights);
            if (!col)
              throw new DataError(
                `the weights column '${userWeights}' is not in the data (columns: ${frame.names.join(", ")})`,
              );
            if (col.kind !== "numeric")
              throw new DataError(`the weights column '${userWeights}' must be numeric`);
            return col.values;
          })()
        : Float64Array.from(userWeights as ArrayLike<number>);
    if (w.length !== N)
      throw new DataError(`the weights have ${w.length} values but the data have ${N} rows`);
    wIn = new Float64Array(N);
    for (let i = 0; i < N; i++) wIn[i] = (trials[i] as number) * (w[i] as number);
  }

  const columns = new Map(frame.columns);
  columns.set(RESPONSE_COLUMN, { kind: "numeric", values: yRaw });
  const synthetic: DataFrame = {
    kind: "spruce.frame",
    names: [...frame.names, RESPONSE_COLUMN],
    columns,
    nrow: N,
  };
  const spec = analyzeFormula(`${RESPONSE_COLUMN} ~ ${rhsText}`);
  spec.formula = formula;
  if (spec.random.length === 0)
    throw new ModelError("the model has no random-effects terms: a GLMM needs at least one (… | group) term");
  const design = buildDesignFromSpec(spec, synthetic, { weights: wIn, noResidualScale: true });
  design.response = responseName;
  design.formula = formula;
  const n = design.n;
  const weights = design.weights ?? new Float64Array(n).fill(1);
  const y = design.y;
  // (explicit loops: Float64Array.from with a mapping function goes through the iterator protocol)
  const offset = new Float64Array(n);
  for (let i = 0; i < n; i++) offset[i] = offsetAll[design.rows[i] as number] as number;
  for (let i = 0; i < n; i++)
    family.check(y[i] as number, weights[i] as number, (design.rows[i] as number) + 1, responseName);
  return { design, y, weights, offset, offsetTerms: offsets, ...(responseLevels ? { responseLevels } : {}) };
}

/** The offset of new data (zeros without offset terms). */
export function offsetOf(terms: Expr[], frame: DataFrame): Float64Array {
  const out = new Float64Array(frame.nrow);
  for (const o of terms) {
    const v = numericOf(o, frame, "the offset");
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (v[i] as number);
  }
  return out;
}
