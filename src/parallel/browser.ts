/**
 * Starting bootstrap workers in a browser (module Web Workers). `new Worker(new URL("./worker.js",
 * import.meta.url), { type: "module" })` is the pattern bundlers (Vite) recognise and rewrite to the built worker.
 */
import * as Comlink from "comlink/dist/esm/comlink.mjs";
import type { WorkerHandle } from "./pool.js";
import type { WorkerApi } from "./protocol.js";

export function browserWorkerFactory(): () => WorkerHandle {
  return () => {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    const api = Comlink.wrap<WorkerApi>(worker);
    const exited = new Promise<never>((_, reject) => {
      worker.addEventListener("error", (event) => {
        event.preventDefault();
        reject(new Error(`bootstrap worker failed: ${event.message || "unknown error"}`));
      });
    });
    exited.catch(() => {});
    return {
      api,
      exited,
      terminate: () => worker.terminate(),
    };
  };
}

export function defaultWorkerCount(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}
