/**
 * The fast path of the CSV reader (./csv.ts): one scan of the text that records where each cell lies (offsets in
 * typed arrays, no per-row arrays or per-cell strings), then numeric columns are read straight from the characters
 * into a Float64Array. It reads what papaparse reads for well-formed input, with papaparse's own guess of the
 * delimiter and line break; anything irregular (a quote inside an unquoted field, text after a closing quote, an
 * unterminated quote, a delimiter papaparse did not guess as one character) makes it give up, and the reader then
 * takes the papaparse path, whose errors name the row and column.
 */

/** Cell boundaries of a CSV text: cell c of row r is cellAt(rowStart[r] + c). */
export interface CsvCells {
  text: string;
  /** Rows (empty lines skipped, as papaparse's skipEmptyLines does): index of each row's first cell; length rows + 1. */
  rowStart: Int32Array;
  rows: number;
  /** Start and end (exclusive) of each cell's content, inside the quotes for a quoted cell. */
  start: Int32Array;
  end: Int32Array;
  /** 1 where the quoted content holds a doubled quote (`""` stands for `"`). */
  escaped: Uint8Array;
}

const QUOTE = 34;

/** Growable Int32Array. */
function grow<T extends Int32Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Split `text` into cells, or undefined when it is not plain RFC 4180 (the caller falls back to papaparse).
 * `delimiter` is one character; `linebreak` is "\n", "\r\n" or "\r" (papaparse's guesses).
 */
export function scanCsvCells(text: string, delimiter: string, linebreak: string): CsvCells | undefined {
  if (delimiter.length !== 1 || delimiter === '"') return undefined;
  const delim = delimiter.charCodeAt(0);
  const nl0 = linebreak.charCodeAt(0);
  const crlf = linebreak === "\r\n";
  const len = text.length;
  let start = new Int32Array(1024);
  let end = new Int32Array(1024);
  let escaped = new Uint8Array(1024);
  let rowStart = new Int32Array(256);
  let cells = 0;
  let rows = 0;
  let pos = 0;
  const isBreak = (i: number) => text.charCodeAt(i) === nl0 && (!crlf || text.charCodeAt(i + 1) === 10);
  while (pos < len) {
    const rowFirst = cells;
    // One row: fields up to a line break or the end of the text.
    for (;;) {
      start = grow(start, cells + 1);
      end = grow(end, cells + 1);
      escaped = grow(escaped, cells + 1);
      let next: number;
      if (text.charCodeAt(pos) === QUOTE) {
        let i = pos + 1;
        let doubled = 0;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) return undefined;
          if (text.charCodeAt(q + 1) === QUOTE) {
            doubled = 1;
            i = q + 2;
            continue;
          }
          start[cells] = pos + 1;
          end[cells] = q;
          escaped[cells] = doubled;
          next = q + 1;
          break;
        }
        if (next < len && text.charCodeAt(next) !== delim && !isBreak(next)) return undefined;
      } else {
        let i = pos;
        while (i < len) {
          const c = text.charCodeAt(i);
          if (c === delim || (c === nl0 && isBreak(i))) break;
          if (c === QUOTE) return undefined;
          i++;
        }
        start[cells] = pos;
        end[cells] = i;
        escaped[cells] = 0;
        next = i;
      }
      cells++;
      if (next < len && text.charCodeAt(next) === delim) {
        pos = next + 1;
        // A delimiter at the very end of the text ends the row with an empty field.
        if (pos >= len) {
          start = grow(start, cells + 1);
          end = grow(end, cells + 1);
          escaped = grow(escaped, cells + 1);
          start[cells] = pos;
          end[cells] = pos;
          escaped[cells] = 0;
          cells++;
        } else continue;
      } else pos = next < len ? next + linebreak.length : len;
      break;
    }
    // papaparse's skipEmptyLines: a row of one empty field is no row.
    if (cells - rowFirst === 1 && start[rowFirst] === end[rowFirst]) cells = rowFirst;
    else {
      rowStart = grow(rowStart, rows + 2);
      rowStart[rows++] = rowFirst;
    }
  }
  rowStart = grow(rowStart, rows + 1);
  rowStart[rows] = cells;
  return { text, rowStart, rows, start, end, escaped };
}

/** The text of cell `c` (quotes removed, doubled quotes undone). */
export function cellText(cells: CsvCells, c: number): string {
  const s = cells.text.slice(cells.start[c], cells.end[c]);
  return cells.escaped[c] ? s.replaceAll('""', '"') : s;
}

/** 10^k exactly, for k ≤ 22 (so that m / 10^k is correctly rounded for m < 2^53). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A plain decimal cell (`-12`, `3.25`, `+.5`, `7.`: sign, at most 15 significant digits and 22 decimals, one
 * optional point, nothing else) as the number Number() gives it, or NaN for anything else (the caller then reads
 * the cell's text as R's type.convert would). m / 10^k with m < 10^15 and k ≤ 22 is exact over exact, so one
 * correctly rounded division: the same double as Number().
 */
export function plainDecimal(text: string, from: number, to: number): number {
  let i = from;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let m = 0;
  let any = false;
  /** Significant digits (leading zeros do not count: they leave m exact). */
  let digits = 0;
  let fraction = -1;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      any = true;
      if (m > 0) digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) fraction = 0;
    else return Number.NaN;
  }
  if (!any || digits > 15 || fraction > 22) return Number.NaN;
  const x = fraction > 0 ? m / (POW10[fraction] as number) : m;
  return negative ? -x : x;
}

/** Whether text[from … to) holds a decimal point. */
export function hasPoint(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 46) return true;
  return false;
}
