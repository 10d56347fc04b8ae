/**
 * The headline benchmark: wall time of the 1000-replicate parametric bootstrap of the Sitka likelihood-ratio test
 * (2000 ML refits) with 1 and 2 workers, and the speed-up. Each timing is one full `bootstrapLRT` call (worker
 * start-up, transfer of the model, all refits); the median of a few repetitions is reported.
 * Goal on the 2-core machine: ≤ 1.5 s with 2 workers, ≥ 1.8× from 1 to 2 workers. lme4 needs about 190 s.
 */
import { fileURLToPath } from "node:url";
import { fit as fitModel } from "../src/fit/fit.js";
import { readCsv } from "../src/frame/csv.js";
import { bootstrapLRT } from "../src/inference/bootstrap.js";

const NULL_MODEL = "size ~ time+I(time^2) + (time+I(time^2)|tree)";
const ALT_MODEL = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export async function run(options: { repetitions?: number; nsim?: number } = {}): Promise<void> {
  const repetitions = options.repetitions ?? Number(process.env.SPRUCE_BENCH_REPS ?? 3);
  const nsim = options.nsim ?? 1000;
  const data = readCsv(fileURLToPath(new URL("../examples/sitka.csv", import.meta.url)));
  const m0 = await fitModel(NULL_MODEL, data, { REML: false });
  const m1 = await fitModel(ALT_MODEL, data, { REML: false });
  const rows: { workers: number; medianMs: number; minMs: number; maxMs: number; pBootstrap: number }[] = [];
  for (const workers of [1, 2]) {
    const times: number[] = [];
    let p = Number.NaN;
    for (let i = 0; i < repetitions; i++) {
      const t0 = performance.now();
      const r = await bootstrapLRT(m0, m1, { nsim, seed: 1, workers });
      times.push(performance.now() - t0);
      p = r.pBootstrap;
      if (r.failures.count > 0)
        console.warn(`${r.failures.count} failed replicates with ${workers} worker(s)`);
    }
    rows.push({
      workers,
      medianMs: median(times),
      minMs: Math.min(...times),
      maxMs: Math.max(...times),
      pBootstrap: p,
    });
  }
  console.log(
    `\nbootstrap: Sitka LRT, ${nsim} replicates (${2 * nsim} ML refits), median of ${repetitions} runs`,
  );
  console.table(
    rows.map((r) => ({
      ...r,
      medianMs: Math.round(r.medianMs),
      minMs: Math.round(r.minMs),
      maxMs: Math.round(r.maxMs),
    })),
  );
  const speedup = (rows[0] as (typeof rows)[number]).medianMs / (rows[1] as (typeof rows)[number]).medianMs;
  const twoWorkers = (rows[1] as (typeof rows)[number]).medianMs / 1000;
  console.log(
    `speed-up 1 → 2 workers: ${speedup.toFixed(2)}× (goal ≥ 1.8×); 2 workers: ${twoWorkers.toFixed(2)} s (goal ≤ 1.5 s)`,
  );
}
