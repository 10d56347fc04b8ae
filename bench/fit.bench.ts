/**
 * Fit times per conformance model (tinybench; ms). Two rows per model:
 * - `fit`: the whole call, as a user makes it: fit(formula, data) with the data already parsed (design, wasm
 *   engine with its sufficient statistics, optimisation, results);
 * - `optimise`: fitDesign on a design and engine built once (the optimiser and the kernels only), which is what a
 *   bootstrap refit pays.
 * Goal (issue 3): sitka_mm1_ml ≤ 1 ms median.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { buildDesign } from "../src/design/build.js";
import { designBuffers } from "../src/design/types.js";
import { fitDesign, fitMixed as fitLmm } from "../src/fit/fit.js";
import { createEngine } from "../src/fit/wasm-engine.js";
import { readCsv } from "../src/frame/csv.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures", "conformance");

interface Case {
  id: string;
  formula: string;
  REML: boolean;
  data: string;
}

export async function run(): Promise<void> {
  const cases: Case[] = readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("anova_") && !f.startsWith("extras_"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Case);
  const bench = new Bench({ time: 300, warmupTime: 100 });
  for (const c of cases) {
    const frame = readCsv(join(dir, c.data));
    const design = buildDesign(c.formula, frame);
    const engine = await createEngine(designBuffers(design));
    bench.add(`${c.id} fit`, async () => {
      const m = await fitLmm(c.formula, frame, { REML: c.REML });
      m.engine.dispose();
    });
    bench.add(`${c.id} optimise`, () => {
      fitDesign(design, engine, { REML: c.REML });
    });
  }
  await bench.run();
  const rows = bench.tasks.map((t) => {
    const latency = (
      t.result as unknown as { latency?: { p50?: number; p99?: number; samplesCount?: number } }
    ).latency;
    return {
      model: t.name,
      "median (ms)": Number((latency?.p50 ?? Number.NaN).toFixed(4)),
      "p99 (ms)": Number((latency?.p99 ?? Number.NaN).toFixed(4)),
      samples: latency?.samplesCount ?? 0,
    };
  });
  console.log("\nspruce fit times (tinybench)");
  console.table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
