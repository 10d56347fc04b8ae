/**
 * Loading the AssemblyScript kernels.
 *
 * The module is compiled once (`compileKernels`) and instantiated per thread (`instantiateKernels`):
 * a `WebAssembly.Module` can be posted to a worker, an instance cannot. We do not use AssemblyScript's
 * ESM glue because it copies typed arrays on every call; callers pass pointers into `memory` instead.
 */

/** Raw exports of build/spruce.wasm. Kernels are added to this interface as they are written. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  // biome-ignore lint/suspicious/noExplicitAny: kernels are typed by the modules that call them
  [name: string]: any;
}

const wasmUrl = new URL("../../build/spruce.wasm", import.meta.url);

let compiled: Promise<WebAssembly.Module> | undefined;

/** Compile build/spruce.wasm once per thread (cached). Works in Node and in browsers. */
export function compileKernels(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    if (typeof process !== "undefined" && process.versions?.node && wasmUrl.protocol === "file:") {
      const { readFile } = await import("node:fs/promises");
      return WebAssembly.compile(await readFile(wasmUrl));
    }
    const response = await fetch(wasmUrl);
    return WebAssembly.compile(await response.arrayBuffer());
  })();
  return compiled;
}

function abort(_message: number, _file: number, line: number, column: number): never {
  throw new Error(`spruce kernel aborted at ${line}:${column}`);
}

/** A fresh instance with its own memory: one per model engine or worker. */
export function instantiateKernels(module: WebAssembly.Module): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { abort, seed: () => 0 } });
  const exports = instance.exports as unknown as KernelExports;
  if (typeof exports._initialize === "function") exports._initialize();
  return exports;
}

/** Convenience: compile (cached) and instantiate. */
export async function loadKernels(): Promise<KernelExports> {
  return instantiateKernels(await compileKernels());
}
