/**
 * Starting bootstrap workers in Node (worker_threads). The worker is the built JavaScript module
 * dist/parallel/worker.js: Node's worker_threads cannot load TypeScript, so when this file itself runs from
 * source (vitest, tsx) the worker is taken from dist/ (build it first: `npm run build:ts`).
 *
 * Node's built-ins are reached through process.getBuiltinModule, not imported: this module is also part of browser
 * bundles of the package (it is only called in Node), and a `node:` import would make bundlers warn or fail.
 */
import type { Worker as NodeWorker } from "node:worker_threads";
import * as Comlink from "comlink/dist/esm/comlink.mjs";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import type { WorkerHandle } from "./pool.js";
import type { WorkerApi } from "./protocol.js";

function nodeBuiltins() {
  const threads = process.getBuiltinModule?.("node:worker_threads");
  const os = process.getBuiltinModule?.("node:os");
  if (!threads || !os)
    throw new Error("spruce's Node worker pool needs Node.js >= 20.16 (process.getBuiltinModule)");
  return { threads, os };
}

/** URL of the built worker module. */
export function nodeWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../../dist/parallel/worker.js", here) : new URL("./worker.js", here);
}

export function nodeWorkerFactory(url: URL = nodeWorkerUrl()): () => WorkerHandle {
  return () => {
    // A program bundled into one file (esbuild) has no worker module beside it: say so, and what to do, rather
    // than let each worker die with "Cannot find module".
    const fs = process.getBuiltinModule?.("node:fs");
    if (url.protocol === "file:" && fs && !fs.existsSync(url))
      throw new Error(
        `spruce's bootstrap worker module is not at ${url.href} (a program bundled into one file?): ` +
          "ship node_modules/spruce-lmm/dist with it, or run the bootstrap in this thread with { workers: 0 }",
      );
    // No inherited execArgv: the worker is plain built JavaScript, and a TypeScript loader inherited from the
    // parent (tsx, as in `npm run bench`) would cost over a second of start-up per worker.
    const worker: NodeWorker = new (nodeBuiltins().threads.Worker)(url, { execArgv: [] });
    const api = Comlink.wrap<WorkerApi>(nodeEndpoint(worker));
    const exited = new Promise<never>((_, reject) => {
      worker.once("error", (error) => reject(error));
      worker.once("exit", (code) => reject(new Error(`bootstrap worker exited (code ${code})`)));
    });
    // A death is also reported through the pending call that it breaks; never leave this one unhandled.
    exited.catch(() => {});
    return {
      api,
      exited,
      terminate: () => {
        void worker.terminate();
      },
      hold: (keep) => {
        if (keep) worker.ref();
        else worker.unref();
      },
    };
  };
}

/** All cores (what `workers` defaults to). */
export function defaultWorkerCount(): number {
  return nodeBuiltins().os.availableParallelism();
}
