/**
 * Fuzzing as property tests (fast-check, fixed seeds): whatever the formula text, the CSV text or the options, spruce
 * either fits or throws one of its own errors (SpruceError: FormulaError, DataError, ModelError, ArgumentError),
 * never another exception, never a hang (each run is bounded by the test timeout).
 *
 * `npm test` runs a few hundred cases per property; `npm run test:fuzz` runs the same properties longer
 * (SPRUCE_FUZZ_RUNS, default there 4000) with other seeds (SPRUCE_FUZZ_SEED).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpruceError } from "../../src/errors.js";
import { fit } from "../../src/fit/fit.js";
import { parseCsv } from "../../src/frame/csv.js";

const RUNS = Number(process.env.SPRUCE_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.SPRUCE_FUZZ_SEED ?? 18);
const LONG = RUNS > 1000;
const TIMEOUT = LONG ? 3_600_000 : 120_000;

const data = (() => {
  const rows = 24;
  const d: Record<string, (number | string | null)[]> = { y: [], x: [], z: [], g: [], h: [], f: [] };
  for (let i = 0; i < rows; i++) {
    d.y?.push(Math.round(10 * Math.sin(i * 1.7) + i) / 2);
    d.x?.push((i % 6) - 2);
    d.z?.push(i % 5 === 0 ? null : i / 3);
    d.g?.push(`g${i % 4}`);
    d.h?.push(i % 3);
    d.f?.push(i % 2 ? "a" : "b");
  }
  return d;
})();

const TOKENS = [
  "y",
  "x",
  "z",
  "g",
  "h",
  "f",
  "w",
  "0",
  "1",
  "2",
  "-1",
  "1e308",
  ".5",
  "3L",
  "~",
  "+",
  "-",
  "*",
  "/",
  ":",
  "^",
  "|",
  "||",
  "%in%",
  "(",
  ")",
  ",",
  " ",
  "I(",
  "log(",
  "exp(",
  "sqrt(",
  "factor(",
  "offset(",
  "poly(",
  "(1|g)",
  "(x|g)",
  "(1|g/h)",
  "(x||g)",
  "`odd name`",
];

async function onlyOwnErrors(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof SpruceError)) throw error;
  }
}

describe("fuzz: only spruce's own errors", () => {
  it(
    "random formula text through fit()",
    async () => {
      const formula = fc.oneof(
        fc.array(fc.constantFrom(...TOKENS), { maxLength: 24 }).map((t) => t.join("")),
        fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).map((t) => `y ~ ${t.join("")}`),
        fc
          .array(fc.constantFrom(...TOKENS.slice(0, 14)), { maxLength: 6 })
          .map((t) => `y ~ ${t.join(" + ")} + (1|g)`),
        fc.string({ maxLength: 40 }),
      );
      await fc.assert(
        fc.asyncProperty(formula, async (f) => onlyOwnErrors(() => fit(f, data))),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "random CSV text through parseCsv() and fit()",
    async () => {
      const cell = fc.oneof(
        fc.constantFrom(
          "1",
          "2.5",
          "-3",
          "NA",
          "",
          "0x1F",
          "1e999",
          "Inf",
          "NaN",
          "TRUE",
          "a",
          "b",
          '"q"',
          'g5"',
          "1,5",
          "__proto__",
          "toString",
        ),
        fc.integer({ min: -5, max: 5 }).map(String),
        fc.string({ maxLength: 4 }),
      );
      const header = fc.constantFrom("y,x,g", "y,x,g,", '"y","x","g"', "y,y,g", ",x,g", "y;x;g", "y,x");
      const csv = fc
        .tuple(
          header,
          fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { maxLength: 30 }),
          fc.constantFrom("\n", "\r\n"),
        )
        .map(([h, rows, eol]) => [h, ...rows.map((r) => r.join(","))].join(eol));
      await fc.assert(
        fc.asyncProperty(csv, async (text) =>
          onlyOwnErrors(async () => fit("y ~ x + (1|g)", parseCsv(text), { REML: false })),
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "random options through fit(): an ArgumentError or a fit",
    async () => {
      const value = fc.oneof(
        fc.boolean(),
        fc.integer(),
        fc.double(),
        fc.string({ maxLength: 6 }),
        fc.constant(null),
        fc.constant(undefined),
        fc.array(fc.double(), { maxLength: 4 }),
      );
      const key = fc.constantFrom(
        "REML",
        "start",
        "dropNaN",
        "maxTheta",
        "maxDenseBlock",
        "family",
        "reml",
        "onProgress",
        "__proto__",
      );
      await fc.assert(
        fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 3 }), async (options) =>
          onlyOwnErrors(() => fit("y ~ x + (1|g)", data, options as never)),
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it("the fuzz inputs include cases that fit (the properties are not vacuous)", async () => {
    const m = await fit("y ~ x + (1|g)", data);
    expect(m.nobs).toBe(24);
  });
});
