/**
 * Loading the AssemblyScript kernels.
 *
 * The module is compiled once (`compileKernels`) and instantiated per thread (`instantiateKernels`):
 * a `WebAssembly.Module` can be posted to a worker, an instance cannot. We do not use AssemblyScript's
 * ESM glue because it copies typed arrays on every call; callers pass pointers into `memory` instead.
 */

import { KERNEL_NAMES, type KernelExports } from "./contract.js";

/** The typed exports of build/spruce.wasm, declared once in scripts/contract/spec.mjs (generated ./contract.ts). */
export type { KernelExports } from "./contract.js";

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
  const raw = instance.exports as Record<string, unknown>;
  if (typeof raw._initialize === "function") (raw._initialize as () => void)();
  // The module and the contract must agree: a kernel missing here is a stale build, not a runtime surprise.
  const missing = KERNEL_NAMES.filter((name) => typeof raw[name] !== "function");
  if (missing.length > 0 || !(raw.memory instanceof WebAssembly.Memory))
    throw new Error(
      `build/spruce.wasm does not export ${missing.join(", ") || "its memory"}: rebuild it (npm run asbuild)`,
    );
  return raw as unknown as KernelExports;
}

/** Convenience: compile (cached) and instantiate. */
export async function loadKernels(): Promise<KernelExports> {
  return instantiateKernels(await compileKernels());
}
