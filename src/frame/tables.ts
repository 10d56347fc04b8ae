/**
 * Data in from other table libraries, through their column accessors (duck-typed: spruce depends on none of them).
 *
 * - Apache Arrow tables: `schema.fields` (the column names) and `getChild(name)` (a Vector, iterable; 64-bit
 *   integers come as BigInt and are converted to numbers, dictionary-encoded strings as strings);
 * - arquero tables: `columnNames()` and `array(name)`;
 * - a Map from column name to values;
 * - any other iterable of records (a Set, a generator, a Polars/Danfo `toRecords()` result).
 *
 * Anything else is an error that says what is accepted.
 */
import { DataError } from "../errors.js";

/** A cell as frame.ts's CellValue (not imported: frame.ts imports this module). */
type CellValue = number | string | boolean | null | undefined;

type Columns = Record<string, CellValue[]>;

interface ArrowLike {
  schema: { fields: { name: string }[] };
  getChild(name: string): Iterable<unknown> | null;
}

interface ArqueroLike {
  columnNames(): string[];
  array(name: string): ArrayLike<unknown> | Iterable<unknown>;
}

function isArrow(x: object): x is ArrowLike {
  const schema = (x as { schema?: { fields?: unknown } }).schema;
  return (
    typeof (x as { getChild?: unknown }).getChild === "function" &&
    typeof schema === "object" &&
    schema !== null &&
    Array.isArray(schema.fields)
  );
}

function isArquero(x: object): x is ArqueroLike {
  return (
    typeof (x as { columnNames?: unknown }).columnNames === "function" &&
    typeof (x as { array?: unknown }).array === "function"
  );
}

/** A cell from a foreign column: BigInt → number, Date → its time, anything else as it is. */
function cell(v: unknown): CellValue {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.getTime();
  return v as CellValue;
}

function columnValues(name: string, values: unknown): CellValue[] {
  if (values === null || values === undefined || typeof values !== "object")
    throw new DataError(`column '${name}' could not be read from the table`);
  if (typeof (values as { length?: unknown }).length === "number" && !(Symbol.iterator in values))
    return Array.from(values as ArrayLike<unknown>, cell);
  return Array.from(values as Iterable<unknown>, cell);
}

/**
 * Columns of a table from another library, a Map of columns, or records from an iterable; undefined when `input`
 * is none of these (then the caller's own checks apply).
 */
export function foreignTableColumns(
  input: object,
): { kind: "columns"; columns: Columns } | { kind: "records"; records: object[] } | undefined {
  if (isArrow(input)) {
    const out: Columns = {};
    for (const field of input.schema.fields)
      out[field.name] = columnValues(field.name, input.getChild(field.name));
    return { kind: "columns", columns: out };
  }
  if (isArquero(input)) {
    const out: Columns = {};
    for (const name of input.columnNames()) out[name] = columnValues(name, input.array(name));
    return { kind: "columns", columns: out };
  }
  if (input instanceof Map) {
    const out: Columns = {};
    for (const [name, values] of input) {
      if (typeof name !== "string")
        throw new DataError("a Map of columns must have column names as its keys");
      out[name] = columnValues(name, values);
    }
    return { kind: "columns", columns: out };
  }
  if (!Array.isArray(input) && !ArrayBuffer.isView(input) && Symbol.iterator in input) {
    const records = Array.from(input as Iterable<unknown>);
    records.forEach((r, i) => {
      if (r === null || typeof r !== "object" || Array.isArray(r))
        throw new DataError(`row ${i + 1} of the data is not a record (an object of column values)`);
    });
    return { kind: "records", records: records as object[] };
  }
  return undefined;
}

/** What data can be, for error messages. */
export const ACCEPTED_DATA =
  "an array of records, an object of columns, a Map of columns, an iterable of records, an Apache Arrow or arquero table, or a frame from readCsv/parseCsv";

/** The error for data of a kind spruce does not read. */
export function unsupportedData(input: unknown): DataError {
  const kind =
    input === null
      ? "null"
      : typeof input !== "object"
        ? typeof input
        : ((input as { constructor?: { name?: string } }).constructor?.name ?? "object");
  return new DataError(`data must be ${ACCEPTED_DATA}; got ${kind}`);
}
