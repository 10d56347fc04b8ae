/**
 * Printing p-values the way R's printCoefmat does in lmerTest's summaries and anova tables: format.pval with 3
 * significant digits ("< 2e-16" below machine precision), and significance stars with their legend.
 */

/** R's format.pval(p, digits = 3, eps = .Machine$double.eps) for one value (spruce formats each value alone). */
export function formatPValue(p: number): string {
  if (Number.isNaN(p)) return "NA";
  if (p < 2.220446049250313e-16) return "< 2e-16";
  if (p >= 1e-4) return String(Number(p.toPrecision(3)));
  const [mant, exp] = p.toExponential(2).split("e");
  const e = Number(exp);
  return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** R's significance stars: *** < 0.001 ≤ ** < 0.01 ≤ * < 0.05 ≤ . < 0.1. */
export function significanceStars(p: number): string {
  if (!(p >= 0)) return "";
  if (p < 0.001) return "***";
  if (p < 0.01) return "**";
  if (p < 0.05) return "*";
  if (p < 0.1) return ".";
  return "";
}

export const SIGNIF_LEGEND = "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1";
