/**
 * Bootstrap workers for the page: the library's browser worker factory (src/parallel/browser.ts, the same worker
 * module as Node's), wrapped to count the replicates each worker returns, so the page can show who did the work.
 */
import type * as Comlink from "comlink";
import { browserWorkerFactory } from "../../src/parallel/browser.js";
import type { WorkerFactory, WorkerHandle } from "../../src/parallel/pool.js";
import type { WorkerApi } from "../../src/parallel/protocol.js";

export interface CountingFactory {
  factory: WorkerFactory;
  /** Replicates returned by each worker started so far, in start order (a replaced worker keeps its own entry). */
  perWorker: number[];
}

export function countingWorkerFactory(): CountingFactory {
  const start = browserWorkerFactory();
  const perWorker: number[] = [];
  const factory = (): WorkerHandle => {
    const handle = start();
    const slot = perWorker.push(0) - 1;
    const api = {
      init: (...args: Parameters<WorkerApi["init"]>) => handle.api.init(...args),
      run: async (first: number, count: number) => {
        const batch = await handle.api.run(first, count);
        perWorker[slot]! += batch.count;
        return batch;
      },
    } as unknown as Comlink.Remote<WorkerApi>;
    return { api, exited: handle.exited, terminate: () => handle.terminate() };
  };
  return { factory, perWorker };
}
