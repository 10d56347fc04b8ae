/**
 * R's number and table formatting, as much of it as lme4's summary uses: `format(x, digits)` (common decimals
 * for a vector, fixed or scientific by width), `round`, `zapsmall`, `abbreviate`, and printing of character
 * matrices and named vectors. Reproducing R's rules makes the summary read like lme4's, digit for digit.
 */
import { maxOf } from "../util/extremes.js";

/** R's round(x, digits) for digits ≥ 0 (exact ties aside, which R ≥ 4 resolves on the binary value). */
export function rRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  return Math.sign(x) * Number(Math.abs(x).toFixed(Math.min(100, Math.max(0, digits))));
}

/** R's zapsmall(x, digits). */
export function zapsmall(xs: readonly number[], digits: number): number[] {
  const finite = xs.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [...xs];
  const mx = maxOf(finite.map(Math.abs));
  const d = mx > 0 ? Math.max(0, digits - Math.ceil(Math.log10(mx))) : digits;
  return xs.map((v) => (Number.isFinite(v) ? rRound(v, d) : v));
}

/** Significant digits (≤ digits) needed to show x to `digits` significant digits, and its decimal exponent. */
function sigAndExponent(x: number, digits: number): { sig: number; kpower: number } {
  if (x === 0) return { sig: 1, kpower: 0 };
  const alpha = Math.abs(x);
  let kpower = Math.floor(Math.log10(alpha));
  // Round to `digits` significant digits; rounding can carry into the next power (9.9996 → 10.00).
  let mant = Math.round(alpha / 10 ** (kpower - digits + 1));
  if (mant >= 10 ** digits) {
    kpower += 1;
    mant = Math.round(alpha / 10 ** (kpower - digits + 1));
  }
  let sig = digits;
  while (sig > 1 && mant % 10 === 0) {
    mant /= 10;
    sig--;
  }
  return { sig, kpower };
}

/**
 * R's format(x, digits = d) for a numeric vector: every element with the same number of decimals (the fewest
 * that show each element to d significant digits), or scientific notation when that is narrower; right-aligned
 * to a common width. `nsmall` forces at least that many decimals (fixed notation), as format(..., nsmall).
 */
export function formatNumbers(xs: readonly number[], digits = 7, nsmall = 0): string[] {
  const finite = xs.filter((v) => Number.isFinite(v));
  let rgt = 0;
  let left = 1;
  let neg = false;
  let maxSig = 1;
  let minExp = 0;
  let maxExp = 0;
  for (const x of finite) {
    const { sig, kpower } = sigAndExponent(x, digits);
    if (x < 0) neg = true;
    rgt = Math.max(rgt, sig - kpower - 1);
    left = Math.max(left, kpower + 1);
    maxSig = Math.max(maxSig, sig);
    minExp = Math.min(minExp, kpower);
    maxExp = Math.max(maxExp, kpower);
  }
  rgt = Math.max(0, rgt);
  if (nsmall > rgt) rgt = nsmall;
  const fixedWidth = (neg ? 1 : 0) + left + (rgt > 0 ? rgt + 1 : 0);
  const expDigits = Math.max(Math.abs(minExp), Math.abs(maxExp)) >= 100 ? 3 : 2;
  const sciWidth = (neg ? 1 : 0) + (maxSig > 1 ? maxSig + 1 : 1) + 2 + expDigits;
  const useSci = finite.length > 0 && nsmall === 0 && fixedWidth > sciWidth;
  const strings = xs.map((x) => {
    if (Number.isNaN(x)) return "NaN";
    if (!Number.isFinite(x)) return x > 0 ? "Inf" : "-Inf";
    if (useSci) {
      const [mant, exp] = x.toExponential(maxSig - 1).split("e") as [string, string];
      const e = Number(exp);
      return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(expDigits, "0")}`;
    }
    const s = x.toFixed(rgt);
    // toFixed keeps "-0.000" for tiny negatives; R prints them as 0.
    return Number(s) === 0 ? (0).toFixed(rgt) : s;
  });
  const width = Math.max(0, maxOf(strings.map((s) => s.length)));
  return strings.map((s) => s.padStart(width));
}

const isLowerVowel = (c: string) => "aeiou".includes(c);
const isLower = (c: string) => c >= "a" && c <= "z";
const isSpace = (c: string | undefined) => c === " ";

/** R's abbreviate(names, minlength), method "left.kept", use.classes = TRUE, duplicates resolved as R does. */
export function abbreviate(names: readonly string[], minlength: number): string[] {
  const one = (name: string, minlen: number): string => {
    let s = name.trim();
    if (s.length <= minlen) return s;
    const done = () => s.replace(/ /g, "").length <= minlen;
    // First character of a word: preceded by a space. Last character: followed by the end or a space.
    const firstChar = (i: number) => isSpace(s[i - 1]);
    const lastChar = (i: number) => !isSpace(s[i - 1]) && (i + 1 >= s.length || isSpace(s[i + 1]));
    const passes: ((c: string, i: number) => boolean)[] = [
      (c, i) => isLowerVowel(c) && lastChar(i),
      (c, i) => isLowerVowel(c) && !firstChar(i),
      (c, i) => isLower(c) && lastChar(i),
      (c, i) => isLower(c) && !firstChar(i),
      (c, i) => !firstChar(i) && !isSpace(c),
    ];
    for (const drop of passes) {
      for (let i = s.length - 1; i > 0; i--) {
        if (i < s.length && drop(s[i] as string, i)) s = s.slice(0, i) + s.slice(i + 1);
        if (done()) return s.replace(/ /g, "");
      }
    }
    return s.replace(/ /g, "");
  };
  const out = names.map((n) => one(n, minlength));
  // R: while abbreviations of different names collide, abbreviate those again with a larger minlength.
  let minlen = minlength;
  for (let guard = 0; guard < 100; guard++) {
    const dups = new Set<number>();
    const firstIndex = new Map<string, number>();
    out.forEach((a, i) => {
      const j = firstIndex.get(a);
      if (j === undefined) firstIndex.set(a, i);
      else if (names[j] !== names[i]) dups.add(i);
    });
    if (dups.size === 0) break;
    minlen++;
    for (const i of dups) out[i] = one(names[i] as string, minlen);
  }
  return out;
}

/**
 * print() of a character matrix with quote = FALSE: a row-name column, then each column padded to the widest
 * of its header and cells, separated by one space; left-aligned (R's default for strings) unless `right`.
 */
export function printMatrix(
  rowNames: readonly string[],
  colNames: readonly string[],
  cells: readonly (readonly string[])[],
  right = false,
): string[] {
  const pad = (s: string, w: number) => (right ? s.padStart(w) : s.padEnd(w));
  const rnWidth = Math.max(0, maxOf(rowNames.map((r) => r.length)));
  const widths = colNames.map((h, j) => Math.max(h.length, maxOf(cells.map((row) => (row[j] ?? "").length))));
  const lines: string[] = [];
  lines.push([" ".repeat(rnWidth), ...colNames.map((h, j) => pad(h, widths[j] as number))].join(" "));
  cells.forEach((row, i) => {
    lines.push(
      [
        (rowNames[i] ?? "").padEnd(rnWidth),
        ...colNames.map((_, j) => pad(row[j] ?? "", widths[j] as number)),
      ].join(" "),
    );
  });
  return lines;
}

/** print() of a named character/numeric vector already formatted: names over values, all right-aligned. */
export function printNamedVector(names: readonly string[], values: readonly string[]): string[] {
  const width = Math.max(maxOf(names.map((n) => n.length)), maxOf(values.map((v) => v.length)));
  return [
    `${names.map((n) => n.padStart(width)).join(" ")} `,
    `${values.map((v) => v.padStart(width)).join(" ")} `,
  ];
}

/** R's quantile(x, probs) with the default type 7. */
export function quantile7(xs: readonly number[], probs: readonly number[]): number[] {
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  return probs.map((p) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(n - 1, lo + 1);
    return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
  });
}
