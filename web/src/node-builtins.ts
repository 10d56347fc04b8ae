/**
 * Stand-ins for the Node built-ins that library modules import for their Node-only paths (readCsv's file read,
 * the kernels' file read, worker_threads, os). The page never takes those paths, but the imports must resolve:
 * Vite's own browser stub throws as soon as a named import is bound (in `vite` dev), so web/vite.config.ts points
 * `node:fs`, `node:fs/promises`, `node:os` and `node:worker_threads` here. Calling any of these is a bug, and says so.
 */
function nodeOnly(name: string): never {
  throw new Error(`${name} is Node-only and was called in the browser`);
}

export const readFileSync = (): never => nodeOnly("fs.readFileSync");
export const readFile = (): never => nodeOnly("fs/promises.readFile");
export const availableParallelism = (): never => nodeOnly("os.availableParallelism");
export class Worker {
  constructor() {
    nodeOnly("worker_threads.Worker");
  }
}
/** Not in a worker_threads worker: the worker module then exposes itself on the Web Worker scope. */
export const parentPort = null;
