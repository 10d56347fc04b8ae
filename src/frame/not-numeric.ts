/**
 * Why a column that should hold numbers does not: the first cell that is not a number, by row, and a hint when the
 * cells look like numbers written with decimal commas ("4,51"). One bad cell ("1.2a") turns a CSV column into
 * text; listing the column's values would not say which cell to fix.
 */
import type { Column } from "./frame.js";

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const DECIMAL_COMMA = /^\s*[+-]?\d+,\d+\s*$/;
const SPECIAL = new Set(["NA", "NaN", "Inf", "-Inf", "+Inf", ""]);

/** " : row 17 holds '1.2a'" style detail for a text column meant to be numeric ("" if nothing is found). */
export function nonNumericDetail(column: Column): string {
  if (column.kind !== "string") return "";
  const values = column.values;
  let first = -1;
  let commas = 0;
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || SPECIAL.has(v.trim()) || NUMBER.test(v)) continue;
    bad++;
    if (first < 0) first = i;
    if (DECIMAL_COMMA.test(v)) commas++;
  }
  if (first < 0) return "";
  const more = bad > 1 ? ` (and ${bad - 1} more cell${bad > 2 ? "s" : ""})` : "";
  let detail = `row ${first + 1} of the data holds '${values[first]}', which is not a number${more}`;
  if (commas > 0 && commas >= bad / 2)
    detail +=
      "; the cells look like numbers with decimal commas: write them with decimal points (4.51, not 4,51)" +
      " and separate fields with commas";
  return detail;
}
