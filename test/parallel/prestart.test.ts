/**
 * Workers started ahead of their job (WorkerPool.prestart) and their warm-up on the built-in job: same numbers as
 * fresh workers and as the calling thread, every replicate of the warm-up job itself succeeds, and a worker that
 * is warming up takes its real job at once. Workers run the built dist/parallel/worker.js (`npm test` builds).
 */
import { describe, expect, it } from "vitest";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { bootstrapLRT, createWorkerPool } from "../../src/inference/bootstrap.js";
import { buildModelJob } from "../../src/inference/model-jobs.js";
import { WARM_UP_REPLICATES, warmUpJobSpec } from "../../src/inference/warm-up-job.js";
import { createJob, runBatch } from "../../src/parallel/job.js";
import { nodeWorkerFactory } from "../../src/parallel/node.js";
import { WorkerPool } from "../../src/parallel/pool.js";
import { compileKernels, instantiateKernels } from "../../src/wasm/load.js";
import { fitModel, fixtureData, SLEEP_INT, SLEEP_SLOPE } from "../inference/fit-models.js";

const sleep = fixtureData("sleepstudy");
const m0 = await fitModel(SLEEP_INT, sleep, false);
const m1 = await fitModel(SLEEP_SLOPE, sleep, false);

describe("warm-up job", () => {
  it("is a valid likelihood-ratio job whose replicates all succeed (it exercises the refits, not the failures)", async () => {
    const module = await compileKernels();
    const job = createJob(
      warmUpJobSpec(),
      (b) => createWasmEngine(instantiateKernels(module), b),
      buildModelJob,
    );
    try {
      const batch = runBatch(job, 0, WARM_UP_REPLICATES);
      expect(batch.failures).toEqual([]);
      for (let k = 0; k < WARM_UP_REPLICATES; k++) {
        const t = batch.values[k * job.width] as number;
        // T* = d0 − d1 of nested ML fits: finite, and ≥ 0 up to the optimiser's tolerance.
        expect(Number.isFinite(t)).toBe(true);
        expect(t).toBeGreaterThan(-1e-6);
      }
    } finally {
      job.dispose();
    }
  });
});

describe("WorkerPool.prestart", () => {
  it("starts the workers ahead, and a run on them gives the same statistics as the calling thread", async () => {
    const pool = await createWorkerPool();
    try {
      pool.prestart(2, await compileKernels());
      expect(pool.size).toBe(2);
      // Asking again for as many (or fewer) starts nothing more.
      pool.prestart(2, await compileKernels());
      pool.prestart(1);
      expect(pool.size).toBe(2);
      const warm = await bootstrapLRT(m0, m1, { nsim: 30, seed: 5150, workers: 2, pool });
      const here = await bootstrapLRT(m0, m1, { nsim: 30, seed: 5150, workers: 0 });
      expect(warm.failures.count).toBe(0);
      expect(Array.from(warm.stats)).toEqual(Array.from(here.stats));
      expect(warm.restarts).toBe(0);
      // Both workers went back to the pool after the run.
      expect(pool.size).toBe(2);
    } finally {
      pool.close();
    }
  });

  it("a worker still warming up answers init and runs its real job (the warm-up yields to it)", async () => {
    const handle = nodeWorkerFactory()();
    try {
      const warming = handle.api.warmUp(await compileKernels());
      const width = await handle.api.init({ kind: "selftest", seed: 3, draws: 2 }, null, 0);
      expect(width).toBe(2);
      const batch = await handle.api.run(0, 4);
      expect(Array.from(batch.values).filter((_, i) => i % 2 === 1)).toEqual([0, 1, 2, 3]);
      await warming;
    } finally {
      handle.terminate();
    }
  });

  it("createWorkerPool({ prestart }) starts the workers at once; a bad count is refused", async () => {
    const pool = await createWorkerPool({ prestart: 1 });
    try {
      expect(pool.size).toBe(1);
      const r = await bootstrapLRT(m0, m1, { nsim: 6, seed: 77, workers: 1, pool });
      expect(r.failures.count).toBe(0);
      expect(r.restarts).toBe(0);
    } finally {
      pool.close();
    }
    await expect(createWorkerPool({ prestart: -1 })).rejects.toThrow(
      /prestart must be a non-negative integer/,
    );
  });

  it("tolerates a factory that throws (the run then reports that no worker could start)", async () => {
    const pool = new WorkerPool(() => {
      throw new Error("no threads here");
    });
    pool.prestart(2);
    expect(pool.size).toBe(0);
    await expect(bootstrapLRT(m0, m1, { nsim: 4, seed: 1, workers: 1, pool })).rejects.toThrow(
      /could not start any bootstrap worker: no threads here/,
    );
  });
});
