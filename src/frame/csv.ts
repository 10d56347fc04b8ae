import Papa from "papaparse";
import { DataError } from "../errors.js";
import { MAX_FILE_BYTES_DEFAULT } from "../validate/limits.js";
import { type CsvCells, cellText, hasPoint, plainDecimal, scanCsvCells } from "./csv-cells.js";
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
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return parseCsvFast(body) ?? parseCsvPapaparse(text, source);
}

/**
 * The reader on papaparse's rows (per-row arrays of strings): the path for text the fast path does not take, and
 * the one whose errors name the row and field. parseCsv's result for any text (the fast path must agree).
 */
export function parseCsvPapaparse(text: string, source = "CSV data"): DataFrame {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const result = Papa.parse<string[]>(body, {
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
  return readCells((i) => rows[i + 1][j], nrow);
}

/** papaparse reads the first rows to guess the delimiter and line break; it looks at no more than this. */
const GUESS_CHARS = 1024 * 1024;

/**
 * The reader's fast path (./csv-cells.ts): papaparse guesses the delimiter and line break on the head of the text,
 * the cells are located by one scan, numeric columns are read from the characters into their Float64Array.
 * Undefined (the papaparse path decides, and names any error) for text that is not plain RFC 4180, ragged rows
 * and bad headers.
 */
function parseCsvFast(body: string): DataFrame | undefined {
  const head = body.length > GUESS_CHARS ? body.slice(0, GUESS_CHARS) : body;
  const guess = Papa.parse<string[]>(head, {
    header: false,
    skipEmptyLines: true,
    dynamicTyping: false,
    preview: 11,
  });
  // The delimiter guess reads 10 rows: they must lie inside the head for the guess to be the whole text's.
  if (head.length < body.length && guess.data.length < 11) return undefined;
  if (guess.errors.some((e) => e.type === "Quotes")) return undefined;
  const cells = scanCsvCells(body, guess.meta.delimiter, guess.meta.linebreak);
  if (!cells || cells.rows === 0) return undefined;
  const { rowStart } = cells;
  const width = (r: number) => (rowStart[r + 1] as number) - (rowStart[r] as number);
  let header = Array.from({ length: width(0) }, (_, c) => cellText(cells, c).trim());
  const nrow = cells.rows - 1;
  const dataWidth = nrow > 0 ? width(1) : header.length;
  let allWider = nrow > 0;
  for (let r = 1; r <= nrow && allWider; r++) if (width(r) !== header.length + 1) allWider = false;
  let skipFirst = false;
  if (allWider) skipFirst = true;
  else if (header[0] === "" && header.length > 1 && dataWidth === header.length) {
    header = header.slice(1);
    skipFirst = true;
  }
  const shift = skipFirst ? 1 : 0;
  for (let r = 1; r <= nrow; r++) if (width(r) - shift !== header.length) return undefined;
  if (header.some((h) => h === "") || new Set(header).size !== header.length) return undefined;
  const columns = new Map<string, Column>();
  header.forEach((name, j) => {
    columns.set(name, readFastColumn(cells, j + shift, nrow));
  });
  return { kind: "spruce.frame", names: header, columns, nrow };
}

/** Column `col` of the data rows: numbers straight from the characters, else the cells' text as readCells reads it. */
function readFastColumn(cells: CsvCells, col: number, nrow: number): Column {
  const { text, rowStart, start, end, escaped } = cells;
  const numbers = new Float64Array(nrow);
  let integer = true;
  let numeric = true;
  for (let i = 0; i < nrow; i++) {
    const c = (rowStart[i + 1] as number) + col;
    const s = start[c] as number;
    const e = end[c] as number;
    if (
      s === e ||
      (e - s === 2 && text.charCodeAt(s) === 78 && text.charCodeAt(s + 1) === 65 && !escaped[c])
    ) {
      numbers[i] = Number.NaN;
      continue;
    }
    let x = escaped[c] ? Number.NaN : plainDecimal(text, s, e);
    if (!Number.isNaN(x)) {
      if (integer && (Math.abs(x) > R_INT_MAX || hasPoint(text, s, e))) integer = false;
    } else {
      const cell = cellText(cells, c);
      const y = toNumber(cell);
      if (y === undefined) {
        numeric = false;
        break;
      }
      x = y;
      if (integer && !(INTEGER.test(cell) && Math.abs(x) <= R_INT_MAX)) integer = false;
    }
    numbers[i] = x;
  }
  if (numeric)
    return integer ? { kind: "numeric", values: numbers, integer } : { kind: "numeric", values: numbers };
  // Text (or logical): each distinct cell text is one string, shared by the rows that hold it.
  const interned = new Map<string, string>();
  const texts: string[] = new Array(nrow);
  for (let i = 0; i < nrow; i++) {
    const t = cellText(cells, (rowStart[i + 1] as number) + col);
    let shared = interned.get(t);
    if (shared === undefined) {
      shared = t;
      interned.set(t, t);
    }
    texts[i] = shared;
  }
  return readCells((i) => texts[i] as string, nrow);
}

/** A column from its cells' text: numeric, logical or text, as R's type.convert decides. */
function readCells(cellAt: (i: number) => string, nrow: number): Column {
  // One pass that assumes numbers and stops at the first cell that is not one (most columns are numeric).
  const numbers = new Float64Array(nrow);
  let numeric = true;
  let integer = true;
  for (let i = 0; i < nrow; i++) {
    const cell = cellAt(i);
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
    const cell = cellAt(i).trim();
    if (!isMissing(cell) && !Object.hasOwn(LOGICAL, cell)) logical = false;
  }
  if (logical) {
    const values: (boolean | null)[] = new Array(nrow);
    for (let i = 0; i < nrow; i++) {
      const cell = cellAt(i).trim();
      values[i] = isMissing(cell) ? null : LOGICAL[cell];
    }
    return { kind: "logical", values };
  }
  const values: (string | null)[] = new Array(nrow);
  let numberCells = 0;
  let otherCells = 0;
  let first: { row: number; cell: string } | null = null;
  for (let i = 0; i < nrow; i++) {
    const cell = cellAt(i);
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
  // CSV text passed for a path would otherwise come back whole inside "cannot read …: no such file".
  if (path.includes("\n"))
    throw new DataError(
      `readCsv: path must be a file name, got text of ${path.length} characters starting ${JSON.stringify(path.slice(0, 40))}; parseCsv reads CSV text`,
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
