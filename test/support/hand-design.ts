/**
 * Hand-built designs for tests that must not depend on the formula layer (the optimiser and engine tests, and
 * development before src/design/build.ts existed). Each column is written out explicitly, so these designs are an
 * independent check of buildDesign too.
 */
import type { Design, RandomTerm } from "../../src/design/types.js";
import { conformanceDir, readFixtureCsv } from "./fixtures.js";

type Row = Record<string, string | number | null>;

export interface HandColumn {
  name: string;
  value: (row: Row) => number;
}

export interface HandTerm {
  group: string;
  key: (row: Row) => string;
  columns: HandColumn[];
}

/** lme4's level order: numbers numerically, otherwise as strings. */
function compareLevels(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function handDesign(
  formula: string,
  dataFile: string,
  response: string,
  fixed: HandColumn[],
  terms: HandTerm[],
): Design {
  const cols = readFixtureCsv(`${conformanceDir}/data/${dataFile}`);
  const names = Object.keys(cols);
  const nrow = (cols[names[0] as string] as unknown[]).length;
  const rows: Row[] = [];
  for (let i = 0; i < nrow; i++) {
    const r: Row = {};
    for (const nm of names) r[nm] = (cols[nm] as (string | number | null)[])[i] as string | number | null;
    rows.push(r);
  }
  const n = rows.length;
  const y = Float64Array.from(rows, (r) => r[response] as number);
  const p = fixed.length;
  const X = new Float64Array(n * p);
  fixed.forEach((c, j) => {
    rows.forEach((r, i) => {
      X[j * n + i] = c.value(r);
    });
  });
  const built: RandomTerm[] = terms.map((t) => {
    const keys = rows.map(t.key);
    const levels = [...new Set(keys)].sort(compareLevels);
    const index = new Map(levels.map((l, i) => [l, i]));
    const pt = t.columns.length;
    const z = new Float64Array(n * pt);
    rows.forEach((r, i) => {
      t.columns.forEach((c, j) => {
        z[i * pt + j] = c.value(r);
      });
    });
    return {
      group: t.group,
      levels,
      refs: Int32Array.from(keys, (k) => index.get(k) as number),
      columns: t.columns.map((c) => c.name),
      z,
    };
  });
  // lme4's order: by decreasing number of levels, ties in formula order (Array.prototype.sort is stable).
  built.sort((a, b) => b.levels.length - a.levels.length);
  return {
    formula,
    response,
    n,
    y,
    X,
    fixedNames: fixed.map((c) => c.name),
    droppedFixed: [],
    terms: built,
    rows: Int32Array.from({ length: n }, (_, i) => i),
    droppedRows: 0,
  };
}

const one: HandColumn = { name: "(Intercept)", value: () => 1 };
const days: HandColumn = { name: "Days", value: (r) => r.Days as number };
const subject = (r: Row) => String(r.Subject);

/** The hand designs of some conformance cases, keyed by fixture id. */
export const handDesigns: Record<string, () => Design> = {
  sleepstudy_reml: () =>
    handDesign(
      "Reaction ~ Days + (Days|Subject)",
      "sleepstudy.csv",
      "Reaction",
      [one, days],
      [{ group: "Subject", key: subject, columns: [one, days] }],
    ),
  sleepstudy_ml: () => handDesigns.sleepstudy_reml?.() as Design,
  sleepstudy_uncorr_ml: () =>
    handDesign(
      "Reaction ~ Days + (Days||Subject)",
      "sleepstudy.csv",
      "Reaction",
      [one, days],
      [
        { group: "Subject", key: subject, columns: [one] },
        { group: "Subject", key: subject, columns: [days] },
      ],
    ),
  sleepstudy_int_ml: () =>
    handDesign(
      "Reaction ~ Days + (1|Subject)",
      "sleepstudy.csv",
      "Reaction",
      [one, days],
      [{ group: "Subject", key: subject, columns: [one] }],
    ),
  dyestuff_reml: () =>
    handDesign(
      "Yield ~ 1 + (1|Batch)",
      "dyestuff.csv",
      "Yield",
      [one],
      [{ group: "Batch", key: (r) => String(r.Batch), columns: [one] }],
    ),
  dyestuff2_reml: () =>
    handDesign(
      "Yield ~ 1 + (1|Batch)",
      "dyestuff2.csv",
      "Yield",
      [one],
      [{ group: "Batch", key: (r) => String(r.Batch), columns: [one] }],
    ),
  penicillin_reml: () =>
    handDesign(
      "diameter ~ 1 + (1|plate) + (1|sample)",
      "penicillin.csv",
      "diameter",
      [one],
      [
        { group: "plate", key: (r) => String(r.plate), columns: [one] },
        { group: "sample", key: (r) => String(r.sample), columns: [one] },
      ],
    ),
  pastes_nested_reml: () =>
    handDesign(
      "strength ~ 1 + (1|batch/cask)",
      "pastes.csv",
      "strength",
      [one],
      [
        { group: "batch", key: (r) => String(r.batch), columns: [one] },
        { group: "cask:batch", key: (r) => `${r.cask}:${r.batch}`, columns: [one] },
      ],
    ),
  sitka_mm1_ml: () => {
    const time: HandColumn = { name: "time", value: (r) => r.time as number };
    const time2: HandColumn = { name: "I(time^2)", value: (r) => (r.time as number) ** 2 };
    const oz = (r: Row) => (r.treat === "ozone" ? 1 : 0);
    return handDesign(
      "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)",
      "sitka.csv",
      "size",
      [
        one,
        { name: "treatozone", value: oz },
        time,
        time2,
        { name: "treatozone:time", value: (r) => oz(r) * (r.time as number) },
        { name: "treatozone:I(time^2)", value: (r) => oz(r) * (r.time as number) ** 2 },
      ],
      [{ group: "tree", key: (r) => String(r.tree), columns: [one, time, time2] }],
    );
  },
};
handDesigns.sitka_mm1_reml = handDesigns.sitka_mm1_ml as () => Design;
handDesigns.dyestuff_ml = handDesigns.dyestuff_reml as () => Design;
