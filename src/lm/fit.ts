/**
 * Fitting a formula without random-effects terms as R's lm: the model frame and model matrix as for a mixed model
 * (the same formula language, factor coding and missing-row handling), every column kept, and the pivoting QR
 * deciding which coefficients are aliased.
 */
import { buildDesignFromSpec } from "../design/build.js";
import type { ContrastKind } from "../design/model-matrix.js";
import type { OrderedLevels } from "../design/ordered.js";
import { ModelError } from "../errors.js";
import { analyzeFormula } from "../formula/model.js";
import { type DataInput, toDataFrame } from "../frame/frame.js";
import { LinearModel } from "./model.js";

/** R's lm(formula, data). */
export function fitLinearModel(
  formula: string,
  data: DataInput,
  options: { contrasts?: Record<string, ContrastKind>; ordered?: OrderedLevels } = {},
): LinearModel {
  const frame = toDataFrame(data);
  const spec = analyzeFormula(formula, { columns: frame.names });
  if (spec.random.length > 0)
    throw new ModelError(
      `the formula has random-effects terms (${spec.random[0]?.label}): fit it as a mixed model`,
    );
  const design = buildDesignFromSpec(spec, frame, {
    keepAliased: true,
    ...(options.contrasts ? { contrasts: options.contrasts } : {}),
    ...(options.ordered ? { ordered: options.ordered } : {}),
  });
  if (design.fixedNames.length === 0)
    throw new ModelError("the model has no coefficients (no intercept and no terms)");
  return new LinearModel(design, design.offset);
}
