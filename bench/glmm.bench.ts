/**
 * GLMM fit times (issue 12): VerbAgg (`r2 ~ Anger + Gender + btype + situ + (1|id) + (1|item)`, binomial, Laplace;
 * 7,584 rows) and cbpp, fit only with the data in memory (`fit(formula, rows, { family: "binomial" })`), median of
 * a few runs beside lme4's and glmmTMB's medians recorded by test/fixtures/glmm/time-glmm.R (timings.json), and the
 * cbpp parametric bootstrap LRT (50 replicates, one thread) beside lme4's. Those
 * were measured at another time on the same shared 2-core machine: compare with care. VerbAgg is also timed beside
 * lme4 and glmmTMB run in the same bench run (./glmm/verbagg-vs-r.ts, when R is installed): those ratios are the
 * ones to quote.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCsv } from "../src/frame/csv.js";
import { glmmBootstrapLRT } from "../src/glmm/bootstrap.js";
import { fitGlmm } from "../src/glmm/fit.js";
import { verbaggBesideR } from "./glmm/verbagg-vs-r.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures", "glmm");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

export async function run(): Promise<void> {
  // VerbAgg beside lme4 and glmmTMB timed in this run (when R is installed), with the ratios.
  const verbagg = JSON.parse(readFileSync(join(dir, "verbagg_binomial.json"), "utf8"));
  await verbaggBesideR(verbagg.formula, readCsv(join(dir, verbagg.data)), verbagg.logLik);
  const timings = JSON.parse(readFileSync(join(dir, "timings.json"), "utf8"));
  const cases = [
    {
      id: "verbagg_binomial",
      runs: 3,
      lme4: timings.verbagg.lme4.medianSeconds,
      tmb: timings.verbagg.glmmTMB.medianSeconds,
    },
    { id: "cbpp_binomial", runs: 10, lme4: null, tmb: null },
  ];
  const rows = [];
  for (const c of cases) {
    const fx = JSON.parse(readFileSync(join(dir, `${c.id}.json`), "utf8"));
    const data = readCsv(join(dir, fx.data));
    await fitGlmm(fx.formula, data, { family: fx.family }); // warm-up
    const secs: number[] = [];
    let logLik = 0;
    for (let r = 0; r < c.runs; r++) {
      const t0 = performance.now();
      const m = await fitGlmm(fx.formula, data, { family: fx.family });
      secs.push((performance.now() - t0) / 1000);
      logLik = m.logLik();
    }
    rows.push({
      model: c.id,
      "spruce median (s)": Number(median(secs).toFixed(3)),
      "lme4 median (s, timings.json)": c.lme4 ?? "",
      "glmmTMB median (s, timings.json)": c.tmb ?? "",
      "logLik spruce − lme4": Number((logLik - fx.logLik).toExponential(2)),
    });
  }
  console.log(
    "\nGLMM fit times (spruce now; lme4/glmmTMB from timings.json, another run on a shared machine)",
  );
  console.table(rows);

  // The cbpp parametric bootstrap LRT (null ~ 1 + (1|herd)), 50 replicates as time-glmm.R times lme4's.
  const boot = timings.bootstrapLRT;
  const cbpp = readCsv(join(dir, "data", "cbpp.csv"));
  const m0 = await fitGlmm(boot.null, cbpp, { family: "binomial" });
  const m1 = await fitGlmm(boot.alt, cbpp, { family: "binomial" });
  const r = await glmmBootstrapLRT(m0, m1, { nsim: 50, seed: 1 });
  console.log("\nGLMM bootstrap LRT, cbpp, 50 replicates (one thread; lme4 from timings.json, another run)");
  console.table([
    {
      "spruce (s)": Number((r.elapsedMs / 1000).toFixed(2)),
      "spruce, 1000 estimated (s)": Number(((r.elapsedMs / 1000) * 20).toFixed(1)),
      "lme4 50 (s)": boot.seconds,
      "lme4 1000 estimated (s)": boot.estimatedSecondsFor1000,
      failed: r.failures.count,
    },
  ]);
}
