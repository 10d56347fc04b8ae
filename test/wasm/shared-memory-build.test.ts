/**
 * The threads build derived from the plain one (src/wasm/shared-memory-build.ts): the same exports, the memory
 * imported (shared, same initial size, the given maximum) instead of defined, and the same code; modules that do
 * not define exactly one plain memory are refused.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withSharedMemory } from "../../src/wasm/shared-memory-build.js";

const plain = new Uint8Array(readFileSync(new URL("../../build/spruce.wasm", import.meta.url)));

/** A minimal module: one memory of `pages` pages, exported, and no imports (so no import section). */
function memoryOnly(pages: number): Uint8Array {
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    // memory section: one memory, min only
    0x05,
    0x03,
    0x01,
    0x00,
    pages,
    // export section: "m" → memory 0
    0x07,
    0x05,
    0x01,
    0x01,
    0x6d,
    0x02,
    0x00,
  ]);
}

describe("withSharedMemory", () => {
  it("turns the kernels' own memory into an imported shared one and keeps every export", () => {
    const derived = new WebAssembly.Module(withSharedMemory(plain, 32768));
    const original = new WebAssembly.Module(plain);
    expect(WebAssembly.Module.exports(derived)).toEqual(WebAssembly.Module.exports(original));
    expect(WebAssembly.Module.imports(derived)).toEqual([
      ...WebAssembly.Module.imports(original),
      { module: "env", name: "memory", kind: "memory" },
    ]);
    const memory = new WebAssembly.Memory({ initial: 32, maximum: 32768, shared: true });
    const abort = () => {
      throw new Error("abort");
    };
    const instance = new WebAssembly.Instance(derived, {
      env: { abort, seed: () => 0, teamWait: () => undefined, memory },
    });
    expect(instance.exports.memory).toBe(memory);
    // A memory smaller than the module's initial size is refused: the initial size was kept.
    const small = new WebAssembly.Memory({ initial: 31, maximum: 32768, shared: true });
    expect(
      () =>
        new WebAssembly.Instance(derived, {
          env: { abort, seed: () => 0, teamWait: () => undefined, memory: small },
        }),
    ).toThrow();
  });

  it("adds an import section where the module had none", () => {
    const derived = new WebAssembly.Module(withSharedMemory(memoryOnly(2), 10));
    expect(WebAssembly.Module.imports(derived)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 10, shared: true });
    const { exports } = new WebAssembly.Instance(derived, { env: { memory } });
    expect(exports.m).toBe(memory);
  });

  it("refuses bytes that are not a wasm module, and a module without its own memory", () => {
    expect(() => withSharedMemory(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 10)).toThrow(/not a wasm module/);
    const noMemory = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    expect(() => withSharedMemory(noMemory, 10)).toThrow(/its own memory/);
  });
});
