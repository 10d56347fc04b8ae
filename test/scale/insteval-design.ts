/**
 * InstEval (73,421 ratings; students `s` crossed with lecturers `d`) for the scale tests and the scale bench:
 * the two lme4 reference fits in test/fixtures/scale, and the two designs built by hand, column by column, so
 * that the engine can be checked and timed at InstEval size without the formula layer (and so that
 * buildDesign can be checked against an independent construction).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Design, RandomTerm } from "../../src/design/types.js";
import type { FitFixture } from "../support/fixtures.js";

export const scaleDir = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "scale");
export const instevalCsv = join(scaleDir, "data", "insteval.csv");

/**
 * A scale fixture: a conformance-style lme4 fit (test/support/fixtures.ts) whose θ has several entries, so
 * jsonlite wrote θ and its names as arrays; plus lme4's timing.
 */
export interface ScaleFixture
  extends Pick<
    FitFixture,
    | "id"
    | "data"
    | "formula"
    | "REML"
    | "nobs"
    | "ngrps"
    | "objective"
    | "sigma"
    | "fixef"
    | "se"
    | "varcorr"
    | "singular"
  > {
  theta: number[];
  thetaNames: string[];
  lme4Warnings?: string[];
  lme4Seconds: number;
}

export const scaleIds = ["insteval_ml", "insteval_3crossed_reml"] as const;
export type ScaleId = (typeof scaleIds)[number];

export function loadScaleFixture(id: ScaleId): ScaleFixture {
  return JSON.parse(readFileSync(join(scaleDir, `${id}.json`), "utf8")) as ScaleFixture;
}

/** The InstEval columns the two models use, read by a plain splitter (the file is R's write.csv, no NAs). */
export interface InstEvalColumns {
  s: string[];
  d: string[];
  service: string[];
  dept: string[];
  y: Float64Array;
}

export function readInstEval(path = instevalCsv): InstEvalColumns {
  const lines = readFileSync(path, "utf8").split("\n");
  const header = (lines[0] as string).split(",").map((h) => h.replaceAll('"', ""));
  const col = (name: string) => {
    const j = header.indexOf(name);
    if (j < 0) throw new Error(`insteval.csv has no column ${name}`);
    return j;
  };
  const [js, jd, jservice, jdept, jy] = ["s", "d", "service", "dept", "y"].map(col) as number[];
  const out: InstEvalColumns = { s: [], d: [], service: [], dept: [], y: new Float64Array(0) };
  const y: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.length === 0) continue;
    const cells = line.split(",").map((c) => c.replaceAll('"', ""));
    out.s.push(cells[js as number] as string);
    out.d.push(cells[jd as number] as string);
    out.service.push(cells[jservice as number] as string);
    out.dept.push(cells[jdept as number] as string);
    y.push(Number(cells[jy as number]));
  }
  out.y = Float64Array.from(y);
  return out;
}

/** lme4's level order: numbers numerically, otherwise as strings. */
function sortedLevels(keys: string[]): string[] {
  const levels = [...new Set(keys)];
  const numeric = levels.every((l) => Number.isFinite(Number(l)));
  return numeric ? levels.sort((a, b) => Number(a) - Number(b)) : levels.sort();
}

function interceptTerm(group: string, keys: string[]): RandomTerm {
  const levels = sortedLevels(keys);
  const index = new Map(levels.map((l, i) => [l, i]));
  return {
    group,
    levels,
    refs: Int32Array.from(keys, (k) => index.get(k) as number),
    columns: ["(Intercept)"],
    z: new Float64Array(keys.length).fill(1),
  };
}

/**
 * The design of one reference model, built by hand with treatment contrasts:
 * - insteval_ml: y ~ 1 + service*dept + (1|s) + (1|d), X = 1, serviceyes, deptDxx, serviceyes:deptDxx;
 * - insteval_3crossed_reml: y ~ 1 + service + (1|s) + (1|d) + (1|dept), X = 1, serviceyes.
 */
export function instevalDesign(id: ScaleId, data: InstEvalColumns = readInstEval()): Design {
  const n = data.y.length;
  const serviceYes = Float64Array.from(data.service, (v) => (v === "yes" ? 1 : 0));
  const columns: { name: string; values: Float64Array }[] = [
    { name: "(Intercept)", values: new Float64Array(n).fill(1) },
    { name: "serviceyes", values: serviceYes },
  ];
  const terms = [interceptTerm("s", data.s), interceptTerm("d", data.d)];
  const deptLevels = sortedLevels(data.dept);
  if (id === "insteval_ml") {
    const dummies = deptLevels.slice(1).map((lev) => ({
      name: `dept${lev}`,
      values: Float64Array.from(data.dept, (v) => (v === lev ? 1 : 0)),
    }));
    columns.push(...dummies);
    for (const dm of dummies)
      columns.push({
        name: `serviceyes:${dm.name}`,
        values: dm.values.map((v, i) => v * (serviceYes[i] as number)),
      });
  } else {
    terms.push(interceptTerm("dept", data.dept));
  }
  const p = columns.length;
  const X = new Float64Array(n * p);
  columns.forEach((c, j) => {
    X.set(c.values, j * n);
  });
  // lme4's term order: decreasing number of levels (s: 2972, d: 1128, dept: 14).
  terms.sort((a, b) => b.levels.length - a.levels.length);
  const formula =
    id === "insteval_ml"
      ? "y ~ 1 + service*dept + (1|s) + (1|d)"
      : "y ~ 1 + service + (1|s) + (1|d) + (1|dept)";
  return {
    formula,
    response: "y",
    n,
    y: data.y,
    X,
    fixedNames: columns.map((c) => c.name),
    droppedFixed: [],
    terms,
    rows: Int32Array.from({ length: n }, (_, i) => i),
    droppedRows: 0,
  };
}
