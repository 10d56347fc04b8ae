import { formatRNumber } from "../formula/deparse.js";

/** A factor: level labels in order and each observation's 0-based level code. */
export interface Factor {
  levels: string[];
  codes: Int32Array;
}

/** Values a factor is made from (no missing values: rows are filtered first). */
export type FactorSource =
  /** `integer`: an R integer vector, labelled in full digits (100000, not 1e+05 as a double is). */
  | { kind: "numeric"; values: ArrayLike<number>; integer?: boolean }
  | { kind: "string"; values: readonly string[] }
  | { kind: "logical"; values: readonly boolean[] };

/**
 * R's factor() on complete data: the observed values become the levels, numbers sorted numerically (labelled as R's
 * as.character does: integers in full, doubles in 15 significant digits, fixed or scientific), text sorted as R
 * sorts it (compareLevels), logicals FALSE < TRUE. Only observed values are levels.
 */
export function makeFactor(src: FactorSource): Factor {
  const n = src.values.length;
  const codes = new Int32Array(n);
  if (src.kind === "numeric") {
    const uniq = [...new Set(Array.from(src.values))].sort((a, b) => a - b);
    const index = new Map(uniq.map((v, i) => [v, i]));
    for (let i = 0; i < n; i++) codes[i] = index.get(src.values[i])!;
    return { levels: uniq.map(src.integer ? String : formatRNumber), codes };
  }
  if (src.kind === "logical") {
    const has = [false, false];
    for (const v of src.values) has[v ? 1 : 0] = true;
    const levels = (["FALSE", "TRUE"] as const).filter((_, i) => has[i]);
    const trueCode = has[0] ? 1 : 0;
    for (let i = 0; i < n; i++) codes[i] = src.values[i] ? trueCode : 0;
    return { levels, codes };
  }
  const uniq = [...new Set(src.values)].sort(compareLevels);
  const index = new Map(uniq.map((v, i) => [v, i]));
  for (let i = 0; i < n; i++) codes[i] = index.get(src.values[i])!;
  return { levels: uniq, codes };
}

/**
 * R's order of text levels: R sorts with ICU's collation unless the collation locale is C/POSIX, and in the
 * C.UTF-8 and en_US.UTF-8 locales that is the Unicode root collation, the one `Intl.Collator("und")` implements:
 * case and accents only break ties ("a" < "A" < "b" < "B", "e" < "é" < "f"), punctuation before digits before
 * letters. So a factor with levels "control" and "Drug" has "control" as its baseline, as in lme4 (code-point
 * order would put "Drug" first). Strings the collation ranks equal fall back to code-point order.
 */
const rootCollator = new Intl.Collator("und");
export function compareLevels(a: string, b: string): number {
  return rootCollator.compare(a, b) || compareCodePoints(a, b);
}

/** Code-point order (not UTF-16 unit order, not locale order): R's order in the C locale. */
export function compareCodePoints(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  let i = 0;
  while (i < la && i < lb) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return la - i - (lb - i);
}

/**
 * R's `f1:f2` on factors, as lme4 evaluates a grouping factor `a:b`: levels are the observed combinations, ordered
 * with the first factor varying slowest, labelled "l1:l2".
 */
export function interactFactors(a: Factor, b: Factor): Factor {
  const nb = b.levels.length;
  const n = a.codes.length;
  const combined = new Float64Array(n);
  for (let i = 0; i < n; i++) combined[i] = a.codes[i] * nb + b.codes[i];
  const size = a.levels.length * nb;
  if (size <= Math.max(1024, 4 * n)) {
    // Combinations indexed directly (no hash map): the observed ones, in order, are the levels.
    const slot = new Int32Array(size).fill(-1);
    for (let i = 0; i < n; i++) slot[combined[i] as number] = 0;
    const levels: string[] = [];
    for (let v = 0; v < size; v++)
      if (slot[v] === 0) {
        slot[v] = levels.length;
        levels.push(`${a.levels[Math.floor(v / nb)]}:${b.levels[v % nb]}`);
      }
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) codes[i] = slot[combined[i] as number] as number;
    return { levels, codes };
  }
  const uniq = [...new Set(combined)].sort((x, y) => x - y);
  const index = new Map(uniq.map((v, i) => [v, i]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = index.get(combined[i])!;
  const levels = uniq.map((v) => `${a.levels[Math.floor(v / nb)]}:${b.levels[v % nb]}`);
  return { levels, codes };
}
