// Child of bench/cold.bench.ts: the Sitka bootstrap (1000 replicates) on a WARM pool, alternating one and two
// workers in one process, after one run that warms both workers. It measures how the machine itself scales the
// replicates from one core to two, with no start-up in the way: the reference for the cold figures.
// Prints JSON: { one: [ms...], two: [ms...] } (each run's elapsedMs).
import { fileURLToPath } from "node:url";

const rounds = Number(process.argv[2] ?? 5);
const { bootstrapLRT, createWorkerPool, fit, readCsv } = await import("../dist/index.js");
const data = readCsv(fileURLToPath(new URL("../examples/sitka.csv", import.meta.url)));
const m0 = await fit("size ~ time+I(time^2) + (time+I(time^2)|tree)", data);
const m1 = await fit("size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)", data);
const pool = await createWorkerPool({ prestart: 2 });
try {
  await bootstrapLRT(m0, m1, { nsim: 2000, seed: 1, workers: 2, pool });
  const times = { one: [], two: [] };
  for (let k = 0; k < rounds; k++)
    for (const workers of k % 2 === 0 ? [1, 2] : [2, 1]) {
      const r = await bootstrapLRT(m0, m1, { nsim: 1000, seed: 100 + k, workers, pool });
      times[workers === 1 ? "one" : "two"].push(r.elapsedMs);
    }
  console.log(JSON.stringify(times));
} finally {
  pool.close();
}
