/**
 * A linear model without random effects, fitted as R's lm: least squares through the pivoting Householder QR
 * (./qr.ts, tolerance 1e-7), aliased coefficients NA under their own names, and the statistics of summary.lm,
 * logLik.lm (maximum likelihood, df = rank + 1), AIC and BIC.
 */
import { designOrigin } from "../design/build.js";
import { newDataDesign } from "../design/newdata.js";
import type { Design } from "../design/types.js";
import { fUpper, tTwoSided } from "../distributions/beta.js";
import type { DataInput } from "../frame/frame.js";
import { applyQt, type QrDecomposition, qrDecompose, solveUpper, unscaledCovariance } from "./qr.js";

/** lm's tolerance for aliasing (lm.fit's tol). */
export const LM_TOLERANCE = 1e-7;

export interface CoefficientRow {
  name: string;
  estimate: number;
  se: number;
  t: number;
  p: number;
}

export interface LmSummary {
  /** Rows for the estimable coefficients only (R prints aliased ones as NA rows, see `aliased`). */
  coefficients: CoefficientRow[];
  /** Names of the aliased (NA) coefficients, R's "(k not defined because of singularities)". */
  aliased: string[];
  sigma: number;
  dfResidual: number;
  rSquared: number;
  adjRSquared: number;
  /** null when the model has no terms besides the intercept (R prints no F-statistic then). */
  fstatistic: { value: number; numdf: number; dendf: number; p: number } | null;
  residualQuantiles: { min: number; q1: number; median: number; q3: number; max: number };
}

export class LinearModel {
  readonly kind = "lm" as const;
  readonly design: Design;
  readonly qr: QrDecomposition;
  /** All coefficients in the columns' order, NaN where aliased (R's NA). */
  readonly coefficients: Float64Array;
  readonly fittedValues: Float64Array;
  readonly residualValues: Float64Array;
  readonly rank: number;
  readonly messages: readonly string[];
  /** Offsets added to the linear predictor (zero without offset() terms). */
  readonly offset: Float64Array;

  constructor(design: Design, offset?: Float64Array) {
    this.design = design;
    const { n, X, y } = design;
    const p = design.fixedNames.length;
    this.offset = offset ?? new Float64Array(n);
    this.qr = qrDecompose(X, n, p, LM_TOLERANCE);
    const rank = this.qr.rank;
    this.rank = rank;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = (y[i] as number) - (this.offset[i] as number);
    const qty = applyQt(this.qr, Float64Array.from(z));
    const b = solveUpper(this.qr, qty);
    this.coefficients = new Float64Array(p).fill(Number.NaN);
    for (let j = 0; j < rank; j++) this.coefficients[this.qr.pivot[j] as number] = b[j] as number;
    this.fittedValues = new Float64Array(n);
    for (let j = 0; j < p; j++) {
      const c = this.coefficients[j] as number;
      if (Number.isNaN(c)) continue;
      for (let i = 0; i < n; i++)
        this.fittedValues[i] = (this.fittedValues[i] as number) + (X[j * n + i] as number) * c;
    }
    for (let i = 0; i < n; i++)
      this.fittedValues[i] = (this.fittedValues[i] as number) + (this.offset[i] as number);
    this.residualValues = new Float64Array(n);
    for (let i = 0; i < n; i++) this.residualValues[i] = (y[i] as number) - (this.fittedValues[i] as number);
    const aliased = this.aliased();
    this.messages =
      aliased.length > 0
        ? [`Coefficients: (${aliased.length} not defined because of singularities): ${aliased.join(", ")}`]
        : [];
  }

  get formula(): string {
    return this.design.formula;
  }

  get nobs(): number {
    return this.design.n;
  }

  /** n − rank. */
  get dfResidual(): number {
    return this.design.n - this.rank;
  }

  /** Residual sum of squares (R's deviance(lm)). */
  get rss(): number {
    let s = 0;
    for (const r of this.residualValues) s += r * r;
    return s;
  }

  /** Residual standard error √(RSS / (n − rank)), R's sigma(lm). */
  get sigma(): number {
    return Math.sqrt(this.rss / this.dfResidual);
  }

  /** logLik.lm's df: rank + 1 (the coefficients and σ). */
  get npar(): number {
    return this.rank + 1;
  }

  /** Whether the model has an intercept (R's attr(terms, "intercept")). */
  get hasIntercept(): boolean {
    return designOrigin(this.design)?.spec.fixed.intercept ?? this.design.fixedNames[0] === "(Intercept)";
  }

  /** Names of the aliased coefficients, in column order. */
  aliased(): string[] {
    return this.design.fixedNames.filter((_, j) => Number.isNaN(this.coefficients[j] as number));
  }

  /** coef(lm): every coefficient by name, NaN (R's NA) where aliased. */
  fixef(): Record<string, number> {
    const out: Record<string, number> = {};
    this.design.fixedNames.forEach((name, j) => {
      out[name] = this.coefficients[j] as number;
    });
    return out;
  }

  coef(): Record<string, number> {
    return this.fixef();
  }

  /** Standard errors of the estimable coefficients (aliased ones NaN). */
  se(): Record<string, number> {
    const v = this.vcov();
    const out: Record<string, number> = {};
    this.design.fixedNames.forEach((name, j) => {
      out[name] = Math.sqrt(v[j]?.[j] ?? Number.NaN);
    });
    return out;
  }

  /**
   * vcov(lm): σ̂² (RᵀR)⁻¹ in the columns' order. R's vcov(lm) (complete = TRUE) has NA rows and columns for the
   * aliased coefficients; here they are NaN.
   */
  vcov(): number[][] {
    const p = this.design.fixedNames.length;
    const out = Array.from({ length: p }, () => new Array<number>(p).fill(Number.NaN));
    const u = unscaledCovariance(this.qr);
    const s2 = this.rss / this.dfResidual;
    const { rank, pivot } = this.qr;
    for (let a = 0; a < rank; a++)
      for (let b = 0; b < rank; b++)
        (out[pivot[a] as number] as number[])[pivot[b] as number] = (u[a * rank + b] as number) * s2;
    return out;
  }

  fitted(): Float64Array {
    return Float64Array.from(this.fittedValues);
  }

  residuals(): Float64Array {
    return Float64Array.from(this.residualValues);
  }

  /** logLik.lm: ½(−n(log 2π + 1 − log n + log RSS)), unweighted. */
  logLik(): number {
    const n = this.design.n;
    return 0.5 * -(n * (Math.log(2 * Math.PI) + 1 - Math.log(n) + Math.log(this.rss)));
  }

  AIC(): number {
    return -2 * this.logLik() + 2 * this.npar;
  }

  BIC(): number {
    return -2 * this.logLik() + Math.log(this.design.n) * this.npar;
  }

  /** −2 logLik, the ML deviance that lme4's anova compares with a mixed model's. */
  deviance(): number {
    return -2 * this.logLik();
  }

  /**
   * predict(lm) on the fitting rows (the fitted values) or on new data: the new data's model matrix uses the fit's
   * factor levels and contrasts (and its data-dependent terms, see design/newdata.ts). Aliased coefficients count
   * as 0, as predict.lm does (R warns that a prediction from a rank-deficient fit may be misleading).
   */
  predict(newdata?: DataInput): Float64Array {
    if (newdata === undefined) return this.fitted();
    const nd = newDataDesign(this.design, newdata);
    const out = new Float64Array(nd.n);
    const p = this.design.fixedNames.length;
    for (let j = 0; j < p; j++) {
      const c = this.coefficients[j] as number;
      if (Number.isNaN(c)) continue;
      for (let i = 0; i < nd.n; i++) out[i] = (out[i] as number) + (nd.X[j * nd.n + i] as number) * c;
    }
    // R's predict.lm adds the offset() terms evaluated on the new data.
    if (nd.offset) for (let i = 0; i < nd.n; i++) out[i] = (out[i] as number) + (nd.offset[i] as number);
    return out;
  }

  /** summary.lm's numbers. */
  summaryStats(): LmSummary {
    const n = this.design.n;
    const rdf = this.dfResidual;
    const rss = this.rss;
    const resvar = rss / rdf;
    const intercept = this.hasIntercept;
    let mss = 0;
    const f = this.fittedValues;
    if (intercept) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += (f[i] as number) - (this.offset[i] as number);
      mean /= n;
      for (let i = 0; i < n; i++) mss += ((f[i] as number) - (this.offset[i] as number) - mean) ** 2;
    } else for (let i = 0; i < n; i++) mss += ((f[i] as number) - (this.offset[i] as number)) ** 2;
    const dfInt = intercept ? 1 : 0;
    const rSquared = mss / (mss + rss);
    const adjRSquared = 1 - (1 - rSquared) * ((n - dfInt) / rdf);
    const numdf = this.rank - dfInt;
    const fvalue = mss / numdf / resvar;
    const se = this.se();
    const coefficients: CoefficientRow[] = [];
    this.design.fixedNames.forEach((name, j) => {
      const estimate = this.coefficients[j] as number;
      if (Number.isNaN(estimate)) return;
      const s = se[name] as number;
      const t = estimate / s;
      coefficients.push({ name, estimate, se: s, t, p: tTwoSided(t, rdf) });
    });
    const sorted = Array.from(this.residualValues).sort((a, b) => a - b);
    return {
      coefficients,
      aliased: this.aliased(),
      sigma: Math.sqrt(resvar),
      dfResidual: rdf,
      rSquared,
      adjRSquared,
      fstatistic: numdf > 0 ? { value: fvalue, numdf, dendf: rdf, p: fUpper(fvalue, numdf, rdf) } : null,
      residualQuantiles: {
        min: sorted[0] as number,
        q1: quantile7(sorted, 0.25),
        median: quantile7(sorted, 0.5),
        q3: quantile7(sorted, 0.75),
        max: sorted[sorted.length - 1] as number,
      },
    };
  }
}

/** R's default quantile (type 7) of sorted values. */
export function quantile7(sorted: ArrayLike<number>, prob: number): number {
  const h = (sorted.length - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}
