/**
 * Running power simulations: all of it on this machine (`powerSimulation`), one shard of it (`powerShard`), or
 * the merge of shards (`mergePowerShards`), the three reporting through ./power.ts's powerResult, so a merge
 * prints what the one-machine run prints. Replicate g = s·nsim + i is replicate i of size s (./power.ts).
 */
import { SpruceError } from "../errors.js";
import type { DataInput } from "../frame/frame.js";
import type { PoolResult, WorkerPool } from "../parallel/pool.js";
import { checkComplete } from "./boot-shard.js";
import { createWorkerPool, runJob } from "./bootstrap.js";
import {
  methodMessages,
  type PowerOptions,
  type PowerResult,
  type PreparedPower,
  powerResult,
  preparePower,
} from "./power.js";
import { POWER_WIDTH } from "./power-job.js";
import {
  type CombinedShards,
  formatRanges,
  type ShardFile,
  type ShardSelection,
  shardHeader,
  shardRange,
  shardReplicates,
} from "./shard.js";

export const POWER_SHARD_KIND = "power";

/**
 * Run replicates [first, first + count) of every size's job, sizes one after the other on one set of workers
 * (kept warm between sizes). Returns each size's run (indices within the size) or null where nothing ran.
 */
async function runSizes(
  prepared: PreparedPower,
  options: PowerOptions,
  range: { first: number; end: number },
): Promise<{ runs: (PoolResult | null)[]; workers: number }> {
  const { nsim, specs } = prepared;
  const total = range.end - range.first;
  let before = 0;
  const ownPool = options.workers !== 0 && !options.pool ? await createWorkerPool() : undefined;
  const pool: WorkerPool | undefined = options.pool ?? ownPool;
  const runs: (PoolResult | null)[] = [];
  let workers = 0;
  try {
    for (const [s, spec] of specs.entries()) {
      const first = Math.max(range.first, s * nsim);
      const end = Math.min(range.end, (s + 1) * nsim);
      if (end <= first || options.signal?.aborted) {
        runs.push(null);
        continue;
      }
      const done = before;
      const run = await runJob(
        spec,
        end - first,
        {
          ...options,
          ...(pool ? { pool } : {}),
          ...(options.onProgress ? { onProgress: (d: number) => options.onProgress?.(done + d, total) } : {}),
        },
        first - s * nsim,
      );
      workers = Math.max(workers, run.workers);
      before += end - first;
      runs.push(run);
    }
  } finally {
    ownPool?.close();
  }
  return { runs, workers };
}

/** Power by simulation on this machine: every size, every replicate. */
export async function powerSimulation(
  formula: string,
  data: DataInput,
  options: PowerOptions,
): Promise<PowerResult> {
  const t0 = performance.now();
  const prepared = await preparePower(formula, data, options);
  const { runs, workers } = await runSizes(prepared, options, {
    first: 0,
    end: prepared.nsim * prepared.specs.length,
  });
  const full = runs.map((r) => r ?? emptyRun(prepared.nsim));
  return powerResult(prepared, full, workers, performance.now() - t0);
}

function emptyRun(nsim: number): PoolResult {
  return {
    width: POWER_WIDTH,
    values: new Float64Array(nsim * POWER_WIDTH).fill(Number.NaN),
    status: new Uint8Array(nsim),
    failures: [],
    partial: true,
    completed: 0,
    workers: 0,
    restarts: 0,
  };
}

/** One shard of a power simulation, over the replicates of all sizes (nsim × sizes, numbered g = s·nsim + i). */
export async function powerShard(
  formula: string,
  data: DataInput,
  options: PowerOptions & { shard?: ShardSelection },
): Promise<ShardFile> {
  const t0 = performance.now();
  const prepared = await preparePower(formula, data, options);
  const { nsim } = prepared;
  const total = nsim * prepared.specs.length;
  const range = shardRange(options.shard ?? { index: 0, count: 1 }, total);
  const { runs, workers } = await runSizes(prepared, options, range);
  const replicates = runs.flatMap((run, s) => {
    if (!run) return [];
    const first = Math.max(range.first, s * nsim);
    const end = Math.min(range.end, (s + 1) * nsim);
    const failures = run.failures.map((f) => ({ index: f.index + s * nsim, message: f.message }));
    return shardReplicates({ first, end }, POWER_WIDTH, { ...run, failures });
  });
  return {
    ...shardHeader(
      POWER_SHARD_KIND,
      prepared.seed,
      total,
      POWER_WIDTH,
      prepared.dataHash,
      prepared.job,
      prepared.fitted,
    ),
    shard: range,
    replicates,
    workers,
    restarts: runs.reduce((sum, r) => sum + (r?.restarts ?? 0), 0),
    elapsedMs: performance.now() - t0,
  };
}

/** The one-machine power result of merged power shards (run fields: sums over the shards). */
export function mergePowerShards(c: CombinedShards, allowPartial = false): PowerResult {
  if (c.header.kind !== POWER_SHARD_KIND)
    throw new SpruceError(`merge: these are "${c.header.kind}" shards, not power shards`);
  checkComplete(c, allowPartial);
  const job = c.header.job;
  const sizes = job.sizes as (number | null)[];
  const nsim = c.header.nsim / sizes.length;
  if (!Number.isSafeInteger(nsim))
    throw new SpruceError("merge: power shard header: nsim is not a multiple of the sizes");
  const runs = sizes.map((_, s): PoolResult => {
    const status = c.status.subarray(s * nsim, (s + 1) * nsim);
    let completed = 0;
    for (const x of status) if (x !== 0) completed++;
    return {
      width: POWER_WIDTH,
      values: c.values.subarray(s * nsim * POWER_WIDTH, (s + 1) * nsim * POWER_WIDTH),
      status,
      failures: c.failures
        .filter((f) => f.index >= s * nsim && f.index < (s + 1) * nsim)
        .map((f) => ({ index: f.index - s * nsim, message: f.message })),
      partial: completed < nsim,
      completed,
      workers: c.workers,
      restarts: 0,
    };
  });
  const method = job.requestedMethod as PreparedPower["method"];
  const nobs = c.header.fitted.nobs as number[];
  const result = powerResult(
    {
      job,
      sizes,
      nobs,
      seed: c.header.seed,
      nsim,
      method,
      messages: methodMessages(method),
    },
    runs,
    c.workers,
    c.elapsedMs,
  );
  if (c.missing.length > 0)
    result.messages.push(`missing replicates (not in any shard): ${formatRanges(c.missing)}`);
  return result;
}
