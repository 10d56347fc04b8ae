/**
 * A pool of workers that runs the replicates of one job and returns their results by index.
 *
 * Scheduling: the replicates are cut into contiguous batches (./batches.ts: guided sizes, large first, small at
 * the end); each worker holds the batch it runs and the next one (IN_FLIGHT), and is sent another as soon as
 * one comes back (load balancing without any shared state). A replicate's result depends only on (spec, index),
 * so the output is identical for any number of workers, any batch sizes and any order of completion.
 *
 * Faults: a batch whose worker dies or whose call rejects goes back to the front of the queue and the slot starts
 * a replacement worker (with a fresh id). A batch that has broken `maxBatchAttempts` workers is recorded as failed
 * (every replicate in it, with the message), never silently dropped. A replicate that throws inside a healthy
 * worker is a replicate failure (deterministic: rerunning it would fail again) and is recorded as such.
 *
 * Cancellation: when `signal` aborts, the workers are terminated at once (a refit cannot be interrupted any other
 * way) and the result holds the replicates finished so far, with `partial: true`.
 */

import type { Remote } from "comlink";
import { transfer as comlinkTransfer } from "comlink/dist/esm/comlink.mjs";
import { SpruceError } from "../errors.js";
import { BatchQueue } from "./batches.js";
import { createJob, type EngineFactory, type ModelJobBuilder, runBatch } from "./job.js";
import type { BatchResult, FaultPlan, JobSpec, WorkerApi } from "./protocol.js";

/** A started worker: its Comlink proxy, a promise that rejects when it dies, and a way to stop it. */
export interface WorkerHandle {
  api: Remote<WorkerApi>;
  /** Rejects (never resolves) when the worker exits or reports an uncaught error. */
  exited: Promise<never>;
  terminate(): void;
  /**
   * Whether this worker keeps the process alive (Node's ref/unref; absent in browsers). A pool's idle workers do
   * not, so a program that forgets `close()` (or never uses the workers it started ahead) still exits.
   */
  hold?(keep: boolean): void;
}

/** Starts one worker running src/parallel/worker.ts (built): one factory per environment (Node, browser). */
export type WorkerFactory = () => WorkerHandle;

/**
 * Workers kept alive between runs. A fresh worker spends its first few hundred replicates in V8's interpreter and
 * baseline tiers while the optimising compiler catches up (on a 2-core machine, with both cores busy refitting,
 * that warm-up costs about as much as the replicates themselves). A page or service that bootstraps more than
 * once hands the same pool to every run, so later runs start on warm workers. A worker that dies while idle is
 * noticed on its next batch and replaced like any other dead worker.
 */
export class WorkerPool {
  private readonly idle: WorkerHandle[] = [];

  constructor(private readonly factory: WorkerFactory) {}

  /** An idle worker, or a new one. */
  acquire(): WorkerHandle {
    const handle = this.idle.pop();
    if (!handle) return this.factory();
    handle.hold?.(true);
    return handle;
  }

  /** Give back a healthy worker for the next run; it leaves the pool by itself if it dies while idle. */
  release(handle: WorkerHandle): void {
    handle.hold?.(false);
    this.idle.push(handle);
    handle.exited.catch(() => {
      const at = this.idle.indexOf(handle);
      if (at >= 0) this.idle.splice(at, 1);
    });
  }

  /**
   * Start workers now, up to `count` idle ones, so that they load their code while the caller does something else
   * (reads the data, fits the models): a run that then borrows them skips the start-up. With the compiled kernels
   * they also warm up on a small built-in job until their first `init` (see the worker's `warmUp`), so the first
   * replicates of the run do not pay V8's tier-up either. Starting is best-effort: a worker that cannot start or
   * warm up is noticed (and replaced) by the run that borrows it.
   */
  prestart(count: number, wasmModule?: WebAssembly.Module | null): void {
    for (let k = this.idle.length; k < count; k++) {
      let handle: WorkerHandle;
      try {
        handle = this.factory();
      } catch {
        return;
      }
      this.release(handle);
      // Optional: a wrapped API (a page counting replicates) may not forward it.
      if (wasmModule && typeof handle.api.warmUp === "function")
        handle.api.warmUp(wasmModule).catch(() => {});
    }
  }

  /** Number of idle workers. */
  get size(): number {
    return this.idle.length;
  }

  /** Stop every idle worker (workers lent to a run in progress stop when that run gives them back). */
  close(): void {
    for (const handle of this.idle.splice(0)) handle.terminate();
  }
}

export interface PoolOptions {
  spec: JobSpec;
  nsim: number;
  /**
   * Index of the first replicate to run (default 0): the run covers replicates first..first+nsim−1 (one shard of
   * a larger run, see src/inference/shard.ts). Results stay by position: `values`, `status` hold replicate
   * first+k at k; `failures` name the replicates by their own (global) index.
   */
  first?: number;
  /** Number of workers; 0 runs every replicate on the calling thread (no workers). */
  workers: number;
  /** How to start a worker; required when workers > 0, unless `pool` is given. */
  factory?: WorkerFactory;
  /** Warm workers to borrow (and give back when the run ends) instead of starting and stopping fresh ones. */
  pool?: WorkerPool;
  /** The compiled kernels, sent once to each worker (null for the self-test job). */
  wasmModule?: WebAssembly.Module | null;
  /** For workers: 0: how to build engines and model jobs on this thread. */
  inProcess?: { createEngine: EngineFactory; buildModelJob: ModelJobBuilder };
  /** Replicates per batch (default: guided, see ./batches.ts: about 1/(2·workers) of what remains, 4…64). */
  batchSize?: number;
  /** How many workers one batch may break before its replicates are recorded as failed (default 3). */
  maxBatchAttempts?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Test hook: make the worker that first runs replicate `atIndex` die or throw (ignored for workers: 0). */
  faults?: FaultPlan;
}

export interface PoolResult {
  /** Values per replicate. */
  width: number;
  /** values[k · width + j]; NaN for replicates that failed or did not run. */
  values: Float64Array;
  /** Per replicate: 0 not run (aborted), 1 done, 2 failed. */
  status: Uint8Array;
  failures: { index: number; message: string }[];
  /** True when the run was aborted before every replicate finished. */
  partial: boolean;
  /** Replicates that finished (done or failed). */
  completed: number;
  /** Workers used (0: the calling thread). */
  workers: number;
  /** Workers that died or broke and were replaced. */
  restarts: number;
}

/**
 * Copy every typed array of `value` (recursively) and list the copies' buffers, so the spec can be transferred to
 * a worker without detaching the caller's arrays.
 */
export function copyForTransfer<T>(
  value: T,
  transfer: ArrayBuffer[] = [],
): { value: T; transfer: ArrayBuffer[] } {
  const walk = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) {
      const copy = (v as unknown as { slice(): ArrayBufferView }).slice();
      transfer.push(copy.buffer as ArrayBuffer);
      return copy;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object" && !(v instanceof WebAssembly.Module)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return { value: walk(value) as T, transfer };
}

const ABORTED = Symbol("aborted");

/**
 * Batches a worker holds at once: the one it runs and the next, already in its message queue. Measured on a cold
 * two-worker Sitka bootstrap on 2 cores: waiting for each answer before sending the next batch left each worker
 * idle for the round trip through this thread, which then has no core of its own (~1-10 ms per batch).
 */
const IN_FLIGHT = 2;

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw new SpruceError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

export async function runReplicates(options: PoolOptions): Promise<PoolResult> {
  const nsim = checkCount("nsim", options.nsim, 1);
  const workers = checkCount("workers", options.workers, 0);
  const batchSize =
    options.batchSize === undefined ? undefined : checkCount("batchSize", options.batchSize, 1);
  const offset = checkCount("first", options.first ?? 0, 0);
  const maxAttempts = options.maxBatchAttempts ?? 3;
  const { onProgress } = options;
  // The run stops on the caller's signal, or when the caller's onProgress throws: that error is the caller's, so
  // the run ends and rethrows it, rather than blaming (and killing) the healthy worker whose batch it was.
  const stop = new AbortController();
  const signal = stop.signal;
  let callerError: { error: unknown } | null = null;
  if (options.signal?.aborted) stop.abort();
  options.signal?.addEventListener("abort", () => stop.abort(), { once: true });

  const status = new Uint8Array(nsim);
  const failures: PoolResult["failures"] = [];
  let values: Float64Array | null = null;
  let width = 0;
  let completed = 0;
  let restarts = 0;

  const record = (batch: BatchResult, w: number): void => {
    if (!values) {
      width = w;
      values = new Float64Array(nsim * w).fill(Number.NaN);
    }
    if (batch.values.length !== batch.count * width) throw new Error("replicate batch of the wrong width");
    // A batch is counted once, whatever happens to it afterwards.
    const start = batch.first - offset;
    let fresh = 0;
    for (let k = start; k < start + batch.count; k++) if (status[k] === 0) fresh++;
    if (fresh === 0) return;
    values.set(batch.values, start * width);
    for (let k = start; k < start + batch.count; k++) status[k] = 1;
    for (const f of batch.failures) {
      status[f.index - offset] = 2;
      failures.push(f);
    }
    completed += fresh;
    if (onProgress && !callerError)
      try {
        onProgress(completed, nsim);
      } catch (error) {
        callerError = { error };
        stop.abort();
      }
  };

  const queue = new BatchQueue(offset, nsim, Math.max(1, workers), batchSize);

  if (workers === 0) {
    if (!options.inProcess && options.spec.kind !== "selftest")
      throw new SpruceError("workers: 0 needs an in-process engine factory");
    const job = createJob(
      options.spec,
      options.inProcess?.createEngine ?? null,
      options.inProcess?.buildModelJob ?? null,
    );
    try {
      for (let batch = queue.take(); batch; batch = queue.take()) {
        const [first, count] = batch;
        if (signal?.aborted) break;
        record(runBatch(job, first, count), job.width);
        // Let the event loop breathe between batches so an abort (or a progress repaint) can happen.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } finally {
      job.dispose();
    }
  } else {
    const { pool } = options;
    const factory = options.factory;
    if (!factory && !pool)
      throw new SpruceError("a worker factory or pool is needed to run with workers > 0");
    const acquire = (): WorkerHandle => (pool ? pool.acquire() : (factory as WorkerFactory)());
    const attempts = new Map<number, number>();
    let pendingFault = options.faults ?? null;
    let nextWorkerId = 0;
    let lastStartError: unknown = null;
    let started = 0;
    const live = new Set<WorkerHandle>();
    const aborted = new Promise<typeof ABORTED>((resolve) => {
      if (signal?.aborted) resolve(ABORTED);
      signal?.addEventListener("abort", () => resolve(ABORTED), { once: true });
    });

    /** Arm the test fault in the worker about to run `batch`, if it is the fault's batch (once per run). */
    const armFault = (handle: WorkerHandle, batch: [number, number]): Promise<void> | null => {
      if (!pendingFault || pendingFault.atIndex < batch[0] || pendingFault.atIndex >= batch[0] + batch[1])
        return null;
      // Armed once, in the first worker sent this batch: its replacement and the rerun run clean.
      const armed = handle.api.setFault(pendingFault);
      pendingFault = null;
      return armed;
    };

    /**
     * Start a worker on the job and send it its first batch at once, behind the job: a worker takes its messages
     * in order, so the batch runs as soon as the job is set up, without a round trip between the two (measured
     * on the cold Sitka bootstrap: 3-7 ms before the first replicate). If the set-up fails, the batch is refused
     * by the worker too ("used before init") and given back by the caller.
     */
    const start = async (
      batch: [number, number],
    ): Promise<{ handle: WorkerHandle; width: number; firstRun: Promise<BatchResult> }> => {
      const handle = acquire();
      live.add(handle);
      const { value: spec, transfer } = copyForTransfer(options.spec);
      const id = nextWorkerId++;
      const ready = handle.api.init(comlinkTransfer(spec, transfer), options.wasmModule ?? null, id);
      armFault(handle, batch)?.catch(() => {});
      const firstRun = handle.api.run(batch[0], batch[1]);
      // Awaited by the caller once the worker has started; a worker that fails to start rejects it unawaited.
      firstRun.catch(() => {});
      try {
        const w = await Promise.race([ready, handle.exited]);
        started++;
        return { handle, width: w, firstRun };
      } catch (error) {
        handle.terminate();
        live.delete(handle);
        throw error;
      }
    };

    const slot = async (): Promise<void> => {
      let current: { handle: WorkerHandle; width: number } | null = null;
      let consecutiveStartFailures = 0;
      // Batches sent to the current worker and not answered yet, oldest first (a worker runs them in order). Only
      // the oldest can be running; the others have not started, so they go back to the queue untouched when the
      // worker dies or the run stops.
      const inflight: { batch: [number, number]; result: Promise<BatchResult> }[] = [];
      const send = (to: { handle: WorkerHandle }, batch: [number, number]): void => {
        armFault(to.handle, batch)?.catch(() => {});
        const result = to.handle.api.run(batch[0], batch[1]);
        // Awaited in turn; a batch behind one that broke its worker is given back and its answer never awaited.
        result.catch(() => {});
        inflight.push({ batch, result });
      };
      const giveBackInflight = (): void => {
        for (let k = inflight.length - 1; k >= 0; k--)
          queue.giveBack((inflight[k] as (typeof inflight)[number]).batch);
        inflight.length = 0;
      };
      while (!signal?.aborted && (inflight.length > 0 || !queue.empty)) {
        if (!current) {
          const batch = queue.take() as [number, number];
          try {
            const s = await Promise.race([start(batch), aborted]);
            if (s === ABORTED) {
              queue.giveBack(batch);
              break;
            }
            current = s;
            consecutiveStartFailures = 0;
            if (width === 0) width = s.width;
            inflight.push({ batch, result: s.firstRun });
          } catch (error) {
            // The worker could not even start: give up this slot after a few tries (others may still work).
            lastStartError = error;
            queue.giveBack(batch);
            if (++consecutiveStartFailures >= maxAttempts) break;
            continue;
          }
        }
        // The worker's next batch waits in its queue while it runs this one: it goes on without waiting for this
        // thread, which on a machine whose cores are all running workers is itself waiting to be scheduled.
        while (inflight.length < IN_FLIGHT && !queue.empty) send(current, queue.take() as [number, number]);
        const head = inflight[0] as (typeof inflight)[number];
        try {
          const result = await Promise.race([head.result, current.handle.exited, aborted]);
          if (result === ABORTED) {
            giveBackInflight();
            break;
          }
          inflight.shift();
          record(result, current.width);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          // The worker died or broke on its oldest batch: replace it and rerun the batch (here or in another slot);
          // the batches behind it never started.
          current.handle.terminate();
          live.delete(current.handle);
          current = null;
          restarts++;
          const batch = (inflight.shift() as (typeof inflight)[number]).batch;
          giveBackInflight();
          const n = (attempts.get(batch[0]) ?? 0) + 1;
          attempts.set(batch[0], n);
          if (n >= maxAttempts) {
            const failed = new Float64Array(batch[1] * width).fill(Number.NaN);
            const list = Array.from({ length: batch[1] }, (_, i) => ({
              index: batch[0] + i,
              message: `worker failed ${n} times on this batch: ${message}`,
            }));
            record({ first: batch[0], count: batch[1], values: failed, failures: list }, width);
          } else queue.giveBack(batch);
        }
      }
      if (current) {
        live.delete(current.handle);
        // A worker that finished its batches cleanly goes back to the pool; after an abort it may be mid-refit.
        if (pool && !signal?.aborted) pool.release(current.handle);
        else current.handle.terminate();
      }
    };

    await Promise.all(Array.from({ length: Math.min(workers, queue.batchesLeft) }, slot));
    for (const h of live) h.terminate();
    if (started === 0 && !signal?.aborted)
      throw new SpruceError(
        `could not start any bootstrap worker: ${lastStartError instanceof Error ? lastStartError.message : String(lastStartError)}`,
      );
    if (!queue.empty && !signal?.aborted) {
      // Every slot gave up on starting workers: the remaining replicates are failures, with the reason.
      const message = `no worker could run it: ${lastStartError instanceof Error ? lastStartError.message : String(lastStartError)}`;
      for (const [first, count] of queue.drain()) {
        const list = Array.from({ length: count }, (_, i) => ({ index: first + i, message }));
        record(
          { first, count, values: new Float64Array(count * width).fill(Number.NaN), failures: list },
          width,
        );
      }
    }
  }

  if (callerError) throw (callerError as { error: unknown }).error;
  return {
    width,
    values: values ?? new Float64Array(0),
    status,
    failures: failures.sort((a, b) => a.index - b.index),
    partial: completed < nsim,
    completed,
    workers,
    restarts,
  };
}
