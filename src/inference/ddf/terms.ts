/**
 * The fixed-effects terms of a design as lmerTest sees them: term labels (R's, e.g. `treat:time`), which columns
 * of X belong to each term (R's `assign`), each term's variables of factor-pattern code 1 and which of them are
 * numeric (lmerTest's `containment`, which decides type II and III hypotheses), and the term's full-dummy
 * model matrix `model.matrix(~ 0 + term)` (lmerTest's get_rdX).
 */
import { designOrigin } from "../../design/build.js";
import { modelMatrix } from "../../design/model-matrix.js";
import type { Design } from "../../design/types.js";
import { ModelError } from "../../errors.js";
import type { TermsSpec } from "../../formula/terms.js";

export interface FixedTerm {
  label: string;
  /** Number of variables (R's term order). */
  order: number;
  /** Indices into X's columns (after aliased columns were dropped). */
  columns: number[];
  /** Variables of the term with factor-pattern code 1, and those of them that are numeric. */
  vars: string[];
  numerics: string[];
}

export interface FixedTerms {
  intercept: boolean;
  terms: FixedTerm[];
  /** The term's full-dummy matrix, n × k column-major, and its column names. */
  fullDummy(term: number): { names: string[]; columns: Float64Array[] };
}

export function fixedTerms(design: Design): FixedTerms {
  const origin = designOrigin(design);
  if (!origin)
    throw new ModelError(
      "F tests by term need a model built from a formula and data (this design has no origin)",
    );
  const spec: TermsSpec = origin.spec.fixed;
  const isFactor = (v: number) => origin.factorLevels.has(spec.variableNames[v] as string);
  // R's model.matrix: the no-intercept rule codes the first factor of the first term that has one by all levels.
  const codes = spec.terms.map((t) => [...t.codes]);
  if (!spec.intercept) {
    search: for (let j = 0; j < spec.terms.length; j++)
      for (let k = 0; k < (spec.terms[j]?.vars.length ?? 0); k++)
        if (isFactor(spec.terms[j]?.vars[k] as number)) {
          (codes[j] as (1 | 2)[])[k] = 2;
          break search;
        }
  }
  // Columns of the full matrix per term, then only those kept (aliased columns dropped, as lme4).
  const fullAssign: number[] = spec.intercept ? [-1] : [];
  spec.terms.forEach((t, j) => {
    let count = 1;
    t.vars.forEach((v, k) => {
      const levels = origin.factorLevels.get(spec.variableNames[v] as string);
      if (levels) count *= levels.length - ((codes[j] as (1 | 2)[])[k] === 1 ? 1 : 0);
    });
    for (let c = 0; c < count; c++) fullAssign.push(j);
  });
  if (fullAssign.length !== origin.fullFixedNames.length)
    throw new ModelError("cannot map the fixed-effects columns to the formula's terms");
  const kept: number[] = [];
  let next = 0;
  origin.fullFixedNames.forEach((name, c) => {
    if (next < design.fixedNames.length && design.fixedNames[next] === name) {
      kept.push(fullAssign[c] as number);
      next++;
    }
  });
  if (next !== design.fixedNames.length)
    throw new ModelError("cannot map the fixed-effects columns to the formula's terms");
  const terms: FixedTerm[] = spec.terms.map((t, j) => {
    const vars = t.vars.filter((_, k) => t.codes[k] === 1).map((v) => spec.variableNames[v] as string);
    return {
      label: t.label,
      order: t.vars.length,
      columns: kept.flatMap((a, c) => (a === j ? [c] : [])),
      vars,
      numerics: vars.filter((name) => !origin.factorLevels.has(name)),
    };
  });
  const fullDummy = (j: number) => {
    const t = spec.terms[j];
    if (!t) throw new RangeError(`no term ${j}`);
    const single: TermsSpec = {
      intercept: false,
      variables: spec.variables,
      variableNames: spec.variableNames,
      terms: [{ vars: t.vars, label: t.label, codes: t.vars.map(() => 2 as const) }],
    };
    return modelMatrix(single, origin.variables, design.n);
  };
  return { intercept: spec.intercept, terms, fullDummy };
}

/** lmerTest's containment: for each term, the terms that contain it (more variables, the same covariates). */
export function containment(terms: readonly FixedTerm[]): number[][] {
  const contains = (f1: FixedTerm, f2: FixedTerm) =>
    f1.vars.every((v) => f2.vars.includes(v)) &&
    f2.vars.some((v) => !f1.vars.includes(v)) &&
    f1.numerics.length === f2.numerics.length &&
    f1.numerics.every((v) => f2.numerics.includes(v));
  return terms.map((t) => terms.flatMap((u, j) => (contains(t, u) ? [j] : [])));
}
