/**
 * Checks on the pair of models before their likelihood-ratio test is offered: m0 must be nested in m1 (its fixed
 * effects among m1's, each of its random-effects terms within one of m1's on the same grouping factor) and have
 * fewer parameters; and when the two drop different incomplete rows, the rows both can use.
 */
import type { LinearMixedModel } from "../../src/fit/model.js";
import type { Column, DataFrame } from "../../src/frame/frame.js";

/** What the nesting check reads of a model (a LinearMixedModel or a GeneralizedLinearMixedModel). */
type PairModel = Pick<LinearMixedModel, "npar"> & {
  design: Pick<LinearMixedModel["design"], "fixedNames" | "terms">;
};

/** A warning for a pair that is swapped or not nested (then no bootstrap is offered), else undefined. */
export function pairWarning(m0: PairModel, m1: PairModel): string | undefined {
  if (m0.npar === m1.npar)
    return `m0 and m1 have the same number of parameters (${m0.npar}): neither is nested in the other, so there is no likelihood-ratio test to bootstrap.`;
  if (m0.npar > m1.npar)
    return `m0 has more parameters (${m0.npar}) than m1 (${m1.npar}): the models look swapped. Put the smaller model in m0.`;
  const fixed1 = new Set(m1.design.fixedNames);
  const extraFixed = m0.design.fixedNames.filter((name) => !fixed1.has(name));
  const extraRandom = m0.design.terms
    .filter(
      (t0) =>
        !m1.design.terms.some(
          (t1) => t1.group === t0.group && t0.columns.every((c) => t1.columns.includes(c)),
        ),
    )
    .map((t) => `(${t.columns.join(" + ")} | ${t.group})`);
  if (extraFixed.length === 0 && extraRandom.length === 0) return undefined;
  const parts = [
    extraFixed.length ? `fixed effects ${extraFixed.join(", ")}` : "",
    extraRandom.length ? `random effects ${extraRandom.join(", ")}` : "",
  ].filter(Boolean);
  return `m0 is not nested in m1: m1 lacks m0's ${parts.join(" and ")}. The likelihood-ratio test (and its bootstrap) needs nested models.`;
}

/** The frame's rows `rows` (0-based indices), in that order. */
export function subsetFrame(frame: DataFrame, rows: Int32Array): DataFrame {
  const columns = new Map<string, Column>();
  for (const [name, column] of frame.columns) {
    if (column.kind === "numeric")
      columns.set(name, { ...column, values: Float64Array.from(rows, (i) => column.values[i] as number) });
    else if (column.kind === "string")
      columns.set(name, { kind: "string", values: Array.from(rows, (i) => column.values[i] ?? null) });
    else columns.set(name, { kind: "logical", values: Array.from(rows, (i) => column.values[i] ?? null) });
  }
  return { kind: "spruce.frame", names: [...frame.names], columns, nrow: rows.length };
}
