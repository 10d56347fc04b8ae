/**
 * Smallest and largest of many numbers without spreading them into arguments: `Math.min(...a)` puts every element
 * on the call stack and throws a RangeError from about 120,000 elements (issue 18).
 */

/** The largest value (−Infinity for none; NaN if any is NaN, as Math.max). */
export function maxOf(values: Iterable<number>): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (Number.isNaN(v)) return Number.NaN;
    if (v > m) m = v;
  }
  return m;
}

/** The smallest value (Infinity for none; NaN if any is NaN, as Math.min). */
export function minOf(values: Iterable<number>): number {
  let m = Number.POSITIVE_INFINITY;
  for (const v of values) {
    if (Number.isNaN(v)) return Number.NaN;
    if (v < m) m = v;
  }
  return m;
}
