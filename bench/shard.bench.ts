/**
 * Sharded runs (issue 17): the throughput of one shard and the cost of merging.
 * - one shard: shard 0/4 of a 4000-replicate Sitka likelihood-ratio bootstrap (1000 replicates, 2000 ML refits),
 *   as one SLURM array task runs it: `bootstrapLrtShard` with fresh workers (1 and 2), replicates per second;
 * - merge: 10⁵ replicates in 10 shard files (JSON text, made from a real shard's header with synthetic values),
 *   read, checked and reported: shardFromJson + combineShards + mergeLrtShards + the JSON of `spruce boot`.
 * The machine is shared and small (2 cores): treat the figures as rough.
 */
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { fit as fitModel } from "../src/fit/fit.js";
import { readCsv } from "../src/frame/csv.js";
import { bootstrapLrtShard, mergeLrtShards } from "../src/inference/boot-shard.js";
import { bootstrapLrtJson } from "../src/inference/bootstrap.js";
import { combineShards, type ShardFile, shardFromJson, shardToJson } from "../src/inference/shard.js";
import { RandomStream } from "../src/random/stream.js";

const NULL_MODEL = "size ~ time+I(time^2) + (time+I(time^2)|tree)";
const ALT_MODEL = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";

/** 10 shard files of a 10⁵-replicate run: the header of `real`, values T*, d0, d1 drawn at random. */
function syntheticShards(real: ShardFile, total: number, count: number): string[] {
  const rng = new RandomStream(7);
  const texts: string[] = [];
  for (let k = 0; k < count; k++) {
    const first = Math.floor((k * total) / count);
    const end = Math.floor(((k + 1) * total) / count);
    const replicates = [];
    for (let i = first; i < end; i++) {
      const z = rng.nextNormal();
      const d1 = -200 + 10 * rng.nextNormal();
      replicates.push({ index: i, values: Float64Array.from([z * z, d1 + z * z, d1, 1]) });
    }
    texts.push(
      shardToJson({
        ...real,
        nsim: total,
        shard: { index: k, count, scheme: "contiguous", first, end },
        replicates,
      }),
    );
  }
  return texts;
}

export async function run(options: { iterations?: number } = {}): Promise<void> {
  const iterations = options.iterations ?? Number(process.env.SPRUCE_BENCH_REPS ?? 3);
  const data = readCsv(fileURLToPath(new URL("../examples/sitka.csv", import.meta.url)));
  const m0 = await fitModel(NULL_MODEL, data, { REML: false });
  const m1 = await fitModel(ALT_MODEL, data, { REML: false });
  const SHARD_NSIM = 4000;
  const shardSize = SHARD_NSIM / 4;
  let header: ShardFile | null = null;
  const bench = new Bench({ iterations, time: 0, warmupIterations: 0, warmupTime: 0 });
  for (const workers of [1, 2])
    bench.add(`one shard (${shardSize} replicates), ${workers} worker${workers > 1 ? "s" : ""}`, async () => {
      header = await bootstrapLrtShard(m0, m1, {
        nsim: SHARD_NSIM,
        seed: 1,
        workers,
        shard: { index: 0, count: 4 },
      });
    });
  await bench.run();
  const TOTAL = 100_000;
  const texts = syntheticShards(header as unknown as ShardFile, TOTAL, 10);
  const mb = texts.reduce((s, t) => s + t.length, 0) / 1e6;
  const merge = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 });
  let pBootstrap = Number.NaN;
  merge.add(`merge 10⁵ replicates (10 shards, ${mb.toFixed(1)} MB JSON)`, () => {
    const files = texts.map((t, k) => ({
      file: shardFromJson(t, `shard-${k}.json`),
      name: `shard-${k}.json`,
    }));
    const result = mergeLrtShards(combineShards(files));
    JSON.stringify(bootstrapLrtJson(result));
    pBootstrap = result.pBootstrap;
  });
  await merge.run();
  const rows = [...bench.tasks, ...merge.tasks].map((t) => {
    const latency = (t.result as { latency?: { p50?: number; min?: number; max?: number } } | undefined)
      ?.latency;
    const median = latency?.p50 ?? Number.NaN;
    return {
      run: t.name,
      "median (ms)": Math.round(median),
      "min (ms)": Math.round(latency?.min ?? Number.NaN),
      "replicates/s": t.name.startsWith("one shard") ? Math.round(shardSize / (median / 1000)) : "",
    };
  });
  console.log(
    `\nshards: Sitka LRT shard 0/4 of ${SHARD_NSIM}; merge of ${TOTAL} replicates (median of ${iterations} runs)`,
  );
  console.table(rows);
  console.log(`merged pBootstrap of the synthetic run: ${pBootstrap.toPrecision(4)} (a check that it ran)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
