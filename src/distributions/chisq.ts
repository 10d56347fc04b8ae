/** The χ² distribution: density for plots, upper tail for likelihood-ratio p-values. */
import { gammaQ, logGamma } from "./gamma.js";

/** P(χ²_df > x): R's pchisq(x, df, lower.tail = FALSE). */
export function chiSquareUpper(x: number, df: number): number {
  if (!(df > 0)) return Number.NaN;
  return gammaQ(df / 2, x / 2);
}

/** Density of the χ² distribution with `df` degrees of freedom at x (0 for x < 0). */
export function dchisq(x: number, df: number): number {
  if (!(df > 0)) return Number.NaN;
  if (x < 0) return 0;
  const k = df / 2;
  if (x === 0) return k < 1 ? Number.POSITIVE_INFINITY : k === 1 ? 0.5 : 0;
  return Math.exp((k - 1) * Math.log(x) - x / 2 - k * Math.LN2 - logGamma(k));
}
