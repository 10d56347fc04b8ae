/**
 * R's printing of coefficient tables and anova tables (printCoefmat, print.anova, format.pval, symnum's
 * significance stars), for the linear-model summary and the F test. The rules are R 4.2's: zapsmall rounds to
 * digits − log10(max) decimals (rounded to the nearest whole number), and every column is formatted on its own.
 */
import { formatNumbers, rRound } from "../report/rformat.js";
import { maxOf } from "../util/extremes.js";

export const SIGNIF_LEGEND = "Signif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1";

/** R 4.2's zapsmall(x, digits). */
export function zapsmallR(xs: readonly number[], digits: number): number[] {
  const finite = xs.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [...xs];
  const mx = maxOf(finite.map(Math.abs));
  const d = mx > 0 ? Math.max(0, Math.floor(digits - Math.log10(mx) + 0.5)) : digits;
  return xs.map((v) => (Number.isFinite(v) ? rRound(v, d) : v));
}

/** format() of the non-missing entries of a column (missing ones become ""). */
export function formatColumn(xs: readonly (number | null)[], digits: number): string[] {
  const idx = xs.map((x, i) => (x === null || Number.isNaN(x) ? -1 : i)).filter((i) => i >= 0);
  const formatted = formatNumbers(
    idx.map((i) => xs[i] as number),
    digits,
  );
  const out = xs.map(() => "");
  idx.forEach((i, k) => {
    out[i] = formatted[k] as string;
  });
  return out;
}

/** R's format.pval(pv, digits, eps = .Machine$double.eps) (R 4.2); missing entries become "". */
export function formatPValues(pv: readonly (number | null)[], digits: number): string[] {
  const eps = 2.220446049250313e-16;
  const regular = pv.map((p) => (p !== null && !Number.isNaN(p) && p >= eps ? p : null));
  const expo = (p: number) => Math.floor(Math.log10(p > 0 ? p : 1e-50));
  const fixed = regular.map((p) =>
    p !== null && (expo(p) >= -3 || (expo(p) === -4 && digits > 1)) ? p : null,
  );
  const sci = regular.map((p, i) => (p !== null && fixed[i] === null ? p : null));
  const f1 = formatColumn(fixed, digits);
  const f2 = formatColumn(sci, digits);
  const rr = pv.map((_, i) => (fixed[i] !== null ? f1[i] : sci[i] !== null ? f2[i] : "") as string);
  let d = Math.max(1, digits - 2);
  let sep: string;
  if (regular.some((p) => p !== null)) {
    const nc = maxOf(rr.filter((_, i) => regular[i] !== null).map((x) => x.length));
    if (d > 1 && d + 6 > nc) d = Math.max(1, nc - 7);
    sep = d === 1 && nc <= 6 ? "" : " ";
  } else sep = d === 1 ? "" : " ";
  const small = `<${sep}${formatNumbers([eps], d)[0]?.trim()}`;
  return pv.map((p, i) => {
    if (p === null || Number.isNaN(p)) return "";
    if (p < eps) return small;
    return rr[i] as string;
  });
}

/** symnum's stars for p-values. */
export function stars(p: number | null): string {
  if (p === null || Number.isNaN(p)) return "";
  if (p <= 0.001) return "***";
  if (p <= 0.01) return "**";
  if (p <= 0.05) return "*";
  if (p <= 0.1) return ".";
  return " ";
}

/** print.default of a character matrix, right-aligned, row names left-aligned. */
export function printRight(
  rowNames: readonly string[],
  colNames: readonly string[],
  cells: string[][],
): string[] {
  const rn = Math.max(0, maxOf(rowNames.map((r) => r.length)));
  const widths = colNames.map((h, j) => Math.max(h.length, maxOf(cells.map((row) => (row[j] ?? "").length))));
  const lines = [[" ".repeat(rn), ...colNames.map((h, j) => h.padStart(widths[j] as number))].join(" ")];
  cells.forEach((row, i) => {
    lines.push(
      [
        (rowNames[i] ?? "").padEnd(rn),
        ...colNames.map((_, j) => (row[j] ?? "").padStart(widths[j] as number)),
      ].join(" "),
    );
  });
  return lines;
}

/** Stars column appended (padded to a common width, as format(Signif)) when any p-value is below 0.1. */
export function withStars(cells: string[][], colNames: string[], pv: readonly (number | null)[]): boolean {
  const any = pv.some((p) => p !== null && !Number.isNaN(p) && p < 0.1);
  if (!any) return false;
  const s = pv.map(stars);
  const w = maxOf(s.map((x) => x.length));
  cells.forEach((row, i) => {
    row.push((s[i] as string).padEnd(w));
  });
  colNames.push("");
  return true;
}
