/**
 * The headline benchmark: wall time of the 1000-replicate parametric bootstrap of the Sitka likelihood-ratio test
 * (2000 ML refits) with 1 and 2 workers, and the speed-up (tinybench; each sample is one full `bootstrapLRT`).
 * - `cold`: what `spruce boot` pays: workers started for the run (thread start, module load, JIT warm-up,
 *   transfer of the model, all refits) and stopped after it.
 * - `warm pool`: what the web page and any long-lived caller pay from the second run on: the same workers are
 *   lent to every run (`createWorkerPool`), so their compiled code is warm.
 * Goal on the 2-core machine: ≤ 1.5 s with 2 workers, ≥ 1.8× from 1 to 2 workers. lme4 needs about 190 s.
 */
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { fit as fitModel } from "../src/fit/fit.js";
import { readCsv } from "../src/frame/csv.js";
import { bootstrapLRT, createWorkerPool } from "../src/inference/bootstrap.js";

const NULL_MODEL = "size ~ time+I(time^2) + (time+I(time^2)|tree)";
const ALT_MODEL = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";

export async function run(options: { iterations?: number; nsim?: number } = {}): Promise<void> {
  const iterations = options.iterations ?? Number(process.env.SPRUCE_BENCH_REPS ?? 5);
  const nsim = options.nsim ?? 1000;
  const data = readCsv(fileURLToPath(new URL("../examples/sitka.csv", import.meta.url)));
  const m0 = await fitModel(NULL_MODEL, data, { REML: false });
  const m1 = await fitModel(ALT_MODEL, data, { REML: false });
  const pools = [await createWorkerPool(), await createWorkerPool()];
  const pValues = new Map<string, number>();
  const bench = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 });
  for (const workers of [1, 2]) {
    const add = (name: string, pool?: (typeof pools)[number]) =>
      bench.add(name, async () => {
        const r = await bootstrapLRT(m0, m1, { nsim, seed: 1, workers, ...(pool ? { pool } : {}) });
        if (r.failures.count > 0) throw new Error(`${r.failures.count} failed replicates in "${name}"`);
        pValues.set(name, r.pBootstrap);
      });
    add(`cold, ${workers} worker${workers > 1 ? "s" : ""}`);
    add(`warm pool, ${workers} worker${workers > 1 ? "s" : ""}`, pools[workers - 1]);
  }
  try {
    await bench.run();
  } finally {
    for (const pool of pools) pool.close();
  }
  const median = (name: string): number => {
    const task = bench.tasks.find((t) => t.name === name);
    return (task?.result as { latency?: { p50?: number } } | undefined)?.latency?.p50 ?? Number.NaN;
  };
  console.log(
    `\nbootstrap: Sitka LRT, ${nsim} replicates (${2 * nsim} ML refits), median of ${iterations} runs`,
  );
  console.table(
    bench.tasks.map((t) => {
      const latency = (t.result as { latency?: { p50?: number; min?: number; max?: number } } | undefined)
        ?.latency;
      return {
        run: t.name,
        "median (ms)": Math.round(latency?.p50 ?? Number.NaN),
        "min (ms)": Math.round(latency?.min ?? Number.NaN),
        "max (ms)": Math.round(latency?.max ?? Number.NaN),
        pBootstrap: pValues.get(t.name),
      };
    }),
  );
  for (const kind of ["cold", "warm pool"]) {
    const one = median(`${kind}, 1 worker`);
    const two = median(`${kind}, 2 workers`);
    console.log(
      `${kind}: speed-up 1 → 2 workers ${(one / two).toFixed(2)}× (goal ≥ 1.8×); 2 workers ${(two / 1000).toFixed(2)} s (goal ≤ 1.5 s)`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
