/**
 * One block of the kernels' heap for a kernel call that takes arrays in and gives arrays back (the sparse
 * planning's graph and minimum-degree search): `outs` f64 slots first (8-byte aligned), then one i32 array per part,
 * back to back — an Int32Array is copied in, a number is the length of an array the kernel writes. The caller calls
 * the kernel, reads the results through fresh views (a kernel that allocates may grow the memory) and frees `base`.
 */
import type { KernelExports } from "./load.js";

export interface ScratchBlock<T extends readonly unknown[]> {
  /** The address to free. */
  base: number;
  /** Address of the f64 slots. */
  out: number;
  /** Address of each part's i32 array, in the order given. */
  at: { [K in keyof T]: number };
}

export function scratchBlock<T extends readonly (Int32Array | number)[]>(
  kernels: KernelExports,
  outs: number,
  parts: [...T],
): ScratchBlock<T> {
  const length = (part: Int32Array | number) => (typeof part === "number" ? part : part.length);
  const base = kernels.alloc(8 * outs + 4 * parts.reduce((s: number, part) => s + length(part), 0) + 8);
  const out = (base + 7) & ~7;
  const heap = new Int32Array(kernels.memory.buffer);
  const at: number[] = [];
  let p = out + 8 * outs;
  for (const part of parts) {
    at.push(p);
    if (typeof part !== "number") heap.set(part, p / 4);
    p += 4 * length(part);
  }
  return { base, out, at: at as { [K in keyof T]: number } };
}
