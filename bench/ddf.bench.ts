/**
 * Satterthwaite and Kenward–Roger tables on a 5,000-row crossed model (100 subjects × 50 items,
 * y ~ cond*x + (1 + x|subj) + (1|item), REML; data made by bench/ddf/make-data.R), from the fitted model as lmerTest
 * and pbkrtest start: the coefficient table (one t test per fixed effect) plus the type III anova table.
 * lmerTest's and pbkrtest's times on the same data come from bench/ddf/r-timings.R (see the closing note of
 * issue 14 for the figures measured on the development machine).
 * Goal (issue 14): ≥ 20× faster than lmerTest's Satterthwaite and ≥ 100× faster than pbkrtest's Kenward–Roger.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { fit } from "../src/fit/fit.js";
import { readCsv } from "../src/frame/csv.js";
import { coefTable, contrastTests, fixedEffectsAnova } from "../src/inference/ddf/index.js";

const data = join(dirname(fileURLToPath(import.meta.url)), "ddf", "crossed5000.csv");
export const DDF_BENCH_FORMULA = "y ~ cond*x + (1 + x|subj) + (1|item)";

export async function run(): Promise<void> {
  const model = await fit(DDF_BENCH_FORMULA, readCsv(data));
  const bench = new Bench({ time: 2000, warmupTime: 200 });
  const tables = (ddf: "Satterthwaite" | "Kenward-Roger") => () => {
    // One set-up (vcov_varpar and the Jacobian, or vcovAdj) for both tables, as lmerTest's coerced model.
    const tests = contrastTests(model, ddf);
    coefTable(model, ddf, tests);
    fixedEffectsAnova(model, { type: 3, ddf, tests });
  };
  for (const ddf of ["Satterthwaite", "Kenward-Roger"] as const)
    bench.add(`${ddf}: coefficient table + type III anova`, tables(ddf));
  await bench.run();
  // CPU time per run as well: on a shared machine wall time inflates with the load (r-timings.R prints both).
  const cpuMs = (f: () => void, runs = 20) => {
    const start = process.cpuUsage();
    for (let i = 0; i < runs; i++) f();
    const d = process.cpuUsage(start);
    return (d.user + d.system) / 1000 / runs;
  };
  const cpu = [cpuMs(tables("Satterthwaite")), cpuMs(tables("Kenward-Roger"))];
  const rows = bench.tasks.map((t, i) => {
    const latency = (
      t.result as unknown as { latency?: { p50?: number; p99?: number; samplesCount?: number } }
    ).latency;
    return {
      task: t.name,
      "median (ms)": Number((latency?.p50 ?? Number.NaN).toFixed(3)),
      "p99 (ms)": Number((latency?.p99 ?? Number.NaN).toFixed(3)),
      "cpu per run (ms)": Number((cpu[i] as number).toFixed(3)),
      samples: latency?.samplesCount ?? 0,
    };
  });
  console.log(`\nspruce ddf tables, ${model.nobs} rows, ${DDF_BENCH_FORMULA} (tinybench)`);
  console.table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
