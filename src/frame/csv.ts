import Papa from "papaparse";
import { DataError } from "../errors.js";
import { MAX_FILE_BYTES_DEFAULT } from "../validate/limits.js";
import type { Column, DataFrame } from "./frame.js";

/** Cells read as missing, as R's read.csv does by default (`NA`) plus empty cells. */
function isMissing(cell: string): boolean {
  return cell === "" || cell === "NA";
}

const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
/** A cell R's type.convert reads as an integer (no decimal point, no exponent), if it is within R_INT_MAX. */
const INTEGER = /^\s*[+-]?\d+\s*$/;
const R_INT_MAX = 2147483647;
const LOGICAL: Record<string, boolean> = {
  TRUE: true,
  FALSE: false,
  T: true,
  F: false,
  true: true,
  false: false,
};

/**
 * Parse CSV text with a header row (RFC 4180 quoting via papaparse). A column whose non-missing cells are all
 * numbers is numeric, one whose cells are all TRUE/FALSE is logical, anything else is text; `NA` and empty cells
 * are missing. This is what R's read.csv would give, which is how the reference data were written.
 */
export function parseCsv(text: string, source = "CSV data"): DataFrame {
  if (typeof text !== "string")
    throw new DataError(
      `parseCsv: text must be the CSV text as a string, got ${text === null ? "null" : typeof text}`,
    );
  const result = Papa.parse<string[]>(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, {
    header: false,
    skipEmptyLines: true,
    dynamicTyping: false,
  });
  const fatal = result.errors.find((e) => e.type === "Quotes" || e.code === "InvalidQuotes");
  if (fatal) throw new DataError(`${source}: ${fatal.message} (row ${(fatal.row ?? 0) + 1})`);
  const stray = findStrayQuote(text, result.meta.delimiter || ",");
  if (stray)
    throw new DataError(
      `${source}: a stray quote (") inside an unquoted field at line ${stray.line}, field ${stray.field}: ` +
        'quote the whole field ("a ""b"" c") or remove the quote',
    );
  const rows = result.data;
  if (rows.length === 0) throw new DataError(`${source} is empty: a header row is needed`);
  let header = rows[0].map((h) => h.trim());
  const nrow = rows.length - 1;
  // R's write.csv writes row names as a first column headed "" (or, with col.names = NA, one header field fewer):
  // read.csv takes that column as row names, and so does spruce (it is not a variable).
  const dataWidth = nrow > 0 ? rows[1].length : header.length;
  let skipFirst = false;
  if (nrow > 0 && rows.slice(1).every((r) => r.length === header.length + 1)) skipFirst = true;
  else if (header[0] === "" && header.length > 1 && dataWidth === header.length) {
    header = header.slice(1);
    skipFirst = true;
  }
  for (let i = 1; i < rows.length; i++) {
    const width = rows[i].length - (skipFirst ? 1 : 0);
    if (width !== header.length)
      throw new DataError(`${source}: line ${i + 1} has ${width} fields but the header has ${header.length}`);
  }
  if (skipFirst) for (let i = 1; i < rows.length; i++) rows[i] = rows[i].slice(1);
  header.forEach((h, j) => {
    if (h === "") throw new DataError(`${source}: column ${j + 1} of the header has no name`);
  });
  const dup = header.find((h, j) => header.indexOf(h) !== j);
  if (dup !== undefined) throw new DataError(`${source}: the header names column '${dup}' twice`);
  const columns = new Map<string, Column>();
  header.forEach((name, j) => {
    columns.set(name, readColumn(rows, j, nrow));
  });
  return { kind: "spruce.frame", names: header, columns, nrow };
}

/**
 * The first `"` that neither opens a field nor lies inside a quoted one (papaparse keeps such a quote as part of
 * the value, so `g5"` would silently become a group of its own). Line and field are 1-based.
 */
function findStrayQuote(text: string, delimiter: string): { line: number; field: number } | null {
  let inQuotes = false;
  let fieldStart = true;
  let line = 1;
  let field = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      } else if (c === "\n") line++;
      continue;
    }
    if (c === '"') {
      if (!fieldStart) return { line, field };
      inQuotes = true;
      fieldStart = false;
    } else if (c === delimiter) {
      field++;
      fieldStart = true;
    } else if (c === "\n") {
      line++;
      field = 1;
      fieldStart = true;
    } else if (c !== "\r" && c !== "\ufeff") fieldStart = false;
  }
  return null;
}

function readColumn(rows: string[][], j: number, nrow: number): Column {
  // One pass that assumes numbers and stops at the first cell that is not one (most columns are numeric).
  const numbers = new Float64Array(nrow);
  let numeric = true;
  let integer = true;
  for (let i = 0; i < nrow; i++) {
    const cell = rows[i + 1][j];
    if (isMissing(cell)) {
      numbers[i] = Number.NaN;
      continue;
    }
    const x = toNumber(cell);
    if (x === undefined) {
      numeric = false;
      break;
    }
    numbers[i] = x;
    if (integer && !(INTEGER.test(cell) && Math.abs(x) <= R_INT_MAX)) integer = false;
  }
  if (numeric)
    return integer ? { kind: "numeric", values: numbers, integer } : { kind: "numeric", values: numbers };
  let logical = true;
  for (let i = 0; i < nrow && logical; i++) {
    const cell = rows[i + 1][j].trim();
    if (!isMissing(cell) && !Object.hasOwn(LOGICAL, cell)) logical = false;
  }
  if (logical) {
    const values: (boolean | null)[] = new Array(nrow);
    for (let i = 0; i < nrow; i++) {
      const cell = rows[i + 1][j].trim();
      values[i] = isMissing(cell) ? null : LOGICAL[cell];
    }
    return { kind: "logical", values };
  }
  const values: (string | null)[] = new Array(nrow);
  let numberCells = 0;
  let otherCells = 0;
  let first: { row: number; cell: string } | null = null;
  for (let i = 0; i < nrow; i++) {
    const cell = rows[i + 1][j];
    values[i] = isMissing(cell) ? null : cell;
    if (isMissing(cell)) continue;
    if (toNumber(cell) !== undefined) numberCells++;
    else {
      otherCells++;
      first ??= { row: i + 1, cell };
    }
  }
  // Numbers with a few odd cells (at most 1%, or one): most likely a typo in a numeric column.
  if (first && numberCells > otherCells && otherCells <= Math.max(1, 0.01 * (numberCells + otherCells)))
    return { kind: "string", values, notNumber: { ...first, count: otherCells } };
  return { kind: "string", values };
}

/** A cell as R's type.convert reads a number (decimal, exponent, Inf, NaN), or undefined if it is not one. */
function toNumber(cell: string): number | undefined {
  const x = Number(cell);
  if (!Number.isNaN(x)) {
    // Number() also takes "", "0x1F", "Infinity" and whitespace; R's numbers are decimal.
    return DECIMAL.test(cell) ? x : undefined;
  }
  const t = cell.trim();
  if (t === "NaN") return Number.NaN;
  if (t === "Inf" || t === "+Inf") return Number.POSITIVE_INFINITY;
  if (t === "-Inf") return Number.NEGATIVE_INFINITY;
  return undefined;
}

/**
 * Read a CSV file (see parseCsv). Node only. `node:fs` is reached through process.getBuiltinModule rather than a
 * static import so that this module, with parseCsv, also bundles for the browser (the web app imports it).
 * Only regular files are read (not /dev/zero, a pipe or a folder), and only up to `maxBytes` (default 1 GiB).
 */
export function readCsv(path: string, options: { maxBytes?: number } = {}): DataFrame {
  if (typeof path !== "string" || path === "")
    throw new DataError(
      `readCsv: path must be a file name, got ${typeof path === "string" ? '""' : String(path)}`,
    );
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES_DEFAULT;
  const fs = typeof process === "undefined" ? undefined : process.getBuiltinModule?.("node:fs");
  if (!fs)
    throw new DataError("readCsv needs Node.js (>= 20.16); in a browser, read the file and use parseCsv");
  let text: string;
  try {
    const info = fs.statSync(path);
    if (!info.isFile())
      throw new DataError(
        `cannot read ${path}: not a regular file (${info.isDirectory() ? "a folder" : "a device, pipe or socket"})`,
      );
    if (info.size > maxBytes)
      throw new DataError(
        `cannot read ${path}: ${info.size} bytes is more than the limit of ${maxBytes} (readCsv's maxBytes option raises it)`,
      );
    text = fs.readFileSync(path, "utf8");
    // Files whose size stat cannot tell (/proc) are checked after reading.
    if (text.length > maxBytes)
      throw new DataError(`cannot read ${path}: more than the limit of ${maxBytes} bytes`);
  } catch (e) {
    if (e instanceof DataError) throw e;
    const code = (e as { code?: string }).code;
    throw new DataError(
      `cannot read ${path}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(e)}`,
    );
  }
  return parseCsv(text, path);
}
