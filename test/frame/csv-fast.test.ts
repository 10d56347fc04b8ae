/**
 * The CSV reader's fast path (src/frame/csv-cells.ts: cell offsets, numbers read from the characters) against the
 * papaparse path it replaces for well-formed text: the same frame, value for value (NaN, −0 and the integer flag
 * included), for random tables of awkward cells, and the same errors for malformed text (the fast path hands
 * those to papaparse).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCsv, parseCsvPapaparse } from "../../src/frame/csv.js";
import { plainDecimal, scanCsvCells } from "../../src/frame/csv-cells.js";

/** Cells a CSV written by R or by hand may hold. */
const CELLS = [
  "1",
  "-2.50",
  "+.5",
  "7.",
  ".",
  "-",
  "1e3",
  "1E-2",
  " 3 ",
  "0x1F",
  "Inf",
  "-Inf",
  "NaN",
  "NA",
  "",
  "TRUE",
  "F",
  "true",
  "abc",
  "a,b",
  'say "hi"',
  "two\nlines",
  "123456789012345",
  "1234567890123456789",
  "0.1234567890123456",
  "2147483647",
  "2147483648",
  "-0",
  "-0.0",
  "00012",
  "3.14159",
  "x y",
  "Émile",
];

/** Quote a cell as write.csv does (always, or when it must be). */
function quote(cell: string, always: boolean): string {
  if (always || /[",\n\r]/.test(cell)) return `"${cell.replaceAll('"', '""')}"`;
  return cell;
}

const table = fc.record({
  ncol: fc.integer({ min: 1, max: 4 }),
  cells: fc.array(fc.array(fc.constantFrom(...CELLS), { minLength: 4, maxLength: 4 }), { maxLength: 8 }),
  // One column's cells all from one kind, so that numeric and logical columns actually occur.
  numericColumn: fc.array(fc.constantFrom("1", "-2.5", "NA", "", "1e3", "3", " 4", "+.5"), {
    minLength: 8,
    maxLength: 8,
  }),
  logicalColumn: fc.array(fc.constantFrom("TRUE", "FALSE", "T", "NA", ""), { minLength: 8, maxLength: 8 }),
  quoteAll: fc.boolean(),
  crlf: fc.boolean(),
  trailingBreak: fc.boolean(),
  bom: fc.boolean(),
  rowNames: fc.constantFrom("none", "blank", "short"),
  emptyLine: fc.boolean(),
});

type TableCase = typeof table extends fc.Arbitrary<infer T> ? T : never;

function render(t: TableCase): string {
  const nl = t.crlf ? "\r\n" : "\n";
  const names = ["num", "lgl", "a", "b", "c", "d"].slice(0, t.ncol + 2);
  const header = names.map((h) => quote(h, t.quoteAll));
  if (t.rowNames === "blank") header.unshift('""');
  const lines = [header.join(",")];
  t.cells.forEach((row, r) => {
    const cells = [t.numericColumn[r] as string, t.logicalColumn[r] as string, ...row.slice(0, t.ncol)].map(
      (c) => quote(c, t.quoteAll),
    );
    if (t.rowNames !== "none") cells.unshift(`"r${r + 1}"`);
    lines.push(cells.join(","));
    if (t.emptyLine && r === 0) lines.push("");
  });
  return (t.bom ? "\uFEFF" : "") + lines.join(nl) + (t.trailingBreak ? nl : "");
}

/** The result or the error message of a reader. */
function outcome(read: () => unknown): unknown {
  try {
    return read();
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe("CSV fast path = papaparse path", () => {
  it("random well-formed tables give the same frame, value for value", () => {
    fc.assert(
      fc.property(table, (t) => {
        const text = render(t);
        expect(outcome(() => parseCsv(text))).toEqual(outcome(() => parseCsvPapaparse(text)));
      }),
      { numRuns: 400 },
    );
  });

  it("the fast path is taken for R's write.csv output (and gives up on irregular quoting)", () => {
    expect(scanCsvCells('"y","g"\n1.5,"a"\n2,"b"\n', ",", "\n")?.rows).toBe(3);
    expect(scanCsvCells('y,g\n1.5,a"b\n', ",", "\n")).toBeUndefined();
    expect(scanCsvCells('y,g\n1.5,"a"b\n', ",", "\n")).toBeUndefined();
    expect(scanCsvCells('y,g\n1.5,"ab\n', ",", "\n")).toBeUndefined();
  });

  it("malformed text: the same errors, naming line and field", () => {
    for (const text of [
      'y,g\n1.5,a"b\n',
      'y,g\n1.5,"a"b\n',
      'y,g\n1.5,"ab\n',
      "y,g\n1.5\n",
      "y,y\n1,2\n",
      "y,\n1,2\n",
      "",
      "\n\n",
      "a,b\n1,2,3,4\n",
    ]) {
      const fast = outcome(() => parseCsv(text, "t.csv"));
      expect(fast).toHaveProperty("error");
      expect(fast).toEqual(outcome(() => parseCsvPapaparse(text, "t.csv")));
    }
  });

  it("tab- and semicolon-separated text: papaparse's guess of the delimiter, the same frame", () => {
    for (const text of ["y\tg\n1.5\ta\n2\tb\n", "y;g\r\n1,5;a\r\n2;b\r\n", "y|g\n1|a\n"])
      expect(parseCsv(text)).toEqual(parseCsvPapaparse(text));
  });

  it("plain decimals are the doubles Number() gives", () => {
    const cells = ["0.1", "-0.3", "123.456", "999999999999999", "0.000000000000001", "+7", "-0", "5.", ".5"];
    for (const c of cells) expect(Object.is(plainDecimal(c, 0, c.length), Number(c))).toBe(true);
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 15 }),
        (x, d) => {
          const c = x.toFixed(Math.min(d, 15));
          const y = plainDecimal(c, 0, c.length);
          if (!Number.isNaN(y)) expect(Object.is(y, Number(c))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
    for (const c of [
      "",
      ".",
      "-",
      "1e3",
      " 1",
      "1.2.3",
      "1234567890123456",
      "0x1",
      "0.00000000000000000000001",
    ])
      expect(plainDecimal(c, 0, c.length)).toBeNaN();
  });
});
