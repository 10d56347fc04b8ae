/**
 * The pool's `first` option (a shard's replicate range): replicates first…first+nsim−1 come back by position,
 * equal to the same replicates of a whole run, with failures named by their global index; for 0, 1 and 2 workers.
 */
import { describe, expect, it } from "vitest";
import { nodeWorkerFactory } from "../../src/parallel/node.js";
import { runReplicates } from "../../src/parallel/pool.js";
import type { SelfTestJobSpec } from "../../src/parallel/protocol.js";

const spec: SelfTestJobSpec = { kind: "selftest", seed: 31, draws: 5, failIndices: [3, 17] };

describe("runReplicates with a first replicate", () => {
  it("runs a range that equals the same replicates of the whole run", async () => {
    const factory = nodeWorkerFactory();
    const whole = await runReplicates({ spec, nsim: 30, workers: 0 });
    for (const workers of [0, 1, 2]) {
      const part = await runReplicates({ spec, nsim: 12, first: 10, workers, factory, batchSize: 5 });
      expect(part.completed).toBe(12);
      expect(part.partial).toBe(false);
      expect(Array.from(part.values)).toEqual(Array.from(whole.values.subarray(20, 44)));
      expect(Array.from(part.status)).toEqual(Array.from(whole.status.subarray(10, 22)));
      expect(part.failures.map((f) => f.index)).toEqual([17]);
      expect(part.status[7]).toBe(2);
      expect(part.values[2 * 0 + 1]).toBe(10); // the self-test job returns its replicate's own index
    }
  });

  it("rejects a negative first replicate", async () => {
    await expect(runReplicates({ spec, nsim: 3, first: -1, workers: 0 })).rejects.toThrow(
      /first must be an integer ≥ 0/,
    );
  });
});
