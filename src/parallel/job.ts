/**
 * Running replicates: the same code runs inside a worker and, for `workers: 0`, on the calling thread. Replicate k
 * depends only on the spec and k (its random stream is (seed, k)), which is what makes the results identical for
 * any number of workers.
 */

import type { DesignBuffers } from "../design/types.js";
import type { PlsEngine } from "../fit/engine.js";
import type { WasmEngineOptions } from "../fit/wasm-engine.js";
import { RandomStream } from "../random/stream.js";
import type { BatchResult, JobSpec, SelfTestJobSpec } from "./protocol.js";

/** A set-up job: runs replicate k, writing `width` numbers at out[offset..]. Throws when the replicate fails. */
export interface ReplicateJob {
  readonly width: number;
  run(index: number, out: Float64Array, offset: number): void;
  dispose(): void;
}

/**
 * Builds an engine for a model's buffers (wasm in production; a test may pass another PlsEngine), with the engine
 * options a caller asks for (src/fit/wasm-engine.ts, WasmEngineOptions).
 */
export type EngineFactory = (buffers: DesignBuffers, options?: WasmEngineOptions) => PlsEngine;

/** Builders of the model jobs, registered by src/inference (kept out of here so the pool does not depend on it). */
export type ModelJobBuilder = (spec: JobSpec, createEngine: EngineFactory) => ReplicateJob;

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Deliberately spinning: the self-test job imitates a CPU-bound refit.
  }
}

function selfTestJob(spec: SelfTestJobSpec): ReplicateJob {
  const rng = new RandomStream(spec.seed);
  const fail = new Set(spec.failIndices ?? []);
  return {
    width: 2,
    run(index, out, offset) {
      if (spec.spinMs) busyWait(spec.spinMs);
      if (fail.has(index)) throw new Error(`self-test replicate ${index} failed on purpose`);
      rng.reset(index);
      let s = 0;
      for (let i = 0; i < spec.draws; i++) s += rng.nextNormal();
      out[offset] = s;
      out[offset + 1] = index;
    },
    dispose() {},
  };
}

export function createJob(
  spec: JobSpec,
  createEngine: EngineFactory | null,
  buildModelJob: ModelJobBuilder | null,
): ReplicateJob {
  if (spec.kind === "selftest") return selfTestJob(spec);
  if (!createEngine || !buildModelJob) throw new Error(`job "${spec.kind}" needs an engine factory`);
  return buildModelJob(spec, createEngine);
}

/** Run replicates first..first+count−1; a replicate that throws is recorded (NaN values + message), never dropped. */
export function runBatch(
  job: ReplicateJob,
  first: number,
  count: number,
  beforeEach?: (offset: number) => void,
): BatchResult {
  const values = new Float64Array(count * job.width);
  const failures: BatchResult["failures"] = [];
  for (let i = 0; i < count; i++) {
    beforeEach?.(i);
    try {
      job.run(first + i, values, i * job.width);
    } catch (error) {
      values.fill(Number.NaN, i * job.width, (i + 1) * job.width);
      failures.push({ index: first + i, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { first, count, values, failures };
}
