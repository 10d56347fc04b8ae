/**
 * The beta distribution's regularised incomplete function I_x(a, b), its quantile, and the Clopper–Pearson
 * interval of a binomial proportion built on them (R's binom.test, which simr's power intervals use):
 * lower = qbeta(α/2, x, n − x + 1), upper = qbeta(1 − α/2, x + 1, n − x), 0 and 1 at the ends.
 *
 * I_x(a, b) is Lentz's continued fraction (Numerical Recipes §6.4), on x < (a + 1)/(a + b + 2) and by symmetry
 * I_x(a, b) = 1 − I_{1−x}(b, a) otherwise; the quantile is bisection on I (monotone), 200 halvings at most, to the
 * resolution of doubles.
 */
import { logGamma } from "./gamma.js";

const EPS = 1e-16;
const TINY = 1e-300;

function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
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

/** The regularised incomplete beta function I_x(a, b) = P(Beta(a, b) ≤ x), a, b > 0 (R's pbeta). */
export function pbeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** The p-quantile of Beta(a, b) (R's qbeta), by bisection on pbeta. */
export function qbeta(p: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return 0;
  if (p === 1) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (pbeta(mid, a, b) < p) lo = mid;
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
