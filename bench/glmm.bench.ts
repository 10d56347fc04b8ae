/**
 * GLMM fit times (issue 12): VerbAgg (`r2 ~ Anger + Gender + btype + situ + (1|id) + (1|item)`, binomial, Laplace;
 * 7,584 rows) and cbpp, fit only with the data in memory (`fit(formula, rows, { family: "binomial" })`), median of
 * a few runs beside lme4's and glmmTMB's medians recorded by test/fixtures/glmm/time-glmm.R (timings.json), and the
 * cbpp parametric bootstrap LRT (1000 replicates on 1 and 2 workers) beside lme4's. Those
 * were measured at another time on the same shared 2-core machine: compare with care. VerbAgg is also timed beside
 * lme4 and glmmTMB run in the same bench run (./glmm/verbagg-vs-r.ts, when R is installed): those ratios are the
 * ones to quote.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCsv } from "../src/frame/csv.js";
import { fitGlmm } from "../src/glmm/fit.js";
import { bootstrapLRT, createWorkerPool } from "../src/inference/bootstrap.js";
import { minOf } from "../src/util/extremes.js";
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

  // The cbpp parametric bootstrap LRT (null ~ 1 + (1|herd)): 1000 replicates on the worker pool, 1 and 2 fresh
  // workers (what `spruce boot --family binomial --workers W` pays, start-up included), median of a few runs;
  // lme4's 50 replicates (timings.json, serial refit() loop, another run) scaled to 1000.
  const boot = timings.bootstrapLRT;
  const cbpp = readCsv(join(dir, "data", "cbpp.csv"));
  const m0 = await fitGlmm(boot.null, cbpp, { family: "binomial" });
  const m1 = await fitGlmm(boot.alt, cbpp, { family: "binomial" });
  const nsim = 1000;
  const runs = Number(process.env.SPRUCE_BENCH_REPS ?? 3);
  await bootstrapLRT(m0, m1, { nsim: 50, seed: 1, workers: 1 }); // warm-up of this thread's code paths
  const bootRows = [];
  const stats: Float64Array[] = [];
  // Fresh workers (what `spruce boot` pays: thread start, module load, JIT warm-up) and a warm pool (what the web
  // page and any long-lived caller pay from the second run on), as bench/bootstrap.bench.ts does for the LMM.
  const pools = [await createWorkerPool(), await createWorkerPool()];
  for (const [workers, pool] of [
    [1, null],
    [2, null],
    [1, pools[0]],
    [2, pools[1]],
  ] as const) {
    const secs: number[] = [];
    const loadBefore = loadavg()[0] as number;
    let failed = 0;
    let p = Number.NaN;
    if (pool) await bootstrapLRT(m0, m1, { nsim: 200, seed: 1, workers, pool }); // warm the pool's workers
    for (let r = 0; r < runs; r++) {
      const res = await bootstrapLRT(m0, m1, { nsim, seed: 20261202, workers, ...(pool ? { pool } : {}) });
      secs.push(res.elapsedMs / 1000);
      failed = res.failures.count;
      p = res.pBootstrap;
      stats.push(res.stats);
    }
    bootRows.push({
      workers: `${workers}${pool ? " (warm pool)" : " (fresh)"}`,
      "spruce median (s)": Number(median(secs).toFixed(2)),
      "spruce min (s)": Number(minOf(secs).toFixed(2)),
      "lme4 1000 estimated (s, timings.json)": boot.estimatedSecondsFor1000,
      pBootstrap: Number(p.toPrecision(3)),
      failed,
      "load average (1 min) before": Number(loadBefore.toFixed(1)),
    });
  }
  for (const pool of pools) pool.close();
  // CPU time per replicate on the calling thread (process.cpuUsage: this process's CPU seconds, which on a machine
  // shared by others grow far less with the load than wall time does): what one unloaded core would take.
  const cpu0 = process.cpuUsage();
  const inThread = await bootstrapLRT(m0, m1, { nsim: 200, seed: 20261202, workers: 0 });
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerReplicate = (cpu.user + cpu.system) / 1000 / 200;
  stats.push(inThread.stats);
  // Replicate k is the same number in every run (the in-thread run's 200 are the first 200 of the others).
  const ref = stats[0] as Float64Array;
  const identical = stats.every((s) => s.every((v, i) => Object.is(v, ref[i])));
  console.log(
    `\nGLMM bootstrap LRT, cbpp, ${nsim} replicates, median of ${runs} runs (2 shared cores: noisy); ` +
      `stats identical across runs and worker counts: ${identical}`,
  );
  console.table(bootRows);
  console.log(
    `  CPU time per replicate on the calling thread: ${cpuMsPerReplicate.toFixed(2)} ms ` +
      `(wall ${(inThread.elapsedMs / 200).toFixed(2)} ms): 1000 replicates ≈ ${cpuMsPerReplicate.toFixed(1)} s of CPU, ` +
      `≈ ${(cpuMsPerReplicate / 2).toFixed(1)} s on two otherwise idle cores (plus worker start-up)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
