/**
 * The regularised incomplete beta function and the t and F tails that rest on it (the p-values of the
 * Satterthwaite and Kenward–Roger tests, whose degrees of freedom are not integers). Lentz's continued fraction
 * (Numerical Recipes §6.4) is evaluated on the side where it converges fast, and each tail is computed directly
 * (never as 1 − the other), so small p-values keep their relative accuracy (~1e-13). On top of it, the quantile
 * (bisection on I, monotone, to the resolution of doubles) and the Clopper–Pearson interval of a binomial
 * proportion (R's binom.test, which simr's power intervals use): lower = qbeta(α/2, x, n − x + 1),
 * upper = qbeta(1 − α/2, x + 1, n − x), 0 and 1 at the ends.
 */
import { gammaQ, logGamma } from "./gamma.js";

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 10000;

/** Continued fraction of I_x(a, b) (without its prefactor), valid for x < (a + 1)/(a + b + 2). */
function betaFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** log of x^a (1−x)^b / B(a, b). */
function logPrefactor(a: number, b: number, x: number): number {
  return logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
}

/**
 * I_x(a, b) by the continued fraction, which converges fast for x < (a + 1)/(a + b + 2) and still converges at
 * that boundary. The two public functions pick a side without calling each other: at the boundary itself
 * (bisection lands on it) a mutual fallback would recurse without end.
 */
function lowerByFraction(x: number, a: number, b: number): number {
  return (Math.exp(logPrefactor(a, b, x)) * betaFraction(a, b, x)) / a;
}

/** The regularised incomplete beta function I_x(a, b) = P(Beta(a, b) ≤ x), a, b > 0. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || !(a > 0) || !(b > 0)) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x < (a + 1) / (a + b + 2)) return lowerByFraction(x, a, b);
  return 1 - lowerByFraction(1 - x, b, a);
}

/** 1 − I_x(a, b) = P(Beta(a, b) > x), computed directly when it is the small side. */
export function incompleteBetaUpper(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || !(a > 0) || !(b > 0)) return Number.NaN;
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  // 1 − I_x(a, b) = I_{1−x}(b, a).
  const y = 1 - x;
  if (y < (b + 1) / (a + b + 2)) return lowerByFraction(y, b, a);
  return 1 - lowerByFraction(x, a, b);
}

/** P(|T| > |t|) for Student's t on `df` (any positive real) degrees of freedom: R's 2·pt(|t|, df, lower = FALSE). */
export function tTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  // The normal limit: P(|Z| > |t|) = Q(½, t²/2).
  if (df === Number.POSITIVE_INFINITY) return gammaQ(0.5, (t * t) / 2);
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** P(F > f) for the F distribution on (df1, df2) degrees of freedom: R's pf(f, df1, df2, lower = FALSE). */
export function fUpper(f: number, df1: number, df2: number): number {
  if (Number.isNaN(f) || !(df1 > 0) || !(df2 > 0)) return Number.NaN;
  if (f <= 0) return 1;
  if (!Number.isFinite(f)) return 0;
  // P(F > f) = I_{df2/(df2 + df1 f)}(df2/2, df1/2); for large df1·f use the complement's direct form.
  const x = df2 / (df2 + df1 * f);
  return incompleteBeta(x, df2 / 2, df1 / 2);
}

/** R's name for I_x(a, b): pbeta(x, a, b). */
export const pbeta = incompleteBeta;

/** The p-quantile of Beta(a, b) (R's qbeta), by bisection on I_x(a, b). */
export function qbeta(p: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return 0;
  if (p === 1) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (incompleteBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** The exact (Clopper–Pearson) interval of a proportion from x successes in n trials, at `level` (R's binom.test). */
export function clopperPearson(x: number, n: number, level = 0.95): [number, number] {
  if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(x) || x < 0 || x > n)
    return [Number.NaN, Number.NaN];
  const alpha = 1 - level;
  const lower = x === 0 ? 0 : qbeta(alpha / 2, x, n - x + 1);
  const upper = x === n ? 1 : qbeta(1 - alpha / 2, x + 1, n - x);
  return [lower, upper];
}
