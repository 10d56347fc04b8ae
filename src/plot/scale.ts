/**
 * Linear scales and "nice" axis ticks (1, 2, 5 × 10^k steps, as R's pretty() prefers), with tick labels formatted
 * to the precision of the step.
 */

export interface LinearScale {
  (x: number): number;
  domain: [number, number];
  range: [number, number];
  ticks: number[];
  format: (x: number) => string;
}

/** Step of about `span / count` rounded to 1, 2 or 5 × 10^k. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nice * mag;
}

/** Extent of finite values, widened when degenerate so a scale always has a positive span. */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values)
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (lo > hi) return [0, 1];
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  return [lo, hi];
}

/**
 * A scale over [lo, hi] padded by `pad` of the span on each side, extended to whole ticks when `nice` (the axis then
 * starts and ends on a labelled tick).
 */
export function linearScale(
  dataExtent: [number, number],
  range: [number, number],
  options: { ticks?: number; pad?: number; nice?: boolean; includeZero?: boolean } = {},
): LinearScale {
  let [lo, hi] = dataExtent;
  if (options.includeZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (!(hi > lo)) [lo, hi] = extent([lo, hi]);
  const pad = options.pad ?? 0.04;
  const span = hi - lo;
  if (options.includeZero && lo === 0) hi += span * pad;
  else if (options.includeZero && hi === 0) lo -= span * pad;
  else {
    lo -= span * pad;
    hi += span * pad;
  }
  const count = options.ticks ?? 5;
  const step = niceStep(hi - lo, count);
  if (options.nice) {
    lo = Math.floor(lo / step + 1e-9) * step;
    hi = Math.ceil(hi / step - 1e-9) * step;
  }
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(cleanZero(t, step));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const format = (x: number): string => formatNumber(x, decimals);
  const [r0, r1] = range;
  const f = ((x: number) => r0 + ((x - lo) / (hi - lo)) * (r1 - r0)) as LinearScale;
  f.domain = [lo, hi];
  f.range = range;
  f.ticks = ticks;
  f.format = format;
  return f;
}

function cleanZero(t: number, step: number): number {
  return Math.abs(t) < step * 1e-9 ? 0 : t;
}

/** Fixed decimals for moderate magnitudes, exponent notation for very large or small steps. */
export function formatNumber(x: number, decimals: number): string {
  if (x === 0) return "0";
  if (Math.abs(x) >= 1e6 || decimals > 6) return x.toExponential(Math.min(3, Math.max(0, decimals - 6)));
  const s = x.toFixed(decimals);
  // A minus sign (U+2212) reads better than a hyphen in tick labels.
  return s.startsWith("-") ? `\u2212${s.slice(1)}` : s;
}
