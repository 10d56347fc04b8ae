/**
 * The kernel loader's sources (issue 16): bytes, a URL, a Response, a compiled module; the embedded copy that a
 * one-file bundle falls back to; and initKernels after the kernels are loaded is an error, not ignored.
 * Each case loads a fresh copy of src/wasm/load.ts (its compiled module is cached per module instance).
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";

const wasmUrl = new URL("../../build/spruce.wasm", import.meta.url);
const bytes = readFileSync(wasmUrl);

async function freshLoader() {
  vi.resetModules();
  return import("../../src/wasm/load.js");
}

/** The kernels work: allocate and free a block of their memory. */
function works(kernels: {
  alloc(n: number): number;
  free(p: number): void;
  memory: WebAssembly.Memory;
}): void {
  const p = kernels.alloc(64);
  expect(p).toBeGreaterThan(0);
  expect(kernels.memory.buffer.byteLength).toBeGreaterThan(p);
  kernels.free(p);
}

describe("kernel sources", () => {
  const sources: [string, () => unknown][] = [
    ["a Uint8Array", () => new Uint8Array(bytes)],
    ["an ArrayBuffer", () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)],
    ["a file URL", () => wasmUrl],
    ["a URL string", () => wasmUrl.href],
    ["a Response", () => new Response(new Uint8Array(bytes))],
    ["a WebAssembly.Module", () => new WebAssembly.Module(bytes)],
  ];
  for (const [what, make] of sources)
    it(`initKernels(${what})`, async () => {
      const load = await freshLoader();
      const module = await load.initKernels(make() as never);
      expect(module).toBeInstanceOf(WebAssembly.Module);
      expect(await load.compileKernels()).toBe(module);
      works(await load.loadKernels());
    });

  it("a source that is none of these is a TypeError that says what is accepted", async () => {
    const load = await freshLoader();
    await expect(load.initKernels(42 as never)).rejects.toThrow(
      /must be a WebAssembly.Module, an ArrayBuffer/,
    );
    // A failed source does not stick: another one can follow.
    await expect(load.initKernels(new Uint8Array(bytes))).resolves.toBeInstanceOf(WebAssembly.Module);
  });

  it("a URL that is not there is an error naming it", async () => {
    const load = await freshLoader();
    await expect(load.initKernels(new URL("file:///nonexistent/spruce.wasm"))).rejects.toThrow(
      /cannot read file:\/\/\/nonexistent\/spruce.wasm/,
    );
  });

  it("initKernels after the kernels were loaded is an error", async () => {
    const load = await freshLoader();
    await load.compileKernels();
    await expect(load.initKernels(new Uint8Array(bytes))).rejects.toThrow(/before the first fit/);
  });

  it("the embedded copy inflates to build/spruce.wasm, byte for byte", async () => {
    const { KERNELS_GZIP_BASE64 } = await import("../../src/wasm/embedded.generated.js");
    expect(gunzipSync(Buffer.from(KERNELS_GZIP_BASE64, "base64")).equals(bytes)).toBe(true);
  });
});
