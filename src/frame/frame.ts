import { DataError } from "../errors.js";
import { arrowOrderedLevels } from "./ordered-columns.js";
import { foreignTableColumns, unsupportedData } from "./tables.js";

/**
 * A data frame as read: named columns of equal length. Numbers stay numbers, everything else is kept as text or
 * logical until the model says how a variable is used (a numeric column can still become a grouping factor).
 * Missing values: NaN in numeric columns, null elsewhere.
 */
export type Column =
  /**
   * `integer`: every value was written as a whole number without a decimal point or exponent (within R's integer
   * range), so R's read.csv makes the column an integer vector. It matters only for the labels of a factor made
   * from it: R labels integer 100000 "100000" but double 100000 "1e+05".
   */
  | { kind: "numeric"; values: Float64Array; integer?: boolean }
  | {
      kind: "string";
      values: (string | null)[];
      /**
       * Set by parseCsv when the column is numbers but for a few cells (a typo such as `0x1F` or `1,5`): the first
       * such cell, so that using the column as a number names it instead of silently making a factor.
       */
      notNumber?: { row: number; cell: string; count: number };
    }
  | { kind: "logical"; values: (boolean | null)[] };

export interface DataFrame {
  readonly kind: "spruce.frame";
  /** Column names in input order. */
  names: string[];
  columns: Map<string, Column>;
  nrow: number;
  /** Ordered factors the data declare (Arrow ordered dictionaries: ./ordered-columns.ts), levels in order. */
  ordered?: ReadonlyMap<string, readonly (string | number)[]>;
}

/** A value in a record or column given by a program; null, undefined and NaN are missing. */
export type CellValue = number | string | boolean | null | undefined;

/**
 * What buildDesign accepts: a frame (from readCsv/parseCsv), an array of records, an object of columns, a Map of
 * columns, an iterable of records, or an Apache Arrow / arquero table (read through their column accessors, see
 * ./tables.ts).
 */
export type DataInput =
  | DataFrame
  /** Records: objects whose values are CellValues (an interface type without an index signature is fine). */
  | readonly object[]
  | Record<string, readonly CellValue[] | Float64Array | Float32Array | Int32Array>
  | ReadonlyMap<string, ArrayLike<unknown> | Iterable<unknown>>
  | Iterable<object>
  | TableLike;

/** A table of another library, duck-typed: Apache Arrow (`schema.fields`, `getChild`) or arquero (`columnNames`, `array`). */
export type TableLike =
  | { schema: { fields: readonly { name: string }[] }; getChild(name: string): Iterable<unknown> | null }
  | { columnNames(): string[]; array(name: string): ArrayLike<unknown> | Iterable<unknown> };

export function isDataFrame(x: unknown): x is DataFrame {
  return typeof x === "object" && x !== null && (x as DataFrame).kind === "spruce.frame";
}

/** Turn any DataInput into a DataFrame (a frame is returned as is). */
export function toDataFrame(input: DataInput): DataFrame {
  if (isDataFrame(input)) return input;
  if (Array.isArray(input)) return fromRecords(input as readonly Record<string, CellValue>[]);
  if (typeof input !== "object" || input === null) throw unsupportedData(input);
  const foreign = foreignTableColumns(input);
  if (foreign?.kind === "records") return fromRecords(foreign.records as Record<string, CellValue>[]);
  if (foreign?.kind === "columns") {
    const frame = fromColumns(foreign.columns);
    const ordered = arrowOrderedLevels(input);
    return ordered ? { ...frame, ordered } : frame;
  }
  // Only a plain object is an object of columns; an instance of some other class is a table spruce cannot read.
  const proto = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null) throw unsupportedData(input);
  return fromColumns(input as Record<string, readonly CellValue[] | ArrayLike<number>>);
}

/** Build a frame from an array of records; the columns are the union of the records' keys, in first-seen order. */
export function fromRecords(records: readonly Record<string, CellValue>[]): DataFrame {
  if (!Array.isArray(records))
    throw new DataError(
      `fromRecords: records must be an array of objects, got ${records === null ? "null" : typeof records}`,
    );
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (typeof r !== "object" || r === null) throw new DataError("each record must be an object of values");
    for (const k of Object.keys(r))
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
  }
  // No prototype: a column named __proto__ (or constructor) is a column like any other.
  const cols: Record<string, CellValue[]> = Object.create(null);
  for (const name of names) cols[name] = records.map((r) => (Object.hasOwn(r, name) ? r[name] : undefined));
  return fromColumns(cols);
}

/** Build a frame from an object of equally long columns. */
export function fromColumns(columns: Record<string, readonly CellValue[] | ArrayLike<number>>): DataFrame {
  if (typeof columns !== "object" || columns === null || Array.isArray(columns))
    throw new DataError(
      `fromColumns: columns must be an object of arrays, got ${columns === null ? "null" : Array.isArray(columns) ? "an array" : typeof columns}`,
    );
  const names = Object.keys(columns);
  let nrow = -1;
  const map = new Map<string, Column>();
  for (const name of names) {
    const raw = columns[name];
    if (raw === null || typeof raw !== "object" || typeof (raw as ArrayLike<unknown>).length !== "number")
      throw new DataError(`column '${name}' is not an array of values`);
    const length = (raw as ArrayLike<unknown>).length;
    if (nrow >= 0 && length !== nrow)
      throw new DataError(`column '${name}' has ${length} values but '${names[0]}' has ${nrow}`);
    nrow = length;
    // A typed array of numbers is a numeric column as it is (copied once; NaN is missing), without a detour
    // through an array of boxed values.
    if (isNumberArray(raw)) map.set(name, { kind: "numeric", values: Float64Array.from(raw) });
    else map.set(name, columnFromValues(name, Array.from(raw as ArrayLike<CellValue>)));
  }
  return { kind: "spruce.frame", names, columns: map, nrow: Math.max(nrow, 0) };
}

/** Typed arrays whose elements are numbers (not BigInt64Array, whose bigints columnFromValues refuses by name). */
function isNumberArray(x: unknown): x is ArrayLike<number> {
  return (
    x instanceof Float64Array ||
    x instanceof Float32Array ||
    x instanceof Int32Array ||
    x instanceof Uint32Array ||
    x instanceof Int16Array ||
    x instanceof Uint16Array ||
    x instanceof Int8Array ||
    x instanceof Uint8Array ||
    x instanceof Uint8ClampedArray
  );
}

/**
 * One column from JS values: all numbers → numeric; all booleans → logical; otherwise text (numbers are written as
 * text then, as R's c() coerces a mixed vector to character).
 */
export function columnFromValues(name: string, values: readonly CellValue[]): Column {
  let numbers = 0;
  let booleans = 0;
  let others = 0;
  for (const v of values) {
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) continue;
    if (typeof v === "number") numbers++;
    else if (typeof v === "boolean") booleans++;
    else if (typeof v === "string") others++;
    else
      throw new DataError(
        `column '${name}' holds a value of type ${typeof v}; use numbers, text or booleans`,
      );
  }
  if (others === 0 && booleans === 0) {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = typeof v === "number" ? v : Number.NaN;
    }
    return { kind: "numeric", values: out };
  }
  if (others === 0 && numbers === 0)
    return { kind: "logical", values: values.map((v) => (typeof v === "boolean" ? v : null)) };
  return {
    kind: "string",
    values: values.map((v) =>
      v === null || v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : String(v),
    ),
  };
}
