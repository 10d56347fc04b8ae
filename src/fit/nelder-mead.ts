/**
 * The derivative-free fallback of the optimiser (./optimize.ts): a bounded Nelder–Mead simplex search.
 */

/**
 * Bounded Nelder–Mead (points are projected onto the bounds). Slow but needs only values: the fallback when the
 * gradient path fails. Works in place on x.
 */
export function nelderMead(
  f: (x: Float64Array) => number,
  x: Float64Array,
  lower: Float64Array,
  options: { maxEvaluations?: number; xtol?: number; ftol?: number } = {},
): { f: number; evaluations: number } {
  const n = x.length;
  const maxEval = options.maxEvaluations ?? 200 * (n + 1);
  const xtol = options.xtol ?? 1e-8;
  const ftol = options.ftol ?? 1e-12;
  const pts: Float64Array[] = [];
  const vals = new Float64Array(n + 1);
  let evaluations = 0;
  const value = (p: Float64Array): number => {
    for (let i = 0; i < n; i++) if ((p[i] as number) < (lower[i] as number)) p[i] = lower[i] as number;
    evaluations++;
    const v = f(p);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  for (let k = 0; k <= n; k++) {
    const p = Float64Array.from(x);
    if (k > 0) {
      const i = k - 1;
      const step = 0.1 * Math.max(1, Math.abs(p[i] as number));
      // Step inwards from a bound so the simplex is not flat.
      p[i] = (p[i] as number) + step;
    }
    pts.push(p);
    vals[k] = value(p);
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  while (evaluations < maxEval) {
    order.sort((a, b) => (vals[a] as number) - (vals[b] as number));
    const best = order[0] as number;
    const worst = order[n] as number;
    const second = order[n - 1] as number;
    let spread = 0;
    for (let k = 1; k <= n; k++) {
      const pk = pts[order[k] as number] as Float64Array;
      for (let i = 0; i < n; i++)
        spread = Math.max(spread, Math.abs((pk[i] as number) - ((pts[best] as Float64Array)[i] as number)));
    }
    if (
      spread < xtol ||
      Math.abs((vals[worst] as number) - (vals[best] as number)) <=
        ftol * Math.max(1, Math.abs(vals[best] as number))
    )
      break;
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const pk = pts[order[k] as number] as Float64Array;
      for (let i = 0; i < n; i++) centroid[i] = (centroid[i] as number) + (pk[i] as number) / n;
    }
    const pw = pts[worst] as Float64Array;
    for (let i = 0; i < n; i++) xr[i] = 2 * (centroid[i] as number) - (pw[i] as number);
    const fr = value(xr);
    if (fr < (vals[best] as number)) {
      for (let i = 0; i < n; i++) xe[i] = 3 * (centroid[i] as number) - 2 * (pw[i] as number);
      const fe = value(xe);
      if (fe < fr) {
        pw.set(xe);
        vals[worst] = fe;
      } else {
        pw.set(xr);
        vals[worst] = fr;
      }
    } else if (fr < (vals[second] as number)) {
      pw.set(xr);
      vals[worst] = fr;
    } else {
      const outside = fr < (vals[worst] as number);
      for (let i = 0; i < n; i++)
        xc[i] = outside
          ? (centroid[i] as number) + 0.5 * ((xr[i] as number) - (centroid[i] as number))
          : (centroid[i] as number) + 0.5 * ((pw[i] as number) - (centroid[i] as number));
      const fc = value(xc);
      if (fc < Math.min(fr, vals[worst] as number)) {
        pw.set(xc);
        vals[worst] = fc;
      } else {
        // Shrink towards the best point.
        const pb = pts[best] as Float64Array;
        for (let k = 1; k <= n; k++) {
          const pk = pts[order[k] as number] as Float64Array;
          for (let i = 0; i < n; i++)
            pk[i] = (pb[i] as number) + 0.5 * ((pk[i] as number) - (pb[i] as number));
          vals[order[k] as number] = value(pk);
        }
      }
    }
  }
  let bestIdx = 0;
  for (let k = 1; k <= n; k++) if ((vals[k] as number) < (vals[bestIdx] as number)) bestIdx = k;
  x.set(pts[bestIdx] as Float64Array);
  return { f: vals[bestIdx] as number, evaluations };
}
