/**
 * R's factor() of a data column on a subset of its rows (the complete rows of a model frame), without copying the
 * picked values into a per-row array first: one pass gives each row a provisional code (first-seen order), the
 * distinct values are sorted as makeFactor sorts them, and a second pass renumbers the codes. Integer columns
 * with a compact range (grouping codes such as 1 … 10⁵) skip the hash map altogether: a table indexed by value.
 * The levels and codes are exactly makeFactor's on the same values (test/frame/factor-rows.test.ts).
 */
import { formatRNumber } from "../formula/deparse.js";
import { compareLevels, type Factor } from "./factor.js";

/** A column a factor is made from; `rows` must pick no missing cell (null or NaN). */
export type FactorColumn =
  | { kind: "numeric"; values: ArrayLike<number | null>; integer?: boolean }
  | { kind: "string"; values: ArrayLike<string | null> }
  | { kind: "logical"; values: ArrayLike<boolean | null> };

/** makeFactor(column values at rows), computed from the column in place. */
export function factorOfRows(column: FactorColumn, rows: Int32Array): Factor {
  if (column.kind === "numeric")
    return numericFactor(column.values as ArrayLike<number>, rows, column.integer);
  if (column.kind === "logical") return logicalFactor(column.values, rows);
  return stringFactor(column.values as ArrayLike<string>, rows);
}

/** A value range at most this many times the number of rows (or 1024) is coded through a table, not a map. */
const TABLE_RANGE_PER_ROW = 4;

function numericFactor(values: ArrayLike<number>, rows: Int32Array, integer?: boolean): Factor {
  const n = rows.length;
  const codes = new Int32Array(n);
  const label = integer ? String : formatRNumber;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let whole = true;
  for (let i = 0; i < n; i++) {
    const x = values[rows[i] as number] as number;
    if (x < min) min = x;
    if (x > max) max = x;
    if (whole && !Number.isInteger(x)) whole = false;
  }
  if (n > 0 && whole && max - min < Math.max(1024, TABLE_RANGE_PER_ROW * n)) {
    const slot = new Int32Array(max - min + 1).fill(-1);
    for (let i = 0; i < n; i++) slot[(values[rows[i] as number] as number) - min] = 0;
    const levels: string[] = [];
    for (let v = 0; v < slot.length; v++)
      if (slot[v] === 0) {
        slot[v] = levels.length;
        // min + v is +0 where the data hold −0; both are labelled "0", as R labels them.
        levels.push(label(min + v));
      }
    for (let i = 0; i < n; i++) codes[i] = slot[(values[rows[i] as number] as number) - min] as number;
    return { levels, codes };
  }
  const distinct = codeByFirstSight(values, rows, codes);
  const order = distinct.map((_, i) => i).sort((a, b) => (distinct[a] as number) - (distinct[b] as number));
  return renumber(
    codes,
    order,
    order.map((i) => label(distinct[i] as number)),
  );
}

/** codes[i] ← the order in which values[rows[i]] was first seen; returns the distinct values in that order. */
function codeByFirstSight<T>(values: ArrayLike<T>, rows: Int32Array, codes: Int32Array): T[] {
  const seen = new Map<T, number>();
  const distinct: T[] = [];
  for (let i = 0; i < rows.length; i++) {
    const x = values[rows[i] as number] as T;
    let c = seen.get(x);
    if (c === undefined) {
      c = distinct.length;
      seen.set(x, c);
      distinct.push(x);
    }
    codes[i] = c;
  }
  return distinct;
}

function stringFactor(values: ArrayLike<string>, rows: Int32Array): Factor {
  const n = rows.length;
  const codes = new Int32Array(n);
  const distinct = codeByFirstSight(values, rows, codes);
  const order = distinct
    .map((_, i) => i)
    .sort((a, b) => compareLevels(distinct[a] as string, distinct[b] as string));
  return renumber(
    codes,
    order,
    order.map((i) => distinct[i] as string),
  );
}

function logicalFactor(values: ArrayLike<boolean | null>, rows: Int32Array): Factor {
  const n = rows.length;
  let hasFalse = false;
  let hasTrue = false;
  for (let i = 0; i < n; i++)
    if (values[rows[i] as number]) hasTrue = true;
    else hasFalse = true;
  const levels: string[] = [];
  if (hasFalse) levels.push("FALSE");
  if (hasTrue) levels.push("TRUE");
  const trueCode = hasFalse ? 1 : 0;
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = values[rows[i] as number] ? trueCode : 0;
  return { levels, codes };
}

/** Codes in first-seen order → codes in level order; `order[k]` is the first-seen code of level k. */
function renumber(codes: Int32Array, order: number[], levels: string[]): Factor {
  const rank = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) rank[order[k] as number] = k;
  for (let i = 0; i < codes.length; i++) codes[i] = rank[codes[i] as number] as number;
  return { levels, codes };
}
