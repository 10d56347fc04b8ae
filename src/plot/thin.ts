/**
 * Fewer marks for large data: above `max` points a scatter draws the most extreme tenth of `max` (by a score: the
 * absolute residual, the Cook's distance) and an even sample of the rest, so that a 50,000-point plot stays a few
 * thousand SVG elements (a browser lays out 50,000 in seconds) and the points that matter are all still there.
 */
export function thinIndices(n: number, max: number, score?: (i: number) => number): Int32Array | null {
  if (n <= max) return null;
  const keep = new Uint8Array(n);
  const extremes = score ? Math.floor(max / 10) : 0;
  if (extremes > 0 && score) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score(b) - score(a));
    for (let k = 0; k < extremes; k++) keep[order[k] as number] = 1;
  }
  const stride = n / (max - extremes);
  for (let k = 0; k < max - extremes; k++) keep[Math.floor(k * stride)] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return Int32Array.from(out);
}

/** "(4,000 of 50,000 points drawn: the most extreme and an even sample)" or "". */
export function thinnedNote(kept: Int32Array | null, n: number): string {
  return kept
    ? ` (${kept.length.toLocaleString("en")} of ${n.toLocaleString("en")} points drawn: the most extreme and an even sample)`
    : "";
}
