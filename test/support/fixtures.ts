/**
 * Loading the lme4 reference fits in test/fixtures (never from ../shared) and their data.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { VarCorrRow } from "../../src/fit/varcorr.js";

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
export const conformanceDir = join(fixturesDir, "conformance");

// lme4's as.data.frame(VarCorr(m)) row: the reference files and spruce use the same record (same names as lme4).
export type { VarCorrRow } from "../../src/fit/varcorr.js";

export interface RanefGroup {
  group: string;
  levels: string[];
  terms: string[] | string;
  values: number[][] | number[];
}

/**
 * One lme4 fit as written by test/fixtures/conformance/runner/lme4_reference.R. Deliberately not derived from
 * spruce's FitJson (src/report/json.ts), although the names match: this describes what R wrote (jsonlite unboxes
 * length-1 vectors, hence the `T | T[]` fields), the oracle the product is checked against.
 */
export interface FitFixture {
  id: string;
  data: string;
  formula: string;
  REML: boolean;
  nobs: number;
  ngrps: Record<string, number>;
  objective: number;
  logLik: number;
  npar: number;
  AIC: number;
  BIC: number;
  sigma: number;
  theta: number[] | number;
  thetaNames: string[] | string;
  fixef: Record<string, number>;
  se: Record<string, number>;
  vcov: number[][] | number[] | number;
  varcorr: VarCorrRow[];
  ranef: RanefGroup[];
  fitted: number[];
  residuals: number[];
  singular: boolean;
  lme4Warnings: string[] | string;
}

/** jsonlite's auto_unbox turns length-1 vectors into scalars: undo that where a list is meant. */
export function asArray<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? x : [x];
}

/** Ids of the fit fixtures in a directory (files with a `formula`, not the anova/extras ones). */
export function fitFixtureIds(dir = conformanceDir): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("anova_") && !f.startsWith("extras_"))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadFitFixture(id: string, dir = conformanceDir): FitFixture {
  return JSON.parse(readFileSync(join(dir, `${id}.json`), "utf8")) as FitFixture;
}

export function loadJson<T>(relativePath: string, dir = conformanceDir): T {
  return JSON.parse(readFileSync(join(dir, relativePath), "utf8")) as T;
}

export function fixtureDataPath(fixture: { data: string }, dir = conformanceDir): string {
  return join(dir, fixture.data);
}

/**
 * A minimal reader for the fixture CSVs (R's write.csv: quoted strings, bare numbers, "" for NA), used only to
 * hand-build designs in tests; the product reads CSV through src/frame.
 */
export function readFixtureCsv(path: string): Record<string, (string | number | null)[]> {
  const lines = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const split = (line: string): string[] => {
    const out: string[] = [];
    let cur = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i] as string;
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ",") {
        out.push(cur);
        cur = "";
      } else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const header = split(lines[0] as string);
  const cols: Record<string, (string | number | null)[]> = {};
  for (const h of header) cols[h] = [];
  const rawLines = lines.slice(1);
  for (const line of rawLines) {
    const cells = split(line);
    header.forEach((h, j) => {
      const cell = cells[j] ?? "";
      const num = Number(cell);
      (cols[h] as (string | number | null)[]).push(cell === "" ? null : Number.isFinite(num) ? num : cell);
    });
  }
  return cols;
}
