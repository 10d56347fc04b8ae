/**
 * Loading the AssemblyScript kernels.
 *
 * The module is compiled once (`compileKernels`) and instantiated per thread (`instantiateKernels`):
 * a `WebAssembly.Module` can be posted to a worker, an instance cannot. We do not use AssemblyScript's
 * ESM glue because it copies typed arrays on every call; callers pass pointers into `memory` instead.
 *
 * Where the bytes come from, in order:
 * 1. what the program handed to `compileKernels(source)` / `initKernels(source)` (bytes, a URL, a Response or an
 *    already compiled WebAssembly.Module) — for hosts that serve the file from elsewhere;
 * 2. build/spruce.wasm next to the package, read from disk in Node (`process.getBuiltinModule`, so that no bundler
 *    sees a `node:` import) or fetched in a browser (bundlers such as Vite rewrite `new URL(…, import.meta.url)`
 *    to their copy of the asset);
 * 3. if that file is not there (a program bundled into one file by esbuild, where the relative URL points nowhere),
 *    the same release wasm embedded (gzip, base64) in ./embedded.generated.js (made by scripts/embed-wasm.mjs).
 */

import { KERNEL_NAMES, type KernelExports } from "./contract.js";
import { withSharedMemory } from "./shared-memory-build.js";

/** The typed exports of build/spruce.wasm, declared once in scripts/contract/spec.mjs (generated ./contract.ts). */
export type { KernelExports } from "./contract.js";

/** Where the kernels can come from: the wasm bytes, where to fetch them, a fetch Response, or a compiled module. */
export type KernelSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string | Response;

const wasmUrl = new URL("../../build/spruce.wasm", import.meta.url);

// The one compiled module of this thread (a cache: compiling twice would give the same module), and the source
// a program named for it, if any; likewise the threads build (null where it cannot be read).
let compiled: Promise<WebAssembly.Module> | undefined;
let compiledFrom: KernelSource | undefined;
let compiledThreads: Promise<WebAssembly.Module | null> | undefined;

function isNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string";
}

async function compileFrom(source: KernelSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer) return WebAssembly.compile(source);
  if (ArrayBuffer.isView(source))
    return WebAssembly.compile(new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice());
  if (typeof Response !== "undefined" && source instanceof Response) {
    if (!source.ok) throw new Error(`spruce kernels: fetching ${source.url} gave HTTP ${source.status}`);
    return WebAssembly.compile(await source.arrayBuffer());
  }
  if (typeof source === "string" || source instanceof URL) {
    const url = new URL(String(source), typeof location === "undefined" ? undefined : location.href);
    const bytes = await readUrl(url);
    if (!bytes) throw new Error(`spruce kernels: cannot read ${url.href}`);
    return WebAssembly.compile(bytes as BufferSource);
  }
  throw new TypeError(
    "spruce kernels: the source must be a WebAssembly.Module, an ArrayBuffer or typed array of the wasm bytes, a URL or a Response",
  );
}

/** The bytes at a URL (a file read in Node, a fetch elsewhere), or undefined when there are none. */
async function readUrl(url: URL): Promise<ArrayBuffer | Uint8Array | undefined> {
  if (url.protocol === "file:" && isNode()) {
    const fs = process.getBuiltinModule?.("node:fs");
    if (!fs) return undefined;
    try {
      return new Uint8Array(fs.readFileSync(url));
    } catch {
      return undefined;
    }
  }
  try {
    const response = await fetch(url);
    return response.ok ? await response.arrayBuffer() : undefined;
  } catch {
    return undefined;
  }
}

/** The release wasm embedded in the package, gzip + base64 (the fallback when build/spruce.wasm cannot be reached). */
async function embeddedBytes(): Promise<ArrayBuffer> {
  const { KERNELS_GZIP_BASE64 } = await import("./embedded.generated.js");
  const text = atob(KERNELS_GZIP_BASE64);
  const packed = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) packed[i] = text.charCodeAt(i);
  // DecompressionStream is in Node ≥ 18 and every current browser.
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

async function defaultBytes(): Promise<ArrayBuffer | Uint8Array> {
  return (await readUrl(wasmUrl)) ?? (await embeddedBytes());
}

async function compileDefault(): Promise<WebAssembly.Module> {
  return WebAssembly.compile((await defaultBytes()) as BufferSource);
}

/**
 * Compile the kernels once per thread (cached). With no argument the package's own build/spruce.wasm is used (see
 * the module comment); with a `source` (bytes, URL, Response or compiled module) that is used instead, provided it
 * comes before the first fit of this thread — later calls return the module already compiled.
 */
export function compileKernels(source?: KernelSource): Promise<WebAssembly.Module> {
  if (compiled === undefined) {
    compiled = source === undefined ? compileDefault() : compileFrom(source);
    compiledFrom = source;
    // A source that failed can be replaced by another one.
    compiled.catch(() => {
      compiled = undefined;
      compiledFrom = undefined;
    });
  }
  return compiled;
}

/**
 * Tell spruce where its kernels are before the first fit: `await initKernels(new URL("/assets/spruce.wasm",
 * location.href))`, `await initKernels(bytes)` or `await initKernels(module)`. Only needed where the package's own
 * file cannot be found and the embedded copy is not wanted. Returns the compiled module.
 */
export function initKernels(source: KernelSource): Promise<WebAssembly.Module> {
  if (compiled !== undefined && compiledFrom !== source)
    return Promise.reject(
      new Error(
        "spruce kernels: initKernels must be called before the first fit (the kernels are already loaded from " +
          (compiledFrom === undefined ? "the package's own wasm" : "another source") +
          ")",
      ),
    );
  return compileKernels(source);
}

function abort(_message: number, _file: number, line: number, column: number): never {
  throw new Error(`spruce kernel aborted at ${line}:${column}`);
}

/** The threads build's maximum memory: 2 GiB, so that every pointer stays a positive 32-bit number in JavaScript. */
const SHARED_MAXIMUM_PAGES = 32768;
/** Its initial memory (the plain build's, asconfig.json). */
const SHARED_INITIAL_PAGES = 32;

/**
 * The threads build of the kernels (the package's own kernels on an imported shared memory, ./shared-memory-build.ts),
 * compiled once per thread, or null where it cannot be used: outside Node, or when the program chose its own
 * kernels (initKernels).
 */
export function compileThreadedKernels(): Promise<WebAssembly.Module | null> {
  compiledThreads ??= (async () => {
    if (!isNode() || compiledFrom !== undefined || typeof SharedArrayBuffer !== "function") return null;
    const bytes = await defaultBytes();
    const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    return WebAssembly.compile(withSharedMemory(view, SHARED_MAXIMUM_PAGES));
  })();
  return compiledThreads;
}

/** A fresh instance of the threads build on a new shared memory, with that memory. */
export function instantiateThreadedKernels(module: WebAssembly.Module): {
  kernels: KernelExports;
  memory: WebAssembly.Memory;
} {
  const memory = new WebAssembly.Memory({
    initial: SHARED_INITIAL_PAGES,
    maximum: SHARED_MAXIMUM_PAGES,
    shared: true,
  });
  return { kernels: instantiateKernels(module, memory), memory };
}

/**
 * The kernels' sleep while a kernel team's helper finishes (assembly/linalg/team.ts, `teamWait`): Atomics.wait on
 * the shared memory of the threads build. Never called on the plain build (its engines have no team).
 */
function teamWaitImport(
  memory: () => WebAssembly.Memory,
): (address: number, value: number, ms: number) => void {
  return (address, value, ms) => {
    Atomics.wait(new Int32Array(memory().buffer, address, 1), 0, value, ms);
  };
}

/** A fresh instance with its own memory (or the given one, for the threads build): one per model engine or worker. */
export function instantiateKernels(module: WebAssembly.Module, memory?: WebAssembly.Memory): KernelExports {
  let own: WebAssembly.Memory | undefined = memory;
  const env: WebAssembly.ModuleImports = {
    abort,
    seed: () => 0,
    teamWait: teamWaitImport(() => own as WebAssembly.Memory),
  };
  if (memory) env.memory = memory;
  const instance = new WebAssembly.Instance(module, { env });
  const raw = instance.exports as Record<string, unknown>;
  own ??= raw.memory as WebAssembly.Memory;
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
export async function loadKernels(source?: KernelSource): Promise<KernelExports> {
  return instantiateKernels(await compileKernels(source));
}
