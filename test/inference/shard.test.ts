/**
 * Sharded bootstraps: shards merged in any order are the one-machine run (stats bit for bit, p-values identical);
 * missing replicates are named by index; shards of another seed, data or models are refused with the reason; a
 * rerun shard is kept once and a conflicting one refused. Shard selection (k/K, SLURM, Kubernetes) is validated.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SpruceError } from "../../src/errors.js";
import type { DataFrame } from "../../src/frame/frame.js";
import { bootstrapLrtShard, mergeLrtShards } from "../../src/inference/boot-shard.js";
import { bootstrapLRT, bootstrapLrtJson } from "../../src/inference/bootstrap.js";
import {
  combineShards,
  missingRanges,
  parseShard,
  type ShardFile,
  shardFromEnvironment,
  shardFromJson,
  shardRange,
  shardReplicates,
  shardToJson,
} from "../../src/inference/shard.js";
import { SPRUCE_VERSION } from "../../src/version.js";
import { fitModel, fixtureData, SLEEP_INT, SLEEP_SLOPE, SLEEP_UNCORR } from "./fit-models.js";

const sleep = fixtureData("sleepstudy");
const m0 = await fitModel(SLEEP_INT, sleep, true);
const m1 = await fitModel(SLEEP_SLOPE, sleep, true);
const NSIM = 30;
const SEED = 2026;

/** Write and read back, as the CLI does between machines. */
function roundTrip(file: ShardFile, name: string): { file: ShardFile; name: string } {
  return { file: shardFromJson(shardToJson(file), name), name };
}

async function shards(count: number, seed = SEED, models = [m0, m1] as const) {
  const out = [];
  for (let index = 0; index < count; index++) {
    const file = await bootstrapLrtShard(models[0], models[1], {
      nsim: NSIM,
      seed,
      workers: index % 2, // the calling thread and a worker: the same numbers either way
      shard: { index, count },
    });
    out.push(roundTrip(file, `shard-${index}.json`));
  }
  return out;
}

const whole = await bootstrapLRT(m0, m1, { nsim: NSIM, seed: SEED, workers: 0 });
const four = await shards(4);

function expectSameResult(
  merged: ReturnType<typeof mergeLrtShards>,
  one: Awaited<ReturnType<typeof bootstrapLRT>>,
) {
  const a = bootstrapLrtJson(merged);
  const b = bootstrapLrtJson(one);
  for (const k of ["workers", "elapsedMs", "restarts"]) {
    delete a[k];
    delete b[k];
  }
  expect(a).toEqual(b);
  expect(merged.stats.length).toBe(one.stats.length);
  for (let i = 0; i < one.stats.length; i++) expect(Object.is(merged.stats[i], one.stats[i])).toBe(true);
  expect(merged.pBootstrap).toBe(one.pBootstrap);
  expect(merged.pChisq).toBe(one.pChisq);
  expect(merged.pExceed).toBe(one.pExceed);
}

describe("sharded likelihood-ratio bootstrap", () => {
  it("merged in any order equals the one-machine run, bit for bit", () => {
    expect(whole.valid).toBe(NSIM);
    for (const order of [
      [0, 1, 2, 3],
      [3, 1, 0, 2],
      [2, 3, 1, 0],
    ]) {
      const merged = mergeLrtShards(combineShards(order.map((i) => four[i] as (typeof four)[number])));
      expectSameResult(merged, whole);
      expect(merged.merge.missing).toEqual([]);
    }
  });

  it("gives the same numbers for any number of shards (3 shards here, 4 above, 1 below)", async () => {
    expectSameResult(mergeLrtShards(combineShards(await shards(3))), whole);
    const one = await bootstrapLrtShard(m0, m1, { nsim: NSIM, seed: SEED, workers: 2 });
    expect(one.shard).toMatchObject({ index: 0, count: 1, first: 0, end: NSIM });
    expectSameResult(mergeLrtShards(combineShards([roundTrip(one, "all.json")])), whole);
  });

  it("lets shards be empty when there are more shards than replicates", async () => {
    const files = [];
    for (let index = 0; index < 5; index++)
      files.push(
        roundTrip(
          await bootstrapLrtShard(m0, m1, { nsim: 3, seed: SEED, workers: 0, shard: { index, count: 5 } }),
          `tiny-${index}.json`,
        ),
      );
    expect(files.map((f) => f.file.replicates.length)).toEqual([0, 1, 0, 1, 1]);
    const small = await bootstrapLRT(m0, m1, { nsim: 3, seed: SEED, workers: 0 });
    expectSameResult(mergeLrtShards(combineShards(files)), small);
  });

  it("reports missing replicates by index, or merges the rest with --partial", () => {
    const some = [four[0], four[2], four[3]] as typeof four;
    const range = shardRange({ index: 1, count: 4 }, NSIM);
    expect(() => mergeLrtShards(combineShards(some))).toThrow(
      new RegExp(
        `${range.end - range.first} of ${NSIM} replicates are missing: indices ${range.first}–${range.end - 1}`,
      ),
    );
    const partial = mergeLrtShards(combineShards(some), true);
    expect(partial.partial).toBe(true);
    expect(partial.merge.missing).toEqual([[range.first, range.end - 1]]);
    for (let i = range.first; i < range.end; i++) expect(partial.stats[i]).toBeNaN();
    expect(partial.valid).toBe(NSIM - (range.end - range.first));
  });

  it("keeps a rerun shard once and refuses a replicate whose results differ", () => {
    const rerun = { ...four[1], name: "shard-1-rerun.json" } as (typeof four)[number];
    const c = combineShards([...four, rerun]);
    expect(c.duplicates).toBe(rerun.file.replicates.length);
    expectSameResult(mergeLrtShards(c), whole);
    const tampered = shardFromJson(shardToJson(rerun.file), "tampered.json");
    const r = tampered.replicates[2] as { index: number; values: Float64Array };
    r.values[0] = (r.values[0] as number) + 1e-12;
    expect(() => combineShards([...four, { file: tampered, name: "tampered.json" }])).toThrow(
      new RegExp(`replicate ${r.index} differs between shard-1.json and tampered.json`),
    );
  });

  it("refuses shards of another seed, other data or other models, saying why", async () => {
    const otherSeed = roundTrip(
      await bootstrapLrtShard(m0, m1, {
        nsim: NSIM,
        seed: SEED + 1,
        workers: 0,
        shard: { index: 1, count: 4 },
      }),
      "seed.json",
    );
    expect(() => combineShards([four[0] as (typeof four)[number], otherSeed])).toThrow(
      /seed\.json belongs to a different seed: seed 2027 there, 2026 in shard-0\.json/,
    );
    const frame = sleep as DataFrame;
    const reaction = frame.columns.get("Reaction") as { kind: "numeric"; values: Float64Array };
    const y = reaction.values.slice();
    y[5] = (y[5] as number) + 1;
    const other: DataFrame = {
      ...frame,
      columns: new Map([...frame.columns, ["Reaction", { kind: "numeric", values: y }]]),
    };
    const d0 = await fitModel(SLEEP_INT, other, true);
    const d1 = await fitModel(SLEEP_SLOPE, other, true);
    const otherData = roundTrip(
      await bootstrapLrtShard(d0, d1, { nsim: NSIM, seed: SEED, workers: 0, shard: { index: 1, count: 4 } }),
      "data.json",
    );
    expect(() => combineShards([four[0] as (typeof four)[number], otherData])).toThrow(
      /data\.json belongs to different data \(model frame hash\)/,
    );
    const u1 = await fitModel(SLEEP_UNCORR, sleep, true);
    const otherModel = roundTrip(
      await bootstrapLrtShard(m0, u1, { nsim: NSIM, seed: SEED, workers: 0, shard: { index: 1, count: 4 } }),
      "model.json",
    );
    expect(() => combineShards([four[0] as (typeof four)[number], otherModel])).toThrow(
      /model\.json belongs to a different run: alt "Reaction ~ Days \+ \(Days\|\|Subject\)" there/,
    );
    const mlFits = roundTrip(
      await bootstrapLrtShard(
        await fitModel(SLEEP_INT, sleep, false),
        await fitModel(SLEEP_SLOPE, sleep, false),
        {
          nsim: NSIM,
          seed: SEED,
          workers: 0,
          shard: { index: 1, count: 4 },
        },
      ),
      "ml.json",
    );
    expect(() => combineShards([four[0] as (typeof four)[number], mlFits])).toThrow(
      /ml\.json .*REML \[false,false\]/,
    );
    const refitted = {
      file: { ...(four[1]?.file as ShardFile), fitted: { ...four[1]?.file.fitted, observed: 42 } },
      name: "fit.json",
    };
    expect(() => combineShards([four[0] as (typeof four)[number], refitted])).toThrow(
      /fit\.json was fitted differently .*observed 42 there/,
    );
    expect(() =>
      combineShards([
        { file: { ...four[0]?.file, nsim: 31 } as ShardFile, name: "n.json" },
        four[1] as (typeof four)[number],
      ]),
    ).toThrow(/different total number of replicates/);
  });

  it("writes everything a merge checks in the header", () => {
    const f = four[2]?.file as ShardFile;
    expect(f).toMatchObject({
      format: "spruce-shard",
      kind: "boot-lrt",
      rng: "philox4x32-10",
      seed: SEED,
      nsim: NSIM,
      spruceVersion: SPRUCE_VERSION,
      job: { null: SLEEP_INT, alt: SLEEP_SLOPE, REML: [true, true] },
      fitted: { df: 2, refitted: true },
    });
    expect(f.dataHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(f.replicates.map((r) => r.index)).toEqual(
      Array.from({ length: f.shard.end - f.shard.first }, (_, i) => f.shard.first + i),
    );
  });
});

describe("shard files", () => {
  it("keep NaN, ±Infinity, −0 and every double bit for bit, and failed replicates with their message", () => {
    const values = Float64Array.from([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      0.1 + 0.2,
      5e-324,
      -1.7976931348623157e308,
    ]);
    const run = {
      values: Float64Array.from([...values, ...new Float64Array(6).fill(Number.NaN)]),
      status: Uint8Array.from([1, 2]),
      failures: [{ index: 11, message: "refit failed: no descent" }],
    };
    const reps = shardReplicates({ first: 10, end: 12 }, 6, run);
    const file = { ...(four[0]?.file as ShardFile), width: 6, replicates: reps };
    const back = shardFromJson(shardToJson(file), "x.json");
    const v = (back.replicates[0] as { values: Float64Array }).values;
    for (let j = 0; j < 6; j++) expect(Object.is(v[j], values[j])).toBe(true);
    expect(back.replicates[1]).toEqual({ index: 11, error: "refit failed: no descent" });
  });

  it("refuses files that are not shards, with the file's name", () => {
    expect(() => shardFromJson("{", "broken.json")).toThrow(/broken\.json: not a spruce shard file/);
    expect(() => shardFromJson('{"format":"other"}', "other.json")).toThrow(
      /other\.json: not a spruce shard/,
    );
  });

  it("spruce's version in the header is package.json's", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(SPRUCE_VERSION).toBe(pkg.version);
  });
});

describe("shard selection", () => {
  it("contiguous ranges cover every replicate exactly once, for any N and K", () => {
    for (const total of [1, 2, 7, 30, 1000, 99991])
      for (const count of [1, 2, 3, 4, 7, 16, 1000]) {
        let next = 0;
        for (let index = 0; index < count; index++) {
          const r = shardRange({ index, count }, total);
          expect(r.first).toBe(next);
          expect(r.end).toBeGreaterThanOrEqual(r.first);
          next = r.end;
        }
        expect(next).toBe(total);
      }
    expect(missingRanges(Uint8Array.from([1, 0, 0, 1, 0]))).toEqual([
      [1, 2],
      [4, 4],
    ]);
  });

  it("k/K is 0-based and validated", () => {
    expect(parseShard("0/4")).toEqual({ index: 0, count: 4 });
    expect(parseShard("3/4")).toEqual({ index: 3, count: 4 });
    expect(() => parseShard("4/4")).toThrow(/0-based and must lie in 0…3 for 4 shards, got 4/);
    expect(() => parseShard("1/0")).toThrow(/number of shards must be an integer ≥ 1/);
    expect(() => parseShard("a/4")).toThrow(/k must be a non-negative integer, got "a"/);
    expect(() => parseShard("2")).toThrow(SpruceError);
  });

  it("auto reads SLURM arrays (any start; with --shards the task id is k) and Kubernetes Indexed Jobs", () => {
    expect(
      shardFromEnvironment({
        SLURM_ARRAY_TASK_ID: "2",
        SLURM_ARRAY_TASK_COUNT: "4",
        SLURM_ARRAY_TASK_MIN: "0",
      }),
    ).toEqual({ index: 2, count: 4 });
    expect(
      shardFromEnvironment({
        SLURM_ARRAY_TASK_ID: "5",
        SLURM_ARRAY_TASK_MIN: "1",
        SLURM_ARRAY_TASK_MAX: "8",
      }),
    ).toEqual({ index: 4, count: 8 });
    // With --shards K the task id is the shard index: `sbatch --array=2` reruns shard 2 of 4 alone.
    expect(
      shardFromEnvironment(
        { SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "1", SLURM_ARRAY_TASK_MIN: "2" },
        4,
      ),
    ).toEqual({ index: 2, count: 4 });
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_COUNT: "5" }, 4)).toThrow(
      /--shards 4 \(SLURM_ARRAY_TASK_ID 4\).*0…3/,
    );
    expect(() =>
      shardFromEnvironment({
        SLURM_ARRAY_TASK_ID: "2",
        SLURM_ARRAY_TASK_COUNT: "2",
        SLURM_ARRAY_TASK_STEP: "2",
      }),
    ).toThrow(/SLURM_ARRAY_TASK_STEP is 2/);
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: "3" }, 4)).toEqual({ index: 3, count: 4 });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "3" })).toThrow(/give --shards K/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "4" }, 4)).toThrow(
      /JOB_COMPLETION_INDEX 4.*0…3/,
    );
    expect(() => shardFromEnvironment({})).toThrow(/neither SLURM_ARRAY_TASK_ID .* nor JOB_COMPLETION_INDEX/);
  });
});
