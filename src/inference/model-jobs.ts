/**
 * Every model job a worker can run: the bootstraps' (./replicates.ts, the GLMM one in src/glmm/lrt-job.ts) and
 * power by simulation (./power-job.ts).
 * Kept apart from both so that neither imports the other (power-job.ts reuses replicates.ts's refits).
 */
import { glmmLrtJob } from "../glmm/lrt-job.js";
import type { EngineFactory, ReplicateJob } from "../parallel/job.js";
import type { JobSpec } from "../parallel/protocol.js";
import { powerJob } from "./power-job.js";
import { buildModelJob as buildBootstrapJob } from "./replicates.js";

export function buildModelJob(spec: JobSpec, createEngine: EngineFactory): ReplicateJob {
  if (spec.kind === "power") return powerJob(spec, createEngine);
  if (spec.kind === "glmm-lrt") return glmmLrtJob(spec, createEngine);
  return buildBootstrapJob(spec, createEngine);
}
