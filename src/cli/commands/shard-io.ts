/**
 * Shard files on disk for the CLI: which shard this process runs (`--shard k/K|auto`, `--shards K`), writing a
 * shard atomically (a killed task leaves no half-written file for the merge to trip on) and reading several.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { DataError, SpruceError } from "../../errors.js";
import {
  parseShard,
  type ShardFile,
  type ShardSelection,
  shardFromEnvironment,
  shardFromJson,
  shardToJson,
} from "../../inference/shard.js";

/** The shard selection of `--shard` / `--shards` (default: the whole run as shard 0/1). */
export function selectShard(shard: string | undefined, shards: string | undefined): ShardSelection {
  const count = shards === undefined ? undefined : Number(shards);
  if (count !== undefined && (!Number.isSafeInteger(count) || count < 1))
    throw new SpruceError(`--shards must be an integer ≥ 1, got "${shards}"`);
  if (shard === undefined || shard === "auto") {
    if (shard === undefined) {
      if (count !== undefined) throw new SpruceError("--shards K needs --shard auto (or use --shard k/K)");
      return { index: 0, count: 1 };
    }
    return shardFromEnvironment(process.env, count);
  }
  if (count !== undefined)
    throw new SpruceError("--shards is only for --shard auto; --shard k/K gives K itself");
  return parseShard(shard);
}

/** Shards of one run must share a seed: a random one per shard would make them unmergeable. */
export function requireSeed(shard: ShardSelection, seed: number | undefined): void {
  if (seed === undefined && shard.count > 1)
    throw new SpruceError(
      `--shard ${shard.index}/${shard.count} needs --seed S, the same in every shard (a random seed per shard could not be merged)`,
    );
}

/** Write the shard to `out` (atomically: a temporary file renamed) or to standard output. */
export function writeShard(file: ShardFile, out: string | undefined): void {
  const text = shardToJson(file);
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, out);
  } catch (error) {
    throw new DataError(`cannot write the shard file ${out}: ${(error as Error).message}`);
  }
  const { index, count, first, end } = file.shard;
  const failed = file.replicates.filter((r) => "error" in r).length;
  process.stderr.write(
    `shard ${index}/${count}: replicates ${first}–${end - 1} of ${file.nsim}` +
      `${failed ? `, ${failed} failed` : ""}, written to ${out}\n`,
  );
}

/** Read shard files (each named by its path in messages). */
export function readShards(paths: string[]): { file: ShardFile; name: string }[] {
  return paths.map((name) => {
    let text: string;
    try {
      text = readFileSync(name, "utf8");
    } catch (error) {
      throw new DataError(`cannot read the shard file ${name}: ${(error as Error).message}`);
    }
    return { file: shardFromJson(text, name), name };
  });
}
