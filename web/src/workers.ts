/**
 * Bootstrap workers for the page: the library's browser worker factory (src/parallel/browser.ts, the same worker
 * module as Node's) behind one pool for the page's lifetime, so a second bootstrap starts on warm workers (no
 * module load, wasm instantiation or JIT warm-up). Each worker is wrapped to count the replicates it returns, so
 * the page can show who did the work in each run.
 */
import type * as Comlink from "comlink";
import { browserWorkerFactory } from "../../src/parallel/browser.js";
import { type WorkerHandle, WorkerPool } from "../../src/parallel/pool.js";
import type { WorkerApi } from "../../src/parallel/protocol.js";

/** Replicates returned in the current run, by worker (in the order workers were started on this page). */
let tally = new Map<number, number>();

function countingFactory(): () => WorkerHandle {
  const start = browserWorkerFactory();
  let started = 0;
  return () => {
    const handle = start();
    const id = started++;
    const api = {
      init: (...args: Parameters<WorkerApi["init"]>) => handle.api.init(...args),
      warmUp: (module: WebAssembly.Module) => handle.api.warmUp(module),
      run: async (first: number, count: number) => {
        const batch = await handle.api.run(first, count);
        tally.set(id, (tally.get(id) ?? 0) + batch.count);
        return batch;
      },
    } as unknown as Comlink.Remote<WorkerApi>;
    return { api, exited: handle.exited, terminate: () => handle.terminate() };
  };
}

/** The page's pool of warm workers. */
export const workerPool = new WorkerPool(countingFactory());

/** Start counting a new run's replicates per worker. */
export function startTally(): void {
  tally = new Map();
}

/** Replicates per worker that took part in the run since `startTally`, in worker start order. */
export function perWorkerTally(): number[] {
  return [...tally.entries()].sort((a, b) => a[0] - b[0]).map(([, count]) => count);
}
