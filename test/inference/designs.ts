/**
 * Hand-built designs of the reference models, independent of src/formula and src/design (so the inference code can
 * be tested on its own): the numeric buffers lme4 would build for the same formulas (treatment contrasts, levels
 * sorted), plus the lme4 estimates of each model from the conformance fixtures.
 */
import type { DesignBuffers } from "../../src/design/types.js";
import type { ModelParameters } from "../../src/inference/simulate.js";
import { asArray, conformanceDir, loadFitFixture, readFixtureCsv } from "../support/fixtures.js";

type Column = (string | number | null)[];

function levelRefs(values: Column): { levels: string[]; refs: Int32Array } {
  const keys = values.map((v) => String(v));
  const numeric = values.every((v) => typeof v === "number");
  const levels = [...new Set(keys)].sort((a, b) =>
    numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0,
  );
  const index = new Map(levels.map((l, i) => [l, i]));
  return { levels, refs: Int32Array.from(keys, (k) => index.get(k) as number) };
}

/** X column-major from a list of columns; z row-major n×p from a list of columns. */
function columnMajor(cols: number[][]): Float64Array {
  const n = (cols[0] as number[]).length;
  const X = new Float64Array(n * cols.length);
  cols.forEach((c, j) => {
    X.set(c, j * n);
  });
  return X;
}

function rowMajor(cols: number[][]): Float64Array {
  const n = (cols[0] as number[]).length;
  const p = cols.length;
  const z = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) z[i * p + j] = (cols[j] as number[])[i] as number;
  return z;
}

export type ModelId =
  | "sleepstudy_ml"
  | "sleepstudy_int_ml"
  | "sleepstudy_uncorr_ml"
  | "sitka_mm0_ml"
  | "sitka_mm1_ml";

/** The buffers of one of the reference models (sleepstudy and Sitka variants). */
export function referenceBuffers(id: ModelId): DesignBuffers {
  if (id.startsWith("sleepstudy")) {
    const d = readFixtureCsv(`${conformanceDir}/data/sleepstudy.csv`);
    const y = Float64Array.from(d.Reaction as number[]);
    const days = d.Days as number[];
    const one = days.map(() => 1);
    const { levels, refs } = levelRefs(d.Subject as Column);
    const X = columnMajor([one, days]);
    const n = y.length;
    const terms =
      id === "sleepstudy_ml"
        ? [{ nlevels: levels.length, p: 2, refs, z: rowMajor([one, days]) }]
        : id === "sleepstudy_int_ml"
          ? [{ nlevels: levels.length, p: 1, refs, z: rowMajor([one]) }]
          : [
              { nlevels: levels.length, p: 1, refs, z: rowMajor([one]) },
              { nlevels: levels.length, p: 1, refs, z: rowMajor([days]) },
            ];
    return { n, p: 2, y, X, terms };
  }
  const d = readFixtureCsv(`${conformanceDir}/data/sitka.csv`);
  const y = Float64Array.from(d.size as number[]);
  const time = d.time as number[];
  const time2 = time.map((t) => t * t);
  const one = time.map(() => 1);
  const ozone = (d.treat as string[]).map((t) => (t === "ozone" ? 1 : 0));
  const { levels, refs } = levelRefs(d.tree as Column);
  const xcols =
    id === "sitka_mm0_ml"
      ? [one, time, time2]
      : [
          one,
          ozone,
          time,
          time2,
          time.map((t, i) => t * (ozone[i] as number)),
          time2.map((t, i) => t * (ozone[i] as number)),
        ];
  return {
    n: y.length,
    p: xcols.length,
    y,
    X: columnMajor(xcols),
    terms: [{ nlevels: levels.length, p: 3, refs, z: rowMajor([one, time, time2]) }],
  };
}

/** lme4's estimates for a reference model, with its buffers. */
export function referenceModel(id: ModelId): ModelParameters & { deviance: number; logLik: number } {
  const f = loadFitFixture(id);
  return {
    buffers: referenceBuffers(id),
    theta: Float64Array.from(asArray(f.theta)),
    beta: Float64Array.from(Object.values(f.fixef)),
    sigma: f.sigma,
    deviance: f.objective,
    logLik: f.logLik,
  };
}
