/**
 * The bootstrap worker: ONE module for browser Web Workers and Node worker_threads, wired with Comlink.
 *
 * In a browser it is started with `new Worker(new URL("./worker.js", import.meta.url), { type: "module" })` and
 * exposes its API on the worker scope; in Node it is started with `new Worker(url)` from worker_threads and
 * exposes the API on `parentPort` through Comlink's node adapter (Comlink needs addEventListener, which
 * MessagePort lacks in Node).
 *
 * `init` receives the job spec (model buffers, transferred) and the compiled WebAssembly.Module (compiled once by
 * the caller; each worker instantiates its own copy, AssemblyScript having no threads); `run` executes a batch.
 * A worker started ahead of its job may be sent `warmUp` first (src/inference/warm-up-job.ts).
 */

import * as Comlink from "comlink/dist/esm/comlink.mjs";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { buildModelJob } from "../inference/model-jobs.js";
import { WARM_UP_REPLICATES, warmUpJobSpec } from "../inference/warm-up-job.js";
import { wasmEngineFactory } from "./engines.js";
import { createJob, type ReplicateJob, runBatch } from "./job.js";
import type { BatchResult, FaultPlan, JobSpec, WorkerApi } from "./protocol.js";

let job: ReplicateJob | null = null;
let fault: FaultPlan | null = null;
let workerId = -1;

/** The deliberate fault of a FaultPlan (tests of the pool's recovery), if armed for this replicate. */
function maybeFail(index: number): void {
  if (!fault || fault.atIndex !== index) return;
  if (fault.mode === "throw") throw new Error(`worker ${workerId} broke on purpose (fault plan)`);
  if (typeof process !== "undefined" && process.versions?.node) process.exit(3);
  (globalThis as unknown as { close(): void }).close();
  // close() stops the worker after this task; make sure the batch does not complete meanwhile.
  throw new Error(`worker ${workerId} closed on purpose (fault plan)`);
}

/**
 * Detach a small ArrayBuffer, once per worker, before any replicate runs. V8 compiles typed-array accesses without
 * a detach check while no ArrayBuffer of the thread has ever been detached; the first detachment (here: a batch's
 * result transferred to the pool) then throws away every optimised function at once, and the worker compiles the
 * whole replicate loop a second time (measured: the warm-up's work was lost at the first batch). Detaching one
 * first makes every compilation final.
 */
function settleDetachment(): void {
  const buffer = new ArrayBuffer(8);
  structuredClone(buffer, { transfer: [buffer] });
}

const api: WorkerApi = {
  async init(spec: JobSpec, wasmModule: WebAssembly.Module | null, id: number): Promise<number> {
    settleDetachment();
    job?.dispose();
    // Until the new job is built: a batch sent behind a failed init is refused, never run on the old job.
    job = null;
    workerId = id;
    fault = null;
    job = createJob(spec, wasmModule ? wasmEngineFactory(wasmModule) : null, buildModelJob);
    return job.width;
  },
  async run(first: number, count: number): Promise<BatchResult> {
    if (!job) throw new Error("worker used before init");
    const result = runBatch(job, first, count, (i) => maybeFail(first + i));
    return Comlink.transfer(result, [result.values.buffer as ArrayBuffer]);
  },
  async warmUp(wasmModule: WebAssembly.Module): Promise<void> {
    settleDetachment();
    if (job) return;
    // Through structured clone, as a real spec arrives: its objects then have the same hidden classes, and the code
    // V8 optimises for the warm-up stays valid for the real job.
    const spec = structuredClone(warmUpJobSpec());
    const warm = createJob(spec, wasmEngineFactory(wasmModule), buildModelJob);
    const out = new Float64Array(warm.width);
    try {
      let slice = performance.now();
      for (let k = 0; k < WARM_UP_REPLICATES && !job; k++) {
        try {
          warm.run(k, out, 0);
        } catch {
          // A warm-up replicate that fails has still compiled the code it ran.
        }
        // Every few milliseconds let a waiting `init` (a macrotask) in: the real job goes first.
        if (performance.now() - slice > 2) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          slice = performance.now();
        }
      }
    } finally {
      warm.dispose();
    }
  },
  async setFault(plan: FaultPlan | null): Promise<void> {
    fault = plan;
  },
};

declare const WorkerGlobalScope: unknown;

// No top-level await and no `node:` import: bundlers build this module as a classic (iife) or module worker alike,
// and a browser bundle never sees Node's built-ins (worker_threads is reached through process.getBuiltinModule).
if (typeof WorkerGlobalScope !== "undefined") {
  Comlink.expose(api);
} else {
  const parentPort = globalThis.process?.getBuiltinModule?.("node:worker_threads")?.parentPort;
  if (!parentPort) throw new Error("src/parallel/worker.ts must run as a worker");
  Comlink.expose(api, nodeEndpoint(parentPort));
}
