/**
 * `fitGlmm(formula, data, { family, link, nAGQ, weights })`: lme4's glmer. Checks the options as glmer does,
 * builds the design (src/glmm/response.ts), makes the two PLS engines PIRLS runs on, fits (fit-glmm.ts) and
 * collects the GeneralizedLinearMixedModel.
 */
import type { DesignBuffers } from "../design/types.js";
import { ModelError } from "../errors.js";
import type { PlsEngine } from "../fit/engine.js";
import { createEngine } from "../fit/wasm-engine.js";
import { type DataInput, toDataFrame } from "../frame/frame.js";
import { makeFamily } from "./family.js";
import { fitGlmmData } from "./fit-glmm.js";
import { GeneralizedLinearMixedModel } from "./model.js";
import { type GlmmData, logNormaliserOf } from "./pirls.js";
import { buildGlmmDesign } from "./response.js";

export type FamilyOption = string | { name: string; link?: string };

export interface GlmmOptions {
  family: FamilyOption;
  link?: string;
  /** Quadrature points: 1 Laplace (default), 0 PIRLS β, > 1 adaptive Gauss–Hermite (one scalar term only). */
  nAGQ?: number;
  /** Prior weights (binomial: numbers of trials for a proportion response), a column name or one per row. */
  weights?: string | ArrayLike<number>;
  /** The PLS engine factory; default the wasm blocked-Cholesky engine. */
  engine?: (buffers: DesignBuffers) => PlsEngine | Promise<PlsEngine>;
}

export const AGQ_SCALAR_ONLY =
  "nAGQ > 1 is only available for models with a single, scalar random-effects term";

/** Family name and link from the options (`family: "binomial", link` or `family: { name, link }`). */
export function familyOf(options: Pick<GlmmOptions, "family" | "link">) {
  const name = typeof options.family === "string" ? options.family : options.family.name;
  const link = typeof options.family === "string" ? options.link : (options.family.link ?? options.link);
  return makeFamily(name, link);
}

export async function fitGlmm(
  formula: string,
  data: DataInput,
  options: GlmmOptions,
): Promise<GeneralizedLinearMixedModel> {
  const family = familyOf(options);
  const nAGQ = options.nAGQ ?? 1;
  if (!Number.isInteger(nAGQ) || nAGQ < 0)
    throw new ModelError(`nAGQ must be a whole number ≥ 0, got ${nAGQ}`);
  if (nAGQ > 100) throw new ModelError(`nAGQ must be at most 100 (lme4's limit), got ${nAGQ}`);
  const frame = toDataFrame(data);
  const gd = buildGlmmDesign(formula, frame, family, options.weights);
  const { design } = gd;
  if (nAGQ > 1 && (design.terms.length !== 1 || (design.terms[0]?.columns.length ?? 0) !== 1))
    throw new ModelError(AGQ_SCALAR_ONLY);
  const n = design.n;
  const p = design.fixedNames.length;
  const terms = design.terms.map((t) => ({
    nlevels: t.levels.length,
    p: t.columns.length,
    refs: t.refs,
    z: t.z,
  }));
  const make =
    // The engine chooses its trailing factor by the fill, as an LMM's does: assembly/glmm/ runs on either.
    options.engine ?? ((buffers: DesignBuffers) => createEngine(buffers));
  const joint = await make({
    n,
    p,
    y: new Float64Array(n),
    X: design.X,
    terms,
    weights: new Float64Array(n).fill(1),
  });
  const uOnly = await make({
    n,
    p: 0,
    y: new Float64Array(n),
    X: new Float64Array(0),
    terms,
    weights: new Float64Array(n).fill(1),
  });
  const glmmData: GlmmData = {
    family,
    n,
    p,
    y: gd.y,
    pw: gd.weights,
    offset: gd.offset,
    X: design.X,
    terms,
    logNormaliser: logNormaliserOf(family, gd.y, gd.weights),
  };
  try {
    const result = fitGlmmData(glmmData, { joint, uOnly }, nAGQ);
    if (design.droppedFixed.length > 0) {
      const k = design.droppedFixed.length;
      result.messages.unshift(
        `fixed-effect model matrix is rank deficient so dropping ${k} column${k === 1 ? "" : "s"} / coefficient${k === 1 ? "" : "s"} (${design.droppedFixed.join(", ")})`,
      );
    }
    // Conditional covariances Λ M⁻¹ Λᵀ at the final working weights (σ = 1): the engine scales by its σ̂².
    const s = result.state;
    uOnly.setWeights(s.weights);
    const z = Float64Array.from(s.eta, (e, i) => e - (gd.offset[i] as number) + 1);
    uOnly.setResponse(z);
    const sol = uOnly.solve(s.theta, false);
    const s2 = sol.sigma * sol.sigma;
    const condVar = uOnly.condVar(s.theta, false).map((blocks) => Float64Array.from(blocks, (v) => v / s2));
    return new GeneralizedLinearMixedModel({
      design,
      data: glmmData,
      fit: result,
      condVar,
      offsetTerms: gd.offsetTerms,
      ...(gd.responseLevels ? { responseLevels: gd.responseLevels } : {}),
      ...(typeof options.weights === "string" ? { weightsName: options.weights } : {}),
    });
  } finally {
    joint.dispose();
    uOnly.dispose();
  }
}
