/**
 * A fitted GLMM (lme4's glmerMod): what lme4 users call on one — fixef, ranef (condVar), VarCorr, vcov, logLik,
 * AIC, BIC, deviance, fitted, residuals by type, predict (link/response, new data), simulate, summary, JSON.
 */
import { newDataDesign } from "../design/newdata.js";
import type { Design } from "../design/types.js";
import type { RanefGroup } from "../fit/model.js";
import { groupCondVar, groupTerms } from "../fit/ranef-groups.js";
import { type VarCorrRow, varCorrRows } from "../fit/varcorr.js";
import type { Expr } from "../formula/ast.js";
import { type DataInput, toDataFrame } from "../frame/frame.js";
import { RandomStream } from "../random/stream.js";
import type { Family } from "./family.js";
import type { GlmmFitResult } from "./fit-glmm.js";
import { addZLambdaU, type GlmmData } from "./pirls.js";
import { type GlmmJson, glmmJson, glmmSummaryText } from "./report.js";
import { offsetOf } from "./response.js";
import type { GlmmResidualType } from "./view.js";

export type { GlmmResidualType } from "./view.js";

export interface GlmmPredictOptions {
  /** "link" (η, lme4's default) or "response" (μ). */
  type?: "link" | "response";
  /** Include the random effects (re.form = NULL, default); false is re.form = NA. */
  random?: boolean;
}

export interface GlmmInit {
  design: Design;
  data: GlmmData;
  fit: GlmmFitResult;
  /** Per term, nlevels × p × p conditional covariance blocks (σ = 1). */
  condVar: Float64Array[];
  offsetTerms: Expr[];
  responseLevels?: [string, string];
  weightsName?: string;
}

export class GeneralizedLinearMixedModel {
  readonly design: Design;
  readonly data: GlmmData;
  readonly result: GlmmFitResult;
  readonly family: Family;
  readonly nAGQ: number;
  readonly messages: readonly string[];
  readonly responseLevels: [string, string] | undefined;
  readonly weightsName: string | undefined;
  readonly #condVar: Float64Array[];
  readonly #offsetTerms: Expr[];

  constructor(init: GlmmInit) {
    this.design = init.design;
    this.data = init.data;
    this.result = init.fit;
    this.family = init.data.family;
    this.nAGQ = init.fit.nAGQ;
    this.messages = init.fit.messages;
    this.responseLevels = init.responseLevels;
    this.weightsName = init.weightsName;
    this.#condVar = init.condVar;
    this.#offsetTerms = init.offsetTerms;
  }

  get formula(): string {
    return this.design.formula;
  }
  get theta(): Float64Array {
    return this.result.state.theta;
  }
  get beta(): Float64Array {
    return this.result.state.beta;
  }
  /** Spherical conditional modes u. */
  get u(): Float64Array {
    return this.result.state.u;
  }
  get nobs(): number {
    return this.design.n;
  }
  get npar(): number {
    return this.theta.length + this.beta.length;
  }
  get dfResidual(): number {
    return this.nobs - this.npar;
  }
  get singular(): boolean {
    return this.result.singular;
  }
  get converged(): boolean {
    return this.result.converged;
  }
  get ngrps(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.design.terms) out[t.group] = t.levels.length;
    return out;
  }
  /** The criterion minimised: −2 logLik (Laplace, AGQ, or Laplace at the PIRLS β for nAGQ = 0). */
  get objective(): number {
    return this.result.objective;
  }

  fixef(): Record<string, number> {
    const out: Record<string, number> = {};
    this.design.fixedNames.forEach((name, j) => {
      out[name] = this.beta[j] as number;
    });
    return out;
  }
  vcov(): number[][] {
    const p = this.beta.length;
    return Array.from({ length: p }, (_, i) =>
      Array.from({ length: p }, (_, j) => this.result.vcov[i * p + j] as number),
    );
  }
  se(): Record<string, number> {
    const p = this.beta.length;
    const out: Record<string, number> = {};
    this.design.fixedNames.forEach((name, j) => {
      out[name] = Math.sqrt(this.result.vcov[j * p + j] as number);
    });
    return out;
  }
  logLik(): number {
    return -this.objective / 2;
  }
  AIC(): number {
    return this.objective + 2 * this.npar;
  }
  BIC(): number {
    return this.objective + Math.log(this.nobs) * this.npar;
  }
  /** R's deviance(m) for a glmer fit: the conditional GLM deviance Σ deviance residuals (not −2 logLik). */
  deviance(): number {
    const { y, pw } = this.data;
    const mu = this.result.state.mu;
    let s = 0;
    for (let i = 0; i < this.nobs; i++)
      s += this.family.devResid(y[i] as number, mu[i] as number, pw[i] as number);
    return s;
  }
  /** as.data.frame(VarCorr(m)) without the Residual row (σ = 1 for these families). */
  varCorr(): VarCorrRow[] {
    return varCorrRows(this.design.terms, this.theta, 1).filter((r) => r.grp !== "Residual");
  }
  /** b = Λu, by grouping factor (lme4's ranef), with condVar = TRUE the conditional covariances. */
  ranef(options: { condVar?: boolean } = {}): RanefGroup[] {
    const b = this.#b();
    const offsets: number[] = [];
    let off = 0;
    for (const t of this.design.terms) {
      offsets.push(off);
      off += t.levels.length * t.columns.length;
    }
    return groupTerms(this.design).map(({ group: name, termIndices }) => {
      const first = this.design.terms[termIndices[0] as number] as Design["terms"][number];
      const levels = first.levels;
      const terms = termIndices.flatMap((ti) => (this.design.terms[ti] as Design["terms"][number]).columns);
      const values = levels.map((_, level) => {
        const row: number[] = [];
        for (const ti of termIndices) {
          const p = (this.design.terms[ti] as Design["terms"][number]).columns.length;
          for (let j = 0; j < p; j++) row.push(b[(offsets[ti] as number) + level * p + j] as number);
        }
        return row;
      });
      const group: RanefGroup = { group: name, levels, terms, values };
      if (options.condVar)
        group.condVar = groupCondVar(this.design, termIndices, this.#condVar, levels.length);
      return group;
    });
  }
  #b(): Float64Array {
    const b = new Float64Array(this.u.length);
    let tOff = 0;
    let uOff = 0;
    for (const t of this.data.terms) {
      const p = t.p;
      for (let l = 0; l < t.nlevels; l++) {
        let k = tOff;
        for (let j = 0; j < p; j++)
          for (let i = j; i < p; i++) {
            b[uOff + l * p + i] =
              (b[uOff + l * p + i] as number) +
              (this.theta[k] as number) * (this.u[uOff + l * p + j] as number);
            k++;
          }
      }
      tOff += (p * (p + 1)) / 2;
      uOff += t.nlevels * p;
    }
    return b;
  }
  /** μ: fitted values on the response scale (a probability for the binomial). */
  fitted(): Float64Array {
    return Float64Array.from(this.result.state.mu);
  }
  /** Residuals as R's residuals.glmResp: deviance (default), pearson, response, working. */
  residuals(type: GlmmResidualType = "deviance"): Float64Array {
    const { y, pw } = this.data;
    const { mu, eta } = this.result.state;
    return Float64Array.from(mu, (m, i) => {
      const r = (y[i] as number) - m;
      switch (type) {
        case "response":
          return r;
        case "pearson":
          return (r * Math.sqrt(pw[i] as number)) / Math.sqrt(this.family.variance(m));
        case "working":
          return r / this.family.link.muEta(eta[i] as number);
        default:
          return (
            Math.sign(r) * Math.sqrt(Math.max(0, this.family.devResid(y[i] as number, m, pw[i] as number)))
          );
      }
    });
  }
  /**
   * Predictions (lme4's predict.merMod): η (type "link", default) or μ; on new data with the fitting data's
   * levels and contrasts, a group level the fit did not see contributes 0 (allow.new.levels = TRUE).
   */
  predict(newdata?: DataInput, options: GlmmPredictOptions = {}): Float64Array {
    const random = options.random ?? true;
    const link = this.family.link;
    let eta: Float64Array;
    if (newdata === undefined) {
      eta = Float64Array.from(this.data.offset);
      for (let j = 0; j < this.beta.length; j++)
        for (let i = 0; i < this.nobs; i++)
          eta[i] = (eta[i] as number) + (this.beta[j] as number) * (this.data.X[j * this.nobs + i] as number);
      if (random) addZLambdaU(this.data, this.theta, this.u, eta);
    } else {
      const nd = newDataDesign(this.design, newdata);
      eta = offsetOf(this.#offsetTerms, toDataFrame(newdata));
      for (let j = 0; j < this.beta.length; j++)
        for (let i = 0; i < nd.n; i++)
          eta[i] = (eta[i] as number) + (this.beta[j] as number) * (nd.X[j * nd.n + i] as number);
      if (random) {
        const b = this.#b();
        let off = 0;
        nd.terms.forEach((t, ti) => {
          const p = (this.design.terms[ti] as Design["terms"][number]).columns.length;
          for (let i = 0; i < nd.n; i++) {
            const l = t.refs[i] as number;
            if (l < 0) continue;
            for (let j = 0; j < p; j++)
              eta[i] = (eta[i] as number) + (t.z[i * p + j] as number) * (b[off + l * p + j] as number);
          }
          off += (this.design.terms[ti] as Design["terms"][number]).levels.length * p;
        });
      }
    }
    return options.type === "response" ? Float64Array.from(eta, (e) => link.inverse(e)) : eta;
  }
  /** glmer's printed summary (z values, Pr(>|z|)). */
  summary(options: { dataName?: string } = {}): string {
    return glmmSummaryText(this, options);
  }
  toJSON(): GlmmJson {
    return glmmJson(this);
  }
  /**
   * lme4's simulate(m, nsim, seed) with use.u = FALSE: new spherical random effects u* ~ N(0, I), then each
   * response from the family at μ = g⁻¹(offset + Xβ + ZΛu*). Binomial draws are proportions of the trials.
   */
  simulate(nsim: number, seed: number): Float64Array[] {
    const rng = new RandomStream(seed);
    const fixed = this.predict(undefined, { random: false });
    const out: Float64Array[] = [];
    for (let s = 0; s < nsim; s++) out.push(this.drawResponse(rng, fixed));
    return out;
  }
  /** One simulated response (new u* ~ N(0, I), then y | u*) from `rng`; `fixed` is offset + Xβ. */
  drawResponse(
    rng: RandomStream,
    fixed: Float64Array = this.predict(undefined, { random: false }),
  ): Float64Array {
    const ustar = new Float64Array(this.u.length);
    for (let i = 0; i < ustar.length; i++) ustar[i] = rng.nextNormal();
    const eta = Float64Array.from(fixed);
    addZLambdaU(this.data, this.theta, ustar, eta);
    const y = new Float64Array(eta.length);
    for (let i = 0; i < eta.length; i++)
      y[i] = this.family.draw(this.family.link.inverse(eta[i] as number), this.data.pw[i] as number, rng);
    return y;
  }
}
