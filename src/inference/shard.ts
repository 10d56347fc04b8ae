/**
 * Shards: one run of replicates cut into pieces that run anywhere (SLURM array tasks, Kubernetes Indexed Job
 * pods, separate machines) and are merged back into exactly the one-machine result.
 *
 * Why any cut gives the same numbers: replicate i draws from its own Philox stream (seed, i) (src/random), and its
 * refits start from the same θ̂ whatever ran before (./replicates.ts), so its result depends on (job, i) only.
 *
 * Cut: CONTIGUOUS ranges. Shard k of K (k is 0-based, 0 ≤ k < K, as SLURM's `--array=0-…` and Kubernetes'
 * JOB_COMPLETION_INDEX count) holds replicates floor(k·N/K) … floor((k+1)·N/K) − 1 of the N in the run. Contiguous
 * ranges keep the pool's batches contiguous and make a missing shard show up as one missing range.
 *
 * The shard file (JSON) carries everything needed to check that shards belong together: the kind of job, the
 * spruce version, the RNG scheme, seed, nsim, a SHA-256 of the model frames, and the job's own description (the
 * formulas, REML/ML, the observed statistic, …, compared field by field), then the replicates by index: their
 * values or their failure message. Numbers are written so that they read back bit for bit (JSON's shortest
 * round-trip decimals; NaN, ±Infinity and −0 as strings).
 */
import { SpruceError } from "../errors.js";
import { SPRUCE_VERSION } from "../version.js";

/** The random-number scheme of the replicates: Philox4x32-10, replicate i on stream (seed, i). */
export const PHILOX_RNG = "philox4x32-10";

export interface ShardSelection {
  /** 0-based shard index k. */
  index: number;
  /** Number of shards K. */
  count: number;
}

export interface ShardRange extends ShardSelection {
  scheme: "contiguous";
  /** First replicate of the shard. */
  first: number;
  /** One past the last replicate of the shard. */
  end: number;
}

/** Replicates of shard k of K in a run of `total`: floor(k·total/K) … floor((k+1)·total/K) − 1. */
export function shardRange(selection: ShardSelection, total: number): ShardRange {
  const { index, count } = selection;
  return {
    index,
    count,
    scheme: "contiguous",
    first: Math.floor((index * total) / count),
    end: Math.floor(((index + 1) * total) / count),
  };
}

function shardInteger(text: string, what: string, spec: string): number {
  const x = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(x) || x < 0)
    throw new SpruceError(`--shard ${spec}: ${what} must be a non-negative integer, got "${text}"`);
  return x;
}

/** Check a shard selection: K ≥ 1 and 0 ≤ k < K (k is 0-based). */
export function checkShard(index: number, count: number, source: string): ShardSelection {
  if (!Number.isSafeInteger(count) || count < 1)
    throw new SpruceError(`${source}: the number of shards must be an integer ≥ 1, got ${count}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count)
    throw new SpruceError(
      `${source}: the shard index is 0-based and must lie in 0…${count - 1} for ${count} shard${count === 1 ? "" : "s"}, got ${index}`,
    );
  return { index, count };
}

/** `k/K` (0-based k), e.g. `0/4` … `3/4`. */
export function parseShard(spec: string): ShardSelection {
  const m = /^\s*([^/]*)\/([^/]*)\s*$/.exec(spec);
  if (!m) throw new SpruceError(`--shard must be k/K (0-based k, e.g. 0/4) or auto, got "${spec}"`);
  const index = shardInteger(m[1] as string, "k", spec);
  const count = shardInteger(m[2] as string, "K", spec);
  return checkShard(index, count, `--shard ${spec}`);
}

/**
 * The shard of this task from the scheduler's environment (`--shard auto`):
 * - SLURM job arrays, with `--shards K`: k = SLURM_ARRAY_TASK_ID itself (array indices are shard indices), so
 *   `sbatch --array=2 …` reruns shard 2 of K alone. Without `--shards`: k = ID − SLURM_ARRAY_TASK_MIN and K =
 *   SLURM_ARRAY_TASK_COUNT (else MAX − MIN + 1), which holds for a whole array `--array=a-b`; a step other than 1
 *   (`--array=0-9:2`) is then refused, since the tasks would not cover every shard.
 * - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX (0-based), with K from `--shards` (the Job's `completions`).
 */
export function shardFromEnvironment(
  env: Record<string, string | undefined>,
  shards?: number,
): ShardSelection {
  const int = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === "") return undefined;
    const x = Number(v);
    if (!Number.isSafeInteger(x) || x < 0)
      throw new SpruceError(`--shard auto: ${name} must be a non-negative integer, got "${v}"`);
    return x;
  };
  const task = int("SLURM_ARRAY_TASK_ID");
  if (task !== undefined) {
    if (shards !== undefined)
      return checkShard(task, shards, `--shard auto --shards ${shards} (SLURM_ARRAY_TASK_ID ${task})`);
    const step = int("SLURM_ARRAY_TASK_STEP");
    if (step !== undefined && step !== 1)
      throw new SpruceError(
        `--shard auto: SLURM_ARRAY_TASK_STEP is ${step}; submit the array with step 1 (e.g. --array=0-3), or give --shards K so that the task id is the shard index`,
      );
    const min = int("SLURM_ARRAY_TASK_MIN") ?? 0;
    const max = int("SLURM_ARRAY_TASK_MAX");
    const count = int("SLURM_ARRAY_TASK_COUNT") ?? (max !== undefined ? max - min + 1 : undefined);
    if (count === undefined)
      throw new SpruceError(
        "--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX; give --shards K",
      );
    return checkShard(task - min, count, `--shard auto (SLURM_ARRAY_TASK_ID ${task})`);
  }
  const index = int("JOB_COMPLETION_INDEX");
  if (index !== undefined) {
    if (shards === undefined)
      throw new SpruceError(
        "--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job); give --shards K, the Job's completions",
      );
    return checkShard(index, shards, `--shard auto (JOB_COMPLETION_INDEX ${index})`);
  }
  throw new SpruceError(
    "--shard auto: neither SLURM_ARRAY_TASK_ID (SLURM job array) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set; use --shard k/K",
  );
}

/** What identifies a run: shards merge only when all of this is equal. */
export interface ShardHeader {
  format: "spruce-shard";
  formatVersion: 1;
  /** "boot-lrt" (spruce boot) or "power" (spruce power). */
  kind: string;
  spruceVersion: string;
  /** Random-number scheme of the replicates' streams (PHILOX_RNG). */
  rng: string;
  seed: number;
  /** Replicates in the whole run (all shards). */
  nsim: number;
  /** Values per replicate. */
  width: number;
  /** "sha256:…" of the model frame(s) the replicates simulate from and refit (./data-hash.ts). */
  dataHash: string;
  /** The job's description (formulas, criterion, test, …): compared field by field. */
  job: Record<string, unknown>;
  /**
   * What the fits to the observed data gave (the observed statistic, df, estimates the simulation uses): compared
   * last, bit for bit; with the same job and data they differ only between builds that compute differently.
   */
  fitted: Record<string, unknown>;
}

/** One replicate: its values (`width` numbers) or, when it failed, its message. */
export type ShardReplicate = { index: number; values: Float64Array } | { index: number; error: string };

export interface ShardFile extends ShardHeader {
  shard: ShardRange;
  replicates: ShardReplicate[];
  workers: number;
  restarts: number;
  elapsedMs: number;
}

/** A number as JSON that reads back to the same bits (JSON has no NaN, Infinity or −0). */
function encodeNumber(x: number): number | string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (Object.is(x, -0)) return "-0";
  return x;
}

/** Decode a number written by encodeNumber (shard values and the numbers of a job description). */
export function decodeNumber(x: unknown, where: string): number {
  if (typeof x === "number") return x;
  if (x === "NaN") return Number.NaN;
  if (x === "Infinity") return Number.POSITIVE_INFINITY;
  if (x === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (x === "-0") return -0;
  throw new SpruceError(`${where}: expected a number, got ${JSON.stringify(x)}`);
}

/** Recursively encode the numbers of a job description (so that e.g. an observed −0 or NaN survives). */
function encodeJob(v: unknown): unknown {
  if (typeof v === "number") return encodeNumber(v);
  if (Array.isArray(v)) return v.map(encodeJob);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeJob(x)]));
  return v;
}

/** The shard as JSON text. The job description keeps its encoded numbers (the merge compares them as text). */
export function shardToJson(file: ShardFile): string {
  const { replicates, ...rest } = file;
  const out = {
    ...rest,
    job: encodeJob(file.job),
    fitted: encodeJob(file.fitted),
    replicates: replicates.map((r) =>
      "error" in r ? { i: r.index, error: r.error } : { i: r.index, v: Array.from(r.values, encodeNumber) },
    ),
  };
  return `${JSON.stringify(out)}\n`;
}

/** Read a shard file's JSON (`name` for messages). Refuses anything that is not a spruce shard. */
export function shardFromJson(text: string, name: string): ShardFile {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new SpruceError(`${name}: not a spruce shard file (not JSON: ${(error as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || raw.format !== "spruce-shard")
    throw new SpruceError(`${name}: not a spruce shard file (no "format": "spruce-shard")`);
  if (raw.formatVersion !== 1)
    throw new SpruceError(
      `${name}: shard format version ${String(raw.formatVersion)}; this spruce reads version 1`,
    );
  const width = raw.width as number;
  if (!Number.isSafeInteger(width) || width < 1) throw new SpruceError(`${name}: bad "width"`);
  if (!Array.isArray(raw.replicates)) throw new SpruceError(`${name}: no "replicates" list`);
  const replicates: ShardReplicate[] = (raw.replicates as Record<string, unknown>[]).map((r, j) => {
    const index = r.i as number;
    if (!Number.isSafeInteger(index) || index < 0)
      throw new SpruceError(`${name}: replicate entry ${j} has no valid index "i"`);
    if (typeof r.error === "string") return { index, error: r.error };
    const v = r.v;
    if (!Array.isArray(v) || v.length !== width)
      throw new SpruceError(
        `${name}: replicate ${index} has ${Array.isArray(v) ? v.length : 0} values, expected ${width}`,
      );
    return { index, values: Float64Array.from(v, (x) => decodeNumber(x, `${name}: replicate ${index}`)) };
  });
  return { ...(raw as unknown as ShardFile), replicates };
}

/** Fields of the header compared between shards, in the order the reasons are reported. */
const HEADER_FIELDS = ["kind", "spruceVersion", "rng", "seed", "nsim", "width"] as const;

const HEADER_MEANING: Record<string, string> = {
  kind: "a different kind of run",
  spruceVersion: "a different spruce version (its numbers may differ)",
  rng: "a different random-number scheme",
  seed: "a different seed",
  nsim: "a different total number of replicates",
  width: "a different number of values per replicate",
  dataHash: "different data (model frame hash)",
};

/** The first key whose (encoded) values differ, with both values as JSON. */
function differentField(
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
): { key: string; a: string; b: string } | null {
  const ka = a ?? {};
  const kb = b ?? {};
  for (const key of new Set([...Object.keys(ka), ...Object.keys(kb)])) {
    const x = JSON.stringify(encodeJob(ka[key])) ?? "(absent)";
    const y = JSON.stringify(encodeJob(kb[key])) ?? "(absent)";
    if (x !== y) return { key, a: x, b: y };
  }
  return null;
}

/** Why shard `b` does not belong with shard `a`, or null when it does. */
export function shardMismatch(a: ShardFile, aName: string, b: ShardFile, bName: string): string | null {
  for (const f of HEADER_FIELDS) {
    if (a[f] !== b[f])
      return `${bName} belongs to ${HEADER_MEANING[f]}: ${f} ${JSON.stringify(b[f])} there, ${JSON.stringify(a[f])} in ${aName}`;
  }
  const inJob = differentField(a.job, b.job);
  if (inJob)
    return `${bName} belongs to a different run: ${inJob.key} ${inJob.b} there, ${inJob.a} in ${aName}`;
  // The same formulas on different data (the job above names what differs when the models do).
  if (a.dataHash !== b.dataHash)
    return `${bName} belongs to ${HEADER_MEANING.dataHash}: ${b.dataHash} there, ${a.dataHash} in ${aName}`;
  const inFit = differentField(a.fitted, b.fitted);
  if (inFit)
    return `${bName} was fitted differently (another build or platform?): ${inFit.key} ${inFit.b} there, ${inFit.a} in ${aName}`;
  return null;
}

/** The replicates of several shards by index, checked, deduplicated, with what is missing. */
export interface CombinedShards {
  header: ShardFile;
  /** Per replicate: 0 missing, 1 done, 2 failed. */
  status: Uint8Array;
  /** values[i · width + j]; NaN where missing or failed. */
  values: Float64Array;
  failures: { index: number; message: string }[];
  /** Replicates present (done or failed). */
  completed: number;
  /** Missing replicates as inclusive ranges [from, to]. */
  missing: [number, number][];
  /** Replicates given by more than one shard with identical results (kept once). */
  duplicates: number;
  workers: number;
  restarts: number;
  elapsedMs: number;
}

function sameReplicate(a: ShardReplicate, b: ShardReplicate): boolean {
  if ("error" in a || "error" in b) return "error" in a && "error" in b && a.error === b.error;
  if (a.values.length !== b.values.length) return false;
  for (let j = 0; j < a.values.length; j++) if (!Object.is(a.values[j], b.values[j])) return false;
  return true;
}

/** Inclusive ranges of the indices with status 0. */
export function missingRanges(status: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < status.length; i++) {
    if (status[i] !== 0) continue;
    let j = i;
    while (j + 1 < status.length && status[j + 1] === 0) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** "3, 10–19, 40–49" (at most `limit` ranges, then "…"). */
export function formatRanges(ranges: [number, number][], limit = 12): string {
  const parts = ranges.slice(0, limit).map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`));
  return parts.join(", ") + (ranges.length > limit ? `, … (${ranges.length} ranges)` : "");
}

/**
 * Check that the shards belong to one run, then gather their replicates by index. A replicate given twice with
 * identical results (a rerun shard) is kept once; with different results it is an error naming the index and
 * both files (same job, same stream: different numbers mean different software or hardware behaviour).
 */
export function combineShards(files: { file: ShardFile; name: string }[]): CombinedShards {
  if (files.length === 0) throw new SpruceError("merge: no shard files given");
  const { file: header, name: headerName } = files[0] as { file: ShardFile; name: string };
  for (const { file, name } of files.slice(1)) {
    const why = shardMismatch(header, headerName, file, name);
    if (why) throw new SpruceError(`merge: refused: ${why}`);
  }
  const { nsim, width } = header;
  const status = new Uint8Array(nsim);
  const values = new Float64Array(nsim * width).fill(Number.NaN);
  const seen = new Map<number, { r: ShardReplicate; name: string }>();
  let duplicates = 0;
  let workers = 0;
  let restarts = 0;
  let elapsedMs = 0;
  for (const { file, name } of files) {
    workers += file.workers ?? 0;
    restarts += file.restarts ?? 0;
    elapsedMs += file.elapsedMs ?? 0;
    for (const r of file.replicates) {
      if (r.index >= nsim)
        throw new SpruceError(
          `merge: ${name} holds replicate ${r.index}, beyond the run's ${nsim} replicates`,
        );
      const before = seen.get(r.index);
      if (before) {
        if (!sameReplicate(before.r, r))
          throw new SpruceError(
            `merge: replicate ${r.index} differs between ${before.name} and ${name} (same seed and job, different results); rerun that shard and keep one file`,
          );
        duplicates++;
        continue;
      }
      seen.set(r.index, { r, name });
      if ("error" in r) {
        status[r.index] = 2;
      } else {
        status[r.index] = 1;
        values.set(r.values, r.index * width);
      }
    }
  }
  const failures: { index: number; message: string }[] = [];
  for (const [index, { r }] of seen) if ("error" in r) failures.push({ index, message: r.error });
  failures.sort((a, b) => a.index - b.index);
  return {
    header,
    status,
    values,
    failures,
    completed: seen.size,
    missing: missingRanges(status),
    duplicates,
    workers,
    restarts,
    elapsedMs,
  };
}

/** The header fields every shard of a job shares. */
export function shardHeader(
  kind: string,
  seed: number,
  nsim: number,
  width: number,
  dataHash: string,
  job: Record<string, unknown>,
  fitted: Record<string, unknown>,
): ShardHeader {
  return {
    format: "spruce-shard",
    formatVersion: 1,
    kind,
    spruceVersion: SPRUCE_VERSION,
    rng: PHILOX_RNG,
    seed,
    nsim,
    width,
    dataHash,
    job,
    fitted,
  };
}

/**
 * A shard's replicates from a pool run over its range: run.values[(i − first) · width ..], run.status[i − first]
 * (1 done, 2 failed), failures by global index. Replicates that did not run (an aborted shard) are left out, so a
 * rerun supplies them.
 */
export function shardReplicates(
  range: { first: number; end: number },
  width: number,
  run: { values: Float64Array; status: Uint8Array; failures: { index: number; message: string }[] },
): ShardReplicate[] {
  const messages = new Map(run.failures.map((f) => [f.index, f.message]));
  const out: ShardReplicate[] = [];
  for (let i = range.first; i < range.end; i++) {
    const s = run.status[i - range.first];
    if (s === 1) {
      const at = (i - range.first) * width;
      out.push({ index: i, values: run.values.slice(at, at + width) });
    } else if (s === 2) out.push({ index: i, error: messages.get(i) ?? "failed" });
  }
  return out;
}
