/**
 * A fitted linear mixed model: the results API, with lme4's names and semantics.
 *
 * lme4 conventions kept here (so numbers line up with R):
 * - logLik() is −objective/2 for both fits, i.e. the REML log-likelihood for a REML fit;
 * - npar = p + length(θ) + 1; AIC/BIC come from logLik and npar;
 * - deviance() is the ML deviance: the objective of an ML fit, and for a REML fit the ML deviance evaluated at
 *   the REML estimates (lme4's devCritFun); remlCriterion() is the REML criterion (lme4's REMLcrit);
 * - vcov() is σ̂² S⁻¹ (lme4's RX-based covariance), se() its diagonal's square roots.
 */

import { addOffset, addRandomPart, fixedPart, type RandomPartTerm } from "../design/linear-predictor.js";
import { type NewDataDesign, newDataDesign } from "../design/newdata.js";
import { termOffsets, termShapes } from "../design/theta.js";
import type { Design } from "../design/types.js";
import { logPriorWeights } from "../design/weights.js";
import { DataError, ModelError } from "../errors.js";
import type { DataInput } from "../frame/frame.js";
import { type FitJson, fitJson } from "../report/json.js";
import { withPlainJson } from "../report/plain.js";
import { type SummaryOptions, summaryText } from "../report/summary.js";
import { PREDICT_OPTIONS } from "../validate/known-options.js";
import { checkArgument, checkOptions, isData } from "../validate/options.js";
import { type CriterionTerms, mlDeviance, remlCriterion as remlCriterionOf } from "./criterion.js";
import type { PlsEngine, PlsSolution } from "./engine.js";
import { groupCondVar, groupTerms } from "./ranef-groups.js";
import type { OptimizerReport, RanefGroup } from "./results.js";
import { type VarCorrBlock, type VarCorrRow, varCorrBlocks, varCorrRows } from "./varcorr.js";

export type { OptimizerReport, RanefGroup } from "./results.js";

/** lme4's coef(): per grouping factor and level, fixed effects plus that level's random effects. */
export interface CoefGroup {
  group: string;
  levels: string[];
  terms: string[];
  values: number[][];
}

/** lme4's residual types for a linear mixed model (all the same numbers without prior weights). */
export const RESIDUAL_TYPES = ["response", "working", "pearson", "deviance"] as const;

export interface ResidualsOptions {
  /** lme4's `type` (default "response"); for an LMM without weights every type gives y − fitted. */
  type?: (typeof RESIDUAL_TYPES)[number];
  /** Divide by σ̂ (lme4's `scaled = TRUE`). */
  scaled?: boolean;
}

export interface PredictOptions {
  /** Include the random effects (lme4's default re.form = NULL); false gives the population level (re.form = NA). */
  random?: boolean;
  /**
   * lme4's allow.new.levels: a grouping level the fit has not seen contributes no random effect (the population
   * prediction for that group). Default false: such a level is an error, as in lme4.
   */
  allowNewLevels?: boolean;
}

/** Builds the model matrices of new data with a fitted design's levels and contrasts (default: newDataDesign). */
export type NewDataBuilder = (design: Design, data: DataInput) => NewDataDesign;

export interface ModelInit {
  design: Design;
  engine: PlsEngine;
  /** The response fitted (the engine's, which differs from design.y after setResponse, e.g. in a bootstrap). */
  y: Float64Array;
  REML: boolean;
  solution: PlsSolution;
  optimizer: OptimizerReport;
  singular: boolean;
  /** Messages lme4 would print with the fit (rank deficiency, singular fit, convergence). */
  messages: string[];
  newData?: NewDataBuilder;
  /** The data the model was fitted to (fit() keeps it, for update()). */
  data?: DataInput;
}

export const SINGULAR_MESSAGE = "boundary (singular) fit: see help('isSingular')";

export class LinearMixedModel {
  readonly design: Design;
  readonly engine: PlsEngine;
  /** The response this model was fitted to. */
  readonly y: Float64Array;
  readonly REML: boolean;
  readonly optimizer: OptimizerReport;
  readonly singular: boolean;
  readonly messages: readonly string[];
  /** The PLS solution at θ̂ (β̂, û, b̂, σ̂, log-determinants, vcov). */
  readonly solution: PlsSolution;
  /** The data given to fit() (undefined for a model built from a design): update() refits with it. */
  readonly data: DataInput | undefined;
  readonly #newData: NewDataBuilder;
  #fitted: Float64Array | undefined;

  constructor(init: ModelInit) {
    this.design = init.design;
    this.engine = init.engine;
    this.y = init.y;
    this.REML = init.REML;
    this.solution = init.solution;
    this.optimizer = init.optimizer;
    this.singular = init.singular;
    this.messages = init.messages;
    this.#newData = init.newData ?? newDataDesign;
    this.data = init.data;
  }

  get formula(): string {
    return this.design.formula;
  }

  get theta(): Float64Array {
    return withPlainJson(Float64Array.from(this.solution.theta));
  }

  get sigma(): number {
    return this.solution.sigma;
  }

  /** Deviance (ML) or REML criterion at θ̂: what was minimised. */
  get objective(): number {
    return this.solution.objective;
  }

  get nobs(): number {
    return this.design.n;
  }

  /** Number of fixed-effects coefficients. */
  get p(): number {
    return this.design.fixedNames.length;
  }

  /** lme4's npar (the df of logLik): fixed effects, θ and σ. */
  get npar(): number {
    return this.p + this.solution.theta.length + 1;
  }

  /** Residual degrees of freedom as lme4's df.residual(): nobs − npar. */
  get dfResidual(): number {
    return this.nobs - this.npar;
  }

  /** Number of levels of each grouping factor, in lme4's order (a factor used by several terms counted once). */
  get ngrps(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.design.terms) if (!(t.group in out)) out[t.group] = t.levels.length;
    return out;
  }

  fixef(): Record<string, number> {
    const out: Record<string, number> = {};
    this.design.fixedNames.forEach((name, j) => {
      out[name] = this.solution.beta[j] as number;
    });
    return out;
  }

  /** Standard errors of the fixed effects. */
  se(): Record<string, number> {
    const p = this.p;
    const out: Record<string, number> = {};
    this.design.fixedNames.forEach((name, j) => {
      out[name] = Math.sqrt(this.solution.vcovBeta[j * p + j] as number);
    });
    return out;
  }

  /** Covariance matrix of the fixed effects (p × p, lme4's order). */
  vcov(): number[][] {
    const p = this.p;
    return Array.from({ length: p }, (_, i) =>
      Array.from({ length: p }, (_, j) => this.solution.vcovBeta[i * p + j] as number),
    );
  }

  logLik(): number {
    return -this.solution.objective / 2;
  }

  AIC(): number {
    return -2 * this.logLik() + 2 * this.npar;
  }

  BIC(): number {
    return -2 * this.logLik() + this.npar * Math.log(this.nobs);
  }

  /** Prior weights (a copy), or undefined for an unweighted fit. */
  get weights(): Float64Array | undefined {
    return this.design.weights ? Float64Array.from(this.design.weights) : undefined;
  }

  #criterionTerms(): CriterionTerms {
    const s = this.solution;
    const logDetW = this.design.weights ? logPriorWeights(this.design.weights) : 0;
    return { logDetM: s.logDetM, logDetS: s.logDetS, pwrss: s.pwrss, logDetW, n: this.nobs, p: this.p };
  }

  /** ML deviance (for a REML fit, evaluated at the REML estimates, as lme4). */
  deviance(): number {
    if (!this.REML) return this.solution.objective;
    return mlDeviance(this.#criterionTerms());
  }

  /** REML criterion (for an ML fit, evaluated at the ML estimates, as lme4's REMLcrit on an ML fit). */
  remlCriterion(): number {
    if (this.REML) return this.solution.objective;
    return remlCriterionOf(this.#criterionTerms());
  }

  /** Variance components as lme4's VarCorr() blocks. */
  varCorrBlocks(): VarCorrBlock[] {
    return varCorrBlocks(this.design.terms, this.solution.theta, this.sigma);
  }

  /** Variance components as lme4's as.data.frame(VarCorr(m)) rows. */
  varCorr(): VarCorrRow[] {
    return varCorrRows(this.design.terms, this.solution.theta, this.sigma);
  }

  /** Offsets of each term's random effects in b (term by term, level-major). */
  #termOffsets(): number[] {
    return termOffsets(termShapes(this.design));
  }

  /** The design's terms as the linear predictor reads them. */
  #randomPart(): RandomPartTerm[] {
    return this.design.terms.map((t) => ({
      p: t.columns.length,
      nlevels: t.levels.length,
      refs: t.refs,
      z: t.z,
    }));
  }

  /**
   * Conditional modes per grouping factor, as lme4's ranef(): terms on the same factor are merged (columns in
   * term order), factors in the order of their first term.
   */
  ranef(options: { condVar?: boolean } = {}): RanefGroup[] {
    const offsets = this.#termOffsets();
    const condVar = options.condVar ? this.engine.condVar(this.solution.theta, this.REML) : undefined;
    return groupTerms(this.design).map(({ group: name, termIndices }) => {
      const levels = (this.design.terms[termIndices[0] as number] as Design["terms"][number]).levels;
      const terms = termIndices.flatMap((ti) => (this.design.terms[ti] as Design["terms"][number]).columns);
      const values = levels.map((_, level) => {
        const row: number[] = [];
        for (const ti of termIndices) {
          const t = this.design.terms[ti] as Design["terms"][number];
          const p = t.columns.length;
          for (let j = 0; j < p; j++)
            row.push(this.solution.b[(offsets[ti] as number) + level * p + j] as number);
        }
        return row;
      });
      const group: RanefGroup = { group: name, levels, terms, values };
      if (condVar) group.condVar = groupCondVar(this.design, termIndices, condVar, levels.length);
      return group;
    });
  }

  /** lme4's coef(): random-effect columns missing from the fixed effects first (fixed part 0), then fixef. */
  coef(): CoefGroup[] {
    const fixef = this.fixef();
    return this.ranef().map((g) => {
      const missing = g.terms.filter((name) => !(name in fixef));
      const terms = [...missing, ...this.design.fixedNames];
      const values = g.levels.map((_, level) => {
        const row = terms.map((name) => fixef[name] ?? 0);
        g.terms.forEach((name, j) => {
          const k = terms.indexOf(name);
          row[k] = (row[k] as number) + ((g.values[level] as number[])[j] as number);
        });
        return row;
      });
      return { group: g.group, levels: g.levels, terms, values };
    });
  }

  /** offset + Xβ̂ (the population-level prediction, lme4's predict(re.form = NA)) for the fitted data. */
  #fixedPart(): Float64Array {
    return addOffset(fixedPart(this.design.n, this.design.X, this.solution.beta), this.design.offset);
  }

  /** offset + Xβ̂ + Zb̂ (the offset() terms, when the formula has them, as lme4's fitted()). */
  fitted(): Float64Array {
    if (!this.#fitted) this.#fitted = addRandomPart(this.#fixedPart(), this.#randomPart(), this.solution.b);
    return withPlainJson(Float64Array.from(this.#fitted));
  }

  /**
   * y − fitted, lme4's residuals(m, type, scaled). For a linear mixed model without prior weights lme4's
   * "response", "working", "pearson" and "deviance" residuals are the same numbers (the Gaussian family's variance
   * function is 1); `scaled: true` divides by σ̂. lme4's "partial" residuals need a term and are not offered.
   */
  residuals(options: ResidualsOptions = {}): Float64Array {
    const type = options.type ?? "response";
    if (!RESIDUAL_TYPES.includes(type))
      throw new ModelError(
        `residuals: type '${String(type)}' is not one of ${RESIDUAL_TYPES.map((t) => `'${t}'`).join(", ")}`,
      );
    const f = this.fitted();
    const y = this.y;
    const scale = options.scaled ? 1 / this.sigma : 1;
    return withPlainJson(f.map((v, i) => ((y[i] as number) - v) * scale));
  }

  /** lme4's summary() text. */
  summary(options: SummaryOptions = {}): string {
    return summaryText(this, options);
  }

  /** The fit as JSON with the field names of lme4's reference fits (see src/report/json.ts). */
  toJSON(): FitJson {
    return fitJson(this);
  }

  /**
   * Predictions. Without new data: the fitted values (or Xβ̂ with `random: false`). With new data: built with the
   * fit's levels and contrasts; a grouping level the fit has not seen is an error unless `allowNewLevels` (then it
   * contributes no random effect: the population level, as lme4's predict(allow.new.levels = TRUE)).
   */
  predict(newdata?: DataInput, options: PredictOptions = {}): Float64Array {
    checkOptions("predict", options, PREDICT_OPTIONS);
    const random = options.random ?? true;
    if (newdata === undefined) return random ? this.fitted() : withPlainJson(this.#fixedPart());
    checkArgument("predict", "newdata", newdata, isData);
    const nd = this.#newData(this.design, newdata);
    if (random && options.allowNewLevels !== true)
      nd.terms.forEach((t, ti) => {
        if (t.newLevels.length === 0) return;
        const group = (this.design.terms[ti] as Design["terms"][number]).group;
        const shown = t.newLevels.slice(0, 5).map((l) => `'${l}'`);
        throw new DataError(
          `predict: new data has level${t.newLevels.length === 1 ? "" : "s"} ${shown.join(", ")}` +
            `${t.newLevels.length > 5 ? ", ..." : ""} of grouping factor ${group} that the fit has not seen; ` +
            "pass allowNewLevels: true for the population-level prediction of new groups (lme4's allow.new.levels)",
        );
      });
    // The offset() terms evaluated on the new rows, as lme4's predict.merMod.
    const out = addOffset(fixedPart(nd.n, nd.X, this.solution.beta), nd.offset);
    if (random) {
      const fitted = this.#randomPart();
      const terms = nd.terms.map((t, ti) => ({ ...(fitted[ti] as RandomPartTerm), refs: t.refs, z: t.z }));
      addRandomPart(out, terms, this.solution.b);
    }
    return withPlainJson(out);
  }

  // lme4's own names, where lme4 users look for them (the names above stay: they are the package's contract).

  /** lme4's VarCorr(m): the variance components, block by block (same as varCorrBlocks()). */
  VarCorr(): VarCorrBlock[] {
    return this.varCorrBlocks();
  }

  /** lme4's isSingular(m): a variance component at its boundary (a diagonal θ below 1e-4). Same as `singular`. */
  isSingular(): boolean {
    return this.singular;
  }

  /** lme4's REMLcrit(m) (same as remlCriterion()). */
  REMLcrit(): number {
    return this.remlCriterion();
  }
}
