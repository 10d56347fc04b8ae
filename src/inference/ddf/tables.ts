/**
 * lmerTest's tables: the coefficient table of summary(m, ddf = ...) (Estimate, Std. Error, df, t value,
 * Pr(>|t|)), the single-model anova(m, type, ddf) table (Sum Sq, Mean Sq, NumDF, DenDF, F value, Pr(>F)) and
 * contest(m, L) for a user's contrast matrix.
 */
import { ModelError } from "../../errors.js";
import { formatPValue, SIGNIF_LEGEND, significanceStars } from "../../report/pvalues.js";
import { maxOf } from "../../util/extremes.js";
import { type ContrastTests, contrastTests, type FTest, type TTest } from "./contest.js";
import { type AnovaType, termHypotheses } from "./hypotheses.js";
import { type DdfMethod, type DdfModel, parseDdfMethod } from "./model.js";

export interface CoefTable {
  method: DdfMethod;
  names: string[];
  estimate: number[];
  se: number[];
  df: number[];
  t: number[];
  p: number[];
}

export interface FixedAnovaOptions {
  /** 3 (default, as lmerTest), 2 or 1; lmerTest's "III", "II", "I" too. */
  type?: AnovaType | "III" | "II" | "I" | "3" | "2" | "1";
  /** "Satterthwaite" (default) or "Kenward-Roger". */
  ddf?: DdfMethod | string;
  /** Tests already set up for this model and method (contrastTests), to share their parts with other tables. */
  tests?: ContrastTests;
}

export interface FixedAnovaTable {
  method: DdfMethod;
  type: AnovaType;
  /** lmerTest's heading, e.g. "Type III Analysis of Variance Table with Satterthwaite's method". */
  heading: string;
  terms: string[];
  SumSq: number[];
  MeanSq: number[];
  NumDF: number[];
  DenDF: number[];
  F: number[];
  p: number[];
}

function method(ddf: string | undefined): DdfMethod {
  try {
    return parseDdfMethod(ddf ?? "Satterthwaite");
  } catch (e) {
    throw new ModelError((e as Error).message);
  }
}

export function anovaType(type: FixedAnovaOptions["type"]): AnovaType {
  const key = String(type ?? 3);
  const t = ({ "3": 3, III: 3, "2": 2, II: 2, "1": 1, I: 1 } as Record<string, AnovaType>)[key];
  if (!t) throw new ModelError(`unknown anova type '${key}': use 3, 2 or 1`);
  return t;
}

/** summary(m, ddf = ...)'s coefficient table: one t test per fixed effect. */
export function coefTable(
  model: DdfModel,
  ddf: DdfMethod | string = "Satterthwaite",
  shared?: ContrastTests,
): CoefTable {
  const m = method(ddf);
  const tests = shared && shared.method === m ? shared : contrastTests(model, m);
  const names = model.design.fixedNames;
  const p = names.length;
  const rows: TTest[] = names.map((_, i) => {
    const l = new Float64Array(p);
    l[i] = 1;
    return tests.t(l);
  });
  return {
    method: m,
    names: [...names],
    estimate: rows.map((r) => r.estimate),
    se: rows.map((r) => r.se),
    df: rows.map((r) => r.df),
    t: rows.map((r) => r.t),
    p: rows.map((r) => r.p),
  };
}

const ROMAN = { 1: "I", 2: "II", 3: "III" } as const;

/** lmerTest's anova(m, type, ddf) for one model. */
export function fixedEffectsAnova(model: DdfModel, options: FixedAnovaOptions = {}): FixedAnovaTable {
  const m = method(options.ddf);
  const type = anovaType(options.type);
  const hyps = termHypotheses(model.design, type);
  const shared = options.tests && options.tests.method === m ? options.tests : undefined;
  const tests = hyps.length ? (shared ?? contrastTests(model, m)) : undefined;
  const rows: FTest[] = hyps.map((h) => {
    if (h.rows === 0 || !tests)
      return {
        SumSq: Number.NaN,
        MeanSq: Number.NaN,
        NumDF: Number.NaN,
        DenDF: Number.NaN,
        F: Number.NaN,
        p: Number.NaN,
      };
    const p = model.design.fixedNames.length;
    const L = Array.from({ length: h.rows }, (_, i) => h.L.subarray(i * p, (i + 1) * p));
    return tests.F(L);
  });
  const methodName = m === "Satterthwaite" ? "Satterthwaite's" : "Kenward-Roger's";
  return {
    method: m,
    type,
    heading: `Type ${ROMAN[type]} Analysis of Variance Table with ${methodName} method`,
    terms: hyps.map((h) => h.term),
    SumSq: rows.map((r) => r.SumSq),
    MeanSq: rows.map((r) => r.MeanSq),
    NumDF: rows.map((r) => r.NumDF),
    DenDF: rows.map((r) => r.DenDF),
    F: rows.map((r) => r.F),
    p: rows.map((r) => r.p),
  };
}

export interface ContestOptions {
  ddf?: DdfMethod | string;
  /** true (default, as lmerTest): one joint F test of all rows; false: a t test per row. */
  joint?: boolean;
}

/** lmerTest's contest(m, L): a joint F test of Lβ = 0 (default) or a t test per row (joint: false). */
export function contest(
  model: DdfModel,
  L: readonly ArrayLike<number>[] | ArrayLike<number>,
  options: ContestOptions & { joint: false },
): TTest[];
export function contest(
  model: DdfModel,
  L: readonly ArrayLike<number>[] | ArrayLike<number>,
  options?: ContestOptions,
): FTest;
export function contest(
  model: DdfModel,
  L: readonly ArrayLike<number>[] | ArrayLike<number>,
  options: ContestOptions = {},
): FTest | TTest[] {
  const rows: ArrayLike<number>[] =
    L.length > 0 && typeof (L as ArrayLike<unknown>)[0] === "number"
      ? [L as ArrayLike<number>]
      : Array.from(L as readonly ArrayLike<number>[]);
  const tests = contrastTests(model, method(options.ddf));
  if (options.joint === false) return rows.map((r) => tests.t(r));
  return tests.F(rows);
}

function formatStat(x: number, digits: number): string {
  if (!Number.isFinite(x)) return "NA";
  return String(Number(x.toPrecision(digits)));
}

/**
 * Header and rows in columns as lmerTest prints them: the first (names) and last (stars) left-aligned, the numbers
 * right-aligned, each column as wide as its widest cell.
 */
function tableLines(header: string[], body: string[][]): string[] {
  const widths = header.map((h, j) =>
    Math.max(h.length, maxOf(body.map((row) => (row[j] as string).length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, j) =>
        j === 0 || j === cells.length - 1 ? c.padEnd(widths[j] as number) : c.padStart(widths[j] as number),
      )
      .join(" ")
      .trimEnd();
  return [line(header), ...body.map(line)];
}

/** The table as lmerTest prints it (heading, then Sum Sq, Mean Sq, NumDF, DenDF, F value, Pr(>F) and stars). */
export function formatFixedAnova(table: FixedAnovaTable): string {
  const header = ["", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)", ""];
  const body = table.terms.map((term, i) => [
    term,
    formatStat(table.SumSq[i] as number, 5),
    formatStat(table.MeanSq[i] as number, 5),
    formatStat(table.NumDF[i] as number, 5),
    formatStat(table.DenDF[i] as number, 5),
    formatStat(table.F[i] as number, 4),
    formatPValue(table.p[i] as number),
    significanceStars(table.p[i] as number),
  ]);
  const out = [table.heading, ...tableLines(header, body)];
  if (body.length) out.push("---", SIGNIF_LEGEND);
  return out.join("\n");
}

/** The coefficient table as lmerTest's summary prints it (without the rest of the summary). */
export function formatCoefTable(table: CoefTable): string {
  const header = ["", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)", ""];
  const body = table.names.map((name, i) => [
    name,
    formatStat(table.estimate[i] as number, 6),
    formatStat(table.se[i] as number, 4),
    formatStat(table.df[i] as number, 5),
    formatStat(table.t[i] as number, 4),
    formatPValue(table.p[i] as number),
    significanceStars(table.p[i] as number),
  ]);
  return [
    `Fixed effects, t-tests with ${table.method}'s method:`,
    ...tableLines(header, body),
    "---",
    SIGNIF_LEGEND,
  ].join("\n");
}
