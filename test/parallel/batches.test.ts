/** The batch queue of the worker pool: every replicate handed out exactly once, guided sizes, given-back batches. */
import { describe, expect, it } from "vitest";
import { BatchQueue, MAX_GUIDED, MIN_GUIDED } from "../../src/parallel/batches.js";

function takeAll(queue: BatchQueue): [number, number][] {
  const out: [number, number][] = [];
  for (let b = queue.take(); b; b = queue.take()) out.push(b);
  return out;
}

describe("BatchQueue", () => {
  it("hands out first…first+nsim−1 once, in contiguous batches, for guided and fixed sizes", () => {
    for (const [first, nsim, workers, size] of [
      [0, 1000, 2, undefined],
      [0, 1000, 1, undefined],
      [37, 5, 3, undefined],
      [10, 12, 2, 5],
      [0, 1, 4, undefined],
    ] as const) {
      const batches = takeAll(new BatchQueue(first, nsim, workers, size));
      let next = first;
      for (const [f, c] of batches) {
        expect(f).toBe(next);
        expect(c).toBeGreaterThan(0);
        next += c;
      }
      expect(next).toBe(first + nsim);
      if (size !== undefined) expect(batches.slice(0, -1).every(([, c]) => c === size)).toBe(true);
    }
  });

  it("guided sizes shrink from large to small within the bounds, so the workers finish together", () => {
    const sizes = takeAll(new BatchQueue(0, 1000, 2, undefined)).map(([, c]) => c);
    expect(sizes[0]).toBe(MAX_GUIDED);
    expect(sizes.every((c) => c <= MAX_GUIDED)).toBe(true);
    expect(sizes.slice(0, -1).every((c) => c >= MIN_GUIDED)).toBe(true);
    for (let k = 1; k < sizes.length; k++) expect(sizes[k]).toBeLessThanOrEqual(sizes[k - 1] as number);
    // The last eight batches together are a few replicates per worker, not a whole 64-replicate batch.
    expect(sizes.slice(-8).reduce((s, c) => s + c, 0)).toBeLessThan(MAX_GUIDED);
    // Fewer messages than fixed batches of 32 (what the old default gave for 1000 replicates on 2 workers).
    expect(sizes.length).toBeLessThan(1000 / 32);
  });

  it("hands a given-back batch out again, whole, before any new one; drain empties the queue", () => {
    const queue = new BatchQueue(0, 100, 2, 10);
    const a = queue.take() as [number, number];
    const b = queue.take() as [number, number];
    queue.giveBack(a);
    queue.giveBack(b);
    expect(queue.take()).toEqual(b);
    expect(queue.take()).toEqual(a);
    expect(queue.batchesLeft).toBe(8);
    const rest = queue.drain();
    expect(rest.map(([f]) => f)).toEqual([20, 30, 40, 50, 60, 70, 80, 90]);
    expect(queue.empty).toBe(true);
    expect(queue.take()).toBeNull();
  });
});
