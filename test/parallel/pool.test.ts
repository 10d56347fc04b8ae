/**
 * The worker pool on the self-test job (no model): determinism across worker counts, recovery from workers that
 * die or break, replicate-level failures, cancellation and progress. Workers run the built dist/parallel/worker.js
 * (`npm test` builds first; for a direct vitest run, `npx tsc -p tsconfig.build.json`).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { SpruceError } from "../../src/errors.js";
import { nodeWorkerFactory, nodeWorkerUrl } from "../../src/parallel/node.js";
import { runReplicates, WorkerPool } from "../../src/parallel/pool.js";
import type { SelfTestJobSpec } from "../../src/parallel/protocol.js";
import { RandomStream } from "../../src/random/stream.js";

const spec: SelfTestJobSpec = { kind: "selftest", seed: 2718, draws: 7 };

/** The self-test job's value for replicate k, computed here directly from the random stream. */
function expected(k: number): number {
  const rng = new RandomStream(spec.seed, k);
  let s = 0;
  for (let i = 0; i < spec.draws; i++) s += rng.nextNormal();
  return s;
}

beforeAll(() => {
  if (!existsSync(fileURLToPath(nodeWorkerUrl())))
    throw new Error("dist/parallel/worker.js is missing: run `npx tsc -p tsconfig.build.json` first");
});

describe("runReplicates", () => {
  it("gives bit-identical results for 0 (in-thread), 1, 2 and 3 workers, equal to the direct computation", async () => {
    const factory = nodeWorkerFactory();
    const runs = [];
    for (const workers of [0, 1, 2, 3])
      runs.push(await runReplicates({ spec, nsim: 50, workers, factory, batchSize: 4 }));
    for (const r of runs) {
      expect(r.partial).toBe(false);
      expect(r.completed).toBe(50);
      expect(r.failures).toEqual([]);
      expect(Array.from(r.values)).toEqual(Array.from((runs[0] as (typeof runs)[number]).values));
    }
    const first = runs[0] as (typeof runs)[number];
    for (let k = 0; k < 50; k++) {
      expect(first.values[2 * k]).toBe(expected(k));
      expect(first.values[2 * k + 1]).toBe(k);
    }
    expect(runs.map((r) => r.workers)).toEqual([0, 1, 2, 3]);
  });

  it("reruns the batch of a worker that dies mid-run (process exit) and still returns every replicate", async () => {
    const r = await runReplicates({
      spec: { ...spec, spinMs: 1 },
      faults: { atIndex: 21, mode: "exit" },
      nsim: 60,
      workers: 2,
      factory: nodeWorkerFactory(),
      batchSize: 4,
    });
    expect(r.restarts).toBe(1);
    expect(r.partial).toBe(false);
    expect(r.failures).toEqual([]);
    expect(Array.from(r.status).every((s) => s === 1)).toBe(true);
    for (let k = 0; k < 60; k++) expect(r.values[2 * k]).toBe(expected(k));
  });

  it("reruns a first batch (sent together with the job) whose worker dies or throws, in a replacement", async () => {
    for (const mode of ["exit", "throw"] as const) {
      const r = await runReplicates({
        spec: { ...spec, spinMs: 1 },
        faults: { atIndex: 1, mode },
        nsim: 20,
        workers: 2,
        factory: nodeWorkerFactory(),
        batchSize: 4,
      });
      expect(r.restarts).toBe(1);
      expect(r.failures).toEqual([]);
      for (let k = 0; k < 20; k++) expect(r.values[2 * k]).toBe(expected(k));
    }
  });

  it("replaces a worker whose batch call throws, and reruns that batch", async () => {
    const r = await runReplicates({
      spec,
      faults: { atIndex: 4, mode: "throw" },
      nsim: 30,
      workers: 2,
      factory: nodeWorkerFactory(),
      batchSize: 3,
    });
    expect(r.restarts).toBe(1);
    expect(r.failures).toEqual([]);
    for (let k = 0; k < 30; k++) expect(r.values[2 * k]).toBe(expected(k));
  });

  it("records replicates that throw as failures (index + message), keeps the others, and does not retry them", async () => {
    const r = await runReplicates({
      spec: { ...spec, failIndices: [3, 17] },
      nsim: 20,
      workers: 2,
      factory: nodeWorkerFactory(),
    });
    expect(r.failures.map((f) => f.index)).toEqual([3, 17]);
    expect(r.failures[0]?.message).toMatch(/replicate 3 failed on purpose/);
    expect(r.status[3]).toBe(2);
    expect(r.values[6]).toBeNaN();
    expect(r.values[8]).toBe(expected(4));
    expect(r.restarts).toBe(0);
    expect(r.partial).toBe(false);
  });

  it("stops on abort and returns the finished replicates, marked partial; unfinished ones are NaN with status 0", async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const r = await runReplicates({
      spec: { ...spec, spinMs: 2 },
      nsim: 2000,
      workers: 2,
      factory: nodeWorkerFactory(),
      batchSize: 5,
      signal: controller.signal,
      onProgress: (done) => {
        progress.push(done);
        if (done >= 40) controller.abort();
      },
    });
    expect(r.partial).toBe(true);
    expect(r.completed).toBeGreaterThanOrEqual(40);
    expect(r.completed).toBeLessThan(2000);
    expect(r.completed).toBe(progress[progress.length - 1]);
    let done = 0;
    for (let k = 0; k < 2000; k++) {
      if (r.status[k] === 1) {
        done++;
        expect(r.values[2 * k]).toBe(expected(k));
      } else {
        expect(r.status[k]).toBe(0);
        expect(r.values[2 * k]).toBeNaN();
      }
    }
    expect(done).toBe(r.completed);
  });

  it("aborts an in-thread run (workers: 0) between batches", async () => {
    const controller = new AbortController();
    const r = await runReplicates({
      spec,
      nsim: 100,
      workers: 0,
      batchSize: 10,
      signal: controller.signal,
      onProgress: (done) => done >= 30 && controller.abort(),
    });
    expect(r.partial).toBe(true);
    expect(r.completed).toBe(30);
  });

  it("reports progress monotonically up to the total", async () => {
    const seen: [number, number][] = [];
    await runReplicates({
      spec,
      nsim: 25,
      workers: 2,
      factory: nodeWorkerFactory(),
      batchSize: 4,
      onProgress: (d, t) => seen.push([d, t]),
    });
    expect(seen[seen.length - 1]).toEqual([25, 25]);
    for (let i = 1; i < seen.length; i++)
      expect((seen[i] as number[])[0]).toBeGreaterThan((seen[i - 1] as number[])[0] as number);
  });

  it("fails with a SpruceError when no worker can start", async () => {
    const factory = nodeWorkerFactory(new URL("./does-not-exist.js", import.meta.url));
    await expect(runReplicates({ spec, nsim: 4, workers: 2, factory })).rejects.toThrow(SpruceError);
  });

  it("rejects bad nsim and workers", async () => {
    await expect(runReplicates({ spec, nsim: 0, workers: 1 })).rejects.toThrow(/nsim must be an integer/);
    await expect(runReplicates({ spec, nsim: 3, workers: -1 })).rejects.toThrow(/workers must be an integer/);
  });
});

describe("WorkerPool", () => {
  it("lends the same warm workers to consecutive runs, with identical results, and closes them", async () => {
    const base = nodeWorkerFactory();
    let started = 0;
    const pool = new WorkerPool(() => {
      started++;
      return base();
    });
    try {
      const first = await runReplicates({ spec, nsim: 40, workers: 2, pool, batchSize: 4 });
      expect(started).toBe(2);
      expect(pool.size).toBe(2);
      const second = await runReplicates({ spec, nsim: 40, workers: 2, pool, batchSize: 4 });
      expect(started).toBe(2);
      expect(Array.from(second.values)).toEqual(Array.from(first.values));
      for (let k = 0; k < 40; k++) expect(first.values[2 * k]).toBe(expected(k));
    } finally {
      pool.close();
    }
    expect(pool.size).toBe(0);
  });

  it("drops a pooled worker that dies while idle and starts a fresh one for the next run", async () => {
    const pool = new WorkerPool(nodeWorkerFactory());
    try {
      await runReplicates({ spec, nsim: 8, workers: 1, pool, batchSize: 4 });
      const idle = pool.acquire();
      pool.release(idle);
      idle.terminate();
      await idle.exited.catch(() => {});
      expect(pool.size).toBe(0);
      const r = await runReplicates({ spec, nsim: 20, workers: 1, pool, batchSize: 4 });
      expect(r.failures).toEqual([]);
      expect(r.completed).toBe(20);
      for (let k = 0; k < 20; k++) expect(r.values[2 * k]).toBe(expected(k));
    } finally {
      pool.close();
    }
  });

  it("does not take back workers stopped by an abort", async () => {
    const pool = new WorkerPool(nodeWorkerFactory());
    const controller = new AbortController();
    try {
      const r = await runReplicates({
        spec: { ...spec, spinMs: 5 },
        nsim: 400,
        workers: 2,
        pool,
        batchSize: 2,
        signal: controller.signal,
        onProgress: (done) => {
          if (done >= 10) controller.abort();
        },
      });
      expect(r.partial).toBe(true);
      expect(pool.size).toBe(0);
    } finally {
      pool.close();
    }
  });
});
